"""The plan and consolidation workflows' paths, run under time skipping and recorded for
replay: two plan years joined by continue-as-new, amendments, an ad-hoc request, and a
consolidated report returned once before it is approved."""

import datetime as dt
import re

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from client.calls import Unavailable
from kehoach.embedded.mailbox import Mailbox
from kehoach.simulation import People
from schemas.calendar import VN_TZ
from schemas.plan_run import (
    AdHocRequest,
    ConsolidationDecision,
    ConsolidationState,
    MoveDeadline,
    PlanRunInput,
    RunOptions,
    WithdrawDuty,
)
from tests.factories import CALENDAR, PLAN_ID, actor, eventually, monthly_plan, recurring_plan
from tests.workflows.helpers import running_worker, skip
from tests.workflows.histories import record
from workflows.consolidation import ConsolidationWorkflow
from workflows.plan import PlanWorkflow

PLAN_KEY = PLAN_ID.replace("/", "-")
COORDINATOR = actor("STTTT", "coordinator")
VICE_CHAIRMAN = actor("UBND_TINH", "vice_chairman")
# The plan's final report is the coordinating department's: its Director approves and signs.
DIRECTOR = actor("STTTT", "coordinator_director")


async def _consolidation_awaiting(
    client: Client, workflow_id: str
) -> WorkflowHandle[ConsolidationWorkflow, ConsolidationState]:
    handle = client.get_workflow_handle_for(ConsolidationWorkflow.run, workflow_id)

    async def status() -> str:
        try:
            return (await handle.query(ConsolidationWorkflow.current)).status
        except Exception:  # not started yet
            return "absent"

    assert "awaiting_approval" == await eventually(status, lambda s: s == "awaiting_approval")
    return handle


async def test_two_plan_years_with_amendments_and_a_returned_consolidation(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    plan_data = recurring_plan()
    await store.load_plan(plan_data)
    client = time_env.client
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    async with running_worker(client, store, mailbox) as queue:
        plan = await client.start_workflow(
            PlanWorkflow.run,
            PlanRunInput(
                plan_id=PLAN_ID, year=2026, calendar=CALENDAR, options=RunOptions(until_year=2027)
            ),
            id=f"plan/{PLAN_KEY}",
            task_queue=queue,
        )
        first_run = plan.first_execution_run_id
        await eventually(
            lambda: store.list_assignments(plan_id=PLAN_ID), lambda rows: len(rows) >= 4
        )
        result = await plan.execute_update(
            PlanWorkflow.request_adhoc,
            AdHocRequest(
                actor=COORDINATOR,
                subject="Báo cáo tình hình đón đoàn khách quốc tế.",
                agencies=["SNGV"],
                last_day=today + dt.timedelta(days=10),
            ),
        )
        assert 1 == result.affected
        result = await plan.execute_update(
            PlanWorkflow.move_deadline,
            MoveDeadline(
                actor=COORDINATOR,
                duty_id="III.5.4",
                new_last_day=dt.date(2026, 11, 30),
                reason="Lùi hạn theo chỉ đạo của UBND tỉnh.",
            ),
        )
        assert 1 == result.affected
        result = await plan.execute_update(
            PlanWorkflow.withdraw_duty,
            WithdrawDuty(
                actor=COORDINATOR,
                duty_id="III.1",
                reason="Nhiệm vụ được điều chỉnh sang kế hoạch khác.",
            ),
        )
        assert 1 == result.affected

        people = People(client=client, store=store, plan=plan_data, now=time_env.get_current_time)
        people.profiles = dict.fromkeys(people.profiles, "on_time")
        consolidation_id = f"{PLAN_KEY}/consolidation/2026"
        end = dt.datetime(2028, 1, 2, tzinfo=VN_TZ)
        returned = approved = False
        while await time_env.get_current_time() < end:
            await skip(time_env, dt.timedelta(days=10))
            await people.step()
            if approved or await time_env.get_current_time() < dt.datetime(
                2026, 12, 1, tzinfo=VN_TZ
            ):
                continue
            handle = await _consolidation_awaiting(client, consolidation_id)
            with pytest.raises(WorkflowUpdateFailedError):
                await handle.execute_update(
                    ConsolidationWorkflow.decide,
                    ConsolidationDecision(actor=VICE_CHAIRMAN, approve=True),
                )
            await handle.execute_update(
                ConsolidationWorkflow.decide,
                ConsolidationDecision(
                    actor=DIRECTOR,
                    approve=returned,
                    reason=None if returned else "Đề nghị bổ sung số liệu năm.",
                    # Approved and issued under its register number, dated the approval day.
                    report_number="125" if returned else None,
                ),
            )
            approved, returned = returned, True
        final = await plan.result()
        report = await client.get_workflow_handle_for(
            ConsolidationWorkflow.run, consolidation_id
        ).result()
        assert "approved" == report.status
        assert 2 == len(report.decisions)
        # The issued copy is the approved draft with its number and date; the draft is kept.
        assert report.document_id and report.issued_document_id
        draft = await store.get_document(report.document_id)
        issued = await store.get_document(report.issued_document_id)
        assert "Số: \u00a0\u00a0\u00a0\u00a0\u00a0/BC-STTTT" in draft.markdown
        assert "Số: 125/BC-STTTT" in issued.markdown
        assert re.search(r"ngày \d{2} tháng \d{1,2} năm 2026", issued.markdown)
        assert not re.search(r"ngày[ \u00a0]{6}tháng", issued.markdown)
        body = [line for line in draft.markdown.splitlines() if line.startswith("Thực hiện")]
        assert body and body[0] in issued.markdown.splitlines()  # the text approved is issued
        assert final.total == len(await store.list_assignments(plan_id=PLAN_ID))
        await record(client.get_workflow_handle(plan.id, run_id=first_run), "plan/first_year")
        await record(plan, "plan/last_year")
        await record(client.get_workflow_handle(consolidation_id), "plan/consolidation_returned")


async def test_a_monthly_final_report_is_consolidated_month_by_month(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    plan_data = monthly_plan()
    await store.load_plan(plan_data)
    client = time_env.client
    async with running_worker(client, store, mailbox) as queue:
        plan = await client.start_workflow(
            PlanWorkflow.run,
            PlanRunInput(
                plan_id=PLAN_ID,
                year=2027,
                calendar=CALENDAR,
                options=RunOptions(consolidation_delay_days=3),
            ),
            id=f"plan/{PLAN_KEY}",
            task_queue=queue,
        )
        people = People(client=client, store=store, plan=plan_data, now=time_env.get_current_time)
        people.profiles = {"SNGV": "on_time", "UB_MTTQ": "late"}
        months = ["2027-01", "2027-02", "2027-03"]
        approved: list[str] = []
        while await time_env.get_current_time() < dt.datetime(2028, 1, 2, tzinfo=VN_TZ):
            await skip(time_env, dt.timedelta(days=2))
            await people.step()
            for month in months:
                if month not in approved and await _approved(
                    people, f"{PLAN_KEY}/consolidation/{month}"
                ):
                    approved.append(month)
        await plan.result()
        reports = [
            await client.get_workflow_handle_for(
                ConsolidationWorkflow.run, f"{PLAN_KEY}/consolidation/{m}"
            ).result()
            for m in months
        ]
        rows = await store.list_assignments(plan_id=PLAN_ID)
        await record(plan, "plan/monthly_year")
        await record(
            client.get_workflow_handle(f"{PLAN_KEY}/consolidation/2027-02"),
            "plan/monthly_consolidation",
        )
    assert months == approved
    assert sorted(
        f"{PLAN_KEY}/VII.1/{a}/{m}" for a in ("SNGV", "UB_MTTQ") for m in months
    ) == sorted(r.id for r in rows)
    # Three days after each month's deadline SNGV has reported on time; UB_MTTQ, four
    # days late, is still missing from that month's report.
    assert [(["SNGV"], [], ["UB_MTTQ"])] * 3 == [(r.accepted, r.late, r.missing) for r in reports]


async def _approved(people: People, workflow_id: str) -> bool:
    try:
        return await people.approve_consolidation(workflow_id)
    except (RPCError, Unavailable):  # not started yet
        return False
