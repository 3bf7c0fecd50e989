"""What the consolidated report says about a plan, from the plan and its assignments: the
content areas, every duty's row of Phụ lục I, the agencies' order and who signs.

Pure: the compile activity reads the store and passes the rows in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from domain.vocabulary import date_vi
from schemas.calendar import last_day_of
from schemas.consolidation import ContentArea, DutyRow, DutyState, IndicatorTotal
from schemas.plan import DeadlineRule, NormalizedDuty, NormalizedPlan
from schemas.store import Assignment

RELEASED = ("cancelled", "waived")


def agency_order(plan: NormalizedPlan) -> dict[str, int]:
    """The directory's order (departments, then city and towns, then districts)."""
    return {a.code: i for i, a in enumerate(plan.agencies)}


def content_areas(plan: NormalizedPlan) -> list[ContentArea]:
    """The plan's §II items, each once: duties sharing a heading are one area, named by the
    clauses' common stem (II.1.1…II.1.6 → II.1)."""
    groups: dict[str, list[str]] = {}
    for duty in plan.duties:
        if duty.section == "II" and duty.heading:
            groups.setdefault(duty.heading, []).append(duty.clause)
    areas: list[ContentArea] = []
    for heading, clauses in groups.items():
        parts = [c.split(".") for c in clauses]
        stem = parts[0]
        for other in parts[1:]:
            stem = [a for a, b in zip(stem, other, strict=False) if a == b][: len(stem)]
        clause = ".".join(stem) if len(clauses) > 1 and len(stem) > 1 else clauses[0]
        areas.append(ContentArea(clause=clause, title=heading))
    return areas


def indicators(plan: NormalizedPlan) -> list[IndicatorTotal]:
    form = plan.plan.report_form
    return [
        IndicatorTotal(code=i.code, label=i.label, unit=i.unit, area=i.area)
        for i in (form.indicators if form else [])
    ]


def deadline_words(rule: DeadlineRule) -> str:
    """A deadline as a table cell says it: Trước 10/11/2023, Định kỳ, Thường xuyên."""
    if rule.kind == "date":
        return f"{'Trước' if rule.before else 'Hạn'} {date_vi(rule.due)}"
    return {
        "month": "Trong tháng",
        "quarter": "Trong quý",
        "year": "Trong năm",
        "relative": "Theo số ngày Kế hoạch quy định",
        "event": "Theo sự kiện",
        "recurring": "Định kỳ",
        "adhoc": "Khi có yêu cầu",
        "open": "Do cơ quan đầu mối ấn định",
    }.get(rule.kind, "Thường xuyên")


def extended_in_time(row: Assignment, submitted_at: dt.datetime | None) -> bool:
    """Late against the first deadline but within an extension granted."""
    if row.due_at is None or row.original_due_at is None or submitted_at is None:
        return False
    return row.due_at > row.original_due_at and submitted_at < row.due_at


def state_of(rows: Sequence[Assignment], *, extended: bool, ended: bool, late: bool) -> DutyState:
    """A duty's state from its open assignments (released ones left out)."""
    if rows and all(r.status == "accepted" for r in rows):
        if late:
            return "late"
        return "on_time_extended" if extended else "on_time"
    if ended:
        return "not_done"
    return "overdue" if any(r.overdue for r in rows) else "in_term"


def duty_row(
    plan: NormalizedPlan,
    duty: NormalizedDuty,
    rows: Sequence[Assignment],
    *,
    late: bool,
    extended: bool,
    reported_in_final: set[str],
    ended: bool,
) -> DutyRow:
    """One duty of Phụ lục I. A duty without assignments of its own (continuous work) is
    reported on in the agencies' final reports: it counts who of its agencies sent one."""
    names = {a.code: a.name for a in plan.agencies}
    lead = duty.subject or "; ".join(names.get(c, c) for c in duty.lead)
    kept = [r for r in rows if r.status not in RELEASED]
    if kept:
        reported = sum(1 for r in kept if r.status == "accepted")
        agencies = len(kept)
        state = state_of(kept, extended=extended, ended=ended, late=late)
    else:
        agencies = len(duty.assignees)
        reported = sum(1 for c in duty.assignees if c in reported_in_final)
        done = agencies > 0 and reported == agencies
        state = "on_time" if done else ("not_done" if ended else "untracked")
    return DutyRow(
        clause=duty.clause,
        text=duty.text,
        lead=lead,
        deadline=deadline_words(duty.all_deadlines()[0]),
        deliverable=duty.deliverable,
        reported=reported,
        agencies=agencies,
        state=state,
    )


def duty_order(plan: NormalizedPlan) -> list[NormalizedDuty]:
    """Duties by their first lead agency in the directory's order, then the plan's order."""
    order = agency_order(plan)
    ranked = list(enumerate(plan.duties))
    ranked.sort(
        key=lambda pair: (min((order.get(c, 10**6) for c in pair[1].lead), default=0), pair[0])
    )
    return [duty for _, duty in ranked]


def data_window(
    plan: NormalizedPlan, *, year: int, report_date: dt.date
) -> tuple[dt.date, dt.date]:
    """The data cut-off period: from the plan's start (or the year's) to the final report's
    last day when the plan names one, else the report date."""
    start = max(plan.plan.span.start, dt.date(year, 1, 1))
    end = report_date
    rule = plan.plan.final_report.deadline
    if rule is not None and rule.kind == "date":
        end = min(end, rule.due - dt.timedelta(days=1) if rule.before else rule.due)
    return start, max(start, end)


@dataclass(frozen=True)
class Signing:
    """Who approves and signs the consolidated report, by the plan's final-report rule."""

    author: str  # "coordinator" | "issuer"
    approver: str  # the ApproverRole whose decision issues it
    approver_agency: str
    title: str  # the signature block's lines, \n between
    name: str | None
    recipients: list[str]


def signing(plan: NormalizedPlan) -> Signing:
    """The coordinator's report is its Director's (KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC when the
    directory's leader is a deputy) and goes to the People's Committee "để báo cáo"; the
    Committee's own report is signed for it by the Vice-Chairman in charge."""
    header = plan.plan
    final = header.final_report
    names = {a.code: a.name for a in plan.agencies}
    copies = [f"{names[c]} (để báo cáo)" for c in final.copies]
    if final.author == "issuer":
        leader = plan.agency(header.issuer).leader
        name = None if leader.placeholder else leader.name
        return Signing(
            author="issuer",
            approver="vice_chairman",
            approver_agency=header.issuer,
            title="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            name=name or header.signer.name,
            recipients=[*copies, "Các cơ quan, đơn vị thực hiện Kế hoạch", "Lưu: VT"],
        )
    leader = plan.agency(header.coordinator).leader
    deputy = leader.title.strip().lower().startswith("phó")
    return Signing(
        author="coordinator",
        approver="coordinator_director",
        approver_agency=header.coordinator,
        title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" if deputy else "GIÁM ĐỐC",
        name=None if leader.placeholder else leader.name,
        recipients=[
            f"{names[final.recipient]} (để báo cáo)",
            *copies,
            "Các cơ quan, đơn vị thực hiện Kế hoạch",
            "Lưu: VT",
        ],
    )


def last_day(moment: dt.datetime | None) -> dt.date | None:
    return last_day_of(moment) if moment else None
