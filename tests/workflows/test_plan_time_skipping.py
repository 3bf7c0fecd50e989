"""Plan 516's whole year under the time-skipping server, with simulated people."""

import datetime as dt
import io
from pathlib import Path

import docx
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from domain import reportform
from domain.planfile import load_plan
from domain.vocabulary import number_vi
from kehoach.embedded.mailbox import Mailbox
from kehoach.simulation import People
from schemas.assignment import FINAL_STATUSES
from schemas.calendar import VN_TZ, WorkingCalendar
from schemas.plan_run import PlanRunInput, RunOptions
from tests.workflows.helpers import running_worker, skip
from tests.workflows.histories import record
from workflows.consolidation import ConsolidationWorkflow
from workflows.plan import PlanWorkflow

PLAN_FILE = Path(__file__).parents[2] / "plans" / "516-KH-UBND-2023.yaml"
STEP = dt.timedelta(days=2)


async def test_plan_516_runs_its_whole_year_and_consolidates(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    plan = load_plan(PLAN_FILE)
    await store.load_plan(plan)
    client = time_env.client
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    shift = (today - plan.plan.issued_on).days  # re-based: the plan is issued today
    calendar = WorkingCalendar.for_years(today.year, today.year + 2)
    plan_key = plan.plan.number.replace("/", "-")
    async with running_worker(client, store, mailbox) as queue:
        handle = await client.start_workflow(
            PlanWorkflow.run,
            PlanRunInput(
                plan_id=plan.plan.number,
                year=plan.plan.year,
                options=RunOptions(shift_days=shift, consolidation_delay_days=14),
                calendar=calendar,
            ),
            id=f"plan/{plan_key}",
            task_queue=queue,
        )
        people = People(client=client, store=store, plan=plan, now=time_env.get_current_time)
        consolidation = client.get_workflow_handle_for(
            ConsolidationWorkflow.run, f"{plan_key}/consolidation/{plan.plan.year}"
        )
        year_end = dt.datetime.combine(
            dt.date(plan.plan.year + 1, 1, 1) + dt.timedelta(days=shift), dt.time(0), VN_TZ
        )
        approved = False
        while await time_env.get_current_time() < year_end - STEP:
            await skip(time_env, STEP)
            await people.step()
            if not approved and await _exists(consolidation):
                approved = await people.approve_consolidation(consolidation.id)
        assert approved
        report = await consolidation.result()
        await people.close_year()
        await skip(time_env, 2 * STEP)
        progress = await handle.result()
        await record(handle, "plan/plan_516_year")
        await record(consolidation, "plan/plan_516_consolidation")

    rows = await store.list_assignments(plan_id=plan.plan.number)
    assert 122 == len(rows) == progress.total
    assert [] == [r.id for r in rows if r.status not in FINAL_STATUSES]

    # Two weeks after the deadline every agency that reports at all has been accepted:
    # on time, after a return, or late; the silent ones are missing.
    annual_rows = sorted((r for r in rows if r.duty_id == "KL.1"), key=lambda r: r.agency_code)
    annual = [r.agency_code for r in annual_rows]
    profile = {a: people.profiles[a] for a in annual}
    assert [a for a in annual if profile[a] != "never"] == sorted(report.accepted)
    # Late: judged on the accepted version against the original deadline, so a report
    # returned after the deadline and sent again is late too.
    assert [r.agency_code for r in annual_rows if r.outcome == "late"] == sorted(report.late)
    assert {a for a in annual if profile[a] == "late"} <= set(report.late)
    assert [a for a in annual if profile[a] == "never"] == sorted(report.missing)
    assert report.late and report.missing  # the annex has both tables filled

    document = await store.get_document(report.document_id or "")
    read = docx.Document(io.BytesIO(document.docx))
    text = "\n".join(p.text for p in read.paragraphs)
    tables = ["\n".join(c.text for row in t.rows for c in row.cells) for t in read.tables]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in tables[0]
    assert "BÁO CÁO" in text
    assert any("Nơi nhận" in t for t in tables)
    names = {a.code: a.name for a in plan.agencies}
    for code in report.accepted:
        assert names[code] in text
    annex = "\n".join(t for t in tables[1:] if "Nơi nhận" not in t)
    for code in report.late + report.missing:
        assert names[code] in annex
    assert {"submit", "approve", "accept", "return", "set_deadline"} <= set(people.actions)

    # The agencies report on the plan's form; part II adds up each indicator's figures over
    # the accepted reports (the latest version of each).
    form = plan.plan.report_form
    assert form is not None and form.indicators
    bodies = [
        (await store.list_submissions(r.id))[-1].body
        for r in annual_rows
        if r.agency_code in report.accepted
    ]
    totals = {
        i.code: sum(reportform.read(form, body).figures.get(i.code, 0.0) for body in bodies)
        for i in form.indicators
    }
    assert all(totals.values())
    for indicator in form.indicators:
        assert f"- {indicator.label}: {number_vi(totals[indicator.code])} {indicator.unit}" in text


async def _exists(handle: object) -> bool:
    from temporalio.service import RPCError

    try:
        await handle.describe()  # type: ignore[attr-defined]
    except RPCError:
        return False
    return True
