"""From a duty's deadline rules to its assignments: one occurrence per period, inside the span.

Pure and deterministic: the plan, a year and a working calendar in, dates out. An occurrence
is one assignment per assignee: its period key (part of the workflow id), when it may start,
and its last day (None: the coordinator sets it, as for open and event-triggered duties).

Keys: a rule that falls due once is keyed by the span's first year ("2023", as plan 516's
dated duties always were); a recurring rule by its period ("2026-H1", "2026-Q3",
"2026-05", "2026-05-17"); a duty's second and later deadlines add "-D2", "-D3"…

A rule that falls due once starts with the plan, or `ONCE_LEAD` before its last day when that
is later (a final review due in ten years starts nine years on): no assignment waits years
for its deadline, and each is listed in the year it starts.
"""

import datetime as dt
from dataclasses import dataclass

from domain.periods import period_end, periods
from schemas.calendar import WorkingCalendar
from schemas.plan import (
    DateDeadline,
    DeadlineRule,
    EventDeadline,
    MonthDeadline,
    NormalizedDuty,
    OpenDeadline,
    Plan,
    QuarterDeadline,
    RecurringDeadline,
    RelativeDeadline,
    YearDeadline,
)

__all__ = ["ONCE_LEAD", "Occurrence", "duty_occurrences", "find_occurrence", "once_last_day"]

ONCE_LEAD = dt.timedelta(days=366)
"""How long before its last day a far-off deadline's assignment starts."""


@dataclass(frozen=True)
class Occurrence:
    """One period of one duty: its key, the first day it may start, and its last day."""

    key: str
    start: dt.date
    last_day: dt.date | None


def once_last_day(
    rule: DeadlineRule, plan: Plan, calendar: WorkingCalendar | None = None
) -> dt.date | None:
    """The last day of a rule that falls due once; None when the text sets no day yet.

    Relative deadlines in working days need the calendar; without one they count
    calendar days (what `plan check` shows)."""
    if isinstance(rule, DateDeadline):
        return rule.last_day()
    if isinstance(rule, MonthDeadline):
        return period_end(int(rule.month[:4]), month=int(rule.month[5:]))
    if isinstance(rule, QuarterDeadline):
        return period_end(int(rule.quarter[:4]), quarter=int(rule.quarter[-1]))
    if isinstance(rule, YearDeadline):
        return period_end(rule.year)
    if isinstance(rule, RelativeDeadline):
        origin = plan.receipt if rule.after == "receipt" else plan.issued_on
        if rule.working_days and calendar is not None and calendar.covers(origin):
            return calendar.add_working_days(origin, rule.days)
        return origin + dt.timedelta(days=rule.days)
    return None


def _is_once(rule: DeadlineRule) -> bool:
    return isinstance(
        rule,
        (
            DateDeadline,
            MonthDeadline,
            QuarterDeadline,
            YearDeadline,
            RelativeDeadline,
            EventDeadline,
            OpenDeadline,
        ),
    )


def _rule_occurrences(
    rule: DeadlineRule, year: int, plan: Plan, calendar: WorkingCalendar | None
) -> list[Occurrence]:
    span = plan.span
    if _is_once(rule):
        last_day = once_last_day(rule, plan, calendar)
        start = span.start if last_day is None else max(span.start, last_day - ONCE_LEAD)
        if year != start.year:
            return []
        return [Occurrence(str(span.start.year), start, last_day)]
    if isinstance(rule, RecurringDeadline):
        # A period exists when it overlaps the span and falls due after the span starts (a
        # plan issued on 17/11 has no report due on 14/11, nor on 17/11), but a daily report
        # is due on the day the plan is issued too.
        first_due = span.start if rule.frequency == "daily" else span.start + dt.timedelta(days=1)
        return [
            Occurrence(p.key, max(p.start, span.start), p.due)
            for p in periods(rule, year)
            if span.contains(p.start, p.end) and (p.due is None or p.due >= first_due)
        ]
    return []  # continuous and ad-hoc duties create no assignment of their own


def duty_occurrences(
    duty: NormalizedDuty, year: int, plan: Plan, calendar: WorkingCalendar | None = None
) -> list[Occurrence]:
    """Every assignment period the duty creates in `year`, only inside the plan's span."""
    out: list[Occurrence] = []
    for index, rule in enumerate(duty.all_deadlines()):
        suffix = f"-D{index + 1}" if index else ""
        out += [
            Occurrence(o.key + suffix, o.start, o.last_day)
            for o in _rule_occurrences(rule, year, plan, calendar)
        ]
    return out


def find_occurrence(
    duty: NormalizedDuty, key: str, plan: Plan, calendar: WorkingCalendar | None = None
) -> Occurrence | None:
    """The occurrence with this period key: in the key's year (its first four digits) or,
    for a deadline that falls due once and starts late, in a later year of the span."""
    first = int(key[:4])
    last = max(first, plan.span.end.year if plan.span.end is not None else first + 50)
    for year in range(first, last + 1):
        for occurrence in duty_occurrences(duty, year, plan, calendar):
            if occurrence.key == key:
                return occurrence
    return None
