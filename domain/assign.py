"""Turning a plan into assignments: their inputs, periods and Web UI texts.

An assignment is one duty for one agency for one period. Duties with a deadline that falls
once (a date, a month, a quarter, a year, days after receipt), an open or event-triggered
deadline (set later by the coordinator) or a recurrence become assignments, one per period
inside the plan's span (`domain.deadlines`); continuous duties are reported through the
periodic report, and ad-hoc ones start when requested.
"""

import datetime as dt
from collections.abc import Iterator, Sequence

from domain.deadlines import duty_occurrences
from domain.ids import assignment_id
from domain.succession import holder_on
from schemas.assignment import ASSIGNMENT_SHAPE, AssignmentInput, DutyBrief
from schemas.calendar import AnnouncedDays, WorkingCalendar
from schemas.plan import NormalizedDuty, NormalizedPlan, Succession
from schemas.plan_run import PlanRunInput, RunOptions

SUMMARY_CHARS = 120


def calendar_for(plan: NormalizedPlan, *, until_year: int) -> WorkingCalendar:
    """Working days from the plan's year to `until_year` (+1 for late escalations)."""
    return WorkingCalendar.for_years(plan.plan.year, max(plan.plan.year, until_year) + 1)


def duty_periods(
    duty: NormalizedDuty, year: int, plan: NormalizedPlan, calendar: WorkingCalendar | None = None
) -> list[tuple[str, dt.date | None]]:
    """(period key, last day) of each assignment the duty creates in `year`."""
    return [(o.key, o.last_day) for o in duty_occurrences(duty, year, plan.plan, calendar)]


def span_years(plan: NormalizedPlan, *, open_ended_years: int = 2) -> range:
    """The years of the plan's span; an open-ended plan's first `open_ended_years`."""
    span = plan.plan.span
    last = span.end.year if span.end is not None else span.start.year + open_ended_years - 1
    return range(span.start.year, last + 1)


def span_periods(plan: NormalizedPlan) -> dict[str, list[str]]:
    """Every period key of every duty over the plan's span, by duty id (plan check's counts)."""
    return {
        duty.id: [key for year in span_years(plan) for key, _ in duty_periods(duty, year, plan)]
        for duty in plan.duties
    }


def batch_inputs(
    plan: NormalizedPlan,
    duty: NormalizedDuty,
    *,
    period: str,
    last_day: dt.date | None,
    calendar: WorkingCalendar,
    agencies: list[str] | None = None,
    brief: DutyBrief | None = None,
    speed: float = 1.0,
    clock_origin: dt.datetime | None = None,
    successions: Sequence[Succession] = (),
    on: dt.date | None = None,
) -> list[AssignmentInput]:
    """The assignments of one duty for one period: one per agency. An agency merged or
    renamed by `on` (the directory's `successions`) is given none: its holder on that day
    is, once however many merged agencies it holds."""
    header = plan.plan
    names = {a.code: a.name for a in plan.agencies}
    endpoints = {a.code: a.report_endpoint for a in plan.agencies}
    given = agencies if agencies is not None else duty.assignees
    if on is not None and successions:
        given = list(dict.fromkeys(holder_on(code, on, successions) for code in given))
    return [
        AssignmentInput(
            assignment_id=assignment_id(
                plan_id=header.number, duty_id=duty.id, agency=agency, period=period
            ),
            plan_id=header.number,
            plan_title=header.title,
            duty=brief
            or DutyBrief(id=duty.id, clause=duty.clause, heading=duty.heading, text=duty.text),
            mode=duty.mode,
            agency=agency,
            agency_name=names[agency],
            issuer=header.issuer,
            coordinator=header.coordinator,
            office=header.office,
            period=period,
            last_day=last_day,
            move_off_non_working_days=header.move_deadline_off_non_working_days,
            reminders=duty.reminders,
            escalation=duty.escalation,
            approval=duty.approval,
            calendar=calendar,
            pull_report=endpoints.get(agency) is not None,
            speed=speed,
            clock_origin=clock_origin,
            shape=ASSIGNMENT_SHAPE,
        )
        for agency in given
    ]


def plan_assignments(plan: NormalizedPlan, calendar: WorkingCalendar) -> Iterator[AssignmentInput]:
    """Every assignment the plan creates for its own year, in plan order."""
    for duty in plan.duties:
        for period, last_day in duty_periods(duty, plan.plan.year, plan, calendar):
            yield from batch_inputs(plan, duty, period=period, last_day=last_day, calendar=calendar)


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def summary(input: AssignmentInput) -> str:
    """One line for the Web UI's list: agency, clause, what."""
    return _shorten(f"{input.agency_name} — {input.duty.clause}: {input.duty.text}", SUMMARY_CHARS)


def details(input: AssignmentInput) -> str:
    """Markdown for the Web UI's workflow page."""
    due = (
        f"hết ngày {input.last_day:%d/%m/%Y}"
        if input.last_day
        else "chưa có hạn (cơ quan đầu mối sẽ đặt)"
    )
    return "\n\n".join(
        [
            f"**{input.plan_id}** — {input.plan_title}",
            f"**Nhiệm vụ {input.duty.clause}** "
            f"({'đề nghị' if input.mode == 'requested' else 'giao'})"
            f": {_shorten(input.duty.text, 1000)}",
            f"**Cơ quan thực hiện:** {input.agency_name} ({input.agency})",
            f"**Kỳ:** {input.period}; **thời hạn:** {due}",
        ]
    )


def plan_run_input(
    plan: NormalizedPlan,
    *,
    options: RunOptions,
    today: dt.date,
    announced: AnnouncedDays | None = None,
) -> PlanRunInput:
    """The plan workflow's input: the span's first year, and a working calendar from that
    year (or this one) to two years past the span's end (or this year, for an open-ended
    plan), with the days the government `announced` so far; each year's run extends it
    further as it goes."""
    span = plan.plan.span
    shift_years = options.shift_days // 365
    first = min(plan.plan.year, today.year)
    last = max(today.year, (span.end.year if span.end else plan.plan.year) + shift_years) + 2
    return PlanRunInput(
        plan_id=plan.plan.number,
        year=plan.plan.year,
        options=options,
        calendar=WorkingCalendar.for_years(first, last).with_announced(
            announced or AnnouncedDays()
        ),
    )
