"""`kehoach replay`, the pre-deploy gate, against the dev server: recent histories of the
assignment and plan workflows replay against this code, and one that cannot is reported."""

import asyncio
import os
import re
import sys
import uuid
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import Cancel
from schemas.plan_run import PlanRunInput, RunOptions
from tests.factories import CALENDAR, PLAN_ID, actor, assignment_input, eventually
from tests.workflows.helpers import running_worker
from workers.replay import replay_recent
from workflows.assignment import AssignmentWorkflow
from workflows.consolidation import ConsolidationWorkflow
from workflows.plan import PlanWorkflow

pytestmark = pytest.mark.devserver
BIN = Path(sys.executable).parent


async def test_recent_histories_of_the_namespace_replay_and_a_failure_is_reported(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = dev_env.client
    async with running_worker(client, store, mailbox) as queue:
        closed = await client.start_workflow(
            AssignmentWorkflow.run,
            assignment_input(assignment_id=f"t/{uuid.uuid4()}", last_day=None),
            id=f"t/{uuid.uuid4()}",
            task_queue=queue,
        )
        await closed.execute_update(
            AssignmentWorkflow.cancel,
            Cancel(actor=actor("STTTT", "coordinator"), reason="Không còn phù hợp."),
        )
        await closed.result()
        plan = await client.start_workflow(
            PlanWorkflow.run,
            PlanRunInput(plan_id=PLAN_ID, year=2026, calendar=CALENDAR, options=RunOptions()),
            id=f"plan/t-{uuid.uuid4()}",
            task_queue=queue,
        )
        await eventually(plan.describe, lambda d: d.history_length > 5)
        await plan.terminate(reason="test over")
    ours = f"TaskQueue = '{queue}'"
    await asyncio.sleep(1)  # visibility catches up

    process = await asyncio.create_subprocess_exec(
        str(BIN / "kehoach"),
        "replay",
        "--per-type",
        "20",
        "--query",
        ours,
        env={
            **os.environ,
            "TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "TEMPORAL_NAMESPACE": client.namespace,
            "COLUMNS": "200",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    without_assignments = await replay_recent(
        client, per_type=20, extra_query=ours, workflows=(PlanWorkflow, ConsolidationWorkflow)
    )

    assert 0 == process.returncode, stdout.decode() + stderr.decode()
    shown = stdout.decode()
    assert "Đạt" in shown
    # The cancelled assignment and the plan's (unless an earlier test of the session on
    # this server holds their ids: then they were not started again, as they should not be).
    counts = {
        kind: int(re.search(rf"{kind}\W+(\d+)", shown).group(1))  # type: ignore[union-attr]
        for kind in ("Assignment", "Plan")
    }
    assert counts["Assignment"] >= 1 and counts["Plan"] == 1, shown
    assert not without_assignments.ok
    assert counts["Assignment"] == without_assignments.replayed["Assignment"]
    assert counts["Assignment"] == len(without_assignments.failed)
