"""The plan workflow's amendments, ad-hoc requests and a ten-year run, under time skipping."""

import datetime as dt
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from kehoach.simulation import People
from schemas.calendar import VN_TZ, WorkingCalendar
from schemas.plan_run import (
    AdHocRequest,
    MoveDeadline,
    PlanRunInput,
    Progress,
    RunOptions,
    WithdrawDuty,
)
from tests.factories import CALENDAR, PLAN_ID, actor, eventually, recurring_plan
from tests.workflows.helpers import running_worker, skip
from workflows.assignment import AssignmentWorkflow
from workflows.plan import PlanWorkflow

PLAN_KEY = PLAN_ID.replace("/", "-")
COORDINATOR = actor("STTTT", "coordinator")


async def _start_plan(
    client: Client, queue: str, **options: Any
) -> WorkflowHandle[PlanWorkflow, Progress]:
    until = options.pop("until_year", None)
    calendar = options.pop("calendar", CALENDAR)
    return await client.start_workflow(
        PlanWorkflow.run,
        PlanRunInput(
            plan_id=PLAN_ID,
            year=2026,
            calendar=calendar,
            options=RunOptions(until_year=until, **options),
        ),
        id=f"plan/{PLAN_KEY}",
        task_queue=queue,
    )


async def _rows(store: Store, count: int) -> list[str]:
    rows = await eventually(
        lambda: store.list_assignments(plan_id=PLAN_ID), lambda rs: len(rs) >= count
    )
    return sorted(r.id for r in rows)


async def _refusal(call: Any) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await call
    return str(refused.value.cause.message)  # type: ignore[union-attr]


async def test_amendments_and_adhoc_requests_reach_every_assignment(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    await store.load_plan(recurring_plan())
    client = time_env.client
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    async with running_worker(client, store, mailbox) as queue:
        plan = await _start_plan(client, queue)
        # The dated duties (2), and both halves of the twice-yearly bulletin (2).
        assert [
            f"{PLAN_KEY}/III.1/UB_MTTQ/2026",
            f"{PLAN_KEY}/III.5.4/SNGV/2026",
            f"{PLAN_KEY}/III.5.5/SNGV/2026-H1",
            f"{PLAN_KEY}/III.5.5/SNGV/2026-H2",
        ] == await _rows(store, 4)

        due = today + dt.timedelta(days=10)
        result = await plan.execute_update(
            PlanWorkflow.request_adhoc,
            AdHocRequest(
                actor=COORDINATOR,
                subject="Báo cáo tình hình đón đoàn khách quốc tế quý IV.",
                agencies=["SNGV"],
                last_day=due,
            ),
        )
        assert 1 == result.affected
        adhoc = client.get_workflow_handle_for(
            AssignmentWorkflow.run, f"{PLAN_KEY}/KL.2/SNGV/2026-DX01"
        )
        assert due == (await adhoc.query(AssignmentWorkflow.state)).last_day
        assert "Chỉ cơ quan đầu mối được điều chỉnh kế hoạch." == await _refusal(
            plan.execute_update(
                PlanWorkflow.request_adhoc,
                AdHocRequest(
                    actor=actor("SNGV", "focal"),
                    subject="Tự yêu cầu báo cáo.",
                    agencies=["SNGV"],
                    last_day=due,
                ),
            )
        )
        assert "Không có cơ quan: XYZ." == await _refusal(
            plan.execute_update(
                PlanWorkflow.request_adhoc,
                AdHocRequest(
                    actor=COORDINATOR,
                    subject="Cơ quan không có thật.",
                    agencies=["XYZ"],
                    last_day=due,
                ),
            )
        )

        moved = today + dt.timedelta(days=40)
        result = await plan.execute_update(
            PlanWorkflow.move_deadline,
            MoveDeadline(
                actor=COORDINATOR,
                duty_id="III.5.4",
                new_last_day=moved,
                reason="Lùi hạn theo chỉ đạo của UBND tỉnh.",
            ),
        )
        assert 1 == result.affected
        dated = client.get_workflow_handle_for(
            AssignmentWorkflow.run, f"{PLAN_KEY}/III.5.4/SNGV/2026"
        )
        state = await dated.query(AssignmentWorkflow.state)
        assert (moved, dt.date(2026, 11, 9)) == (state.last_day, state.original_last_day)

        result = await plan.execute_update(
            PlanWorkflow.withdraw_duty,
            WithdrawDuty(
                actor=COORDINATOR,
                duty_id="III.1",
                reason="Nhiệm vụ được điều chỉnh sang kế hoạch khác.",
            ),
        )
        assert 1 == result.affected
        withdrawn = client.get_workflow_handle_for(
            AssignmentWorkflow.run, f"{PLAN_KEY}/III.1/UB_MTTQ/2026"
        )
        assert "cancelled" == (await withdrawn.result()).status
        assert "Kế hoạch không có nhiệm vụ IX.9." == await _refusal(
            plan.execute_update(
                PlanWorkflow.withdraw_duty,
                WithdrawDuty(actor=COORDINATOR, duty_id="IX.9", reason="Không có nhiệm vụ này."),
            )
        )

        progress = await plan.execute_update(PlanWorkflow.refresh_progress)
        assert 5 == progress.total
        assert 1 == progress.by_status.get("cancelled")
        await plan.terminate(reason="test over")


async def test_ten_years_keep_every_history_bounded(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    plan_data = recurring_plan()
    await store.load_plan(plan_data)
    client = time_env.client
    calendar = WorkingCalendar.for_years(2026, 2037)
    async with running_worker(client, store, mailbox) as queue:
        plan = await _start_plan(client, queue, until_year=2035, calendar=calendar)
        people = People(client=client, store=store, plan=plan_data, now=time_env.get_current_time)
        people.profiles = dict.fromkeys(people.profiles, "on_time")
        consolidation = f"{PLAN_KEY}/consolidation/2026"
        approved = False
        end = dt.datetime(2036, 1, 2, tzinfo=VN_TZ)
        while await time_env.get_current_time() < end:
            await skip(time_env, dt.timedelta(days=10))
            await people.step()
            if not approved:
                try:
                    approved = await people.approve_consolidation(consolidation)
                except Exception:  # not started yet
                    approved = False
        final = await plan.result()
        runs = await _run_lengths(client, plan.id, plan.first_execution_run_id)
        rows = await store.list_assignments(plan_id=PLAN_ID)
        lengths = [
            len((await client.get_workflow_handle(r.id).fetch_history()).events) for r in rows
        ]
    assert 10 == len(runs)  # one run per year, 2026 to 2035
    assert max(runs) < 10_000
    assert max(lengths) < 10_000
    bulletins = sorted(r.period for r in rows if r.duty_id == "III.5.5")
    assert [f"{y}-H{h}" for y in range(2026, 2036) for h in (1, 2)] == bulletins
    assert final.total == len(rows)


async def _run_lengths(client: Client, workflow_id: str, run_id: str | None) -> list[int]:
    """History length of each run of a continued-as-new chain, first to last."""
    lengths = []
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        lengths.append(len(history.events))
        last = history.events[-1]
        run_id = (
            last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            if last.HasField("workflow_execution_continued_as_new_event_attributes")
            else None
        )
    return lengths
