"""Messages of the plan workflow and the consolidation workflow, and their activities."""

import datetime as dt
from typing import Literal

from pydantic import Field

from schemas.assignment import MAX_NOTE_CHARS, Actor, AmendCalendar, DutyBrief
from schemas.base import Model, Text
from schemas.calendar import WorkingCalendar
from schemas.plan import Succession


class RunOptions(Model):
    """How one run of a plan goes; production leaves every default."""

    speed: float = Field(default=1.0, ge=1.0, le=1_000_000.0)
    clock_origin: dt.datetime | None = None
    shift_days: int = Field(default=0, description="Move every date of the plan (demos).")
    until_year: int | None = Field(default=None, description="Last year of recurring duties.")
    progress_every_days: int = Field(default=7, ge=1, le=366)
    consolidation_delay_days: int = Field(
        default=0,
        ge=0,
        le=366,
        description="Days after the final deadline before compiling, for late reports.",
    )


class PlanRunInput(Model):
    """Starts (or continues, one year later) the workflow that runs a whole plan."""

    plan_id: str
    year: int
    first_year: bool = True
    options: RunOptions = Field(default_factory=RunOptions)
    calendar: WorkingCalendar
    adhoc_requests: int = 0
    consolidations: list[str] = Field(default_factory=list)


class ScheduledStart(Model):
    """A batch of assignments to start at one instant of the plan's clock."""

    at: dt.datetime
    duty_id: str
    period: str


class ScheduledConsolidation(Model):
    """One period's consolidated report, compiled at this instant of the plan's clock."""

    at: dt.datetime
    period: str


class PlanSchedule(Model):
    """What the plan starts during one year, when it consolidates, and what validators need.

    A final report due on one date is consolidated once (`consolidate_at`, the first
    format); a recurring one each period (`consolidations`). `last_year` is the span's last
    year (None in schedules of the first format: the run's own year, unless `open_ended`)."""

    starts: list[ScheduledStart]
    consolidate_at: dt.datetime | None
    year_end: dt.datetime
    coordinator: str
    duty_ids: list[str]
    agencies: list[str]
    final_duty: str | None = None
    adhoc_duty: str | None = None
    consolidations: list[ScheduledConsolidation] = Field(default_factory=list)
    last_year: int | None = None
    open_ended: bool = False


class ScheduleRequest(Model):
    plan_id: str
    year: int
    first_year: bool
    shift_days: int
    calendar: WorkingCalendar
    consolidation_delay_days: int = 0


class StartBatch(Model):
    """Start the assignments of one duty and period (idempotent: existing ones are kept)."""

    plan_id: str
    duty_id: str
    period: str
    options: RunOptions
    calendar: WorkingCalendar
    agencies: list[str] | None = Field(default=None, description="None: the duty's assignees.")
    last_day: dt.date | None = None
    brief: DutyBrief | None = Field(default=None, description="Ad-hoc requests: their subject.")
    on: dt.date | None = Field(
        default=None,
        description="The plan's day the batch starts (an agency merged by then is given none: "
        "its successor is); None: today.",
    )


class StartedBatch(Model):
    started: int
    existing: int


class Progress(Model):
    """Counts of the plan's assignments, by status and by agency."""

    at: dt.datetime | None = None
    total: int = 0
    by_status: dict[str, int] = Field(default_factory=dict)
    by_agency: dict[str, dict[str, int]] = Field(default_factory=dict)
    overdue: int = 0
    on_time: int = 0
    late: int = 0


class ProgressRequest(Model):
    plan_id: str


# --- amendments (updates on the plan workflow) ----------------------------------------


class WithdrawDuty(Model):
    actor: Actor
    duty_id: str
    reason: Text = Field(max_length=MAX_NOTE_CHARS)


class MoveDeadline(Model):
    actor: Actor
    duty_id: str
    new_last_day: dt.date
    reason: Text = Field(max_length=MAX_NOTE_CHARS)


class AddDuty(Model):
    """A duty added by amendment; it must already be in the plan file loaded into the store."""

    actor: Actor
    duty_id: str


class AdHocRequest(Model):
    """Báo cáo đột xuất: the coordinator asks chosen agencies for a report by a date."""

    actor: Actor
    subject: Text = Field(min_length=5, max_length=MAX_NOTE_CHARS)
    agencies: list[str] = Field(min_length=1, max_length=500)
    last_day: dt.date


class AmendmentResult(Model):
    message_vi: str
    affected: int = 0


class SuccessionRun(Model):
    """One merger or renaming of a directory version, waited for until its day and then
    applied to the open assignments of the agency (`DirectoryChange` workflow)."""

    directory: str = Field(min_length=1, max_length=200)
    succession: Succession
    on: dt.date | None = Field(
        default=None,
        description="The day the reroute runs, on the workflow's clock (set by the workflow).",
    )


class AnnouncementResult(Model):
    """What an announcement of days did, plan by plan: sent to each running plan, skipped
    for plans not running (they read it from the store when they start), or not answered
    (sending it again with the same request id completes it, applying nothing twice)."""

    applied: dict[str, AmendmentResult] = Field(default_factory=dict)
    not_running: list[str] = Field(default_factory=list)
    unanswered: dict[str, str] = Field(default_factory=dict)

    @property
    def message_vi(self) -> str:
        parts = [f"Kế hoạch {plan}: {result.message_vi}" for plan, result in self.applied.items()]
        if self.not_running:
            parts.append(
                f"{len(self.not_running)} kế hoạch không chạy nhận lịch mới khi khởi động: "
                + ", ".join(self.not_running)
                + "."
            )
        if self.unanswered:
            parts.append(
                "Chưa gửi được tới kế hoạch "
                + ", ".join(self.unanswered)
                + "; gửi lại với cùng mã yêu cầu để hoàn tất."
            )
        return "\n".join(parts) or "Chưa có kế hoạch nào."


class ExtendCalendar(Model):
    """Build the working calendar through `through_year`, keeping the days announced."""

    calendar: WorkingCalendar
    through_year: int = Field(ge=1995, le=2200)


class CalendarChange(Model):
    """Announced days passed on to every open assignment of a plan."""

    plan_id: str
    amendment: AmendCalendar


class DutyChange(Model):
    """An amendment applied to every open assignment of one duty."""

    plan_id: str
    duty_id: str
    kind: Literal["withdraw", "move_deadline"]
    actor: Actor
    reason: str
    new_last_day: dt.date | None = None


# --- consolidation -------------------------------------------------------------------


class ConsolidationRunInput(Model):
    plan_id: str
    year: int
    duty_id: str = Field(description="The annual report duty whose reports are consolidated.")
    options: RunOptions = Field(default_factory=RunOptions)
    period: str | None = Field(default=None, description="The period consolidated; None: all.")


class ConsolidationState(Model):
    status: Literal["compiling", "awaiting_approval", "returned", "approved"]
    document_id: str | None = None
    accepted: list[str] = Field(default_factory=list)
    late: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    decisions: list[str] = Field(default_factory=list)
    issued_document_id: str | None = Field(
        default=None, description="The approved report with its number and date filled in."
    )


class IssueReport(Model):
    """Fill the approved draft's blanks with the number and date it is issued under."""

    document_id: str
    plan_id: str
    report_number: str = Field(pattern=r"^\d{1,6}$")
    issued_on: dt.date


class CompileRequest(Model):
    plan_id: str
    year: int
    duty_id: str
    report_date: dt.date
    version: int
    period: str | None = None


class CompiledReport(Model):
    document_id: str
    accepted: list[str]
    late: list[str]
    missing: list[str]
    approver: Literal["coordinator_director", "vice_chairman"] | None = Field(
        default=None,
        description="Who approves and signs it, by the plan's final-report rule; None (runs "
        "compiled before the rule): the Vice-Chairman.",
    )


class ConsolidationDecision(Model):
    actor: Actor
    approve: bool
    reason: Text | None = Field(default=None, max_length=MAX_NOTE_CHARS)
    report_number: str | None = Field(
        default=None,
        pattern=r"^\d{1,6}$",
        description="The register number the approved report is issued under (125); None: "
        "issued with the blanks for the clerk.",
    )
    issued_on: dt.date | None = Field(
        default=None, description="The issue date with the number; None: the approval's day."
    )


class ConsolidationNotice(Model):
    plan_id: str
    document_id: str
    idempotency_key: str
    kind: Literal["consolidation_ready", "consolidation_approved"]
