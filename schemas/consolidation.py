"""The consolidated report (báo cáo tổng hợp): what the coordinator compiles, and the result.

The coordinator (Sở Thông tin và Truyền thông) gathers every agency's accepted annual report
into one administrative report to the People's Committee; `domain.report` renders it.
Names in these models are printed as given: pass the agency directory's own spelling.
"""

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from schemas.base import Model
from schemas.plan import AgencyCode


class AgencyReport(Model):
    """One accepted report of one agency on one duty for one period."""

    agency_code: AgencyCode
    agency_name: str = Field(min_length=1, max_length=300)
    duty_id: str = Field(min_length=1)
    clause: str = Field(min_length=1, description="The plan's clause, e.g. III.14.")
    period: str = Field(min_length=1, description="The reporting period, e.g. 2023.")
    submitted_at: AwareDatetime
    outcome: Literal["on_time", "late"]
    extended: bool = Field(default=False, description="On time only by an extension.")
    body: str = Field(description="The report's text as accepted, printed verbatim.")
    figures: dict[str, float] = Field(
        default_factory=dict, description="The report form's indicators, by code."
    )
    difficulties: str = Field(default="", description="Khó khăn, vướng mắc, as written.")
    proposals: str = Field(default="", description="Đề xuất, kiến nghị, as written.")


class LateReport(Model):
    """A report that arrived after its last day (listed in the annex)."""

    agency_code: AgencyCode
    agency_name: str = Field(min_length=1, max_length=300)
    clause: str = Field(min_length=1)
    period: str = Field(min_length=1)
    last_day: dt.date
    submitted_at: AwareDatetime


class MissingReport(Model):
    """A report not accepted by the report date (listed in the annex; it never blocks)."""

    agency_code: AgencyCode
    agency_name: str = Field(min_length=1, max_length=300)
    clause: str = Field(min_length=1)
    period: str = Field(min_length=1)
    last_day: dt.date | None = Field(description="None while the coordinator has set none.")
    status: str = Field(
        min_length=1,
        description="An assignment status (assigned, submitted, returned, overdue, in_term, "
        "ended: tracking ended without a report), printed in Vietnamese; any other text is "
        "printed as given.",
    )


class ContentArea(Model):
    """One of the plan's content areas (its §II items), under which results are told."""

    clause: str = Field(min_length=1, description="e.g. II.2.a")
    title: str = Field(min_length=1, description="The plan's heading of the area.")


class IndicatorTotal(Model):
    """One indicator of the report form: its words, its unit, its content area."""

    code: str = Field(min_length=1)
    label: str = Field(min_length=1, description="e.g. Số tin, bài")
    unit: str = Field(min_length=1, description="e.g. tin, bài")
    area: str | None = Field(default=None, description="The content area's clause.")


DutyState = Literal[
    "on_time",
    "on_time_extended",
    "late",
    "in_term",
    "overdue",
    "not_done",
    "reported",
    "untracked",
]


class DutyRow(Model):
    """One duty of the plan in Phụ lục I: what, who leads, when, what came of it."""

    clause: str = Field(min_length=1)
    text: str = Field(min_length=1)
    lead: str = Field(min_length=1, description="The lead agencies as the plan names them.")
    deadline: str = Field(min_length=1, description="The deadline as the plan words it.")
    deliverable: str = "activity"
    tracked: bool = Field(
        default=True,
        description="Tracked by assignments of its own; False: continuous work reported on in "
        "the agencies' final reports.",
    )
    reported: int = Field(ge=0, description="How many of its agencies have reported on it.")
    agencies: int = Field(ge=0, description="How many agencies report on it.")
    state: DutyState


class ConsolidationInput(Model):
    """Everything the consolidated report says; rendering reads nothing else."""

    issuer_name: str = Field(min_length=1, description="e.g. ỦY BAN NHÂN DÂN TỈNH GIA LAI")
    issuer_header: str | None = Field(
        default=None,
        description="The superior body's line in the header; None: issuer_name with "
        "ỦY BAN NHÂN DÂN abbreviated to UBND (UBND TỈNH GIA LAI).",
    )
    issuer_text: str | None = Field(
        default=None,
        description="The issuer as written in running text; None: derived from issuer_name "
        "(Ủy ban nhân dân tỉnh Gia Lai).",
    )
    coordinator_name: str = Field(min_length=1, description="e.g. SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
    coordinator_text: str | None = Field(
        default=None,
        description="The coordinator as written in running text; None: derived from "
        "coordinator_name (Sở Thông tin và Truyền thông).",
    )
    coordinator_short: str = Field(pattern=r"^[A-ZĐ][A-ZĐ0-9]*$", description="e.g. STTTT")
    plan_number: str = Field(min_length=1, description="e.g. 516/KH-UBND")
    plan_title: str = Field(min_length=1)
    plan_issued_on: dt.date
    year: int = Field(ge=2000, le=2100)
    period: str | None = Field(default=None, description="The period reported, if not the year.")
    place: str = Field(min_length=1, description="e.g. Gia Lai")
    report_date: dt.date
    report_number: str | None = Field(
        default=None,
        description="The register number (125) or the full symbol (125/BC-STTTT); "
        "None prints blanks for the clerk to fill, as a draft does.",
    )
    recipients: list[str] = Field(default_factory=list, description="Nơi nhận, one per line.")
    author: Literal["coordinator", "issuer"] = Field(
        default="coordinator",
        description="Whose report it is: the coordinating department's (its Director signs "
        "and sends it to the People's Committee) or the People's Committee's own (BC-UBND).",
    )
    issuer_short: str = Field(default="UBND", pattern=r"^[A-ZĐ][A-ZĐ0-9]*$")
    data_from: dt.date | None = Field(default=None, description="Data cut-off: first day.")
    data_to: dt.date | None = Field(default=None, description="Data cut-off: last day.")
    areas: list[ContentArea] = Field(default_factory=list)
    indicators: list[IndicatorTotal] = Field(default_factory=list)
    duties: list[DutyRow] = Field(default_factory=list, description="Phụ lục I, in order.")
    signer_title: str = Field(
        min_length=1, description="e.g. GIÁM ĐỐC, or KT. GIÁM ĐỐC\\nPHÓ GIÁM ĐỐC (one per line)."
    )
    signer_name: str | None = None
    accepted: list[AgencyReport] = Field(default_factory=list)
    late: list[LateReport] = Field(default_factory=list)
    missing: list[MissingReport] = Field(default_factory=list)
    total_assignments: int = Field(ge=0)

    @model_validator(mode="after")
    def _counts_fit(self) -> "ConsolidationInput":
        counted = len(self.accepted) + len(self.missing)
        if counted > self.total_assignments:
            raise ValueError(
                f"total_assignments={self.total_assignments} nhỏ hơn số báo cáo đã chấp nhận "
                f"và chưa có ({counted})"
            )
        return self


class ConsolidatedReport(Model):
    """What rendering produced: the Markdown, the .docx's digest, and who is in which list."""

    markdown: str
    docx_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    accepted_agencies: list[str] = Field(description="Agency codes, in the input's order.")
    late_agencies: list[str]
    missing_agencies: list[str]
