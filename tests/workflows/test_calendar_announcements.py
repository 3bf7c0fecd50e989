"""Days announced once reach every plan: each running plan passes them to its open
assignments, a plan not running starts with them, and the same request sent again applies
nothing twice (time-skipping test server, the store's announcements of migration 0015)."""

import pytest
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from client.calendar import announce_to_plans
from client.plan_runs import start_plan_run
from domain.ids import plan_workflow_id
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import AmendCalendar
from schemas.calendar import VN_TZ
from schemas.errors import Conflict
from schemas.plan import NormalizedPlan
from schemas.plan_run import PlanRunInput
from tests.factories import CALENDAR, PLAN_ID, actor, eventually, tiny_plan
from tests.workflows.helpers import running_worker

UPDATE_ID = "announce_calendar/daumoi@stttt.example/1"


def _numbered(number: str) -> NormalizedPlan:
    plan = tiny_plan()
    return plan.model_copy(update={"plan": plan.plan.model_copy(update={"number": number})})


async def test_an_announcement_reaches_every_running_plan_and_plans_started_after_it(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = time_env.client
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    day_off = CALENDAR.add_working_days(today, 3)
    running, later = [tiny_plan(), _numbered("10/KH-UBND")], _numbered("11/KH-UBND")
    await store.load_plan(later)
    announcement = AmendCalendar(
        actor=actor("STTTT", "coordinator"),
        days_off=[day_off],
        reason="Nghỉ bù theo thông báo của Chính phủ.",
    )
    async with running_worker(client, store, mailbox) as queue:
        for plan in running:
            await start_plan_run(client, store, plan, task_queue=queue, today=today)
        rows = [
            r.id
            for plan in running
            for r in await eventually(
                lambda p=plan: store.list_assignments(plan_id=p.plan.number),
                lambda rs: len(rs) >= 2,
            )
        ]

        first = await announce_to_plans(client, store, announcement, update_id=UPDATE_ID)
        again = await announce_to_plans(client, store, announcement, update_id=UPDATE_ID)
        amended = [
            await eventually(
                lambda r=r: store.list_audit(r),
                lambda es: any(e.action == "amend_calendar" for e in es),
            )
            for r in rows
        ]
        started = await start_plan_run(client, store, later, task_queue=queue, today=today)
        history = await started.fetch_history()
        with pytest.raises(Conflict):
            other_day = announcement.model_copy(update={"days_off": [today]})
            await announce_to_plans(client, store, other_day, update_id=UPDATE_ID)
        for plan in [*running, later]:
            await client.get_workflow_handle(plan_workflow_id(plan.plan.number)).terminate()

    assert [PLAN_ID, "10/KH-UBND"] == sorted(first.applied, key=len)
    assert [2, 2] == [r.affected for r in first.applied.values()]
    assert ["11/KH-UBND"] == first.not_running
    assert first == again  # the plans answered the repeat with their first result
    assert [1] * len(rows) == [
        sum(e.action == "amend_calendar" for e in audit) for audit in amended
    ]
    started_input = history.events[0].workflow_execution_started_event_attributes.input
    calendar = PlanRunInput.model_validate_json(started_input.payloads[0].data).calendar
    assert day_off in calendar.extra_days_off
    assert not calendar.is_working_day(day_off)
