"""The assignment workflow's updates, validators and search attributes on the real dev server,
with the real store and mailbox, and the `kehoach assignments` commands driving it."""

import asyncio
import datetime as dt
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from client.starts import search_attributes
from domain.vocabulary import date_vi
from kehoach.embedded.mailbox import Mailbox
from schemas import search_attributes as sa
from schemas.assignment import (
    Actor,
    Approve,
    AssignmentInput,
    AssignmentState,
    Cancel,
    ExtendDeadline,
    ReturnForRevision,
    SetDeadline,
    SubmitReport,
)
from schemas.calendar import VN_TZ
from tests.factories import CALENDAR, actor, assignment_input, eventually, tiny_plan
from tests.workflows.helpers import Ran, run_kehoach, running_worker
from workflows.assignment import AssignmentWorkflow

pytestmark = pytest.mark.devserver

Handle = WorkflowHandle[AssignmentWorkflow, AssignmentState]
FIXTURES = Path(__file__).parent / "fixtures"
BIN = Path(sys.executable).parent
ACCEPTED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED

FOCAL = actor("SNGV", "focal")
LEADER = actor("SNGV", "leader")
COORDINATOR = actor("STTTT", "coordinator")


def _today() -> dt.date:
    return dt.datetime.now(VN_TZ).date()


def _wid() -> str:
    return f"dev/{uuid.uuid4()}"


async def _start(client: Client, input: AssignmentInput, queue: str) -> Handle:
    """Start, then wait for the first task's effects (see the update-with-start test)."""
    handle = await client.start_workflow(
        AssignmentWorkflow.run,
        input,
        id=input.assignment_id,
        task_queue=queue,
        search_attributes=search_attributes(input),
    )
    await _quiet(handle)
    return handle


async def _quiet(handle: Handle, *, retrying_activity: bool = False) -> list[Any]:
    """The history once the workflow waits on nothing but time (or, if asked, on an activity
    that is between retries): a refused update must leave exactly this history."""

    async def probe() -> Any:
        return (await handle.describe()).raw_description

    def settled(raw: Any) -> bool:
        if raw.HasField("pending_workflow_task"):
            return False
        if retrying_activity:
            return any(a.attempt >= 2 for a in raw.pending_activities)
        return not raw.pending_activities

    if not settled(await eventually(probe, settled, within=15)):
        raise TimeoutError(f"{handle.id} still busy after 15 s")
    return [e async for e in handle.fetch_history_events()]


async def _refused(handle: Handle, update: Any, message: Any, *, retrying: bool = False) -> str:
    """Send an update the validator must refuse; its reason, after checking history is as was."""
    before = await _quiet(handle, retrying_activity=retrying)
    update_id = f"refused-{uuid.uuid4()}"
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(update, message, id=update_id)
    cause = caught.value.cause
    assert isinstance(cause, ApplicationError)
    after = [e async for e in handle.fetch_history_events()]
    assert before == after
    return cause.message


async def _accepted_update_ids(handle: Handle) -> set[str]:
    return {
        e.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
        async for e in handle.fetch_history_events()
        if e.event_type == ACCEPTED
    }


# --- (a) the whole update path ---------------------------------------------------------


async def test_report_returned_once_then_accepted_through_both_approval_steps(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = dev_env.client
    last_day = _today() + dt.timedelta(days=30)
    wid = _wid()
    reason = "Thiếu số liệu quý III; bổ sung bảng tổng hợp."
    async with running_worker(client, store, mailbox) as queue:
        handle = await _start(client, assignment_input(assignment_id=wid, last_day=last_day), queue)
        submitted = await handle.execute_update(
            AssignmentWorkflow.submit_report, SubmitReport(actor=FOCAL, body="Báo cáo lần 1.")
        )
        assert ("submitted", 1) == (submitted.status, submitted.version)
        first = await handle.execute_update(AssignmentWorkflow.approve, Approve(actor=LEADER))
        assert "Đã duyệt; chuyển cơ quan đầu mối." == first.message_vi
        returned = await handle.execute_update(
            AssignmentWorkflow.return_for_revision,
            ReturnForRevision(actor=COORDINATOR, reason=reason),
        )
        assert ("returned", "Đã trả lại báo cáo để chỉnh sửa.") == (
            returned.status,
            returned.message_vi,
        )
        again = await handle.execute_update(
            AssignmentWorkflow.submit_report, SubmitReport(actor=FOCAL, body="Báo cáo lần 2.")
        )
        assert ("submitted", 2) == (again.status, again.version)
        await handle.execute_update(AssignmentWorkflow.approve, Approve(actor=LEADER))
        accepted = await handle.execute_update(
            AssignmentWorkflow.approve, Approve(actor=COORDINATOR, comment="Đạt yêu cầu.")
        )
        assert ("accepted", "Đã chấp nhận báo cáo.") == (accepted.status, accepted.message_vi)
        final = await handle.result()
        described = await handle.describe()

    assert ("accepted", "on_time", 2) == (final.status, final.outcome, len(final.submissions))
    assert [
        ("agency_leader", "approved"),
        ("coordinator", "returned"),
        ("agency_leader", "approved"),
        ("coordinator", "approved"),
    ] == [(d.step, d.decision) for d in final.decisions]
    assert "accepted" == described.typed_search_attributes.get(sa.STATUS)
    notices = [m for m in mailbox.messages(to=FOCAL.email) if "bị trả lại" in m.subject]
    assert 1 == len(notices)
    assert f"Lý do: {reason}" in notices[0].text
    # Who returned it, by name and title: never their address.
    assert "(người trả lại: Đầu mối Sở Thông tin và Truyền thông, Chuyên viên " in notices[0].text
    assert COORDINATOR.email not in notices[0].text
    stored = await store.list_submissions(wid)
    assert ["Báo cáo lần 1.", "Báo cáo lần 2."] == [s.body for s in stored]


# --- (b) validators refuse, and history shows nothing --------------------------------


async def test_validators_refuse_with_vietnamese_reasons_and_write_nothing(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = dev_env.client
    last_day = _today() + dt.timedelta(days=30)
    wid = _wid()
    wf = AssignmentWorkflow
    async with running_worker(client, store, mailbox) as queue:
        handle = await _start(client, assignment_input(assignment_id=wid, last_day=last_day), queue)
        assert "Chưa có báo cáo chờ duyệt (trạng thái: chưa nộp)." == await _refused(
            handle, wf.approve, Approve(actor=COORDINATOR)
        )
        assert "Chỉ cơ quan được giao mới nộp được báo cáo này." == await _refused(
            handle,
            wf.submit_report,
            SubmitReport(actor=actor("UB_MTTQ", "focal"), body="Báo cáo nhầm cơ quan."),
        )
        assert "Chỉ cơ quan đầu mối được làm việc này." == await _refused(
            handle,
            wf.extend_deadline,
            ExtendDeadline(
                actor=LEADER,
                new_last_day=last_day + dt.timedelta(days=7),
                reason="Xin thêm thời gian tổng hợp.",
            ),
        )
        assert f"Hạn mới phải sau hạn hiện tại ({last_day:%d/%m/%Y})." == await _refused(
            handle,
            wf.extend_deadline,
            ExtendDeadline(
                actor=COORDINATOR,
                new_last_day=last_day - dt.timedelta(days=1),
                reason="Rút ngắn thời hạn.",
            ),
        )
        assert "Nhiệm vụ đã có hạn; hãy dùng gia hạn." == await _refused(
            handle,
            wf.set_deadline,
            SetDeadline(actor=COORDINATOR, last_day=last_day + dt.timedelta(days=3)),
        )

        submit_id = f"submit-{uuid.uuid4()}"
        await handle.execute_update(
            wf.submit_report, SubmitReport(actor=FOCAL, body="Bản 1."), id=submit_id
        )
        accepted = {submit_id}
        assert "Cần ghi rõ lý do (ít nhất 5 ký tự)." == await _refused(
            handle, wf.return_for_revision, ReturnForRevision(actor=LEADER, reason=" ok  ")
        )
        return_id, resubmit_id = f"return-{uuid.uuid4()}", f"resubmit-{uuid.uuid4()}"
        await handle.execute_update(
            wf.return_for_revision,
            ReturnForRevision(actor=LEADER, reason="Lãnh đạo tự viết lại."),
            id=return_id,
        )
        await handle.execute_update(
            wf.submit_report,
            SubmitReport(actor=LEADER, body="Bản 2, lãnh đạo nộp."),
            id=resubmit_id,
        )
        accepted |= {return_id, resubmit_id}
        # The leader's own submission stands for the agency leader's approval, so the
        # report now waits for the coordinator, whom the leader cannot stand in for.
        coordinator_step = "Bước này do cơ quan đầu mối duyệt."
        assert coordinator_step == await _refused(handle, wf.approve, Approve(actor=LEADER))
        assert coordinator_step == await _refused(
            handle,
            wf.return_for_revision,
            ReturnForRevision(actor=LEADER, reason="Tự trả lại báo cáo của mình."),
        )

        # With the mail server down the cancellation's notice waits for a retry, so the
        # workflow is still open and its validators (not the server) answer what follows.
        await _quiet(handle)
        await mailbox.stop()
        cancel_id = f"cancel-{uuid.uuid4()}"
        cancelled = await handle.execute_update(
            wf.cancel,
            Cancel(actor=COORDINATOR, reason="Nhiệm vụ không còn phù hợp."),
            id=cancel_id,
        )
        accepted.add(cancel_id)
        assert "cancelled" == cancelled.status
        after_cancel: list[tuple[str, Any, Any]] = [
            (
                "Không thể nộp lúc này (trạng thái: đã hủy).",
                wf.submit_report,
                SubmitReport(actor=FOCAL, body="Nộp muộn sau khi hủy."),
            ),
            (
                "Chưa có báo cáo chờ duyệt (trạng thái: đã hủy).",
                wf.approve,
                Approve(actor=COORDINATOR),
            ),
            (
                "Nhiệm vụ đã kết thúc (đã hủy).",
                wf.extend_deadline,
                ExtendDeadline(
                    actor=COORDINATOR,
                    new_last_day=last_day + dt.timedelta(days=9),
                    reason="Gia hạn sau khi hủy.",
                ),
            ),
            (
                "Nhiệm vụ đã kết thúc (đã hủy).",
                wf.set_deadline,
                SetDeadline(actor=COORDINATOR, last_day=last_day),
            ),
            (
                "Nhiệm vụ đã kết thúc (đã hủy).",
                wf.cancel,
                Cancel(actor=COORDINATOR, reason="Hủy lần thứ hai."),
            ),
        ]
        for reason, update, message in after_cancel:
            assert reason == await _refused(handle, update, message, retrying=True)
        assert accepted == await _accepted_update_ids(handle)
        await handle.terminate(reason="test over: its cancellation notice cannot be sent")


# --- (c) search attributes --------------------------------------------------------------


async def _load_plan_numbered(store: Store) -> str:
    """A plan of its own in the store and in visibility, so no other test's workflows match."""
    number = f"{uuid.uuid4().int % 10**12}/KH-TEST"
    plan = tiny_plan()
    await store.load_plan(
        plan.model_copy(update={"plan": plan.plan.model_copy(update={"number": number})})
    )
    return number


async def test_overdue_filter_returns_exactly_one_agencys_overdue_assignments(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = dev_env.client
    plan_id = await _load_plan_numbered(store)
    past, future = _today() - dt.timedelta(days=20), _today() + dt.timedelta(days=30)
    duty = {"SNGV": "III.5.4", "UB_MTTQ": "III.1"}
    inputs = [
        assignment_input(
            assignment_id=_wid(),
            last_day=last_day,
            agency=agency,
            duty_id=duty[agency],
            period=period,
        ).model_copy(update={"plan_id": plan_id})
        for agency in ("SNGV", "UB_MTTQ")
        for last_day, period in ((past, "2026-01"), (past, "2026-02"), (future, "2026-03"))
    ]
    wanted = {i.assignment_id for i in inputs if i.agency == "SNGV" and i.last_day == past}
    query = f"KehoachStatus = 'overdue' AND KehoachAgency = 'SNGV' AND KehoachPlan = '{plan_id}'"

    async with running_worker(client, store, mailbox) as queue:
        handles = [await _start(client, i, queue) for i in inputs]
        every_overdue = await eventually(
            lambda: _ids(client, f"KehoachStatus = 'overdue' AND KehoachPlan = '{plan_id}'"),
            lambda ids: 4 == len(ids),
            within=20,
        )
        found = await eventually(lambda: _ids(client, query), lambda ids: wanted == ids)
        cli = await _temporal_cli_ids(dev_env, query)
        kehoach = await run_kehoach(
            dev_env,
            "assignments",
            "list",
            "--plan",
            plan_id,
            "--agency",
            "SNGV",
            "--status",
            "overdue",
            "--json",
        )
        table = await run_kehoach(dev_env, "assignments", "list", "--plan", plan_id)
        for handle in handles:
            await handle.terminate(reason="test over")

    assert 4 == len(every_overdue)
    assert wanted == found
    assert wanted == cli
    assert (0, 0) == (kehoach.exit_code, table.exit_code), kehoach.stderr + table.stderr
    assert all(i.assignment_id in table.stdout for i in inputs)
    assert "Phân công (6)" in table.stdout
    rows = json.loads(kehoach.stdout)
    assert wanted == {r["id"] for r in rows}
    due = CALENDAR.next_working_day(past)  # a last day off work moves to the next working day
    assert {("SNGV", "III.5.4", "quá hạn", date_vi(due))} == {
        (r["agency"], r["duty"], r["status_vi"], r["last_day"]) for r in rows
    }


async def _ids(client: Client, query: str) -> set[str]:
    return {w.id async for w in client.list_workflows(query)}


async def _temporal_cli_ids(env: WorkflowEnvironment, query: str) -> set[str]:
    """The same query through the `temporal` command ops use."""
    process = await asyncio.create_subprocess_exec(
        str(BIN / "temporal"),
        "workflow",
        "list",
        "--query",
        query,
        "--address",
        env.client.service_client.config.target_host,
        "--namespace",
        env.client.namespace,
        "-o",
        "json",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert 0 == process.returncode, stderr.decode()
    return {w["execution"]["workflowId"] for w in json.loads(stdout or b"[]")}


# --- (d) the kehoach assignments commands ---------------------------------------------


@pytest.fixture
def report_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "bao-cao.txt"
    path.write_text("Báo cáo kết quả thực hiện nhiệm vụ III.5.4 năm 2026.\n", encoding="utf-8")
    yield path


async def test_cli_acts_through_updates_and_prints_refusals_in_vietnamese(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox, report_file: Path
) -> None:
    client = dev_env.client
    last_day = _today() + dt.timedelta(days=30)
    later = last_day + dt.timedelta(days=14)
    leader_submits, focal_submits, undated = _wid(), _wid(), _wid()
    coordinator, director = "daumoi@stttt.example", "lanhdao@stttt.example"

    async def run(*args: str) -> Ran:
        return await run_kehoach(dev_env, "assignments", *args)

    async def expect(message: str, *args: str) -> None:
        result = await run(*args)
        assert (0, message + "\n") == (result.exit_code, result.stdout), result.stderr

    async def leader_submits_then_approves_own_report() -> None:
        await expect(
            "Đã nộp báo cáo (phiên bản 1).",
            "submit",
            leader_submits,
            "--as",
            LEADER.email,
            "--file",
            str(report_file),
        )
        own = await run("approve", leader_submits, "--as", LEADER.email.upper())
        assert (1, "", "Không thực hiện được: Bước này do cơ quan đầu mối duyệt.\n") == (
            own.exit_code,
            own.stdout,
            own.stderr,
        )
        await expect(
            "Đã miễn thực hiện nhiệm vụ.",
            "cancel",
            leader_submits,
            "--as",
            director,
            "--reason",
            "Đã báo cáo trong kế hoạch khác.",
            "--waive",
        )
        await handles[leader_submits].result()
        closed = await run("approve", leader_submits, "--as", coordinator)
        assert (1, "Không thực hiện được: Nhiệm vụ đã kết thúc (được miễn).\n") == (
            closed.exit_code,
            closed.stderr,
        )

    async def focal_submits_then_returned_and_extended() -> None:
        await expect(
            "Đã nộp báo cáo (phiên bản 1).",
            "submit",
            focal_submits,
            "--as",
            FOCAL.email,
            "--file",
            str(report_file),
        )
        await expect(
            "Đã duyệt; chuyển cơ quan đầu mối.",
            "approve",
            focal_submits,
            "--as",
            LEADER.email,
            "--comment",
            "Đồng ý.",
        )
        await expect(
            "Đã trả lại báo cáo để chỉnh sửa.",
            "return",
            focal_submits,
            "--as",
            coordinator,
            "--reason",
            "Bổ sung số liệu [bảng 2].",
        )
        await expect(
            f"Đã gia hạn đến hết ngày {later:%d/%m/%Y}.",
            "extend",
            focal_submits,
            "--as",
            director,
            "--until",
            f"{later:%d/%m/%Y}",
            "--reason",
            "Chờ số liệu của Cục Thống kê.",
        )

    async with running_worker(client, store, mailbox) as queue:
        handles = {  # one store row per (plan, duty, agency, period): periods apart
            wid: await _start(
                client, assignment_input(assignment_id=wid, last_day=day, period=period), queue
            )
            for wid, day, period in (
                (leader_submits, last_day, "2026-01"),
                (focal_submits, last_day, "2026-02"),
                (undated, None, "2026-03"),
            )
        }
        await asyncio.gather(
            leader_submits_then_approves_own_report(),
            focal_submits_then_returned_and_extended(),
            expect(
                f"Đã đặt hạn: hết ngày {last_day:%d/%m/%Y}.",
                "set-deadline",
                undated,
                "--as",
                coordinator,
                "--date",
                f"{last_day:%d/%m/%Y}",
            ),
        )
        shown_closed, shown, text, missing, nothing_pending, bad_date = await asyncio.gather(
            run("show", leader_submits),
            run("show", focal_submits, "--json"),
            run("show", focal_submits),
            run("approve", f"khong-co/{uuid.uuid4()}", "--as", LEADER.email),
            run("approve", focal_submits, "--as", FOCAL.email),
            run(
                "extend",
                focal_submits,
                "--as",
                director,
                "--until",
                "31-12-2026",
                "--reason",
                "Sai định dạng ngày.",
            ),
        )
        for handle in (handles[focal_submits], handles[undated]):
            await handle.terminate(reason="test over")

    assert 0 == shown_closed.exit_code, shown_closed.stderr
    assert "Trạng thái: được miễn" in shown_closed.stdout
    assert "Lý do kết thúc: Đã báo cáo trong kế hoạch khác." in shown_closed.stdout
    state = AssignmentState.model_validate_json(shown.stdout)
    assert ("returned", later, last_day, 1) == (
        state.status,
        state.last_day,
        state.original_last_day,
        len(state.extensions),
    )
    assert "Trạng thái: bị trả lại" in text.stdout
    assert f"hạn ban đầu: hết ngày {last_day:%d/%m/%Y}" in text.stdout
    assert "Bổ sung số liệu [bảng 2]." in text.stdout
    assert 1 == missing.exit_code
    assert "Không tìm thấy phân công khong-co/" in missing.stderr
    assert (1, "Không thực hiện được: Chưa có báo cáo chờ duyệt (trạng thái: bị trả lại).\n") == (
        nothing_pending.exit_code,
        nothing_pending.stderr,
    )
    assert 2 == bad_date.exit_code
    assert "--until: ngày '31-12-2026' không hợp lệ; cần dạng DD/MM/YYYY" in bad_date.stderr
    for result in (shown_closed, shown, text, missing, nothing_pending, bad_date):
        assert "Traceback" not in result.stdout + result.stderr


# --- bugs found here and fixed ---------------------------------------------------------


async def test_report_submitted_by_the_agency_leader_can_still_be_decided(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = dev_env.client
    wid = _wid()
    input = assignment_input(assignment_id=wid, last_day=_today() + dt.timedelta(days=30))
    async with running_worker(client, store, mailbox) as queue:
        handle = await _start(client, input, queue)
        try:
            await handle.execute_update(
                AssignmentWorkflow.submit_report,
                SubmitReport(actor=LEADER, body="Lãnh đạo tự nộp."),
            )
            deciders: list[Actor] = [LEADER, COORDINATOR, actor("STTTT", "coordinator_director")]
            decided = False
            for decider in deciders:
                try:
                    await handle.execute_update(AssignmentWorkflow.approve, Approve(actor=decider))
                    decided = True
                    break
                except WorkflowUpdateFailedError:
                    continue
            assert decided, "nobody may approve the agency_leader step of the leader's report"
        finally:
            await handle.terminate(reason="test over")


async def test_cancel_answers_in_plain_vietnamese(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = dev_env.client
    wid = _wid()
    input = assignment_input(assignment_id=wid, last_day=_today() + dt.timedelta(days=30))
    async with running_worker(client, store, mailbox) as queue:
        handle = await _start(client, input, queue)
        result = await handle.execute_update(
            AssignmentWorkflow.cancel, Cancel(actor=COORDINATOR, reason="Không còn phù hợp.")
        )
        await handle.result()
    assert "cancelled" == result.status
    assert "Đã đã" not in result.message_vi


async def test_report_submitted_with_the_start_is_kept(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = dev_env.client
    wid = _wid()
    input = assignment_input(assignment_id=wid, last_day=_today() + dt.timedelta(days=30))
    async with running_worker(client, store, mailbox) as queue:
        start = WithStartWorkflowOperation(
            AssignmentWorkflow.run,
            input,
            id=wid,
            task_queue=queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=search_attributes(input),
        )
        try:
            submitted = await client.execute_update_with_start_workflow(
                AssignmentWorkflow.submit_report,
                SubmitReport(actor=FOCAL, body="Nộp ngay khi giao."),
                start_workflow_operation=start,
            )
            assert "submitted" == submitted.status
            handle = await start.workflow_handle()
            await _quiet(handle)
            assert WorkflowExecutionStatus.RUNNING == (await handle.describe()).status
            await handle.execute_update(AssignmentWorkflow.approve, Approve(actor=LEADER))
            await handle.execute_update(AssignmentWorkflow.approve, Approve(actor=COORDINATOR))
            assert "accepted" == (await handle.result()).status
        finally:
            handle = await start.workflow_handle()
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                await handle.terminate(reason="test over")
    assert ["Nộp ngay khi giao."] == [s.body for s in await store.list_submissions(wid)]
