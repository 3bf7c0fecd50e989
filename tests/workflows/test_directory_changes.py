"""A directory version merges commune XA_A into XA_B from a day: on that day the DirectoryChange
workflow moves XA_A's open assignment to XA_B (its workflow, search attribute, store row,
audit, and the notices from then on), the accepted one keeps XA_A, and loading the same
version again changes nothing. A merger already in effect applies at load, and a batch
started after it gives the duty to the successor only. Time-skipping server, real store
and SMTP."""

import datetime as dt

import httpx
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.notices import NoticeActivities
from activities.plans import PlanActivities
from adapters.mail import MailConfig
from adapters.store import Store
from client import calls
from client.starts import start_assignment, start_successions
from domain.ids import assignment_id
from kehoach.embedded.mailbox import Mailbox
from schemas import search_attributes as sa
from schemas.assignment import Actor, Approve, AssignmentInput, Reroute, SubmitReport
from schemas.calendar import VN_TZ
from schemas.calls import REROUTE, SUBMIT_REPORT
from schemas.plan_run import RunOptions, StartBatch
from tests.factories import (
    CALENDAR,
    PLAN_ID,
    actor,
    assignment_input,
    eventually,
    merged_communes_plan,
)
from tests.workflows.helpers import running_worker, skip
from tests.workflows.histories import record
from workflows.assignment import AssignmentWorkflow


def _input(
    plan_agencies: dict[str, str], duty_id: str, agency: str, last_day: dt.date
) -> AssignmentInput:
    wid = assignment_id(plan_id=PLAN_ID, duty_id=duty_id, agency=agency, period="2026")
    base = assignment_input(assignment_id=wid, last_day=last_day, duty_id=duty_id)
    return base.model_copy(update={"agency": agency, "agency_name": plan_agencies[agency]})


async def _accept(client: Client, workflow_id: str, agency: str) -> None:
    handle = client.get_workflow_handle(workflow_id)
    await handle.execute_update(
        "submit_report", SubmitReport(actor=actor(agency, "focal"), body="Báo cáo kết quả.")
    )
    await handle.execute_update("approve", Approve(actor=actor(agency, "leader")))
    await handle.execute_update("approve", Approve(actor=actor("STTTT", "coordinator")))


async def _reminders_to(store: Store, workflow_id: str) -> list[str]:
    rows = await store._pool.fetch(
        "SELECT recipient FROM notice_outbox WHERE assignment_id = $1 AND kind = 'reminder'"
        " AND state = 'sent' ORDER BY id",
        workflow_id,
    )
    return [r["recipient"] for r in rows]


async def test_a_merger_reroutes_the_open_assignment_and_the_accepted_one_keeps_its_agency(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = time_env.client
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    effective = today + dt.timedelta(days=3)
    plan = merged_communes_plan(effective=effective)
    await store.load_plan(plan)
    names = {a.code: a.name for a in plan.agencies}
    last_day = CALENDAR.next_working_day(today + dt.timedelta(days=21))
    open_a = _input(names, "III.5.4", "XA_A", last_day)
    done_a = _input(names, "III.1", "XA_A", last_day)
    # The successor's own assignment of the same duty and period: it ends up holding both.
    own_b = _input(names, "III.5.4", "XA_B", last_day)
    ids = [open_a.assignment_id, done_a.assignment_id, own_b.assignment_id]

    async with running_worker(client, store, mailbox) as queue:
        for input in (open_a, done_a, own_b):
            await start_assignment(client, input, task_queue=queue)
        await _accept(client, done_a.assignment_id, "XA_A")
        await eventually(
            lambda: store.get_assignment(done_a.assignment_id), lambda r: r.status == "accepted"
        )

        (change,) = await start_successions(client, plan, task_queue=queue)
        result = await change.result()  # the server skips to the effective day
        assert (1, "Đã chuyển 1 phân công còn mở của XA_A sang Xã B.") == (
            result.affected,
            result.message_vi,
        )
        rows = await eventually(lambda: _agencies(store, ids), lambda codes: codes[0] == "XA_B")
        assert ["XA_B", "XA_A", "XA_B"] == rows
        shown = [
            (await client.get_workflow_handle(i).describe()).typed_search_attributes.get(sa.AGENCY)
            for i in ids
        ]
        assert ["XA_B", "XA_A", "XA_B"] == shown
        state = await client.get_workflow_handle(open_a.assignment_id).query(
            AssignmentWorkflow.state
        )
        assert ("XA_B", "assigned") == (state.agency, state.status)
        (moved,) = [
            e for e in await store.list_audit(open_a.assignment_id) if e.action == "reroute"
        ]
        assert ("XA_A", "XA_B", effective.isoformat()) == (
            moved.detail["from_agency"],
            moved.detail["to_agency"],
            moved.detail["effective"],
        )

        # Loading the same version again finds the change done and moves nothing.
        moves_before = [await _moves(store, i) for i in ids]
        await store.load_plan(plan)
        (again,) = await start_successions(client, plan, task_queue=queue)
        first, second = await change.describe(), await again.describe()
        assert (first.run_id, WorkflowExecutionStatus.COMPLETED) == (second.run_id, second.status)
        assert ([1, 0, 0], ["XA_B", "XA_A", "XA_B"]) == (
            [await _moves(store, i) for i in ids],
            await _agencies(store, ids),
        )
        assert [1, 0, 0] == moves_before
        # The same move sent anew (another request) is refused by the workflows themselves.
        message = Reroute(
            actor=Actor(email="danh-ba", role="system", agency="XA_B", source="directory"),
            from_agency="XA_A",
            to_agency="XA_B",
            to_agency_name="Xã B",
            effective=effective,
        )
        refusals = []
        for workflow_id in (open_a.assignment_id, done_a.assignment_id):
            try:
                await calls.update(client, workflow_id, REROUTE, message)
            except calls.Refused as refused:
                refusals.append(refused.reason_vi)
        assert ["Nhiệm vụ đã thuộc XA_B.", "Nhiệm vụ đã kết thúc (đã chấp nhận)."] == refusals

        # The reminders from the merger on go to the successor's focal official.
        await skip(
            time_env,
            dt.datetime.combine(last_day, dt.time(12), VN_TZ) - await time_env.get_current_time(),
        )
        reminders = await eventually(
            lambda: _reminders_to(store, open_a.assignment_id), lambda sent: len(sent) >= 2
        )
        assert {"daumoi@xa-b.example"} == set(reminders)
        assert [] == [
            m for m in mailbox.messages(to="daumoi@xa-a.example") if "Nhắc hạn" in m.subject
        ]
        # Its people act on it now; the merged commune's no longer can.
        handle = client.get_workflow_handle(open_a.assignment_id)
        try:
            await calls.update(
                client,
                open_a.assignment_id,
                SUBMIT_REPORT,
                SubmitReport(actor=actor("XA_A", "focal"), body="Báo cáo."),
            )
        except calls.Refused as refused:
            assert "Chỉ cơ quan được giao mới nộp được báo cáo này." == refused.reason_vi
        else:
            raise AssertionError("the merged commune submitted")
        await handle.execute_update(
            "submit_report", SubmitReport(actor=actor("XA_B", "focal"), body="Báo cáo của xã B.")
        )
        await record(handle, "rerouted")
        await record(change, "plan/directory_change")


async def _agencies(store: Store, ids: list[str]) -> list[str]:
    return [(await store.get_assignment(i)).agency_code for i in ids]


async def _moves(store: Store, workflow_id: str) -> int:
    return sum(e.action == "reroute" for e in await store.list_audit(workflow_id))


async def test_a_merger_already_in_effect_applies_at_load_and_later_batches_skip_the_merged(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = time_env.client
    today = (await time_env.get_current_time()).astimezone(VN_TZ).date()
    plan = merged_communes_plan(effective=today - dt.timedelta(days=1))
    await store.load_plan(plan)
    batch = StartBatch(
        plan_id=PLAN_ID,
        duty_id="III.5.4",
        period="2026",
        options=RunOptions(),
        calendar=CALENDAR,
        agencies=["XA_A", "XA_B"],
        last_day=CALENDAR.next_working_day(today + dt.timedelta(days=20)),
        on=today,
    )
    async with running_worker(client, store, mailbox) as queue, httpx.AsyncClient() as http:
        notices = NoticeActivities(
            store=store,
            mail=MailConfig(host=mailbox.host, port=mailbox.port, sender="k@test.example"),
            http=http,
            webhook_secret="s",
            public_base_url="http://t",
        )
        plans = PlanActivities(store=store, client=client, task_queue=queue, notices=notices)
        started = await ActivityEnvironment().run(plans.start_batch, batch)
        (change,) = await start_successions(client, plan, task_queue=queue)
        result = await change.result()
        rows = await eventually(
            lambda: store.list_assignments(plan_id=PLAN_ID), lambda rs: len(rs) >= 1
        )

    assert (1, 0) == (started.started, started.existing)
    assert [("9-KH-UBND/III.5.4/XA_B/2026", "XA_B")] == [(r.id, r.agency_code) for r in rows]
    assert (0, "Đã chuyển 0 phân công còn mở của XA_A sang Xã B.") == (
        result.affected,
        result.message_vi,
    )
