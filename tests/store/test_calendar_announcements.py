"""The store keeps each announcement of days once, and folds them in the order made."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from adapters.store import Store
from schemas.assignment import AmendCalendar
from schemas.calendar import AnnouncedDays, WorkingCalendar
from schemas.errors import Conflict
from tests.factories import actor

D1, D2 = dt.date(2027, 4, 29), dt.date(2027, 5, 3)
SATURDAY = dt.date(2027, 5, 8)


def _announcement(*, off: list[dt.date], working: tuple[dt.date, ...] = ()) -> AmendCalendar:
    return AmendCalendar(
        actor=actor("STTTT", "coordinator"),
        days_off=off,
        working_days=list(working),
        reason="Thông báo nghỉ lễ của Chính phủ.",
    )


async def test_the_latest_announcement_of_a_day_wins_and_a_repeat_is_kept_once(
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    store = Store(pool)
    assert AnnouncedDays() == await store.announced_days()

    assert await store.record_announcement("a", _announcement(off=[D1, D2]))
    assert not await store.record_announcement("a", _announcement(off=[D2, D1]))
    assert await store.record_announcement("b", _announcement(off=[], working=(D1, SATURDAY)))
    with pytest.raises(Conflict):
        await store.record_announcement("b", _announcement(off=[SATURDAY]))

    assert AnnouncedDays(days_off={D2}, working_days={D1, SATURDAY}) == (
        await store.announced_days()
    )


def test_a_calendar_takes_the_announced_days_of_its_own_years_only() -> None:
    calendar = WorkingCalendar.for_years(2027, 2027)
    announced = AnnouncedDays(days_off={D2, dt.date(2031, 1, 2)}, working_days={SATURDAY})

    amended = calendar.with_announced(announced)

    assert (False, True) == (amended.is_working_day(D2), amended.is_working_day(SATURDAY))
    assert frozenset({D2}) <= amended.extra_days_off
    assert dt.date(2031, 1, 2) not in amended.extra_days_off
