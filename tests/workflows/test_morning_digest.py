"""The morning-digest workflow on the time-skipping server: it wakes at 08:00 (Vietnam) on
working days only, so a day off sends nothing, and the next working morning sends one
digest per reader, visible as one activity per morning."""

from __future__ import annotations

import datetime as dt
import uuid

from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from domain.ids import notice_task_queue
from kehoach.embedded.mailbox import Mailbox
from schemas.calendar import VN_TZ, WorkingCalendar
from schemas.digest import MorningDigestInput
from tests.factories import PLAN_ID
from tests.workflows.helpers import running_worker
from workflows.digest import MorningDigestWorkflow, next_morning


async def test_a_day_off_sends_no_digest_and_the_next_working_morning_sends_one_each(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    now = await time_env.get_current_time()
    today = now.astimezone(VN_TZ).date()
    calendar = WorkingCalendar.for_years(today.year, today.year + 1)
    day_off = calendar.next_working_day(today + dt.timedelta(days=1))
    calendar = calendar.amended(days_off=[day_off])  # announced as a day off
    after = calendar.next_working_day(day_off)
    await store.upsert_assignment(
        id=f"kh/digest/{uuid.uuid4().hex[:8]}",
        plan_id=PLAN_ID,
        duty_id="III.5.4",
        agency_code="SNGV",
        period="2026",
        status="assigned",
        due_at=now - dt.timedelta(days=3),  # overdue: the coordinator and office hear of it
    )
    async with running_worker(time_env.client, store, mailbox) as queue:
        handle = await time_env.client.start_workflow(
            MorningDigestWorkflow.run,
            MorningDigestInput(calendar=calendar, task_queue=notice_task_queue(queue)),
            id=f"digest-{uuid.uuid4()}",
            task_queue=queue,
        )
        noon_off = dt.datetime.combine(day_off, dt.time(12), VN_TZ)
        await time_env.sleep(noon_off - await time_env.get_current_time())
        keys = await digest_keys(store)
        assert [] == [k for k in keys if day_off.isoformat() in k]

        noon_after = dt.datetime.combine(after, dt.time(12), VN_TZ)
        await time_env.sleep(noon_after - await time_env.get_current_time())
        keys = await digest_keys(store)
        sent = [k for k in keys if after.isoformat() in k]
        assert f"digest/{after.isoformat()}/daumoi@stttt.example" in sent
        coordinator = "daumoi@stttt.example"
        mine = [k for k in keys if k.endswith(f"/{coordinator}")]
        assert len(mine) == len(mailbox.messages(to=coordinator))  # one mail per morning sent
        await handle.terminate()


async def digest_keys(store: Store) -> list[str]:
    rows = await store._pool.fetch(
        "SELECT idempotency_key FROM notice_outbox WHERE kind = 'digest' AND state = 'sent'"
    )
    return sorted(r["idempotency_key"] for r in rows)


def test_the_next_morning_skips_days_off_and_mornings_already_sent() -> None:
    calendar = WorkingCalendar.for_years(2024, 2024)
    friday_noon = dt.datetime(2024, 4, 26, 12, tzinfo=VN_TZ)
    # Sat 27, Sun 28 weekend, Mon 29/4 swapped off, Tue 30/4 and Wed 1/5 holidays.
    assert dt.datetime(2024, 5, 2, 8, tzinfo=VN_TZ) == next_morning(
        calendar, now=friday_noon, hour=8, after=None
    )
    thursday_early = dt.datetime(2024, 5, 2, 7, tzinfo=VN_TZ)
    assert dt.datetime(2024, 5, 3, 8, tzinfo=VN_TZ) == next_morning(
        calendar, now=thursday_early, hour=8, after=dt.date(2024, 5, 2)
    )
    assert None is next_morning(
        calendar, now=dt.datetime(2024, 12, 31, 9, tzinfo=VN_TZ), hour=8, after=None
    )
