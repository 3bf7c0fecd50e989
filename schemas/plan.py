"""A plan (Kế hoạch) as data: its agencies, duties, deadline rules and policies.

One file of this shape describes one plan; `domain.planfile` loads it, checks every
cross-reference and expands agency groups into the assignees of each duty.
"""

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

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
]


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
    """An agency that receives, leads or coordinates duties."""

    code: AgencyCode
    name: str = Field(min_length=1, max_length=300)
    short_name: str | None = None
    kind: AgencyKind
    leader: Contact
    focal: Contact
    webhook_url: str | None = None
    report_endpoint: str | None = None


class AgencyGroup(Model):
    """A named set of agencies, such as every district-level People's Committee."""

    code: GroupRef
    name: str = Field(min_length=1)
    members: list[AgencyCode] = Field(min_length=1)


class AgencyDirectory(Model):
    """The agency directory file: every agency and group a plan may name."""

    province: str
    as_of: dt.date
    agencies: list[Agency] = Field(min_length=1)
    groups: list[AgencyGroup] = Field(default_factory=list)


# --- Deadline rules -------------------------------------------------------------------


class DateDeadline(Model):
    """A fixed date the text states. `before=True` reads "trước ngày": due by the day before."""

    kind: Literal["date"] = "date"
    due: dt.date
    before: bool = False
    source_text: str = Field(min_length=1, description="The words of the plan that set it.")

    def last_day(self) -> dt.date:
        """The last calendar day on which the duty is still on time."""
        return self.due - dt.timedelta(days=1) if self.before else self.due


Frequency = Literal["monthly", "quarterly", "semiannual", "annual"]
MONTHS_IN_PERIOD: dict[str, int] = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class DueInPeriod(Model):
    """Where in each period the report falls due: a month of the period and a day of it."""

    month_of_period: int = Field(ge=1, le=12, description="1 = the period's first month.")
    day: int = Field(ge=1, le=31)


class RecurringDeadline(Model):
    """A recurrence: each period is its own assignment. `due` None: the coordinator sets it."""

    kind: Literal["recurring"] = "recurring"
    frequency: Frequency
    due: DueInPeriod | None = None
    cutoff_day: int | None = Field(default=None, ge=1, le=31, description="Data cut-off day.")
    source_text: str = Field(min_length=1)

    @model_validator(mode="after")
    def _due_fits_the_period(self) -> "RecurringDeadline":
        if self.due is None:
            return self
        months = MONTHS_IN_PERIOD[self.frequency]
        if self.due.month_of_period > months:
            raise ValueError(
                f"due.month_of_period={self.due.month_of_period} nằm trong kỳ "
                f"{self.frequency} (kỳ chỉ có {months} tháng)"
            )
        # The day must exist in every month it lands on, in every year (so 29/02 is out).
        months_hit = [start + self.due.month_of_period - 1 for start in range(1, 13, months)]
        shortest = min(DAYS_IN_MONTH[m - 1] for m in months_hit)
        if self.due.day > shortest:
            raise ValueError(
                f"due.day={self.due.day} là ngày có trong mọi kỳ {self.frequency} "
                f"(tháng ngắn nhất có {shortest} ngày)"
            )
        return self


class AdHocDeadline(Model):
    """Reports requested when the issuer asks (báo cáo đột xuất); each request sets a date."""

    kind: Literal["adhoc"] = "adhoc"
    source_text: str = Field(min_length=1)


class OpenDeadline(Model):
    """The text expects a deliverable but sets no date: the coordinator sets it later."""

    kind: Literal["open"] = "open"
    note: str | None = None


class NoDeadline(Model):
    """A continuous duty, reported through the annual report."""

    kind: Literal["none"] = "none"


DeadlineRule = Annotated[
    DateDeadline | RecurringDeadline | AdHocDeadline | OpenDeadline | NoDeadline,
    Field(discriminator="kind"),
]

# --- Policies -------------------------------------------------------------------------

Recipient = Literal["focal", "leader", "coordinator", "office"]
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

Section = Literal["II", "III", "IV", "KL"]
Deliverable = Literal["report", "plan", "contact_list", "publication", "budget", "activity"]
Mode = Literal["assigned", "requested"]


class Duty(Model):
    """One duty unit of the plan: one dash bullet, or one paragraph without dashes."""

    id: DutyId
    clause: str = Field(min_length=1, max_length=32, pattern=r"^(II|III|IV|KL)(\.[0-9a-zđ]+)*$")
    section: Section
    heading: str | None = Field(default=None, description="The item's heading in the plan.")
    text: str = Field(min_length=1, description="The plan's words, verbatim.")
    lead: list[AgencyCode | GroupRef] = Field(min_length=1)
    coordinating: list[AgencyCode | GroupRef] = Field(default_factory=list)
    assignees: list[AgencyCode | GroupRef] | None = Field(
        default=None, description="Who reports on it; the lead agencies when absent."
    )
    mode: Mode = "assigned"
    deliverable: Deliverable = "activity"
    deadline: DeadlineRule = Field(default_factory=NoDeadline)
    reminders: ReminderPolicy | None = None
    escalation: EscalationLadder | None = None
    approval: ApprovalChain | None = None
    basis: str | None = Field(default=None, description="Why the agencies are these, if implied.")


class Signer(Model):
    name: str
    title: str


class FinalReport(Model):
    """The plan's closing report obligation."""

    recipient: AgencyCode
    via: AgencyCode
    deadline: DateDeadline
    duty: DutyId | None = Field(
        default=None, description="The duty whose accepted reports are consolidated."
    )
    copies: list[AgencyCode] = Field(
        default_factory=list, description="Who else receives the approved consolidated report."
    )


class Plan(Model):
    """The plan's header: who issued it, when, who coordinates, where the results go."""

    number: str = Field(pattern=r"^\d+/[A-ZĐ-]+(-[A-ZĐ]+)*$")
    title: str
    issuer: AgencyCode
    issued_on: dt.date
    place: str
    signer: Signer
    year: int = Field(ge=2000, le=2100)
    coordinator: AgencyCode
    office: AgencyCode = Field(description="Who chases overdue duties for the issuer.")
    final_report: FinalReport
    timezone: Literal["Asia/Ho_Chi_Minh"] = "Asia/Ho_Chi_Minh"
    move_deadline_off_non_working_days: bool = Field(
        default=True, description="Civil Code Art. 148: a deadline on a day off moves on."
    )
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    escalation: EscalationLadder = Field(default_factory=EscalationLadder)
    approval: ApprovalChain = Field(default_factory=ApprovalChain)


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


class NormalizedPlan(Model):
    """What `kehoach plan check --json` prints and what the store and workflows load."""

    plan: Plan
    agencies: list[Agency]
    groups: list[AgencyGroup]
    duties: list[NormalizedDuty]

    def agency(self, code: str) -> Agency:
        """The agency with this code; KeyError if the plan has none."""
        for agency in self.agencies:
            if agency.code == code:
                return agency
        raise KeyError(code)
