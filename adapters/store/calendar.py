"""The days the government announced after calendars were built (migration 0015)."""

from __future__ import annotations

from adapters.store.base import Repository, mapped_errors
from schemas.assignment import AmendCalendar
from schemas.calendar import AnnouncedDays
from schemas.errors import Conflict


class CalendarRepository(Repository):
    """Announcements in the order made, each kept once under its request id."""

    async def record_announcement(self, id: str, announcement: AmendCalendar) -> bool:
        """Keep the announcement; False when the same id already holds it (a retried
        request). The same id with other days is a `Conflict`, never a silent overwrite."""
        days_off = sorted(set(announcement.days_off))
        working_days = sorted(set(announcement.working_days))
        with mapped_errors():
            inserted = await self._pool.fetchval(
                """INSERT INTO calendar_announcements
                       (id, days_off, working_days, reason, announced_by)
                   VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (id) DO NOTHING
                   RETURNING true""",
                id,
                days_off,
                working_days,
                announcement.reason,
                announcement.actor.email,
            )
        if inserted:
            return True
        kept = await self._pool.fetchrow(
            "SELECT days_off, working_days FROM calendar_announcements WHERE id = $1", id
        )
        if kept is None or (sorted(kept["days_off"]), sorted(kept["working_days"])) != (
            days_off,
            working_days,
        ):
            raise Conflict(f"calendar_announcements: {id} already holds other days")
        return False

    async def announced_days(self) -> AnnouncedDays:
        """Every announcement so far, folded in the order made (the latest word wins)."""
        days = AnnouncedDays()
        for row in await self._pool.fetch(
            "SELECT days_off, working_days FROM calendar_announcements ORDER BY announced_at, id"
        ):
            days = days.then(days_off=row["days_off"], working_days=row["working_days"])
        return days
