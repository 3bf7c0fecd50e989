"""What the store returns: one frozen model per kind of row, never an asyncpg Record.

Timestamps are timezone-aware (UTC from the database).
"""

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from schemas.base import Model

DecisionKind = Literal["approved", "returned", "accepted"]
Channel = Literal["email", "webhook"]
OutboxState = Literal["pending", "sent", "failed", "held"]


class Assignment(Model):
    """One agency's duty for one period: the row behind one assignment workflow.

    `id` is the workflow id, e.g. 'kh/516-KH-UBND/III.5.4/SNGV/2023'. `original_due_at` is
    the deadline first set; `due_at` moves when the coordinator extends it.
    """

    id: str
    plan_id: str
    duty_id: str
    agency_code: str
    period: str
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    overdue: bool = False
    escalation_level: int = 0
    outcome: str | None = None
    pending_step: str | None = None
    given_agency_code: str | None = Field(
        default=None,
        description="The agency it was given to, when a merger or renaming moved it to "
        "`agency_code`; None: never moved.",
    )


class AttachmentRef(Model):
    """A file attached to a submission: its description and where its bytes are kept."""

    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    storage_key: str | None = Field(
        default=None,
        description="Where the bytes are: 'pg:<sha256>' for the attachments table.",
    )


class Submission(Model):
    """One submitted version of a report; versions are numbered from 1 and never change."""

    id: int
    assignment_id: str
    version: int
    submitted_by: str
    body: str
    attachments: list[AttachmentRef]
    idempotency_key: str | None
    submitted_at: dt.datetime


class Decision(Model):
    """One approval step's decision on one submitted version."""

    id: int
    assignment_id: str
    submission_version: int
    step: str
    decision: DecisionKind
    actor: str
    reason: str | None
    decided_at: dt.datetime


class OutboxEntry(Model):
    """A notice claimed under its idempotency key; `state` says whether it went out."""

    id: int
    idempotency_key: str
    assignment_id: str | None
    kind: str
    channel: Channel
    recipient: str
    subject: str | None
    body: str
    state: OutboxState
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


class AuditEntry(Model):
    """Who did what to which subject, from where (`source`: 'cli', 'web', 'worker', an IP)."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    source: str
    idempotency_key: str | None = None


class Document(Model):
    """A document kehoach produced (the consolidated report), every version kept."""

    id: str
    plan_id: str
    kind: str
    markdown: str
    docx: bytes
    sha256: str
    created_at: dt.datetime


class Person(Model):
    """One contact an agency named (III.14 of the plan: a leader and a focal official)."""

    name: str
    title: str
    email: str
    placeholder: bool = False


class AgencyContacts(Model):
    """An agency with where to reach it: its contacts by role and its chat webhook, if any."""

    code: str
    name: str
    webhook_url: str | None = None
    leader: Person | None = None
    focal: Person | None = None


class PortalSession(Model):
    """A live portal session or API token, as the store keeps it (the value only hashed)."""

    kind: Literal["session", "api"]
    email: str
    csrf: str
    expires_at: dt.datetime


DraftStatus = Literal["reading", "ready", "refused", "published"]


class PlanDraftRow(Model):
    """A plan draft imported in the portal: the document read, the plan file it gave (as a
    mapping), its directory and the review notes, and what became of it."""

    id: str
    created_by: str
    source_name: str
    status: DraftStatus
    step: str
    percent: int
    message: str | None
    source_text: str | None
    plan: dict[str, Any] | None
    directory: dict[str, Any] | None
    notes: dict[str, Any] | None
    published_plan_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


PAGE_LIMIT_MAX = 500


class AssignmentFilter(Model):
    """Which assignments a list, a page or a count is about; None means any. Across every
    plan unless `plan_id` names one."""

    plan_id: str | None = None
    agency_code: str | None = None
    status: str | None = None
    period: str | None = None
    label: str | None = None
    directory: str | None = Field(
        default=None,
        description="Only plans of this agency directory (province): a code "
        "names another agency in another province.",
    )


class ListedAssignment(Assignment):
    """An assignment as lists show it: its label at the moment asked, and the names of its
    plan, duty and agency, all read by the same SQL statement."""

    label: str
    plan_title: str
    clause: str
    duty_text: str
    agency_name: str


class AssignmentPage(Model):
    """One page of a list, and how many rows the whole list has."""

    rows: list[ListedAssignment]
    total: int
    limit: int
    offset: int


class LabelCount(Model):
    """How many assignments of one group (a plan, an agency, a duty) carry each label."""

    key: tuple[str, ...]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class AwaitingReport(ListedAssignment):
    """A submitted report waiting for a decision, with its last version's sender."""

    version: int | None
    submitted_by: str | None
    submitted_at: dt.datetime | None


class Decidable(Model):
    """The approval steps a person decides: some only for their own agency's reports, some
    for the plans their agency coordinates, some for any plan."""

    agency: str
    own_agency: frozenset[str] = frozenset()
    coordinated: frozenset[str] = frozenset()
    anywhere: frozenset[str] = frozenset()

    def decides(self, step: str | None, *, agency: str, coordinator: str) -> bool:
        """Whether this person decides `step` of `agency`'s report in a plan `coordinator`
        coordinates (the same rule the approvals inbox asks the store with)."""
        return bool(step) and (
            step in self.anywhere
            or (step in self.own_agency and agency == self.agency)
            or (step in self.coordinated and coordinator == self.agency)
        )


class PlanSummary(Model):
    """A stored plan as the portal's plan list shows it."""

    id: str
    title: str
    coordinator: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())
