"""Many plans side by side: started from their files (idempotently), listed, stopped."""

import datetime as dt
from pathlib import Path

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from domain.ids import succession_workflow_id
from domain.planfile import load_plan
from kehoach.embedded.mailbox import Mailbox
from kehoach.plan_runs import list_plans, plan_files, start_plan_run, stop_plan
from schemas.errors import PlanConflict
from schemas.plan import Succession
from tests.factories import eventually
from tests.workflows.helpers import running_worker

PLANS = Path(__file__).parents[2] / "plans"


def test_a_plans_folder_lists_its_plan_files_not_its_directories() -> None:
    found = [p.name for p in plan_files(PLANS)]
    assert "516-KH-UBND-2023.yaml" in found and "157-KH-UBND-2025-can-tho.yaml" in found
    assert not [n for n in found if n.startswith("agencies")]
    assert all(load_plan(PLANS / name) for name in found)


async def test_plans_start_side_by_side_once_each_and_stop(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = time_env.client
    can_tho = load_plan(PLANS / "157-KH-UBND-2025-can-tho.yaml")
    nghe_an = load_plan(PLANS / "1026-KH-UBND-2025-nghe-an.yaml")
    async with running_worker(client, store, mailbox) as queue:
        first = await start_plan_run(client, store, can_tho, task_queue=queue)
        other = await start_plan_run(client, store, nghe_an, task_queue=queue)
        again = await start_plan_run(client, store, can_tho, task_queue=queue)
        assert first.id == again.id and first.id != other.id
        assert first.first_execution_run_id == (await again.describe()).run_id

        changed = can_tho.model_copy(
            update={
                "plan": can_tho.plan.model_copy(update={"title": can_tho.plan.title + " (sửa đổi)"})
            }
        )
        # A new directory version (a merger recorded) is no amendment of the plan's text.
        merger = Succession(
            code="P_CAI_RANG", successor="P_NINH_KIEU", effective=dt.date(2099, 1, 1)
        )
        versioned = can_tho.model_copy(update={"successions": [merger]})
        assert first.id == (await start_plan_run(client, store, versioned, task_queue=queue)).id
        assert [merger] == await store.successions(can_tho.directory)
        with pytest.raises(PlanConflict) as refused:
            await start_plan_run(client, store, changed, task_queue=queue)
        assert "--amend" in refused.value.message_vi
        assert versioned == await store.get_plan(can_tho.plan.number)  # nothing written
        amended = await start_plan_run(client, store, changed, task_queue=queue, amend=True)
        assert first.id == amended.id
        assert changed == await store.get_plan(can_tho.plan.number)

        runs = {r.plan_id: r.status for r in await list_plans(client, store)}
        assert {"157/KH-UBND": "running", "1026/KH-UBND": "running"}.items() <= runs.items()
        await stop_plan(client, "157/KH-UBND")
        await stop_plan(client, "1026/KH-UBND")
        for handle in (first, other):
            described = await eventually(
                handle.describe, lambda d: d.status != WorkflowExecutionStatus.RUNNING
            )
            assert WorkflowExecutionStatus.CANCELED == described.status
        # The merger's change waits for 2099 in the session's shared test server: end it,
        # so no later test's time skipping runs into its timer.
        await client.get_workflow_handle(
            succession_workflow_id(
                directory=can_tho.directory,
                code=merger.code,
                successor=merger.successor,
                effective=merger.effective.isoformat(),
            )
        ).terminate(reason="test over")
