"""An assignment whose escalations run past the last year of its working calendar, under
the time-skipping test server: the levels the calendar reaches are sent, the rest wait for
a longer calendar, and the workflow task never fails (it used to fail, and retry, for ever
on the first level past the calendar's end)."""

import datetime as dt
import uuid
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import AmendCalendar, SubmitReport
from schemas.calendar import VN_TZ, WorkingCalendar
from schemas.plan_run import PlanRunInput, RunOptions
from tests.factories import (
    CALENDAR,
    PLAN_ID,
    actor,
    assignment_input,
    eventually,
    recurring_plan,
)
from tests.workflows.helpers import running_worker, skip
from tests.workflows.histories import record
from workflows.assignment import AssignmentWorkflow
from workflows.plan import CALENDAR_YEARS_AHEAD, PlanWorkflow

TASK_FAILED = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED


async def test_an_assignment_overdue_past_its_calendars_last_year_goes_on_without_failing(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    calendar = WorkingCalendar.for_years(today.year, today.year)
    last_day = calendar.add_working_days(today, 5)
    wid = f"t/{uuid.uuid4()}"
    input = assignment_input(assignment_id=wid, last_day=last_day).model_copy(
        update={"calendar": calendar}
    )
    async with running_worker(time_env.client, store, mailbox) as queue:
        handle = await time_env.client.start_workflow(
            AssignmentWorkflow.run, input, id=wid, task_queue=queue
        )
        # Past New Year: the repeated escalations of January are beyond the calendar.
        await skip(
            time_env,
            dt.datetime(today.year + 1, 2, 1, tzinfo=VN_TZ) - await time_env.get_current_time(),
        )
        state = await eventually(
            lambda: handle.query(AssignmentWorkflow.state), lambda s: s.escalation_level >= 4
        )
        submitted = await handle.execute_update(
            AssignmentWorkflow.submit_report,
            SubmitReport(actor=actor("SNGV", "focal"), body="Nộp sau Tết dương lịch."),
        )
        history = await handle.fetch_history()

    assert (True, "submitted") == (state.overdue, submitted.status)
    assert [] == [e for e in history.events if e.event_type == TASK_FAILED]


async def test_a_day_off_announced_after_the_start_moves_the_reminder_before_it(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    last_day = CALENDAR.add_working_days(today, 20)
    wid = f"t/{uuid.uuid4()}"
    input = assignment_input(assignment_id=wid, last_day=last_day)
    deadline = CALENDAR.deadline_instant(last_day, move_off_non_working_days=True)
    t3 = dict(CALENDAR.reminder_instants(deadline, input.reminders))[3]
    announced = CALENDAR.amended(days_off=[t3.date()])
    moved = dict(announced.reminder_instants(deadline, input.reminders))[3]
    assert moved.date() < t3.date()
    async with running_worker(time_env.client, store, mailbox) as queue:
        handle = await time_env.client.start_workflow(
            AssignmentWorkflow.run, input, id=wid, task_queue=queue
        )
        result = await handle.execute_update(
            AssignmentWorkflow.amend_calendar,
            AmendCalendar(
                actor=actor("STTTT", "coordinator"),
                days_off=[t3.date()],
                reason="Nghỉ bù theo thông báo của Chính phủ.",
            ),
        )
        await skip(time_env, moved + dt.timedelta(hours=2) - await time_env.get_current_time())
        state = await eventually(
            lambda: handle.query(AssignmentWorkflow.state),
            lambda s: f"reminder/{last_day}/T-3" in s.reminders_sent,
        )
        audit = await eventually(
            lambda: store.list_audit(wid), lambda es: any(e.action == "amend_calendar" for e in es)
        )

    assert "Đã cập nhật lịch làm việc." == result.message_vi
    assert f"reminder/{last_day}/T-3" in state.reminders_sent  # on the day before, not on it
    assert (await time_env.get_current_time()).date() < t3.date()
    assert [t3.date().isoformat()] == [
        e.detail["days_off"] for e in audit if e.action == "amend_calendar"
    ]


async def test_days_announced_to_the_plan_reach_every_open_assignment(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = time_env.client
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    day_off = CALENDAR.add_working_days(today, 3)
    async with running_worker(client, store, mailbox) as queue:
        plan = await client.start_workflow(
            PlanWorkflow.run,
            PlanRunInput(plan_id=PLAN_ID, year=today.year, calendar=CALENDAR, options=RunOptions()),
            id=f"plan/t-{uuid.uuid4()}",
            task_queue=queue,
        )
        rows = await eventually(
            lambda: store.list_assignments(plan_id=PLAN_ID), lambda rs: len(rs) >= 2
        )
        announce = AmendCalendar(
            actor=actor("STTTT", "coordinator"),
            days_off=[day_off],
            reason="Nghỉ bù theo thông báo của Chính phủ.",
        )
        refused = await _refusal(
            plan.execute_update(
                PlanWorkflow.amend_calendar,
                announce.model_copy(update={"actor": actor("SNGV", "focal")}),
            )
        )
        result = await plan.execute_update(PlanWorkflow.amend_calendar, announce)
        audits = [
            await eventually(
                lambda r=r: store.list_audit(r.id),
                lambda es: any(e.action == "amend_calendar" for e in es),
            )
            for r in rows
        ]
        await plan.terminate(reason="test over")

    assert "Chỉ cơ quan đầu mối được điều chỉnh kế hoạch." == refused
    assert 2 == result.affected
    assert all(any(e.action == "amend_calendar" for e in audit) for audit in audits)


async def _refusal(call: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await call
    return str(refused.value.cause.message)  # type: ignore[union-attr]


async def test_each_year_starts_with_a_calendar_years_ahead_of_it(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    await store.load_plan(recurring_plan())
    client = time_env.client
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    async with running_worker(client, store, mailbox) as queue:
        plan = await client.start_workflow(
            PlanWorkflow.run,
            PlanRunInput(
                plan_id=PLAN_ID,
                year=today.year,
                calendar=WorkingCalendar.for_years(today.year, today.year + 1),
                options=RunOptions(until_year=today.year + 1),
            ),
            id=f"plan/t-{uuid.uuid4()}",
            task_queue=queue,
        )
        await skip(
            time_env,
            dt.datetime(today.year + 1, 7, 2, tzinfo=VN_TZ) - await time_env.get_current_time(),
        )
        rows = await eventually(
            lambda: store.list_assignments(plan_id=PLAN_ID),
            lambda rs: any(r.period == f"{today.year + 1}-H1" for r in rs),
        )
        history = await plan.fetch_history()  # the second year's run
        await plan.terminate(reason="test over")
        await record(
            client.get_workflow_handle(plan.id, run_id=plan.first_execution_run_id), "plan/year_end"
        )

    started = history.events[0].workflow_execution_started_event_attributes
    second = PlanRunInput.model_validate_json(started.input.payloads[0].data)
    assert today.year + 1 == second.year
    assert today.year + 1 + CALENDAR_YEARS_AHEAD == second.calendar.last_year
    assert [f"{today.year + 1}-H1"] == [
        r.period for r in rows if r.period == f"{today.year + 1}-H1"
    ]
