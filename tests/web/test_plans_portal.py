"""The portal across plans: the plan filter, pages and counts of the inbox, the approvals
inbox and the dashboard, over rows the store holds for two plans."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import SubmitReport
from tests.factories import actor, tiny_plan
from tests.web.helpers import sign_in, start_assignment, store_status
from workflows.assignment import AssignmentWorkflow

HOME = "9/KH-UBND"
OTHER = "12/KH-UBND"
FOCAL = "daumoi@sngv.example"
LEADER = "lanhdao@sngv.example"
COORDINATOR = "daumoi@stttt.example"
PAST = dt.datetime(2026, 1, 10, 17, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2099, 1, 10, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
async def rows(store: Store) -> None:
    """Plan 9 (coordinated by STTTT): 30 of SNGV's, the first 10 overdue. Plan 12
    (coordinated by SNGV): 25 of SNGV's and 5 of UB_MTTQ's. Three reports wait: SNGV's in
    plan 9 for its leader and in plan 12 for plan 12's coordinator, UB_MTTQ's in plan 12
    for plan 12's coordinator."""
    home = tiny_plan()
    other = home.model_copy(
        update={
            "plan": home.plan.model_copy(
                update={"number": OTHER, "title": "Kế hoạch khác", "coordinator": "SNGV"}
            )
        }
    )
    await store.load_plan(home)
    await store.load_plan(other)
    made = [(HOME, "III.5.4", "SNGV", n) for n in range(30)]
    made += [(OTHER, "III.5.4", "SNGV", n) for n in range(25)]
    made += [(OTHER, "III.1", "UB_MTTQ", n) for n in range(5)]
    due_in = {HOME: 0, OTHER: 100}  # plan 9's rows come first, in deadline order
    for plan_id, duty, agency, n in made:
        await store.upsert_assignment(
            id=f"kh/{plan_id}/{agency}/{n}",
            plan_id=plan_id,
            duty_id=duty,
            agency_code=agency,
            period=f"P{n:02}",
            status="assigned",
            due_at=PAST
            if plan_id == HOME and n < 10
            else LATER + dt.timedelta(days=due_in[plan_id] + n),
        )
    for id_, step in (
        (f"kh/{HOME}/SNGV/29", "agency_leader"),
        (f"kh/{OTHER}/SNGV/24", "coordinator"),
        (f"kh/{OTHER}/UB_MTTQ/4", "coordinator"),
    ):
        await store.set_assignment_status(id_, "submitted")
        await store.set_pending_step(id_, step)
    # Submitted before the store kept the step, and no workflow to ask: listed in no inbox
    # rather than shown to someone who may not decide it.
    await store.set_assignment_status(f"kh/{HOME}/SNGV/28", "submitted")


def _plans_named(html: str) -> list[str]:
    return re.findall(r'<td data-label="Kế hoạch" class="plan" title="[^"]*">([^<]+)</td>', html)


def _pager(html: str) -> str:
    found = re.search(r'<p class="muted pager" id="pager">\s*(\S+ / \d+)', html)
    assert found is not None
    return found[1]


async def test_the_inbox_lists_the_agency_s_assignments_of_every_plan_a_page_at_a_time(
    app: FastAPI, mailbox: Mailbox, rows: None
) -> None:
    focal = await sign_in(app, mailbox, FOCAL)

    first = (await focal.get("/inbox")).text
    second = (await focal.get("/inbox?offset=50")).text
    only_other = (await focal.get("/inbox", params={"plan": OTHER})).text

    assert "1–50 / 55" == _pager(first)
    assert "51–55 / 55" == _pager(second)
    assert [HOME] * 30 + [OTHER] * 20 == _plans_named(first)  # plan 9's ten overdue first
    assert [OTHER] * 5 == _plans_named(second)
    assert "1–25 / 25" == _pager(only_other)
    assert [OTHER] * 25 == _plans_named(only_other)
    assert 'rel="next"' not in only_other and "offset=50" in first


async def test_the_approvals_inbox_lists_what_waits_for_each_person_across_plans(
    app: FastAPI, mailbox: Mailbox, rows: None
) -> None:
    leader = await sign_in(app, mailbox, LEADER)
    coordinator = await sign_in(app, mailbox, COORDINATOR)

    for_leader = (await leader.get("/approvals")).text
    for_coordinator = (await coordinator.get("/approvals")).text

    assert [HOME] == _plans_named(for_leader)  # SNGV's own report waiting for its leader
    assert f"kh/{HOME}/SNGV/29" in for_leader and f"kh/{HOME}/SNGV/28" not in for_leader
    # Both reports of plan 12 wait for plan 12's coordinator (SNGV), not for STTTT.
    assert [] == _plans_named(for_coordinator)
    assert "0 / 0" == _pager(for_coordinator)


async def test_the_dashboard_counts_every_plan_and_filters_by_plan_agency_and_label(
    app: FastAPI, mailbox: Mailbox, rows: None
) -> None:
    coordinator = await sign_in(app, mailbox, COORDINATOR)

    every = (await coordinator.get("/dashboard")).text
    other = (await coordinator.get("/dashboard", params={"plan": OTHER})).text
    mttq = (await coordinator.get("/dashboard", params={"plan": OTHER, "agency": "UB_MTTQ"})).text
    in_term = (await coordinator.get("/dashboard", params={"label": "in_term"})).text
    csv_other = (await coordinator.get("/dashboard.csv", params={"plan": OTHER})).text

    def count(html: str, element: str) -> int:
        found = re.search(rf'id="{element}"><b>(\d+)</b>', html)
        assert found is not None, element
        return int(found[1])

    assert "60 phân công của 2 kế hoạch" in every
    assert (10, 50) == (count(every, "count-overdue"), count(every, "count-in_term"))
    assert re.search(rf'id="plan-{re.escape(HOME)}">.*?<td class="num">30</td>', every)
    assert "1–10 / 10" == _pager(every)  # the overdue, listed by default
    assert [HOME] * 10 == _plans_named(every)
    assert "30 phân công của Kế hoạch 12/KH-UBND" in other
    assert (0, 30) == (count(other, "count-overdue"), count(other, "count-in_term"))
    assert "Theo nhiệm vụ" in other and "Theo nhiệm vụ" not in every
    assert 5 == count(mttq, "count-in_term")
    assert "1–50 / 50" == _pager(in_term)
    assert 1 + 30 == len(csv_other.strip().splitlines())
    assert all(f",{OTHER}," in line for line in csv_other.strip().splitlines()[1:])


async def test_a_report_submitted_before_the_step_was_mirrored_is_asked_for_and_listed(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    await handle.execute_update(
        AssignmentWorkflow.submit_report, SubmitReport(actor=actor("SNGV", "focal"), body="Báo cáo")
    )
    await store_status(store, handle.id, "submitted")
    assert "agency_leader" == (await store.get_assignment(handle.id)).pending_step
    # As a row written before migration 0007 holds it: no step mirrored.
    await store._pool.execute("UPDATE assignments SET pending_step = NULL WHERE id = $1", handle.id)
    leader = await sign_in(app, mailbox, LEADER)

    waiting = (await leader.get("/approvals")).text

    assert quote(handle.id, safe="/") in waiting
    assert "agency_leader" == (await store.get_assignment(handle.id)).pending_step
    assert {handle.id} == app.state.portal.steps_asked
