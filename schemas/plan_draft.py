"""A plan draft: what the importer read from a plan document, before a person reviews it.

Every item carries the lines it came from (1-based, in the text the importer read), the
verbatim phrase and a confidence between 0 and 1, so the review can start with the least
certain items and show each one beside its source.
"""

from typing import Literal

from pydantic import Field

from schemas.base import Model


class Span(Model):
    """Source lines of an item, 1-based and inclusive."""

    first_line: int = Field(ge=1)
    last_line: int = Field(ge=1)


class Sourced(Model):
    """What every draft item shares: where it came from and how sure the importer is."""

    phrase: str = Field(description="The document's words, whitespace collapsed.")
    lines: Span | None = None
    confidence: float = Field(ge=0.0, le=1.0)


class DraftField(Sourced):
    """One header field: issuer, number, date, place, title, signer…"""

    value: str | None


class DraftHeader(Model):
    """The plan's header as read."""

    doc_type: DraftField
    number: DraftField
    issuer: DraftField
    issuer_as_written: DraftField
    issued_on: DraftField
    place: DraftField
    title: DraftField
    signer_name: DraftField
    signer_title: DraftField


DeadlineKind = Literal[
    "date",  # a calendar date
    "month",  # a month only: "trong tháng 11/2025"
    "quarter",  # "Quý IV/2025"
    "year",  # a year only: "(năm 2030)"
    "relative",  # "trong thời hạn 10 ngày làm việc kể từ …"
    "recurring",  # daily, monthly, quarterly, semiannual, annual
    "periodic",  # "định kỳ" with no stated frequency: the coordinator sets it
    "adhoc",  # "đột xuất", "khi có yêu cầu"
    "continuous",  # "thường xuyên"
    "event",  # "khi Bộ … có văn bản triển khai"
]
Recurrence = Literal[
    "once", "daily", "monthly", "quarterly", "semiannual", "annual", "adhoc", "continuous"
]


class DraftDeadline(Sourced):
    """A deadline phrase and what it says, in the plan model's vocabulary."""

    kind: DeadlineKind
    recurrence: Recurrence | None
    date: str | None = Field(default=None, description="ISO date, or a window's end.")
    month_only: str | None = Field(default=None, description="YYYY-MM")
    quarter: str | None = Field(default=None, description="YYYY-Qn")
    year_only: int | None = None
    day_of_month: list[int] = Field(default_factory=list)
    month_day: list[str] = Field(default_factory=list, description="MM-DD, one per due day")
    times_of_day: list[str] = Field(default_factory=list, description="HH:MM")
    relative_days: int | None = None
    working_days: bool = False
    relative_to: str | None = None
    trigger: str | None = None
    period_start: int | None = Field(default=None, description="First year of a window.")
    period_end: int | None = Field(default=None, description="Last year of a window.")


Mode = Literal["assigned", "requested"]


class DraftDuty(Sourced):
    """One duty unit: a leaf bullet, lettered item or paragraph of an agency's block."""

    clause: str
    coordinating: list[str] = Field(default_factory=list, description="Names, as written.")
    coordinating_matches: list["AgencyMatch"] = Field(
        default_factory=list, description="Directory matches of `coordinating`, same order."
    )
    deadlines: list[DraftDeadline] = Field(default_factory=list)


class Candidate(Model):
    """A directory entry a name might be, with its similarity (0–100)."""

    code: str
    name: str
    score: float


class AgencyMatch(Model):
    """The directory entry an agency name was matched to, or the closest candidates."""

    code: str | None
    members: list[str] = Field(
        default_factory=list, description="Codes, when the name lists several bodies."
    )
    candidates: list[Candidate] = Field(default_factory=list)


AgencyKindGuess = Literal[
    "ubnd_tinh",
    "van_phong_ubnd",
    "so",
    "co_quan_chuyen_mon",
    "ban_quan_ly",
    "ubnd_xa",
    "ubnd_huyen",
    "mat_tran_doan_the",
    "co_quan_dang",
    "luc_luong_vu_trang",
    "co_quan_bao_chi",
    "co_quan_trung_uong",
    "doanh_nghiep",
    "nhom",
]


class ProposedAgency(Model):
    """A directory entry proposed for a province that has no directory yet."""

    code: str
    name: str
    kind: AgencyKindGuess


class DraftAgency(Sourced):
    """An agency (or a group of agencies) that duties are given to, as written."""

    name: str
    sections: list[str]
    mode: Mode = "assigned"
    match: AgencyMatch | None = None
    proposal: ProposedAgency | None = None
    duties: list[DraftDuty] = Field(default_factory=list)


ReportKind = Literal["results", "escalation"]


class DraftFinalReport(Sourced):
    """The plan's closing report: who reports, to whom, through whom, when."""

    kind: ReportKind
    reporters: str | None
    to: str | None
    via: str | None
    recurrence: Recurrence | None
    deadlines: list[DraftDeadline] = Field(default_factory=list)


class DraftTableTask(Sourced):
    """A row of an appendix task table: task, lead, coordinating bodies, time."""

    section: str
    task: str
    lead: str
    lead_match: "AgencyMatch | None" = None
    coordinating: list[str] = Field(default_factory=list)
    time_text: str
    deadlines: list[DraftDeadline] = Field(default_factory=list)


class DraftRecipient(Sourced):
    """One line of the "Nơi nhận" list."""

    name: str


class PlanDraft(Model):
    """Everything the importer read from one document."""

    source: str
    header: DraftHeader
    duties_sections: list[str]
    agencies: list[DraftAgency]
    final_report: DraftFinalReport | None
    recipients: list[DraftRecipient]
    line_count: int
    table_tasks: list[DraftTableTask] = Field(default_factory=list)


DraftDuty.model_rebuild()
DraftTableTask.model_rebuild()
