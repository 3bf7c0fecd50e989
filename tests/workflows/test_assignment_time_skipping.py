"""The assignment workflow's timelines under the time-skipping test server, with real
activities: an embedded PostgreSQL database and a real SMTP server per test."""

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from client.starts import start_assignment
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import (
    Approve,
    AssignmentState,
    Cancel,
    ExtendDeadline,
    ReturnForRevision,
    SetDeadline,
    SubmitReport,
)
from schemas.calendar import VN_TZ
from tests.factories import CALENDAR, actor, assignment_input, eventually, tiny_plan
from tests.workflows.helpers import running_worker, skip
from tests.workflows.histories import record
from workflows.assignment import AssignmentWorkflow

Handle = WorkflowHandle[AssignmentWorkflow, AssignmentState]

SNGV_FOCAL = "daumoi@sngv.example"
SNGV_LEADER = "lanhdao@sngv.example"
COORDINATOR = "daumoi@stttt.example"
OFFICE = ("daumoi@vp-ubnd.example", "lanhdao@vp-ubnd.example")


class Run:
    """One workflow under test, with the environment's clock and the mailbox at hand."""

    def __init__(self, env: WorkflowEnvironment, queue: str, mailbox: Mailbox) -> None:
        self.env, self.queue, self.mailbox = env, queue, mailbox
        self.handle: Handle

    async def today(self) -> dt.date:
        return (await self.env.get_current_time()).astimezone(VN_TZ).date()

    async def start(self, **kwargs: Any) -> Handle:
        # Started as production starts it (search attributes, summary and details), so the
        # recorded histories are the ones production writes.
        input = assignment_input(assignment_id=f"t/{uuid.uuid4()}", **kwargs)
        self.handle = await start_assignment(self.env.client, input, task_queue=self.queue)
        return self.handle

    async def skip_to(self, day: dt.date, at: dt.time = dt.time(12)) -> None:
        target = dt.datetime.combine(day, at, VN_TZ)
        await skip(self.env, target - await self.env.get_current_time())

    async def state_when(self, ok: Any) -> AssignmentState:
        return await eventually(lambda: self.handle.query(AssignmentWorkflow.state), ok)

    async def update(self, update: Any, message: Any) -> Any:
        return await self.handle.execute_update(update, message)

    def subjects(self, to: str) -> list[str]:
        return [m.subject for m in self.mailbox.messages(to=to)]


@pytest.fixture
async def run(
    request: pytest.FixtureRequest, time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> AsyncIterator[Run]:
    passed_through = bool(getattr(request, "param", False))
    async with running_worker(
        time_env.client, store, mailbox, pass_through_own_modules=passed_through
    ) as queue:
        yield Run(time_env, queue, mailbox)


async def _working_day_after(run: Run, days: int) -> dt.date:
    return CALENDAR.next_working_day(await run.today() + dt.timedelta(days=days))


async def _accept(run: Run, *, by: str = "focal") -> AssignmentState:
    await run.update(
        AssignmentWorkflow.submit_report,
        SubmitReport(actor=actor("SNGV", by), body="Báo cáo kết quả."),
    )
    await run.update(AssignmentWorkflow.approve, Approve(actor=actor("SNGV", "leader")))
    await run.update(AssignmentWorkflow.approve, Approve(actor=actor("STTTT", "coordinator")))
    return await run.handle.result()


# Also with kehoach's modules passed through the sandbox (KEHOACH_WORKER_PASS_THROUGH_OWN_MODULES).
@pytest.mark.parametrize(
    "run", [False, True], indirect=True, ids=["sandboxed", "own-modules-passed-through"]
)
async def test_on_time_report_is_reminded_then_accepted_on_time(run: Run, store: Store) -> None:
    last_day = await _working_day_after(run, 30)
    handle = await run.start(last_day=last_day)
    await run.skip_to(last_day - dt.timedelta(days=1), dt.time(7))  # before T-1's 08:00
    wanted = {f"reminder/{last_day}/T-7", f"reminder/{last_day}/T-3"}
    state = await run.state_when(lambda s: wanted <= set(s.reminders_sent))
    assert ("assigned", wanted) == (state.status, set(state.reminders_sent))

    final = await _accept(run)
    assert ("accepted", "on_time", 0) == (final.status, final.outcome, final.escalation_level)
    reminders = [s for s in run.subjects(SNGV_FOCAL) if s.startswith("Nhắc hạn")]
    assert 2 == len(reminders)
    assert ["Báo cáo kết quả."] == [s.body for s in await store.list_submissions(handle.id)]
    row = await store.get_assignment(handle.id)
    assert ("accepted", "on_time") == (row.status, row.outcome)
    await record(handle, "on_time")


async def test_late_report_climbs_every_escalation_level_then_stops_when_submitted(
    run: Run, store: Store
) -> None:
    last_day = await _working_day_after(run, 10)
    handle = await run.start(last_day=last_day)
    # Level 1 at the deadline, 2 after two working days, 3 after five, 4 after ten.
    await run.skip_to(CALENDAR.add_working_days(last_day, 10), dt.time(12))
    state = await run.state_when(lambda s: s.escalation_level >= 4)
    assert (True, 4) == (state.overdue, state.escalation_level)
    assert any("quá hạn" in s.lower() for s in run.subjects(SNGV_LEADER))
    assert any("quá hạn" in s.lower() for s in run.subjects(COORDINATOR))
    for address in OFFICE:
        assert 2 == sum("quá hạn" in s.lower() for s in run.subjects(address))  # levels 3, 4

    await run.update(
        AssignmentWorkflow.submit_report,
        SubmitReport(actor=actor("SNGV", "focal"), body="Nộp muộn."),
    )
    await run.skip_to(CALENDAR.add_working_days(last_day, 30))
    state = await run.handle.query(AssignmentWorkflow.state)
    assert (False, 4) == (state.overdue, state.escalation_level)
    await run.update(AssignmentWorkflow.approve, Approve(actor=actor("SNGV", "leader")))
    await run.update(AssignmentWorkflow.approve, Approve(actor=actor("STTTT", "coordinator")))
    final = await handle.result()
    assert ("accepted", "late") == (final.status, final.outcome)
    assert "late" == (await store.get_assignment(handle.id)).outcome
    audit = [e.action for e in await store.list_audit(handle.id)]
    assert ["escalate"] * 4 == [a for a in audit if a == "escalate"]
    await record(handle, "late_escalated")


async def test_report_returned_twice_then_accepted(run: Run, store: Store) -> None:
    handle = await run.start(last_day=await _working_day_after(run, 20))
    for attempt in (1, 2):
        await run.update(
            AssignmentWorkflow.submit_report,
            SubmitReport(actor=actor("SNGV", "focal"), body=f"Bản {attempt}."),
        )
        await run.update(AssignmentWorkflow.approve, Approve(actor=actor("SNGV", "leader")))
        result = await run.update(
            AssignmentWorkflow.return_for_revision,
            ReturnForRevision(
                actor=actor("STTTT", "coordinator"), reason=f"Thiếu số liệu lần {attempt}."
            ),
        )
        assert "returned" == result.status
    final = await _accept(run)
    assert ("accepted", "on_time") == (final.status, final.outcome)
    assert [1, 2, 3] == [s.version for s in final.submissions]
    assert ["approved", "returned", "approved", "returned", "approved", "approved"] == [
        d.decision for d in final.decisions
    ]
    assert 3 == len(await store.list_submissions(handle.id))
    returned = [m for m in run.mailbox.messages(to=SNGV_FOCAL) if "trả lại" in m.subject.lower()]
    assert ["Thiếu số liệu lần 1.", "Thiếu số liệu lần 2."] == [
        next(r for r in ("Thiếu số liệu lần 1.", "Thiếu số liệu lần 2.") if r in m.text)
        for m in returned
    ]
    await record(handle, "returned_twice")


async def test_extension_before_the_deadline_keeps_done_late_judged_on_the_original(
    run: Run,
) -> None:
    original = await _working_day_after(run, 10)
    extended = CALENDAR.add_working_days(original, 10)
    handle = await run.start(last_day=original)
    await run.update(
        AssignmentWorkflow.extend_deadline,
        ExtendDeadline(
            actor=actor("STTTT", "coordinator"), new_last_day=extended, reason="Chờ số liệu quý."
        ),
    )
    await run.skip_to(CALENDAR.add_working_days(original, 3))
    state = await run.handle.query(AssignmentWorkflow.state)
    assert (False, 0, original, extended) == (
        state.overdue,
        state.escalation_level,
        state.original_last_day,
        state.last_day,
    )
    final = await _accept(run)
    assert ("accepted", "late") == (final.status, final.outcome)  # after the original date
    assert 1 == len(final.extensions)
    await record(handle, "extended_before")


async def test_extension_after_the_deadline_clears_overdue_and_restarts_the_ladder(
    run: Run,
) -> None:
    original = await _working_day_after(run, 5)
    handle = await run.start(last_day=original)
    await run.skip_to(CALENDAR.add_working_days(original, 3))
    await run.state_when(lambda s: s.escalation_level >= 2)
    extended = CALENDAR.add_working_days(original, 10)
    await run.update(
        AssignmentWorkflow.extend_deadline,
        ExtendDeadline(
            actor=actor("STTTT", "coordinator_director"),
            new_last_day=extended,
            reason="Cơ quan xin gia hạn.",
        ),
    )
    state = await run.handle.query(AssignmentWorkflow.state)
    assert (False, 0) == (state.overdue, state.escalation_level)
    await run.skip_to(CALENDAR.add_working_days(extended, 1))
    state = await run.state_when(lambda s: s.escalation_level >= 1)
    assert (True, 1) == (state.overdue, state.escalation_level)
    assert any("gia hạn" in s.lower() for s in run.subjects(SNGV_FOCAL))
    await run.update(
        AssignmentWorkflow.cancel,
        Cancel(actor=actor("STTTT", "coordinator"), reason="Kết thúc thử nghiệm."),
    )
    assert "cancelled" == (await handle.result()).status
    await record(handle, "extended_after")


async def test_open_deadline_waits_until_the_coordinator_sets_it(run: Run) -> None:
    handle = await run.start(last_day=None)
    await run.skip_to(await run.today() + dt.timedelta(days=90))
    state = await run.handle.query(AssignmentWorkflow.state)
    assert ("assigned", None, [], False) == (
        state.status,
        state.last_day,
        state.reminders_sent,
        state.overdue,
    )
    last_day = await _working_day_after(run, 10)
    await run.update(
        AssignmentWorkflow.set_deadline,
        SetDeadline(actor=actor("STTTT", "coordinator"), last_day=last_day),
    )
    await run.skip_to(last_day, dt.time(12))
    state = await run.state_when(lambda s: len(s.reminders_sent) >= 3)
    assert (last_day, last_day) == (state.original_last_day, state.last_day)
    assert any(s.startswith("Thông báo hạn báo cáo") for s in run.subjects(SNGV_FOCAL))
    final = await _accept(run)
    assert ("accepted", "on_time") == (final.status, final.outcome)
    await record(handle, "open_deadline_set")


async def test_cancelled_assignment_ends_and_tells_the_agency(run: Run, store: Store) -> None:
    handle = await run.start(last_day=await _working_day_after(run, 20))
    await run.update(
        AssignmentWorkflow.cancel,
        Cancel(
            actor=actor("STTTT", "coordinator"), reason="Nhiệm vụ đã được điều chỉnh.", waive=True
        ),
    )
    final = await handle.result()
    assert ("waived", "Nhiệm vụ đã được điều chỉnh.") == (final.status, final.closed_reason)
    assert "waived" == (await store.get_assignment(handle.id)).status
    assert any("hủy" in s.lower() or "miễn" in s.lower() for s in run.subjects(SNGV_FOCAL))
    await record(handle, "cancelled")


async def test_tracking_ended_without_a_report_is_not_done_never_waived(
    run: Run, store: Store
) -> None:
    last_day = await _working_day_after(run, 5)
    handle = await run.start(last_day=last_day)
    await run.skip_to(last_day + dt.timedelta(days=3))
    await run.update(
        AssignmentWorkflow.cancel,
        Cancel(
            actor=actor("STTTT", "coordinator"),
            reason="Kết thúc năm kế hoạch; không nhận được báo cáo.",
            end_tracking=True,
        ),
    )
    final = await handle.result()
    assert "ended" == final.status == (await store.get_assignment(handle.id)).status
    subjects = run.subjects(SNGV_FOCAL)
    assert any(s.startswith("Kết thúc theo dõi: mục") for s in subjects)
    assert not any("miễn" in s.lower() for s in subjects)


async def test_reminder_falling_on_tet_is_sent_the_working_day_before(run: Run) -> None:
    last_day = dt.date(2027, 2, 12)  # T-7 = 05/02/2027, inside Tết (04–10/02)
    assert not CALENDAR.is_working_day(last_day - dt.timedelta(days=7))
    moved = CALENDAR.previous_working_day(last_day - dt.timedelta(days=7))
    handle = await run.start(last_day=last_day)
    await run.skip_to(last_day - dt.timedelta(days=2))
    await run.state_when(lambda s: f"reminder/{last_day}/T-7" in s.reminders_sent)
    fired = await _timer_fired_at(handle, "Nhắc hạn T-7")
    assert dt.datetime.combine(moved, dt.time(8), VN_TZ) == fired.replace(microsecond=0)
    # "còn N ngày" counts from the day it is sent, not the rule's T-7.
    left = (last_day - moved).days
    assert any(s.startswith(f"Nhắc hạn: còn {left} ngày") for s in run.subjects(SNGV_FOCAL))
    await run.update(
        AssignmentWorkflow.cancel,
        Cancel(actor=actor("STTTT", "coordinator"), reason="Kết thúc thử nghiệm."),
    )
    await handle.result()
    await record(handle, "tet_reminder")


async def _timer_fired_at(handle: Handle, summary: str) -> dt.datetime:
    """When the timer whose Web UI summary is `summary` fired, from the history."""
    history = await handle.fetch_history()
    started = {}
    for event in history.events:
        if event.HasField("timer_started_event_attributes"):
            data = event.user_metadata.summary.data
            text = json.loads(data) if data else ""
            started[event.timer_started_event_attributes.timer_id] = text
        if event.HasField("timer_fired_event_attributes"):
            if started.get(event.timer_fired_event_attributes.timer_id) == summary:
                return event.event_time.ToDatetime(dt.UTC)
    raise AssertionError(f"no fired timer named {summary!r}")


async def test_requested_duty_escalates_only_to_the_coordinator(run: Run) -> None:
    last_day = await _working_day_after(run, 5)
    handle = await run.start(last_day=last_day, agency="UB_MTTQ", duty_id="III.1", mode="requested")
    await run.skip_to(CALENDAR.add_working_days(last_day, 6))
    await run.state_when(lambda s: s.escalation_level >= 3)
    for address in ("daumoi@ub-mttq.example", "lanhdao@ub-mttq.example", *OFFICE):
        assert [] == [s for s in run.subjects(address) if "quá hạn" in s.lower()]
    assert 3 == sum("quá hạn" in s.lower() for s in run.subjects(COORDINATOR))
    await run.update(
        AssignmentWorkflow.cancel,
        Cancel(actor=actor("STTTT", "coordinator"), reason="Kết thúc thử nghiệm."),
    )
    await handle.result()
    await record(handle, "requested_escalation")


async def test_a_whole_year_of_one_duty_runs_through(run: Run) -> None:
    last_day = await _working_day_after(run, 330)
    handle = await run.start(last_day=last_day)
    await run.skip_to(await run.today() + dt.timedelta(days=365))
    state = await run.state_when(lambda s: s.escalation_level >= 6)
    assert 4 == len(state.reminders_sent)
    final = await _accept(run)
    assert ("accepted", "late") == (final.status, final.outcome)
    history = await handle.fetch_history()
    assert len(history.events) < 1000
    await record(handle, "year")


@pytest.fixture
def report_server() -> Any:
    """A loopback HTTP server standing for an agency's reporting system."""
    from tests.workflows.httpstub import ReportServer

    return ReportServer()


@pytest.mark.parametrize(
    ("answer", "submitted"),
    [("valid", True), ("invalid", False), ("down", False)],
)
async def test_pulled_report_is_submitted_or_falls_back_to_reminders(
    time_env: WorkflowEnvironment,
    store: Store,
    mailbox: Mailbox,
    report_server: Any,
    answer: str,
    submitted: bool,
) -> None:
    async with report_server.serving(answer) as url:
        await store.load_plan(tiny_plan(sngv_report_endpoint=url))
        async with running_worker(time_env.client, store, mailbox) as queue:
            run = Run(time_env, queue, mailbox)
            last_day = await _working_day_after(run, 20)
            handle = await run.start(last_day=last_day, pull_report=True, period="2026")
            await run.skip_to(last_day - dt.timedelta(days=5))
            state = await run.state_when(lambda s: s.pull_attempts >= 1)
            assert ("submitted" if submitted else "assigned") == state.status
            reminders = [s for s in run.subjects(SNGV_FOCAL) if s.startswith("Nhắc hạn")]
            audit = [e.action for e in await store.list_audit(handle.id)]
            if submitted:
                assert ([], 1, 0) == (reminders, audit.count("submit"), audit.count("pull_failed"))
            else:  # every failed pull is recorded and the reminder goes out instead
                assert 0 == audit.count("submit")
                assert len(reminders) == audit.count("pull_failed") >= 1
            await run.update(
                AssignmentWorkflow.cancel,
                Cancel(actor=actor("STTTT", "coordinator"), reason="Kết thúc thử nghiệm."),
            )
            await handle.result()
            await record(handle, f"pull_{answer}")
    await asyncio.sleep(0)


async def test_the_coordinator_cannot_accept_its_own_agencys_report(run: Run) -> None:
    handle = await run.start(last_day=await _working_day_after(run, 20), agency="STTTT")
    await run.update(
        AssignmentWorkflow.submit_report,
        SubmitReport(actor=actor("STTTT", "focal"), body="Báo cáo của Sở TT&TT."),
    )
    await run.update(AssignmentWorkflow.approve, Approve(actor=actor("STTTT", "leader")))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await run.update(AssignmentWorkflow.approve, Approve(actor=actor("STTTT", "coordinator")))
    assert "Người nộp báo cáo không được tự duyệt báo cáo của mình." == refused.value.cause.message  # type: ignore[union-attr]
    await run.update(
        AssignmentWorkflow.approve, Approve(actor=actor("STTTT", "coordinator_director"))
    )
    assert "accepted" == (await handle.result()).status
