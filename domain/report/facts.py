"""What the consolidated report says about a plan, from the plan and its assignments: the
content areas, every duty's row of Phụ lục I, the agencies' order and who signs.

Pure: the compile activity reads the store and passes the rows in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain import reportform
from domain.vocabulary import date_vi
from schemas.calendar import last_day_of
from schemas.consolidation import (
    AgencyReport,
    ConsolidationInput,
    ContentArea,
    DutyRow,
    DutyState,
    IndicatorTotal,
    LateReport,
    MissingReport,
)
from schemas.plan import DeadlineRule, NormalizedDuty, NormalizedPlan
from schemas.store import Assignment, Submission

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
    if ended or any(r.status == "ended" for r in rows):
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
        state = "reported" if done else ("not_done" if ended else "untracked")
    return DutyRow(
        clause=duty.clause,
        text=duty.text,
        lead=lead,
        deadline=deadline_words(duty.all_deadlines()[0]),
        deliverable=duty.deliverable,
        tracked=bool(kept),
        reported=reported,
        agencies=agencies,
        state=state,
    )


def duty_order(plan: NormalizedPlan) -> list[NormalizedDuty]:
    """Duties by their lead agency in the directory's order (departments, then city and
    towns, then districts), the plan's order within one agency; duties led by a whole group
    of agencies come last, in the plan's order."""
    order = agency_order(plan)

    def key(pair: tuple[int, NormalizedDuty]) -> tuple[bool, int, int]:
        index, duty = pair
        group = len(duty.lead) > GROUP_LEAD
        first = min((order.get(c, len(order)) for c in duty.lead), default=len(order))
        return (group, 0 if group else first, index)

    return [duty for _, duty in sorted(enumerate(plan.duties), key=key)]


GROUP_LEAD = 3  # more lead agencies than this: a group ("các sở, ban, ngành…")


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


def consolidation_input(
    plan: NormalizedPlan,
    *,
    duty_id: str,
    year: int,
    period: str | None,
    report_date: dt.date,
    assignments: Sequence[Assignment],
    latest: Mapping[str, Submission],
) -> ConsolidationInput:
    """Everything the consolidated report of `duty_id` says, from the plan, every assignment
    of the plan and the latest version of each accepted report (by assignment id)."""
    names = {a.code: a.name for a in plan.agencies}
    order = agency_order(plan)
    duty = next(d for d in plan.duties if d.id == duty_id)
    form = plan.plan.report_form
    ended = report_date > (plan.plan.span.end or report_date)
    rows = [
        r for r in assignments if r.duty_id == duty_id and (period is None or r.period == period)
    ]
    accepted: list[AgencyReport] = []
    late: list[LateReport] = []
    missing: list[MissingReport] = []
    for row in sorted(rows, key=lambda r: (order.get(r.agency_code, len(order)), r.period)):
        last = last_day(row.original_due_at)
        if row.status in RELEASED:
            continue  # released from the duty: neither reported nor missing
        submission = latest.get(row.id)
        if row.status != "accepted" or submission is None:
            status = "ended" if ended or row.status == "ended" else row.status
            status = "overdue" if status != "ended" and row.overdue else status
            missing.append(
                MissingReport(
                    agency_code=row.agency_code,
                    agency_name=names[row.agency_code],
                    clause=duty.clause,
                    period=row.period,
                    last_day=last,
                    status=status,
                )
            )
            continue
        extended = extended_in_time(row, submission.submitted_at)
        is_late = row.outcome == "late" and not extended
        answers = reportform.read(form, submission.body)
        accepted.append(
            AgencyReport(
                agency_code=row.agency_code,
                agency_name=names[row.agency_code],
                duty_id=duty.id,
                clause=duty.clause,
                period=row.period,
                submitted_at=submission.submitted_at,
                outcome="late" if is_late else "on_time",
                extended=extended,
                body=submission.body,
                figures=answers.figures,
                difficulties=answers.parts.get("kho_khan", ""),
                proposals=answers.parts.get("de_xuat", ""),
            )
        )
        if is_late and last is not None:
            late.append(
                LateReport(
                    agency_code=row.agency_code,
                    agency_name=names[row.agency_code],
                    clause=duty.clause,
                    period=row.period,
                    last_day=last,
                    submitted_at=submission.submitted_at,
                )
            )
    sign = signing(plan)
    data_from, data_to = data_window(plan, year=year, report_date=report_date)
    yearly = period is None
    duties = (
        duty_rows(
            plan,
            skip=duty_id,
            assignments=assignments,
            latest=latest,
            reported={r.agency_code for r in accepted},
            ended=ended,
        )
        if yearly
        else []  # one period of a recurring report: its own duty only, in the annexes
    )
    return ConsolidationInput(
        issuer_name=names[plan.plan.issuer].upper(),
        coordinator_name=names[plan.plan.coordinator].upper(),
        # The document symbol's letters (BC-STTTT): the code without its separators.
        coordinator_short=plan.plan.coordinator.replace("_", ""),
        plan_number=plan.plan.number,
        plan_title=plan.plan.title,
        plan_issued_on=plan.plan.issued_on,
        year=year,
        period=period,
        place=plan.plan.place,
        report_date=report_date,
        report_number=None,
        recipients=sign.recipients,
        author="issuer" if sign.author == "issuer" else "coordinator",
        signer_title=sign.title,
        signer_name=sign.name,
        data_from=data_from if yearly else None,
        data_to=data_to if yearly else None,
        areas=content_areas(plan),
        indicators=indicators(plan),
        duties=duties,
        accepted=accepted,
        late=late,
        missing=missing,
        total_assignments=len(rows),
    )


def duty_rows(
    plan: NormalizedPlan,
    *,
    skip: str,
    assignments: Sequence[Assignment],
    latest: Mapping[str, Submission],
    reported: set[str],
    ended: bool,
) -> list[DutyRow]:
    """Phụ lục I: every duty of the plan but the consolidated one, in `duty_order`."""
    out: list[DutyRow] = []
    for duty in duty_order(plan):
        if duty.id == skip:
            continue
        mine = [r for r in assignments if r.duty_id == duty.id]
        late = extended = False
        for row in mine:
            submission = latest.get(row.id)
            if row.status == "accepted" and submission is not None:
                in_time = extended_in_time(row, submission.submitted_at)
                extended = extended or in_time
                late = late or (row.outcome == "late" and not in_time)
        out.append(
            duty_row(
                plan,
                duty,
                mine,
                late=late,
                extended=extended,
                reported_in_final=reported,
                ended=ended,
            )
        )
    return out
