"""Periods of a recurring deadline: their keys, spans, due days and data windows (Decree 09),
and the one rule that turns a month, quarter, half or year into its last day (`period_end`)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from schemas.base import Model
from schemas.plan import MONTHS_IN_PERIOD, RecurringDeadline

_ONE_DAY = dt.timedelta(days=1)


class Period(Model):
    """One period of a recurring duty: its own assignment, due date and data window."""

    key: str = Field(description='"2023", "2023-H1", "2023-Q3" or "2023-07".')
    start: dt.date
    end: dt.date
    due: dt.date | None = Field(description="The last day to report; None: coordinator sets it.")
    data_from: dt.date | None = Field(description="First day of the data window (Decree 09).")
    cutoff: dt.date | None = Field(description="Data cut-off: last day of the data window.")


def period_end(
    year: int, *, month: int | None = None, quarter: int | None = None, half: int | None = None
) -> dt.date:
    """The last day of a year, or of one of its halves, quarters or months.

    The one rule for deadlines that name a period instead of a day: "trong tháng 12/2025",
    "Quý IV/2025", "6 tháng đầu năm", "hoàn thành trong năm 2025" are on time up to and
    including the period's last day (31/12, 31/12, 30/6, 31/12), and a recurring day 31 is
    the last day of whatever month it falls in. At most one of `month`, `quarter`, `half`.
    """
    if sum(x is not None for x in (month, quarter, half)) > 1:
        raise ValueError("at most one of month, quarter, half")
    last_month = (
        month
        if month is not None
        else 3 * quarter
        if quarter is not None
        else 6 * half
        if half is not None
        else 12
    )
    if last_month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, last_month + 1, 1) - _ONE_DAY


def _month_end(year: int, month: int) -> dt.date:
    return period_end(year, month=month)


def _cutoff_in(year: int, month: int, cutoff_day: int) -> dt.date:
    """The cut-off day in a month, clamped to the month's last day (31 -> 30/06)."""
    return dt.date(year, month, min(cutoff_day, _month_end(year, month).day))


def _day_in(year: int, month: int, day: int) -> dt.date:
    """`day` of a month; 31 (or any day past its end) is the month's last day."""
    return dt.date(year, month, min(day, _month_end(year, month).day))


def periods(rule: RecurringDeadline, year: int) -> list[Period]:
    """The periods of `rule` in `year`, in order, with due and cut-off dates.

    Semiannual: H1 January-June, H2 July-December; quarterly Q1-Q4; monthly; annual; daily
    (keys YYYY-MM-DD, due the day itself). The due day is inside the period
    (`due.month_of_period`, `due.day`, 31 being the month's last day) or given per period
    (`dates`); `before` ("trước ngày") makes the day before the last day. With `cutoff_day`
    the data window (Decree 09/2019) ends on that day of the period's last month and starts
    the day after the previous period's cut-off: cutoff_day 14 gives half-year windows 15/12
    (of the year before) to 14/06 and 15/06 to 14/12, and an annual window 15/12 to 14/12.
    """
    if rule.frequency == "daily":
        first, days = dt.date(year, 1, 1), (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        return [
            Period(key=d.isoformat(), start=d, end=d, due=d, data_from=None, cutoff=None)
            for d in (first + dt.timedelta(days=n) for n in range(days))
        ]
    months = MONTHS_IN_PERIOD[rule.frequency]
    out: list[Period] = []
    for index, first_month in enumerate(range(1, 13, months), start=1):
        last_month = first_month + months - 1
        if rule.frequency == "annual":
            key = f"{year}"
        elif rule.frequency == "semiannual":
            key = f"{year}-H{index}"
        elif rule.frequency == "quarterly":
            key = f"{year}-Q{index}"
        else:
            key = f"{year}-{first_month:02d}"
        due: dt.date | None = None
        if rule.dates is not None:
            month_day = rule.dates[index - 1]
            due = _day_in(year, int(month_day[:2]), int(month_day[3:]))
        elif rule.due is not None:
            due = _day_in(year, first_month + rule.due.month_of_period - 1, rule.due.day)
        if due is not None and rule.before:
            due -= _ONE_DAY
        data_from: dt.date | None = None
        cutoff: dt.date | None = None
        if rule.cutoff_day is not None:
            cutoff = _cutoff_in(year, last_month, rule.cutoff_day)
            prev_year, prev_month = (year, first_month - 1) if first_month > 1 else (year - 1, 12)
            data_from = _cutoff_in(prev_year, prev_month, rule.cutoff_day) + _ONE_DAY
        out.append(
            Period(
                key=key,
                start=dt.date(year, first_month, 1),
                end=_month_end(year, last_month),
                due=due,
                data_from=data_from,
                cutoff=cutoff,
            )
        )
    return out
