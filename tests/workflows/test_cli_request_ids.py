"""`kehoach assignments … --request-id`: a command run again with the same id after no
answer came applies once and prints the first answer (the update id is the person's)."""

import datetime as dt
import uuid
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from tests.factories import actor, assignment_input
from tests.workflows.helpers import run_kehoach, running_worker
from workflows.assignment import AssignmentWorkflow

pytestmark = pytest.mark.devserver

FOCAL = actor("SNGV", "focal")


async def test_a_submission_run_again_with_its_request_id_is_kept_once(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox, tmp_path: Path
) -> None:
    report = tmp_path / "bao-cao.txt"
    report.write_text("Báo cáo kết quả thực hiện nhiệm vụ.\n", encoding="utf-8")
    wid = f"dev/{uuid.uuid4()}"
    request = str(uuid.uuid4())
    submit = ("assignments", "submit", wid, "--as", FOCAL.email, "--file", str(report))
    async with running_worker(dev_env.client, store, mailbox) as queue:
        handle = await dev_env.client.start_workflow(
            AssignmentWorkflow.run,
            assignment_input(assignment_id=wid, last_day=dt.date.today() + dt.timedelta(days=30)),
            id=wid,
            task_queue=queue,
        )

        # Without the id the second run would be a new request, refused (already submitted).
        runs = [await run_kehoach(dev_env, *submit, "--request-id", request) for _ in range(2)]

        assert [(0, "Đã nộp báo cáo (phiên bản 1).\n")] * 2 == [
            (r.exit_code, r.stdout) for r in runs
        ], runs[1].stderr
        state = await handle.query(AssignmentWorkflow.state)
        assert 1 == len(state.submissions)
