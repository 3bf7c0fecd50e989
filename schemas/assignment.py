"""Messages of the assignment workflow: its input, updates, query result and activity I/O.

One model per message, so a field can be added without breaking callers or histories.
"""

import datetime as dt
from typing import Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from schemas.base import Model, Text
from schemas.calendar import WorkingCalendar
from schemas.plan import ApprovalChain, ApproverRole, EscalationLadder, Mode, ReminderPolicy
from schemas.store import AttachmentRef

MAX_REPORT_CHARS = 100_000
"""A report's text travels in an update payload; attachments travel as references only."""
MIN_REASON = 5
"""The shortest reason for a return, a cancellation or an amendment, in characters."""
MAX_NOTE_CHARS = 2000
"""The longest comment, reason or request subject a person writes, in characters."""

Status = Literal[
    "assigned",  # chưa nộp
    "submitted",  # đã nộp, chờ duyệt
    "returned",  # bị trả lại, chờ nộp lại
    "accepted",  # đã được chấp nhận
    "cancelled",  # đã hủy
    "waived",  # được miễn
    "ended",  # không hoàn thành (kết thúc theo dõi): tracking ended without a report
]
FINAL_STATUSES: frozenset[str] = frozenset({"accepted", "cancelled", "waived", "ended"})
OPEN_STATUSES: frozenset[str] = frozenset({"assigned", "returned"})
"""Statuses in which the agency still owes its report."""

Role = Literal[
    "focal", "leader", "coordinator", "coordinator_director", "vice_chairman", "office", "system"
]
Outcome = Literal["on_time", "late"]

ASSIGNMENT_SHAPE = 1
"""The shape of the assignment runs started from this code (`AssignmentInput.shape`): 1 = every
change of the workflow made behind `workflow.patched` up to then is simply in force, so a new
run records no patch marker and no `TemporalChangeVersion` upsert for them. Raise it (and
list the patches it stands for in `workflows/assignment.py`) when a later patch is folded in."""


class Actor(Model):
    """Who acts. The portal or CLI authenticates the person; the workflow checks the rights."""

    email: str = Field(min_length=3, max_length=254)
    role: Role
    agency: str = Field(min_length=1, max_length=40)
    name: str | None = None
    source: str = Field(default="cli", max_length=100, description="cli, web, pull, ip…")


class DutyBrief(Model):
    """What a notice needs to say about the duty."""

    id: str
    clause: str
    heading: str | None = None
    text: str


class AssignmentInput(Model):
    """Starts one assignment: one duty, one agency, one period."""

    assignment_id: str
    plan_id: str
    plan_title: str
    duty: DutyBrief
    mode: Mode = "assigned"
    agency: str
    agency_name: str
    issuer: str
    coordinator: str
    office: str
    period: str
    last_day: dt.date | None = Field(
        default=None, description="Last calendar day on time; None until the coordinator sets it."
    )
    move_off_non_working_days: bool = True
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    escalation: EscalationLadder = Field(default_factory=EscalationLadder)
    approval: ApprovalChain = Field(default_factory=ApprovalChain)
    calendar: WorkingCalendar
    pull_report: bool = Field(default=False, description="The agency has a report endpoint.")
    speed: float = Field(
        default=1.0,
        ge=1.0,
        le=1_000_000.0,
        description="How much faster than real time the plan's clock runs (1 in production).",
    )
    clock_origin: dt.datetime | None = Field(
        default=None,
        description="The real instant from which a fast clock counts; shared by every workflow "
        "of one run so they agree on the plan's time. None: the workflow's own start.",
    )
    shape: int = Field(
        default=0,
        ge=0,
        description="Which code the run was started for (`ASSIGNMENT_SHAPE`). 0, as in every "
        "input recorded before the field: the run asks `workflow.patched` for each change.",
    )


# --- updates ---------------------------------------------------------------------------


class SubmitReport(Model):
    actor: Actor
    body: Text = Field(min_length=1, max_length=MAX_REPORT_CHARS)
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=20)


class Approve(Model):
    actor: Actor
    comment: Text | None = Field(default=None, max_length=MAX_NOTE_CHARS)
    version: int | None = Field(
        default=None,
        ge=1,
        description="The report version decided on (an action link's); "
        "refused once a newer version exists. None: the current one.",
    )


class ReturnForRevision(Model):
    actor: Actor
    reason: Text = Field(max_length=MAX_NOTE_CHARS)
    version: int | None = Field(
        default=None,
        ge=1,
        description="The report version decided on (an action link's); "
        "refused once a newer version exists. None: the current one.",
    )


class ExtendDeadline(Model):
    actor: Actor
    new_last_day: dt.date
    reason: Text = Field(max_length=MAX_NOTE_CHARS)


class AmendCalendar(Model):
    """Days the government announced after the calendar was built: extra days off, and
    weekend days made working days (a swap day). Timers are re-armed on the new calendar."""

    actor: Actor
    days_off: list[dt.date] = Field(default_factory=list, max_length=60)
    working_days: list[dt.date] = Field(default_factory=list, max_length=60)
    reason: Text = Field(max_length=2000)


class SetDeadline(Model):
    actor: Actor
    last_day: dt.date


class Cancel(Model):
    actor: Actor
    reason: Text = Field(max_length=MAX_NOTE_CHARS)
    waive: bool = Field(default=False, description="Waived (miễn) instead of cancelled.")
    end_tracking: bool = Field(
        default=False,
        description="Tracking ends without a report: counted as not done (không hoàn thành, "
        "kết thúc theo dõi), never as waived.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> "Cancel":
        if self.waive and self.end_tracking:
            raise ValueError("chỉ một trong waive hoặc end_tracking")
        return self


REROUTE_ACTION = "reroute"
"""The audit action of an assignment moved to its agency's successor; the store's row follows
only on this action."""


class Reroute(Model):
    """The assignment's agency was merged into or renamed as another (a directory version's
    succession): an open assignment moves to the successor, whose people act on it and get
    its notices from now on. Sent by the directory's loader, once per assignment and change."""

    actor: Actor
    from_agency: str = Field(min_length=1, max_length=40)
    to_agency: str = Field(min_length=1, max_length=40)
    to_agency_name: str = Field(min_length=1, max_length=300)
    effective: dt.date
    basis: str | None = Field(default=None, max_length=500)


class ActionResult(Model):
    """What an accepted update returns to the caller."""

    status: Status
    message_vi: str
    version: int | None = None


# --- query -----------------------------------------------------------------------------


class SubmissionRecord(Model):
    version: int
    submitted_by: str
    submitted_at: dt.datetime
    attachments: int = 0


class DecisionRecord(Model):
    version: int
    step: ApproverRole
    decision: Literal["approved", "returned"]
    actor: str
    reason: str | None = None
    at: dt.datetime


class Extension(Model):
    previous_last_day: dt.date | None
    new_last_day: dt.date
    by: str
    reason: str
    at: dt.datetime


class AssignmentState(Model):
    """The whole state, as the query returns it and as continue-as-new would carry it."""

    assignment_id: str
    agency: str
    status: Status
    overdue: bool = False
    escalation_level: int = 0
    original_last_day: dt.date | None = None
    last_day: dt.date | None = None
    deadline: dt.datetime | None = None
    pending_step: ApproverRole | None = None
    submissions: list[SubmissionRecord] = Field(default_factory=list)
    decisions: list[DecisionRecord] = Field(default_factory=list)
    extensions: list[Extension] = Field(default_factory=list)
    reminders_sent: list[str] = Field(default_factory=list)
    reminders_skipped: list[str] = Field(default_factory=list)
    outcome: Outcome | None = None
    closed_reason: str | None = None
    pull_attempts: int = 0


# --- activities ------------------------------------------------------------------------

NoticeKind = Literal[
    "assignment",
    "reminder",
    "escalation",
    "report_received",
    "approval_requested",
    "approved",
    "returned",
    "accepted",
    "extension_granted",
    "deadline_set",
    "cancelled",
    "report_sign_off",
    "report_issued",
]
Recipient = Literal[
    "focal", "leader", "coordinator", "coordinator_director", "office", "vice_chairman"
]


class NoticeTiming(Model):
    """When a notice was asked for and where it stands on the ladder: what decides whether it
    goes out at once or waits for the morning digest (`domain.digest.hold_reason`)."""

    at: dt.datetime | None = Field(
        default=None, description="When the workflow asked for it, on the plan's clock."
    )
    planned_at: dt.datetime | None = Field(
        default=None, description="When a reminder or escalation was due; later: catching up."
    )
    ladder_levels: int | None = Field(
        default=None, description="How many levels the escalation ladder has; above: repeats."
    )
    days_left: int | None = Field(
        default=None,
        description="Days from the day the notice is written to the last day ('còn N ngày'); "
        "days_before is the reminder rule's T-N.",
    )


class NoticeRequest(NoticeTiming):
    """One notice about one assignment; its key makes the effect exactly-once."""

    idempotency_key: str = Field(min_length=1, max_length=300)
    kind: NoticeKind
    assignment_id: str
    plan_id: str
    plan_title: str
    duty: DutyBrief
    agency: str
    agency_name: str
    issuer: str
    coordinator: str
    office: str
    recipients: list[Recipient] = Field(min_length=1)
    deadline: dt.datetime | None = None
    days_before: int | None = None
    escalation_level: int | None = None
    reason: str | None = None
    actor: str | None = None
    status: Status | None = None
    version: int | None = Field(
        default=None, description="The report version an approval request is about."
    )
    period: str | None = Field(default=None, description="The reporting period's key (2023-H1).")


class NoticeRef(NoticeTiming):
    """One notice about one assignment, by reference: what the workflow alone knows (the
    kind, its key, who gets it and the facts of this step). The activity reads the plan,
    the duty, the agencies and the deadline from the store (`NoticeSubject`), so a notice
    costs the history a few hundred bytes whatever the duty's text."""

    assignment_id: str
    key: str = Field(min_length=1, max_length=200, description="Unique within the assignment.")
    kind: NoticeKind
    recipients: list[Recipient] = Field(min_length=1)
    days_before: int | None = None
    escalation_level: int | None = None
    reason: str | None = None
    actor: str | None = None
    version: int | None = Field(
        default=None, description="The report version an approval request is about."
    )

    @model_serializer(mode="wrap")
    def _without_nones(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        """Fields left unset are left out: every notice's input is in the history."""
        return {k: v for k, v in handler(self).items() if v is not None}

    @property
    def idempotency_key(self) -> str:
        """The notice's key, the same as a `NoticeRequest` for the same step would carry."""
        return notice_key(self.assignment_id, self.key)


def notice_key(assignment_id: str, key: str) -> str:
    """An assignment's notice key: exactly-once per assignment and step."""
    return f"{assignment_id}/{key}"


class NoticeSubject(Model):
    """What the store knows of an assignment that a notice names: read when it is sent."""

    plan_id: str
    plan_title: str
    duty: DutyBrief
    agency: str
    agency_name: str
    issuer: str
    coordinator: str
    office: str
    deadline: dt.datetime | None
    status: Status
    period: str | None = Field(default=None, description="The reporting period's key.")


class NoticeResult(Model):
    sent: int = 0
    skipped: int = Field(default=0, description="Already sent under this key.")
    failed: int = 0


class StoreSubmission(Model):
    """Keep one submitted version; storing the same version twice is a no-op."""

    assignment_id: str
    version: int = Field(ge=1)
    submitted_by: str
    submitted_at: dt.datetime
    body: str = Field(max_length=MAX_REPORT_CHARS)
    attachments: list[AttachmentRef] = Field(default_factory=list)


class AssignmentEvent(Model):
    """A change to mirror into the store (for the portal) and the audit log."""

    assignment_id: str
    plan_id: str
    duty_id: str
    agency: str
    period: str
    status: Status
    overdue: bool
    escalation_level: int
    deadline: dt.datetime | None
    original_deadline: dt.datetime | None
    actor: str
    action: str
    source: str
    # Whose decision a submitted report waits for, mirrored so the approvals inbox needs no
    # query per workflow; None when nothing waits (and in events recorded before it existed).
    pending_step: ApproverRole | None = None
    detail: dict[str, str | int | bool | None] = Field(default_factory=dict)
    idempotency_key: str
    brief: DutyBrief | None = Field(
        default=None,
        description="The duty as given, on the first event: notices by reference read it.",
    )


class StepWrites(Model):
    """The store writes one step of an assignment queued (a report and the event announcing
    it), in their order: one local activity, so one marker event in the history."""

    writes: list[StoreSubmission | AssignmentEvent] = Field(min_length=2)


class FetchReport(Model):
    assignment_id: str
    agency: str
    period: str


class FetchedReport(Model):
    """What pulling an agency's endpoint gave: a report, or why not."""

    outcome: Literal["report", "invalid", "unreachable", "not_ready"]
    body: str | None = None
    error: str | None = None
