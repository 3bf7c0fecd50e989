"""The portal of one province: a code its people sign in under (SNGV) names another agency
in another province's plans, whose assignments they neither list nor open."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from tests.factories import tiny_plan
from tests.web.helpers import sign_in

HOME = "9/KH-UBND"
ELSEWHERE = "12/KH-UBND"
FOCAL = "daumoi@sngv.example"
LEADER = "lanhdao@sngv.example"
COORDINATOR = "daumoi@stttt.example"
DUE = dt.datetime(2099, 1, 10, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
async def two_provinces(store: Store) -> None:
    """The portal's plan 9 (Gia Lai) and a plan 12 of Bắc Ninh naming the same codes for
    Bắc Ninh's agencies; SNGV has one assignment in each, its report submitted and waiting
    for SNGV's leader."""
    home = tiny_plan()
    elsewhere = home.model_copy(
        update={
            "plan": home.plan.model_copy(update={"number": ELSEWHERE, "place": "Bắc Ninh"}),
            "agencies": [
                a.model_copy(update={"name": f"{a.name} tỉnh Bắc Ninh"}) for a in home.agencies
            ],
        }
    )
    await store.load_plan(home)
    await store.load_plan(elsewhere)
    for plan_id in (HOME, ELSEWHERE):
        await store.upsert_assignment(
            id=f"kh/{plan_id}/SNGV",
            plan_id=plan_id,
            duty_id="III.5.4",
            agency_code="SNGV",
            period="2026",
            status="submitted",
            due_at=DUE,
        )
        await store.set_pending_step(f"kh/{plan_id}/SNGV", "agency_leader")


async def test_the_portal_lists_and_opens_only_its_own_provinces_assignments(
    app: FastAPI, mailbox: Mailbox, two_provinces: None
) -> None:
    focal = await sign_in(app, mailbox, FOCAL)

    inbox = (await focal.get("/inbox")).text
    opened = await focal.get(f"/assignments/kh/{HOME}/SNGV")
    refused = await focal.get(f"/assignments/kh/{ELSEWHERE}/SNGV")

    assert (True, False) == (f"kh/{HOME}/SNGV" in inbox, f"kh/{ELSEWHERE}/SNGV" in inbox)
    assert "tỉnh Bắc Ninh" not in inbox
    assert (200, 404) == (opened.status_code, refused.status_code)


async def test_approvals_and_the_dashboard_show_only_the_portal_s_province(
    app: FastAPI, mailbox: Mailbox, two_provinces: None
) -> None:
    leader = await sign_in(app, mailbox, LEADER)
    coordinator = await sign_in(app, mailbox, COORDINATOR)

    approvals = (await leader.get("/approvals")).text
    dashboard = (await coordinator.get("/dashboard")).text

    assert (True, False) == (f"kh/{HOME}/SNGV" in approvals, f"kh/{ELSEWHERE}/SNGV" in approvals)
    assert (True, False) == (HOME in dashboard, ELSEWHERE in dashboard)
    assert "tỉnh Bắc Ninh" not in dashboard
