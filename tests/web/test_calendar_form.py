"""The coordinator's form announcing days off and swap days: the same update as
`kehoach calendar announce`, to the plan's run, which passes it to every open assignment."""

import datetime as dt
import re

import pytest
from fastapi import FastAPI
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from domain.ids import plan_workflow_id
from kehoach.embedded.mailbox import Mailbox
from schemas.calls import ANNOUNCE_CALENDAR
from schemas.plan_run import PlanRunInput, RunOptions
from tests.factories import CALENDAR, PLAN_ID, eventually
from tests.web.helpers import csrf_of, sign_in
from workflows.plan import PlanWorkflow

pytestmark = pytest.mark.devserver

COORDINATOR = "daumoi@stttt.example"
FOCAL = "daumoi@sngv.example"


async def test_the_coordinator_announces_a_day_off_once_to_every_open_assignment(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    focal = await sign_in(app, mailbox, FOCAL)
    assert 403 == (await focal.get("/calendar")).status_code
    coordinator = await sign_in(app, mailbox, COORDINATOR)
    page = await coordinator.get("/calendar")
    assert 200 == page.status_code
    form = {"csrf": csrf_of(page.text), "request_id": _request_id(page.text)}
    reason = "Nghỉ bù theo thông báo của UBND tỉnh."

    typo = await coordinator.post(
        "/calendar", data=form | {"days_off": "31/02/2026", "reason": reason}
    )

    assert 400 == typo.status_code
    assert "ngày &#39;31/02/2026&#39; không hợp lệ; cần dạng DD/MM/YYYY" in typo.text
    assert reason in typo.text  # what was typed stays in the form

    plan = await dev_env.client.start_workflow(
        PlanWorkflow.run,
        PlanRunInput(plan_id=PLAN_ID, year=2026, calendar=CALENDAR, options=RunOptions()),
        id=plan_workflow_id(PLAN_ID),
        task_queue=queue,
    )
    try:
        rows = await eventually(
            lambda: store.list_assignments(plan_id=PLAN_ID), lambda rows: len(rows) >= 2
        )
        day_off = CALENDAR.add_working_days(dt.date.today(), 3).strftime("%d/%m/%Y")
        sent = form | {"days_off": day_off, "working_days": "", "reason": reason}

        announced = [await coordinator.post("/calendar", data=sent) for _ in range(2)]

        expected = f"Đã cập nhật lịch làm việc cho {len(rows)} phân công."
        assert [200, 200] == [r.status_code for r in announced], announced[0].text
        assert all(expected in r.text for r in announced)
        history = await plan.fetch_history()
        accepted = [
            e
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
            and e.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
            == ANNOUNCE_CALENDAR.name
        ]
        assert 1 == len(accepted)  # the form sent twice applied once
    finally:
        await plan.terminate(reason="test over")


def _request_id(html: str) -> str:
    found = re.search(r'name="request_id" value="([^"]+)"', html)
    assert found is not None
    return found[1]
