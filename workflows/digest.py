"""The morning digest: one long-lived workflow that wakes at 08:00 (Vietnam time) on each
working day and has the digest activity send that day's mails.

Non-working days are skipped: the timer runs to the next working morning, so a holiday sends
nothing. The Web UI shows the next run (the timer's summary and the current details) and each
send (one activity per morning). Deterministic: the calendar is data in the input, refreshed
by an activity when the next morning lies past its last year.
"""

from __future__ import annotations

import datetime as dt

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.clock import PlanClock

with workflow.unsafe.imports_passed_through():
    from activities.digests import DigestActivities
    from schemas.calendar import VN_TZ, WorkingCalendar
    from schemas.digest import CalendarRequest, DigestRun, DigestRunResult, MorningDigestInput

DIGEST_RETRY = RetryPolicy(
    initial_interval=dt.timedelta(seconds=5), maximum_interval=dt.timedelta(minutes=5)
)
DIGEST_PATIENCE = dt.timedelta(hours=4)
"""How long a morning's digests are retried; a later run would describe another day."""


def next_morning(
    calendar: WorkingCalendar, *, now: dt.datetime, hour: int, after: dt.date | None
) -> dt.datetime | None:
    """The next `hour`:00 (VN) on a working day later than `after` and not before `now`;
    None when it lies past the calendar's last year."""
    day = now.astimezone(VN_TZ).date()
    if after is not None and day <= after:
        day = after + dt.timedelta(days=1)
    while calendar.covers(day):
        at = dt.datetime.combine(day, dt.time(hour), VN_TZ)
        if calendar.is_working_day(day) and at >= now:
            return at
        day += dt.timedelta(days=1)
    return None


@workflow.defn(name="MorningDigest")
class MorningDigestWorkflow:
    """Send the digests each working morning; see the module docstring."""

    @workflow.run
    async def run(self, input: MorningDigestInput) -> None:
        clock = PlanClock(speed=input.speed, origin=input.clock_origin)
        state = input.model_copy(update={"clock_origin": clock.origin})
        for _ in range(state.runs_per_history):
            now = clock.now()
            at = next_morning(state.calendar, now=now, hour=state.hour, after=state.last_day)
            if at is None:
                state = state.model_copy(update={"calendar": await self._calendar(now)})
                continue
            shown = f"{at.astimezone(VN_TZ):%H:%M %d/%m/%Y}"
            workflow.set_current_details(f"Bản tin sáng kế tiếp: {shown}")
            await workflow.sleep(clock.real(at - now), summary=f"Chờ đến {shown}")
            day = at.astimezone(VN_TZ).date()
            result: DigestRunResult = await workflow.execute_activity_method(
                DigestActivities.send_digests,
                DigestRun(day=day, at=at),
                task_queue=state.task_queue,
                schedule_to_close_timeout=DIGEST_PATIENCE,
                start_to_close_timeout=dt.timedelta(minutes=30),
                heartbeat_timeout=dt.timedelta(minutes=2),
                retry_policy=DIGEST_RETRY,
                summary=f"Gửi bản tin sáng {day:%d/%m/%Y}",
            )
            workflow.logger.info(
                "digest_day_done", extra={"day": day.isoformat(), **result.model_dump()}
            )
            state = state.model_copy(update={"last_day": day})
            if workflow.info().is_continue_as_new_suggested():
                break
        workflow.continue_as_new(state)

    async def _calendar(self, now: dt.datetime) -> WorkingCalendar:
        year = now.astimezone(VN_TZ).year
        return await workflow.execute_activity_method(
            DigestActivities.digest_calendar,
            CalendarRequest(years=(year, year + 1)),
            task_queue=workflow.info().task_queue,
            start_to_close_timeout=dt.timedelta(seconds=30),
            summary=f"Lịch làm việc {year}-{year + 1}",
        )
