"""Each corpus plan encoded under plans/ runs, re-based onto today, under the time-skipping
server with simulated people: its assignments fall inside the span, every one ends, and
every period of its final report has its own consolidation listing the agencies that
reported and the ones that did not.

The suite runs each plan's first `KEHOACH_CORPUS_YEARS` years (default 2: one year boundary
crossed, with its continue-as-new and calendar extension), but only its first year when the
second would take it past `SUITE_ASSIGNMENTS` (a plan of monthly reports to thirty agencies):
that keeps `./dev test` inside its time budget. `KEHOACH_CORPUS_YEARS=all` runs every plan's
whole span (bench/README.md)."""

import datetime as dt
import os
from pathlib import Path

import pytest
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from client.calls import Unavailable
from domain.deadlines import duty_occurrences
from domain.planfile import load_plan
from kehoach.embedded.mailbox import Mailbox
from kehoach.simulation import People
from schemas.assignment import FINAL_STATUSES
from schemas.calendar import VN_TZ, WorkingCalendar
from schemas.plan import NormalizedPlan
from schemas.plan_run import PlanRunInput, RunOptions
from tests.plans.test_corpus_plans import ENCODED
from tests.workflows.helpers import running_worker, skip
from workflows.consolidation import ConsolidationWorkflow
from workflows.plan import PlanWorkflow

PLANS = Path(__file__).parents[2] / "plans"
STEP = dt.timedelta(days=5)
DELAY_DAYS = 10
OPEN_ENDED_YEARS = 2  # an open-ended plan runs this many years in the test
SETTLE_STEPS = 6
MOVE_SLACK_DAYS = 12


def _years_in_run() -> int | None:
    """How many years of each plan to run; None for the whole span."""
    value = os.environ.get("KEHOACH_CORPUS_YEARS", "2")
    return None if value == "all" else max(1, int(value))


YEARS = _years_in_run()
SUITE_ASSIGNMENTS = 250
"""A plan's second year runs in the suite only if its first two years assign at most this."""


def _last_year_in_run(plan: NormalizedPlan) -> int:
    header = plan.plan
    last = (
        header.span.end.year if header.span.end is not None else header.year + OPEN_ENDED_YEARS - 1
    )
    if YEARS is None:
        return last
    assigned = 0
    for year in range(header.year, min(last, header.year + YEARS - 1) + 1):
        assigned += sum(
            len(d.assignees) * len(duty_occurrences(d, year, header)) for d in plan.duties
        )
        if year > header.year and assigned > SUITE_ASSIGNMENTS:
            return year - 1
    return min(last, header.year + YEARS - 1)


NOT_YET_RUN = {
    "552-KH-UBND-2025-dong-thap.yaml": "its eleven-year run stalls the time-skipping server "
    "(unlock_time_skipping_with_sleep: "
    "Timeout expired) after about 15 minutes, alone or beside another run; cause not found",
    "556-KH-UBND-2025-dong-thap.yaml": "encoded after the suite reached its time budget; its "
    "six-year run (2025-2030, 105 assignments) not yet tried",
    "2954-QD-UBND-2025-son-la.yaml": "encoded after the suite reached its time budget; its "
    "five-year run of monthly reports (sixty periods) not yet tried",
    "144-KH-UBND-2025-bac-ninh.yaml": "encoded after the suite reached its time budget; its "
    "five-year run (2026-2030, 99 assignments) not yet tried",
}
"""Plans whose whole-span run is skipped, and why: a gap to close, shown in every run."""


@pytest.mark.parametrize(
    "plan_file",
    [
        pytest.param(f, marks=pytest.mark.skip(reason=NOT_YET_RUN[f]))
        if f in NOT_YET_RUN and YEARS is None
        else f
        for f in sorted(ENCODED.values())
    ],
)
async def test_corpus_plan_runs_its_span_with_a_consolidation_per_period(
    plan_file: str, time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    plan = load_plan(PLANS / plan_file)
    await store.load_plan(plan)
    header = plan.plan
    client = time_env.client
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    shift = (today - header.span.start).days
    last_year = _last_year_in_run(plan)
    whole_span = header.span.end is not None and last_year == header.span.end.year
    years = last_year - header.year
    calendar = WorkingCalendar.for_years(today.year, today.year + years + 2)
    key = header.number.replace("/", "-")
    final_duty = header.final_report.duty
    async with running_worker(client, store, mailbox) as queue:
        handle = await client.start_workflow(
            PlanWorkflow.run,
            PlanRunInput(
                plan_id=header.number,
                year=header.year,
                calendar=calendar,
                options=RunOptions(
                    shift_days=shift,
                    consolidation_delay_days=DELAY_DAYS,
                    until_year=None if whole_span else last_year,
                ),
            ),
            id=f"plan/{key}",
            task_queue=queue,
            # The test server ends a workflow chain after ten years unless told otherwise
            # (a real server has no such default); plans run up to eleven years.
            execution_timeout=dt.timedelta(days=366 * 15),
        )
        people = People(client=client, store=store, plan=plan, now=time_env.get_current_time)
        approved: set[str] = set()
        end = dt.datetime.combine(
            dt.date(last_year + 1, 1, 1) + dt.timedelta(days=shift), dt.time(0), VN_TZ
        ) + dt.timedelta(days=DELAY_DAYS + 10)
        while await time_env.get_current_time() < end:
            await skip(time_env, STEP)
            await people.step()
            waiting = {
                f"{key}/consolidation/{row.period}"
                for row in await store.list_assignments(plan_id=header.number)
                if row.duty_id == final_duty
            } - approved
            for consolidation in sorted(waiting):
                if await _approve(people, consolidation):
                    approved.add(consolidation)
        progress = await handle.result()
        for _ in range(SETTLE_STEPS):  # reports still in review at the span's end
            if not [
                r
                for r in await store.list_assignments(plan_id=header.number)
                if r.status not in FINAL_STATUSES and r.status != "assigned"
            ]:
                break
            await skip(time_env, STEP)
            await people.step()
        await people.close_year()
        await skip(time_env, 2 * STEP)
        rows = await store.list_assignments(plan_id=header.number)
        reports = {
            c: await client.get_workflow_handle_for(ConsolidationWorkflow.run, c).result()
            for c in sorted(approved)
        }

    assert progress.total <= len(rows)
    assert [] == [(r.id, r.status, r.due_at) for r in rows if r.status not in FINAL_STATUSES]
    # Deadlines the plan dates fall inside the span (re-based), give or take the move off
    # non-working days (Civil Code Art. 148: at most the Tết week).
    first = header.span.start + dt.timedelta(days=shift)
    last = dt.date(last_year, 12, 31) + dt.timedelta(days=shift + MOVE_SLACK_DAYS)
    dated = {
        (d.id, o.key)
        for d in plan.duties
        for year in range(header.year, last_year + 1)
        for o in duty_occurrences(d, year, header)
        if o.last_day is not None
    }
    due_days = [
        (r.id, r.original_due_at or r.due_at) for r in rows if (r.duty_id, r.period) in dated
    ]
    assert len(due_days) == sum(
        len(d.assignees)
        for d in plan.duties
        for year in range(header.year, last_year + 1)
        for o in duty_occurrences(d, year, header)
        if o.last_day is not None
    )
    assert [] == [
        rid
        for rid, due in due_days
        if due is None or not first <= due.astimezone(VN_TZ).date() <= last
    ]
    # Every period of the final report that the plan dates has its own consolidation (a
    # deadline the coordinator sets later is not scheduled), and it lists every agency of
    # that period as accepted or missing, never as both.
    duty = next((d for d in plan.duties if d.id == final_duty), None)
    periods = {
        o.key
        for year in range(header.year, last_year + 1)
        for o in (duty_occurrences(duty, year, header) if duty else [])
        if o.last_day is not None
    }
    assert {f"{key}/consolidation/{p}" for p in periods} == set(reports)
    for consolidation, report in reports.items():
        period = consolidation.rsplit("/", 1)[1]
        agencies = {r.agency_code for r in rows if r.duty_id == final_duty and r.period == period}
        assert agencies == set(report.accepted) | set(report.missing), consolidation
        assert not set(report.accepted) & set(report.missing)
        assert set(report.late) <= set(report.accepted)
        silent = {a for a in agencies if people.profiles.get(a) == "never"}
        assert silent <= set(report.missing), consolidation


async def _approve(people: People, workflow_id: str) -> bool:
    try:
        return await people.approve_consolidation(workflow_id)
    except (RPCError, Unavailable):  # not started yet
        return False
