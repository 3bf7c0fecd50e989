"""Starts and updates that a retry, a re-run batch or `kehoach up` repeats apply once: a
closed assignment is never started again, its mirror in the store never goes backwards,
and an update sent twice under one id is applied once. On the dev server, real store."""

import datetime as dt
import uuid

import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.notices import NoticeActivities
from activities.plans import PlanActivities
from adapters.mail import MailConfig
from adapters.store import Store
from client import calls
from domain.ids import assignment_id
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import Cancel
from schemas.calls import CANCEL
from schemas.plan_run import DutyChange, RunOptions, StartBatch
from tests.factories import CALENDAR, PLAN_ID, actor, eventually
from tests.workflows.helpers import running_worker

pytestmark = pytest.mark.devserver

COORDINATOR = actor("STTTT", "coordinator")
ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED


def _plans(client: Client, store: Store, queue: str, http: httpx.AsyncClient) -> PlanActivities:
    notices = NoticeActivities(
        store=store,
        mail=MailConfig(host="127.0.0.1", port=9, sender="k@test.example"),
        http=http,
        webhook_secret="s",
        public_base_url="http://t",
    )
    return PlanActivities(store=store, client=client, task_queue=queue, notices=notices)


async def test_rerunning_a_batch_after_an_assignment_closed_changes_nothing(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = dev_env.client
    period = f"2026-{uuid.uuid4().hex[:6]}"
    batch = StartBatch(
        plan_id=PLAN_ID,
        duty_id="III.5.4",
        period=period,
        options=RunOptions(),
        calendar=CALENDAR,
        agencies=["SNGV"],
        last_day=dt.date(2029, 6, 15),
    )
    wid = assignment_id(plan_id=PLAN_ID, duty_id="III.5.4", agency="SNGV", period=period)
    async with running_worker(client, store, mailbox) as queue, httpx.AsyncClient() as http:
        plans = _plans(client, store, queue, http)
        first = await ActivityEnvironment().run(plans.start_batch, batch)
        assert (1, 0) == (first.started, first.existing)
        await eventually(
            lambda: store.list_assignments(plan_id=PLAN_ID),
            lambda rows: any(r.id == wid for r in rows),
        )
        await calls.update(
            client, wid, CANCEL, Cancel(actor=COORDINATOR, reason="Không còn phù hợp.")
        )
        handle = client.get_workflow_handle(wid)
        await handle.result()
        closed = await handle.describe()
        assert "cancelled" == (await store.get_assignment(wid)).status

        again = await ActivityEnvironment().run(plans.start_batch, batch)
        # Past the store's check too: the id-reuse policy alone keeps the closed run closed.
        await store.set_assignment_status(wid, "assigned")
        third = await ActivityEnvironment().run(plans.start_batch, batch)

        assert (0, 1) == (again.started, again.existing)
        assert (0, 1) == (third.started, third.existing)
        now = await handle.describe()
        assert (closed.run_id, WorkflowExecutionStatus.COMPLETED) == (now.run_id, now.status)
        assert "cancelled" == (await store.get_assignment(wid)).status
        assigned = [e for e in await store.list_audit(wid) if e.action == "assign"]
        assert 1 == len(assigned)


async def test_a_closed_assignments_mirror_never_goes_back_to_assigned(store: Store) -> None:
    wid = f"{PLAN_ID}/III.5.4/SNGV/{uuid.uuid4().hex[:6]}"
    row = dict(id=wid, plan_id=PLAN_ID, duty_id="III.5.4", agency_code="SNGV", period="2026")
    await store.upsert_assignment(**row, status="assigned")
    await store.upsert_assignment(**row, status="accepted")

    again = await store.upsert_assignment(**row, status="assigned")

    assert "accepted" == again.status
    assert "accepted" == (await store.set_assignment_status(wid, "submitted")).status


async def test_a_retried_amendment_is_applied_to_each_assignment_once(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = dev_env.client
    period = f"2026-{uuid.uuid4().hex[:6]}"
    batch = StartBatch(
        plan_id=PLAN_ID,
        duty_id="III.5.4",
        period=period,
        options=RunOptions(),
        calendar=CALENDAR,
        agencies=["SNGV"],
        last_day=dt.date(2029, 6, 15),
    )
    wid = assignment_id(plan_id=PLAN_ID, duty_id="III.5.4", agency="SNGV", period=period)
    async with running_worker(client, store, mailbox) as queue, httpx.AsyncClient() as http:
        plans = _plans(client, store, queue, http)
        await ActivityEnvironment().run(plans.start_batch, batch)
        await eventually(
            lambda: store.list_assignments(plan_id=PLAN_ID),
            lambda rows: any(r.id == wid and r.due_at for r in rows),
        )
        change = DutyChange(
            plan_id=PLAN_ID,
            duty_id="III.5.4",
            kind="move_deadline",
            actor=COORDINATOR,
            reason="Theo đề nghị của các cơ quan.",
            new_last_day=dt.date(2029, 9, 14),
        )
        # The same activity twice (a retry after the worker died before reporting back):
        # its updates carry the same ids, so the second finds them applied, not refused.
        first = await ActivityEnvironment().run(plans.apply_duty_change, change)
        second = await ActivityEnvironment().run(plans.apply_duty_change, change)

        audit = await eventually(
            lambda: store.list_audit(wid), lambda es: any(e.action == "extend" for e in es)
        )
        assert 1 == sum(e.action == "extend" for e in audit)
        assert first.affected >= 1
        assert first == second
        history = await client.get_workflow_handle(wid).fetch_history()
        assert 1 == sum(e.event_type == ACCEPTED for e in history.events)
