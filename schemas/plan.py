"""A plan (Kế hoạch) as data: its span, agencies, duties, deadline rules and policies.

One file of this shape describes one plan; `domain.planfile` loads it with the province's
agency directory (shared by every plan of the province), checks every cross-reference and
expands agency groups into the assignees of each duty.

Time: a plan has a span (start, and an end or none), not a year; periods of recurring
duties exist only inside it. Each deadline keeps the words it came from (`text`) and, where
the words allow more than one reading, the reading taken (`interpretation`), which the
coordinator sees.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator

from schemas.base import Model

AgencyCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")]
GroupRef = Annotated[str, Field(pattern=r"^@[a-z][a-z0-9_]{1,39}$")]
DutyId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]

AgencyKind = Literal[
    "ubnd_tinh",  # Ủy ban nhân dân tỉnh
    "van_phong_ubnd",  # Văn phòng UBND tỉnh
    "so",  # sở
    "co_quan_chuyen_mon",  # other specialised bodies: Thanh tra tỉnh, Ban Dân tộc
    "ban_quan_ly",  # Ban Quản lý Khu kinh tế
    "ubnd_huyen",  # UBND huyện, thị xã, thành phố
    "mat_tran_doan_the",  # Mặt trận Tổ quốc and mass organisations
    "co_quan_dang",  # Party bodies (Ban Tuyên giáo Tỉnh ủy)
    "luc_luong_vu_trang",  # police, military, border guard
    "co_quan_bao_chi",  # press: newspaper, radio-television
    "co_quan_trung_uong",  # central bodies based in the province, ministries
    "xa_phuong",  # xã, phường, đặc khu (after the 2025 reorganisation)
    "don_vi_su_nghiep",  # public service units
    "hoi",  # associations
    "doanh_nghiep",  # businesses
    "co_quan_tu_phap",  # courts, procuracy
    "to_chuc_khac",  # any other body a plan names
]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class Contact(Model):
    """A person an agency names for the plan (III.14: one leader, one focal official)."""

    name: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    phone: str | None = None
    placeholder: bool = Field(
        default=False, description="True while the address is a stand-in on a reserved domain."
    )


class Agency(Model):
    """An agency that receives, leads or coordinates duties, with a person for each role
    notices go to (from the directory, or its official mailbox where it names none)."""

    code: AgencyCode
    name: str = Field(min_length=1, max_length=300)
    short_name: str | None = None
    kind: AgencyKind
    mailbox: Email | None = Field(default=None, description="The official mailbox.")
    leader: Contact
    focal: Contact
    webhook_url: str | None = None
    report_endpoint: str | None = None


class DirectoryAgency(Model):
    """An agency as the provincial directory lists it: the official mailbox is enough;
    a named leader and focal official are optional and notices fall back to the mailbox."""

    code: AgencyCode
    name: str = Field(min_length=1, max_length=300)
    short_name: str | None = None
    kind: AgencyKind
    mailbox: Email | None = None
    leader: Contact | None = None
    focal: Contact | None = None
    webhook_url: str | None = None
    report_endpoint: str | None = None
    successor: str | None = Field(
        default=None,
        min_length=1,
        max_length=240,
        description="The agency this one was merged into or renamed as, from `effective`: "
        "a code of the same directory (`Tỉnh/CODE` names a province, which must be this one).",
    )
    effective: dt.date | None = Field(
        default=None, description="The day the merger or renaming takes effect."
    )
    basis: str | None = Field(
        default=None, max_length=500, description="The decision it follows (Nghị quyết số …)."
    )

    @model_validator(mode="after")
    def _reachable(self) -> "DirectoryAgency":
        if self.mailbox is None and (self.leader is None or self.focal is None):
            raise ValueError("cần mailbox (hộp thư công vụ), hoặc cả leader và focal")
        if (self.successor is None) != (self.effective is None):
            raise ValueError("successor (cơ quan tiếp nhận) và effective (từ ngày) đi cùng nhau")
        return self

    def resolved(self) -> Agency:
        """The agency with the mailbox standing in for each contact it does not name."""
        fields = self.model_dump(exclude={"leader", "focal", "successor", "effective", "basis"})
        return Agency(
            **fields,
            leader=self.leader or self._mailbox("Lãnh đạo"),
            focal=self.focal or self._mailbox("Đầu mối"),
        )

    def _mailbox(self, role: str) -> Contact:
        assert self.mailbox is not None
        return Contact(
            name=f"{role} {self.name} (hộp thư công vụ)",
            title="Hộp thư công vụ",
            email=self.mailbox,
        )


class AgencyGroup(Model):
    """A named set of agencies, such as every commune of the province. Members may be
    groups (nesting). An open group ("các cơ quan, tổ chức có liên quan") has no fixed
    members: the plan file resolves it when the plan is published (`Plan.resolved_groups`)."""

    code: GroupRef
    name: str = Field(min_length=1)
    members: list[AgencyCode | GroupRef] = Field(default_factory=list)
    open: bool = False

    @model_validator(mode="after")
    def _members_unless_open(self) -> "AgencyGroup":
        if not self.open and not self.members:
            raise ValueError("members không rỗng (hoặc open: true cho nhóm mở)")
        return self


class Succession(Model):
    """From `effective`, the agency `code` is merged into (or renamed as) `successor`: its
    open assignments move to the successor; finished ones keep the agency they had."""

    code: AgencyCode
    successor: AgencyCode
    effective: dt.date
    basis: str | None = None


class AgencyDirectory(Model):
    """The provincial agency directory: every agency and group any plan of the province may
    name; one file shared by all of them. `as_of` dates this version; an agency merged or
    renamed names its `successor` and the day it takes `effective`."""

    province: str
    as_of: dt.date
    agencies: list[DirectoryAgency] = Field(min_length=1)
    groups: list[AgencyGroup] = Field(default_factory=list)

    def successions(self) -> list[Succession]:
        """The dated changes this version records, in the file's order (checked first by
        `domain.planfile`: every successor is an agency of this directory)."""
        return [
            Succession(
                code=a.code,
                successor=a.successor.rsplit("/", 1)[-1].strip(),
                effective=a.effective,
                basis=a.basis,
            )
            for a in self.agencies
            if a.successor is not None and a.effective is not None
        ]


# --- Deadline rules -------------------------------------------------------------------
#
# Every rule keeps the plan's words (`text`; `source_text` is read as a synonym) and may say
# which reading it took of ambiguous words (`interpretation`, shown to the coordinator by
# `kehoach plan check`).
# Month, quarter and year deadlines end on the period's last day: one rule,
# `schemas.calendar.period_end`.

SourceText = Annotated[
    str,
    Field(
        min_length=1,
        validation_alias=AliasChoices("text", "source_text"),
        description="The words of the plan that set it.",
    ),
]


class DateDeadline(Model):
    """A fixed date the text states. `before=True` reads "trước ngày": due by the day before."""

    kind: Literal["date"] = "date"
    due: dt.date
    before: bool = False
    text: SourceText
    interpretation: str | None = None

    def last_day(self) -> dt.date:
        """The last calendar day on which the duty is still on time."""
        return self.due - dt.timedelta(days=1) if self.before else self.due


class MonthDeadline(Model):
    """ "trong tháng 12/2025": due by the month's last day."""

    kind: Literal["month"] = "month"
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    text: SourceText
    interpretation: str | None = None


class QuarterDeadline(Model):
    """ "Quý IV/2025": due by the quarter's last day."""

    kind: Literal["quarter"] = "quarter"
    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$", description="YYYY-Qn")
    text: SourceText
    interpretation: str | None = None


class YearDeadline(Model):
    """ "hoàn thành trong năm 2025": due by the year's last day."""

    kind: Literal["year"] = "year"
    year: int = Field(ge=2000, le=2100)
    text: SourceText
    interpretation: str | None = None


class RelativeDeadline(Model):
    """ "trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch": N calendar or working days after
    the plan's receipt or issue (counted from the day after, Civil Code Art. 147)."""

    kind: Literal["relative"] = "relative"
    days: int = Field(ge=0, le=3650)
    working_days: bool = False
    after: Literal["receipt", "issue"] = "receipt"
    text: SourceText
    interpretation: str | None = None


class EventDeadline(Model):
    """ "sau khi Nghị định … được ban hành": open until the coordinator records the event
    (by setting the deadline of its assignments); `days`, when the text gives them, is
    the time allowed after the event."""

    kind: Literal["event"] = "event"
    event: str = Field(min_length=1, description="The event the duty waits for.")
    days: int | None = Field(default=None, ge=0, le=3650)
    working_days: bool = False
    text: SourceText
    interpretation: str | None = None


Frequency = Literal["daily", "monthly", "quarterly", "semiannual", "annual"]
MONTHS_IN_PERIOD: dict[str, int] = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]


class DueInPeriod(Model):
    """Where in each period the report falls due: a month of the period and a day of it.
    Day 31 means the month's last day, whatever its length."""

    month_of_period: int = Field(ge=1, le=12, description="1 = the period's first month.")
    day: int = Field(ge=1, le=31)


class RecurringDeadline(Model):
    """A recurrence: each period is its own assignment. `due` None: the coordinator sets it.

    `dates` gives a different day for each period of the year ("trước ngày 01/6 và 15/11
    hằng năm": semiannual, dates ["06-01", "11-15"]), in period order. `before` reads
    "trước ngày": due by the day before. Daily reports are due each day (`times_of_day`
    are kept for people; the assignment is due by the day's end)."""

    kind: Literal["recurring"] = "recurring"
    frequency: Frequency
    due: DueInPeriod | None = None
    dates: list[MonthDay] | None = None
    before: bool = False
    times_of_day: list[dt.time] = Field(default_factory=list)
    cutoff_day: int | None = Field(default=None, ge=1, le=31, description="Data cut-off day.")
    text: SourceText
    interpretation: str | None = None

    @model_validator(mode="after")
    def _due_fits_the_period(self) -> "RecurringDeadline":
        if self.frequency == "daily":
            if self.due is not None or self.dates is not None:
                raise ValueError("kỳ daily không có due hay dates (hạn là cuối mỗi ngày)")
            return self
        months = MONTHS_IN_PERIOD[self.frequency]
        if self.dates is not None:
            if self.due is not None:
                raise ValueError("chỉ một trong due hoặc dates")
            if len(self.dates) != 12 // months:
                raise ValueError(f"dates có {12 // months} ngày, mỗi kỳ {self.frequency} một ngày")
            for index, month_day in enumerate(self.dates):
                month = int(month_day[:2])
                if not index * months < month <= (index + 1) * months:
                    raise ValueError(f"ngày {month_day} không nằm trong kỳ thứ {index + 1}")
                if month == 2 and int(month_day[3:]) > 28:
                    raise ValueError(f"ngày {month_day} không có trong mọi năm")
            return self
        if self.due is None:
            return self
        if self.due.month_of_period > months:
            raise ValueError(
                f"due.month_of_period={self.due.month_of_period} nằm trong kỳ "
                f"{self.frequency} (kỳ chỉ có {months} tháng)"
            )
        # The day must exist in every month it lands on, in every year (so 29/02 is out);
        # 31 is the exception: it means the month's last day.
        months_hit = [start + self.due.month_of_period - 1 for start in range(1, 13, months)]
        shortest = min(DAYS_IN_MONTH[m - 1] for m in months_hit)
        if shortest < self.due.day < 31:
            raise ValueError(
                f"due.day={self.due.day} là ngày có trong mọi kỳ {self.frequency} "
                f"(tháng ngắn nhất có {shortest} ngày; 31 là ngày cuối tháng)"
            )
        return self


class AdHocDeadline(Model):
    """Reports requested when the issuer asks (báo cáo đột xuất); each request sets a date."""

    kind: Literal["adhoc"] = "adhoc"
    text: SourceText
    interpretation: str | None = None


class OpenDeadline(Model):
    """The text expects a deliverable but sets no date: the coordinator sets it later."""

    kind: Literal["open"] = "open"
    note: str | None = None
    text: str | None = None
    interpretation: str | None = None


class NoDeadline(Model):
    """A continuous duty ("thường xuyên"; `none` when the text says nothing), reported
    through the periodic report."""

    kind: Literal["none", "continuous"] = "none"
    text: str | None = None
    interpretation: str | None = None


DeadlineRule = Annotated[
    DateDeadline
    | MonthDeadline
    | QuarterDeadline
    | YearDeadline
    | RelativeDeadline
    | EventDeadline
    | RecurringDeadline
    | AdHocDeadline
    | OpenDeadline
    | NoDeadline,
    Field(discriminator="kind"),
]
DEADLINE_KINDS = (
    "date",
    "month",
    "quarter",
    "year",
    "relative",
    "event",
    "recurring",
    "adhoc",
    "open",
    "none",
    "continuous",
)

# --- Policies -------------------------------------------------------------------------

Recipient = Literal["focal", "leader", "coordinator", "office", "vice_chairman"]
"""Who an escalation step tells: the agency, its leader, the coordinator, the Office, and at
the top of the hierarchy the Vice-Chairman in charge (the plan's issuer's leader)."""
ApproverRole = Literal["agency_leader", "coordinator", "coordinator_director", "vice_chairman"]


class ReminderPolicy(Model):
    """When to remind before a deadline: days before it, at a local hour, on working days."""

    days_before: list[int] = Field(default=[7, 3, 1, 0], min_length=1)
    at_local: dt.time = dt.time(8, 0)
    working_days_only: bool = True

    @field_validator("days_before")
    @classmethod
    def _non_negative_unique(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 365 for d in value) or len(set(value)) != len(value):
            raise ValueError("days_before là các số ngày khác nhau, từ 0 đến 365")
        return sorted(value, reverse=True)


class EscalationStep(Model):
    """One rung: this many working days after the deadline, tell these people."""

    after_working_days: int = Field(ge=0, le=365)
    notify: list[Recipient] = Field(min_length=1)


class EscalationLadder(Model):
    """Who is told, and when, while a report is overdue; stops when the report arrives."""

    steps: list[EscalationStep] = Field(
        default=[
            EscalationStep(after_working_days=0, notify=["focal", "leader"]),
            EscalationStep(after_working_days=2, notify=["coordinator"]),
            EscalationStep(after_working_days=5, notify=["office"]),
        ],
        min_length=1,
    )
    repeat_every_working_days: int | None = Field(default=5, ge=1, le=365)
    repeat_limit: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="How many repeats past the top level at most (None: until the report "
        "arrives). Repeats are 'nhắc lần N' in the morning digest, never a new level.",
    )

    @field_validator("steps")
    @classmethod
    def _ascending(cls, value: list[EscalationStep]) -> list[EscalationStep]:
        days = [s.after_working_days for s in value]
        if days != sorted(set(days)):
            raise ValueError("steps xếp theo after_working_days tăng dần, không trùng")
        return value


class ApprovalChain(Model):
    """Who approves a report, in order, before it counts as accepted."""

    steps: list[ApproverRole] = Field(default=["agency_leader", "coordinator"], min_length=1)


# --- Duties and the plan --------------------------------------------------------------

SECTIONS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "KL", "PL")
Section = Literal[
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "KL", "PL"
]
"""A part of the plan by its Roman numeral; KL the closing paragraph, PL an appendix table."""
Deliverable = Literal["report", "plan", "contact_list", "publication", "budget", "activity"]
Mode = Literal["assigned", "requested"]
Milestone = Literal["so_ket", "tong_ket"]


class Duty(Model):
    """One duty unit of the plan: one dash bullet, lettered item, or paragraph with its own
    verb, or one row of an appendix task table."""

    id: DutyId
    clause: str = Field(
        min_length=1,
        max_length=32,
        pattern=r"^(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII|KL|PL)(\.[0-9a-zđ]+)*$",
    )
    section: Section
    heading: str | None = Field(default=None, description="The item's heading in the plan.")
    subject: str | None = Field(
        default=None, description="The agency or group as the plan names it, verbatim."
    )
    text: str = Field(min_length=1, description="The plan's words, verbatim.")
    lead: list[AgencyCode | GroupRef] = Field(min_length=1)
    coordinating: list[AgencyCode | GroupRef] = Field(default_factory=list)
    assignees: list[AgencyCode | GroupRef] | None = Field(
        default=None, description="Who reports on it; the lead agencies when absent."
    )
    mode: Mode = "assigned"
    deliverable: Deliverable = "activity"
    deadline: DeadlineRule = Field(default_factory=NoDeadline)
    deadlines: list[DeadlineRule] = Field(
        default_factory=list, description="Several deadlines of one duty, instead of deadline."
    )
    report_to: AgencyCode | None = Field(
        default=None, description="Who receives its reports, where not the coordinator."
    )
    milestone: Milestone | None = Field(
        default=None, description="A review of the span: sơ kết (mid-term), tổng kết (final)."
    )
    reminders: ReminderPolicy | None = None
    escalation: EscalationLadder | None = None
    approval: ApprovalChain | None = None
    basis: str | None = Field(default=None, description="Why the agencies are these, if implied.")
    interpretation: str | None = None

    @model_validator(mode="after")
    def _one_way_to_give_deadlines(self) -> "Duty":
        if self.deadlines and "deadline" in self.model_fields_set:
            raise ValueError("chỉ một trong deadline hoặc deadlines")
        return self

    def all_deadlines(self) -> list[DeadlineRule]:
        """Every deadline of the duty, in the plan's order."""
        return list(self.deadlines) or [self.deadline]


class Signer(Model):
    name: str
    title: str


class FinalReport(Model):
    """The plan's closing report obligation: each period of the final duty's reports is
    consolidated on its own (a monthly report, a consolidation a month)."""

    recipient: AgencyCode
    via: AgencyCode
    author: Literal["coordinator", "issuer"] = Field(
        default="coordinator",
        description="Whose document the consolidated report is, and so who approves and signs "
        "it: the coordinating department's (its Director signs, 'Báo cáo số …/BC-S…', sent to "
        "the People's Committee) or the Committee's own (…/BC-UBND, signed TM. ỦY BAN NHÂN DÂN, "
        "KT. CHỦ TỊCH, PHÓ CHỦ TỊCH by the Vice-Chairman in charge).",
    )
    deadline: DeadlineRule | None = Field(
        default=None, description="A single date; None: the final duty's own deadlines."
    )
    duty: DutyId | None = Field(
        default=None, description="The duty whose accepted reports are consolidated."
    )
    copies: list[AgencyCode] = Field(
        default_factory=list, description="Who else receives the approved consolidated report."
    )
    text: str | None = Field(default=None, description="The plan's words.")
    interpretation: str | None = None


class FormPart(Model):
    """One standard part of a report form: a text the agency writes."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(min_length=1, max_length=200)


STANDARD_PARTS: tuple[tuple[str, str], ...] = (
    ("ket_qua", "Kết quả thực hiện"),
    ("kho_khan", "Khó khăn, vướng mắc"),
    ("de_xuat", "Đề xuất, kiến nghị"),
)


class Indicator(Model):
    """A number the form asks for: its words, its unit, the content area it counts under."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    label: str = Field(min_length=1, max_length=200, description="e.g. Số tin, bài")
    unit: str = Field(min_length=1, max_length=60, description="e.g. tin, bài")
    area: str | None = Field(
        default=None, description="The clause of the plan's content area (II.2.a), if one."
    )


class ReportForm(Model):
    """What an agency's report on the plan contains: the standard parts (kết quả thực hiện,
    số liệu, khó khăn vướng mắc, đề xuất kiến nghị) and numeric indicators with units."""

    parts: list[FormPart] = Field(
        default_factory=lambda: [FormPart(code=c, label=label) for c, label in STANDARD_PARTS]
    )
    indicators: list[Indicator] = Field(default_factory=list)

    @model_validator(mode="after")
    def _codes_unique(self) -> "ReportForm":
        codes = [p.code for p in self.parts] + [i.code for i in self.indicators]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"mã trùng trong mẫu báo cáo: {', '.join(twice)}")
        return self


class Span(Model):
    """When the plan runs: from its start to its end, or open-ended ("và những năm tiếp
    theo"). A start date is a start, never a deadline."""

    start: dt.date
    end: dt.date | None = None
    text: str | None = Field(default=None, description="The plan's words (giai đoạn …).")

    @model_validator(mode="after")
    def _ordered(self) -> "Span":
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} trước start {self.start}")
        return self

    def contains(self, first: dt.date, last: dt.date) -> bool:
        """Whether the days first..last overlap the span."""
        return last >= self.start and (self.end is None or first <= self.end)


class Plan(Model):
    """The plan's header: who issued it, when, its span, who coordinates, where results go."""

    number: str = Field(pattern=r"^\d+/[A-ZĐ-]+(-[A-ZĐ]+)*$")
    title: str
    issuer: AgencyCode
    issued_on: dt.date
    received_on: dt.date | None = Field(
        default=None, description="When agencies received it (relative deadlines); else issued_on."
    )
    place: str
    signer: Signer
    span: Span
    coordinator: AgencyCode
    office: AgencyCode = Field(description="Who chases overdue duties for the issuer.")
    final_report: FinalReport
    report_form: ReportForm | None = Field(
        default=None,
        description="The structured form of the agencies' reports on the plan; None: free text.",
    )
    resolved_groups: dict[GroupRef, list[AgencyCode]] = Field(
        default_factory=dict, description="Members of the directory's open groups, for this plan."
    )
    interpretation: str | None = None
    timezone: Literal["Asia/Ho_Chi_Minh"] = "Asia/Ho_Chi_Minh"
    move_deadline_off_non_working_days: bool = Field(
        default=True, description="Civil Code Art. 148: a deadline on a day off moves on."
    )
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    escalation: EscalationLadder = Field(default_factory=EscalationLadder)
    approval: ApprovalChain = Field(default_factory=ApprovalChain)

    @model_validator(mode="before")
    @classmethod
    def _year_is_a_span(cls, data: Any) -> Any:
        """Files and stored plans of the first format say `year: 2023`: the span from the
        issue date to that year's end."""
        if isinstance(data, dict) and "year" in data and "span" not in data:
            data = dict(data)
            year = data.pop("year")
            if isinstance(year, int) and not isinstance(year, bool) and 2000 <= year <= 2100:
                data["span"] = {"start": data.get("issued_on"), "end": dt.date(year, 12, 31)}
            else:
                data["span"] = {"start": data.get("issued_on"), "end": year}
        return data

    @property
    def year(self) -> int:
        """The span's first year: the first run of the plan's workflow."""
        return self.span.start.year

    @property
    def receipt(self) -> dt.date:
        return self.received_on or self.issued_on


class PlanFile(Model):
    """The YAML file: the plan header, its agency directory file and its duties."""

    plan: Plan
    agencies_file: str = Field(min_length=1, description="Path relative to the plan file.")
    duties: list[Duty] = Field(min_length=1)


class NormalizedDuty(Model):
    """A duty with every group expanded and every policy resolved."""

    id: str
    clause: str
    section: Section
    heading: str | None
    text: str
    lead: list[str]
    coordinating: list[str]
    assignees: list[str]
    mode: Mode
    deliverable: Deliverable
    deadline: DeadlineRule
    reminders: ReminderPolicy
    escalation: EscalationLadder
    approval: ApprovalChain
    basis: str | None
    deadlines: list[DeadlineRule] = Field(default_factory=list)
    subject: str | None = None
    report_to: str | None = None
    milestone: Milestone | None = None
    interpretation: str | None = None

    def all_deadlines(self) -> list[DeadlineRule]:
        """Every deadline of the duty, in the plan's order."""
        return list(self.deadlines) or [self.deadline]


class NormalizedPlan(Model):
    """What `kehoach plan check --json` prints and what the store and workflows load."""

    plan: Plan
    agencies: list[Agency]
    groups: list[AgencyGroup]
    duties: list[NormalizedDuty]
    successions: list[Succession] = Field(
        default_factory=list,
        description="The directory's mergers and renamings (plans stored before have none).",
    )
    province: str | None = Field(
        default=None,
        description="The province as its directory file names it (`province:`); plans stored "
        "before it was kept have None and are keyed by their place.",
    )

    @property
    def directory(self) -> str:
        """The agency directory the plan's codes belong to: its province as the directory
        file names it, so every plan of one file shares one key whatever its place line says
        ("Cần Thơ", "Thành phố Cần Thơ"). Codes repeat across provinces (UBND_TINH, SKHCN …),
        so the store keys agencies by (directory, code). A plan stored before the province
        was kept is keyed by its place until it is loaded again."""
        return self.province or self.plan.place

    def agency(self, code: str) -> Agency:
        """The agency with this code; KeyError if the plan has none."""
        for agency in self.agencies:
            if agency.code == code:
                return agency
        raise KeyError(code)
