"""`kehoach plan …` against a running plan on the dev server, as a person types it."""

import datetime as dt
import json

from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from schemas.plan_run import PlanRunInput, RunOptions
from tests.factories import CALENDAR, PLAN_ID, eventually, recurring_plan
from tests.workflows.helpers import run_kehoach, running_worker
from workflows.plan import PlanWorkflow

COORDINATOR = "daumoi@stttt.example"


async def test_coordinator_requests_a_report_and_reads_progress_from_the_cli(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    await store.load_plan(recurring_plan())
    client = dev_env.client
    until = (dt.date.today() + dt.timedelta(days=20)).strftime("%d/%m/%Y")
    async with running_worker(client, store, mailbox) as queue:
        plan = await client.start_workflow(
            PlanWorkflow.run,
            PlanRunInput(plan_id=PLAN_ID, year=2026, calendar=CALENDAR, options=RunOptions()),
            id=f"plan/{PLAN_ID.replace('/', '-')}",
            task_queue=queue,
        )
        try:
            await eventually(
                lambda: store.list_assignments(plan_id=PLAN_ID), lambda rows: len(rows) >= 4
            )
            asked = await run_kehoach(
                dev_env,
                "plan",
                "request-report",
                "--as",
                COORDINATOR,
                "--subject",
                "Báo cáo nhanh tình hình đón khách quốc tế.",
                "--agencies",
                "SNGV,UB_MTTQ",
                "--until",
                until,
            )
            assert (0, "Đã gửi yêu cầu báo cáo đột xuất số 1 tới 2 cơ quan.\n") == (
                asked.exit_code,
                asked.stdout,
            ), asked.stderr
            refused = await run_kehoach(
                dev_env,
                "plan",
                "withdraw",
                "IX.9",
                "--as",
                COORDINATOR,
                "--reason",
                "Không có nhiệm vụ này.",
            )
            assert (1, "Không thực hiện được: Kế hoạch không có nhiệm vụ IX.9.\n") == (
                refused.exit_code,
                refused.stderr,
            )
            shown = await run_kehoach(dev_env, "plan", "progress", "--json")
            assert 0 == shown.exit_code, shown.stderr
            assert (
                len(await store.list_assignments(plan_id=PLAN_ID))
                == json.loads(shown.stdout)["total"]
            )
        finally:
            await plan.terminate(reason="test over")


async def test_coordinator_announces_a_day_off_to_every_open_assignment_from_the_cli(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox, database_url: str
) -> None:
    client = dev_env.client
    day_off = CALENDAR.add_working_days(dt.date.today(), 3).strftime("%d/%m/%Y")
    async with running_worker(client, store, mailbox) as queue:
        plan = await client.start_workflow(
            PlanWorkflow.run,
            PlanRunInput(plan_id=PLAN_ID, year=2026, calendar=CALENDAR, options=RunOptions()),
            id=f"plan/{PLAN_ID.replace('/', '-')}",
            task_queue=queue,
        )
        try:
            rows = await eventually(
                lambda: store.list_assignments(plan_id=PLAN_ID), lambda rows: len(rows) >= 2
            )
            announced = await run_kehoach(
                dev_env,
                "calendar",
                "announce",
                "--as",
                COORDINATOR,
                "--off",
                day_off,
                "--reason",
                "Nghỉ bù theo thông báo.",
                database_url=database_url,
            )
            expected = f"Kế hoạch {PLAN_ID}: Đã cập nhật lịch làm việc cho {len(rows)} phân công.\n"
            assert (0, expected) == (
                announced.exit_code,
                announced.stdout,
            ), announced.stderr
        finally:
            await plan.terminate(reason="test over")
