"""Vietnamese administrative time: working days, deadlines, reminders, escalations.

The working calendar is a value object carried in workflow inputs, so it lives with the
messages; the periods of recurring deadlines are in `domain.periods`.

Everything here is pure and deterministic: no wall clock, no environment, no I/O. The
functions run inside Temporal workflows, so the public-holiday set is NOT computed here at
replay time. The worker builds a `WorkingCalendar` once (`WorkingCalendar.for_years`, which
asks the `holidays` package) and passes it to the workflow as an input; it serialises to JSON
with every date set as one sorted, compact string (`compact_days`; lists of ISO dates, as
inputs recorded earlier hold, are read too), so a later `holidays` release cannot change the
history of a running workflow.

Rules (see DOMAIN.md, "Rules of Vietnamese administrative time"):

* Time zone Asia/Ho_Chi_Minh is a fixed UTC+07:00 (`VN_TZ`), no daylight saving.
* Civil Code 2015, Art. 147-148: a period ends at 24:00 of its last day, i.e. 00:00 (VN) of
  the next day; if the last day is a weekend or public holiday, it ends at 24:00 of the next
  working day (when the plan turns that rule on).
* Working day: Monday-Friday, not a public holiday (Labour Code 2019, Art. 112, as modelled by
  `holidays.Vietnam`, including its observed and substituted days off), not a day off the
  government announced (`extra_days_off`); a weekend day announced as a make-up working day
  (`extra_working_days`) is a working day.

Dates outside the calendar's years raise `CalendarRangeError` rather than silently counting
only weekends: a wrong holiday set would give wrong deadlines without anyone noticing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import Field, field_serializer, field_validator, model_validator

from schemas.base import Model
from schemas.errors import KehoachError
from schemas.plan import EscalationLadder, ReminderPolicy

__all__ = [
    "DEFAULT_AT_LOCAL",
    "VN_TZ",
    "AnnouncedDays",
    "CalendarRangeError",
    "WorkingCalendar",
    "compact_days",
    "last_day_of",
    "parse_compact_days",
]

VN_TZ = dt.timezone(dt.timedelta(hours=7))
"""Asia/Ho_Chi_Minh: UTC+07:00 all year, no daylight saving."""

DEFAULT_AT_LOCAL = dt.time(8, 0)
"""When escalations go out on a working day (VN local time): the start of office hours."""

_ONE_DAY = dt.timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday 0 ... Saturday 5, Sunday 6


class CalendarRangeError(KehoachError, ValueError):
    """A date outside the years a `WorkingCalendar` was built for."""

    message_vi = "Ngày nằm ngoài khoảng năm của lịch làm việc."


def _vn(instant: dt.datetime) -> dt.datetime:
    """The instant in VN time; a naive datetime is refused (its zone would be a guess)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got naive {instant.isoformat()}")
    return instant.astimezone(VN_TZ)


def _at(day: dt.date, local: dt.time) -> dt.datetime:
    """`local` o'clock (VN) on `day`; any tzinfo on `local` is ignored: it is VN local time."""
    return dt.datetime.combine(day, local.replace(tzinfo=None), tzinfo=VN_TZ)


def last_day_of(deadline: dt.datetime) -> dt.date:
    """The last calendar day (VN) on which something due at `deadline` is still on time.

    A deadline at 00:00 VN (24:00 of the day before, Art. 147) has the day before as its last
    day; a deadline at any later time of day has that day itself.
    """
    return (_vn(deadline) - dt.timedelta(microseconds=1)).date()


class AnnouncedDays(Model):
    """Every day the government announced, folded in the order announced: the latest word
    on a day wins (a day off announced, then taken back as a working day, is a working day)."""

    days_off: frozenset[dt.date] = frozenset()
    working_days: frozenset[dt.date] = frozenset()

    @field_serializer("days_off", "working_days")
    def _sorted_list(self, days: frozenset[dt.date]) -> list[dt.date]:
        return sorted(days)  # stable: frozenset order depends on the hash seed

    def then(
        self, *, days_off: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()
    ) -> AnnouncedDays:
        """These days, followed by a later announcement."""
        off, work = frozenset(days_off), frozenset(working_days)
        return AnnouncedDays(
            days_off=(self.days_off - work) | off, working_days=(self.working_days - off) | work
        )


def compact_days(days: Iterable[dt.date]) -> str:
    """Dates sorted and space-separated, the year written only when it changes and a run of
    consecutive days as its first day and how many follow: "2024-01-01 02-08+6 04-18"
    (1 January, 8 to 14 February, 18 April 2024). A quarter of the bytes of a list of ISO
    dates, and the working calendar travels in every assignment's start input."""
    out: list[str] = []
    year: int | None = None
    for first, following in _runs(sorted(set(days))):
        token = first.isoformat() if first.year != year else f"{first:%m-%d}"
        out.append(f"{token}+{following}" if following else token)
        year = first.year
    return " ".join(out)


def _runs(days: list[dt.date]) -> list[tuple[dt.date, int]]:
    """(first day, days following it) for each run of consecutive days of one year."""
    runs: list[tuple[dt.date, int]] = []
    for d in days:
        if runs:
            first, following = runs[-1]
            if d == first + dt.timedelta(days=following + 1) and d.year == first.year:
                runs[-1] = (first, following + 1)
                continue
        runs.append((d, 0))
    return runs


def parse_compact_days(text: str) -> list[dt.date]:
    """The dates of `compact_days`' text, in order; a month-day before any year is refused."""
    days: list[dt.date] = []
    year: int | None = None
    for token in text.split():
        day_text, _, following = token.partition("+")
        if len(day_text) == len("2024-01-01"):
            first = dt.date.fromisoformat(day_text)
        elif year is None:
            raise ValueError(f"{token!r}: a month-day before any year in {text[:40]!r}")
        else:
            first = dt.date.fromisoformat(f"{year:04d}-{day_text}")
        year = first.year
        days.extend(first + dt.timedelta(days=n) for n in range(int(following or 0) + 1))
    return days


class WorkingCalendar(Model):
    """Which days are working days, for the years `first_year`..`last_year` inclusive.

    Build it with `for_years` in a worker or activity (it calls `holidays`), then hand it to
    workflows as data. `public_holidays` are the package's days off (Tết, observed and
    substituted days included); `extra_days_off` and `extra_working_days` are the swaps the
    government announces each year and override everything else.
    """

    first_year: int = Field(ge=1995, le=2200)
    last_year: int = Field(ge=1995, le=2200)
    public_holidays: frozenset[dt.date] = frozenset()
    extra_days_off: frozenset[dt.date] = frozenset()
    extra_working_days: frozenset[dt.date] = frozenset()

    @model_validator(mode="after")
    def _consistent(self) -> WorkingCalendar:
        if self.last_year < self.first_year:
            raise ValueError(f"last_year {self.last_year} is before first_year {self.first_year}")
        both = self.extra_days_off & self.extra_working_days
        if both:
            days = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"days both off and working: {days}")
        for name in ("public_holidays", "extra_days_off", "extra_working_days"):
            days_set: frozenset[dt.date] = getattr(self, name)
            outside = sorted(d for d in days_set if not self.covers(d))
            if outside:
                raise ValueError(
                    f"{name} has days outside {self.first_year}-{self.last_year}: "
                    + ", ".join(d.isoformat() for d in outside)
                )
        return self

    @field_serializer("public_holidays", "extra_days_off", "extra_working_days")
    def _compact(self, days: frozenset[dt.date]) -> str:
        # Sorted: frozenset order depends on the process's hash seed, which would break replay.
        return compact_days(days)

    @field_validator("public_holidays", "extra_days_off", "extra_working_days", mode="before")
    @classmethod
    def _either_encoding(cls, value: object) -> object:
        # Inputs recorded before the compact form hold lists of ISO dates: both are read.
        return parse_compact_days(value) if isinstance(value, str) else value

    @classmethod
    def for_years(
        cls,
        first: int,
        last: int,
        *,
        extra_days_off: Iterable[dt.date] = (),
        extra_working_days: Iterable[dt.date] = (),
    ) -> WorkingCalendar:
        """The calendar for `first`..`last` from `holidays.Vietnam`, plus announced swaps.

        Not for workflow code: it imports and runs `holidays` (public category, observed
        days on: New Year, Tết from the 29th/30th to the 4th/5th day, Hùng Kings, 30/4, 1/5,
        2/9 and its adjacent day, observed and government-swapped days off). The package's own known
        make-up Saturdays (`weekend_workdays`, e.g. 04/05/2024 for 29/04/2024) inside the
        range are added to `extra_working_days`; a day passed in `extra_days_off` wins over
        the package's make-up day.
        """
        # Deferred: heavy, and never needed on the workflow side.
        from holidays import country_holidays

        if last < first:
            raise ValueError(f"last year {last} is before first year {first}")
        vietnam = country_holidays("VN", years=range(first, last + 1))  # = holidays.Vietnam
        public = frozenset(d for d in vietnam if first <= d.year <= last)
        days_off = frozenset(extra_days_off)
        package_workdays = frozenset(
            d for d in vietnam.weekend_workdays if first <= d.year <= last and d not in days_off
        )
        return cls(
            first_year=first,
            last_year=last,
            public_holidays=public,
            extra_days_off=days_off,
            extra_working_days=package_workdays | frozenset(extra_working_days),
        )

    def amended(
        self, *, days_off: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()
    ) -> WorkingCalendar:
        """This calendar with the days off and working days the government announced after
        it was built (a swap day, an extra day off); the latest word on a day wins."""
        off, work = frozenset(days_off), frozenset(working_days)
        return WorkingCalendar(
            first_year=self.first_year,
            last_year=self.last_year,
            public_holidays=self.public_holidays,
            extra_days_off=(self.extra_days_off - work) | off,
            extra_working_days=(self.extra_working_days - off) | work,
        )

    def with_announced(self, announced: AnnouncedDays) -> WorkingCalendar:
        """This calendar with the announced days inside its years (days of years it does not
        cover wait for the calendar that does: `for_years` and each extension apply them)."""
        return self.amended(
            days_off=[d for d in announced.days_off if self.covers(d)],
            working_days=[d for d in announced.working_days if self.covers(d)],
        )

    # --- days -------------------------------------------------------------------------

    def covers(self, d: dt.date) -> bool:
        """Whether `d` is inside the calendar's years."""
        return self.first_year <= d.year <= self.last_year

    def _check(self, d: dt.date) -> None:
        if not self.covers(d):
            raise CalendarRangeError(
                f"{d.isoformat()} is outside the working calendar "
                f"({self.first_year}-{self.last_year})"
            )

    def is_working_day(self, d: dt.date) -> bool:
        """Monday-Friday and not a day off, or a weekend day announced as a working day."""
        self._check(d)
        if d in self.extra_working_days:
            return True
        if d in self.extra_days_off or d in self.public_holidays:
            return False
        return d.weekday() < _SATURDAY

    def next_working_day(self, d: dt.date) -> dt.date:
        """`d` if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def previous_working_day(self, d: dt.date) -> dt.date:
        """`d` if it is a working day, else the last working day before it."""
        while not self.is_working_day(d):
            d -= _ONE_DAY
        return d

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The `n`-th working day after `d` (before it when `n` < 0); `n` = 0: `next_working_day`.

        Counting starts the day after `d` (Art. 147: "the day after the event"), so `d` need
        not be a working day: Saturday + 1 is Monday. Consequently for a non-working `d`,
        `n` = 0 and `n` = 1 give the same day; for a working `d`, or for `n` >= 1, the result
        is strictly increasing in `n`.
        """
        if n == 0:
            return self.next_working_day(d)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    # --- deadlines, reminders, escalations -------------------------------------------

    def deadline_instant(
        self, last_day: dt.date, *, move_off_non_working_days: bool
    ) -> dt.datetime:
        """When a period whose last day is `last_day` ends: 24:00 VN of that day (Art. 147).

        With `move_off_non_working_days` (Art. 148) a last day that is a weekend or holiday
        becomes the next working day. 24:00 is returned as 00:00 VN of the following day.
        """
        if move_off_non_working_days:
            last_day = self.next_working_day(last_day)
        return _at(last_day + _ONE_DAY, dt.time(0, 0))

    def reminder_instants(
        self,
        deadline: dt.datetime,
        policy: ReminderPolicy,
        *,
        not_before: dt.datetime | None = None,
    ) -> list[tuple[int, dt.datetime]]:
        """(days_before, instant) for each reminder of `policy` before `deadline`, sorted.

        Reminder T-d is at `policy.at_local` (VN) on the deadline's last day minus d calendar
        days; T-0 is on the last (due) day itself. With `policy.working_days_only` a reminder
        on a non-working day moves to the PREVIOUS working day, never the next: a reminder
        exists to give lead time, and moving it later would shorten that time, could put it
        after the deadline (T-0 on a Saturday due day, with Art. 148 off), and a T-1 or T-3
        inside the week of Tết would land on or next to the due day, when the work has to be
        organised before the break.

        Moving earlier keeps the order of the reminders, so two can only collapse onto the
        same day; then one is kept, tagged with the larger days_before (the one whose tag is
        closest to the true distance to the due day). Reminders at or after `deadline` (a
        deadline not at midnight, earlier in the day than `at_local`) and, when given, before
        `not_before` (e.g. when the duty was assigned) are left out.
        """
        deadline = _vn(deadline)
        due_day = last_day_of(deadline)
        floor = _vn(not_before) if not_before is not None else None
        chosen: dict[dt.datetime, int] = {}
        for days_before in policy.days_before:
            day = due_day - dt.timedelta(days=days_before)
            if policy.working_days_only:
                try:
                    day = self.previous_working_day(day)
                except CalendarRangeError:
                    continue  # before the calendar's first year: no reminder then
            instant = _at(day, policy.at_local)
            if instant >= deadline or (floor is not None and instant < floor):
                continue
            chosen[instant] = max(days_before, chosen.get(instant, days_before))
        return sorted(((d, instant) for instant, d in chosen.items()), key=lambda r: r[1])

    def escalation_instants(
        self,
        deadline: dt.datetime,
        ladder: EscalationLadder,
        *,
        until: dt.datetime,
        at_local: dt.time = DEFAULT_AT_LOCAL,
    ) -> list[tuple[int, dt.datetime, list[str]]]:
        """(level, instant, recipients) for an overdue report, up to and including `until`.

        Step k (level k, from 1) with `after_working_days` = n fires at `deadline` itself when
        n = 0, else at `at_local` (VN) on the n-th working day after the deadline's last day.
        Then, if the ladder repeats, the last step's recipients are told again every
        `repeat_every_working_days` working days after the last step, with levels going on
        counting (so every escalation has its own number, usable as an idempotency key).
        """
        deadline = _vn(deadline)
        until = _vn(until)
        last_day = last_day_of(deadline)
        beyond = _at(dt.date(self.last_year + 1, 1, 1), dt.time(0))

        def instant_for(offset: int) -> dt.datetime:
            # A level whose day lies past the calendar's last year is not known yet: it is
            # given as lying past `until` (the list ends there), never as an error, so an
            # assignment overdue into a year the calendar lacks waits for a longer calendar
            # instead of failing its workflow task.
            if offset == 0:
                return deadline
            try:
                return _at(self.add_working_days(last_day, offset), at_local)
            except CalendarRangeError:
                return max(beyond, until + _ONE_DAY)

        out: list[tuple[int, dt.datetime, list[str]]] = []
        for level, step in enumerate(ladder.steps, start=1):
            instant = instant_for(step.after_working_days)
            if instant > until:
                return out
            out.append((level, instant, list(step.notify)))
        repeat = ladder.repeat_every_working_days
        if repeat is None:
            return out
        last = ladder.steps[-1]
        level = len(ladder.steps)
        offset = last.after_working_days
        limit = ladder.repeat_limit
        while limit is None or level - len(ladder.steps) < limit:
            offset += repeat
            level += 1
            instant = instant_for(offset)
            if instant > until:
                return out
            out.append((level, instant, list(last.notify)))
        return out
