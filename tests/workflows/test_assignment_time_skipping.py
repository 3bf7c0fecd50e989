"""The assignment workflow's timelines under the time-skipping test server."""

import datetime as dt
import uuid

from temporalio.testing import WorkflowEnvironment

from kehoach.calendar import VN_TZ
from kehoach.embedded.mailbox import Mailbox
from kehoach.store import Store
from schemas.assignment import Approve, SubmitReport
from tests.factories import CALENDAR, actor, assignment_input, eventually
from tests.workflows.conftest import running_worker
from workflows.assignment import AssignmentWorkflow


def _today(env_now: dt.datetime) -> dt.date:
    return env_now.astimezone(VN_TZ).date()


async def test_on_time_report_is_reminded_then_accepted_on_time(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    client = time_env.client
    start = _today(await time_env.get_current_time())
    last_day = CALENDAR.next_working_day(start + dt.timedelta(days=30))
    wid = f"t/{uuid.uuid4()}"
    async with running_worker(client, store, mailbox) as queue:
        handle = await client.start_workflow(
            AssignmentWorkflow.run, assignment_input(assignment_id=wid, last_day=last_day),
            id=wid, task_queue=queue,
        )
        # Skip to the morning before the last day, before T-1's 08:00: T-7 and T-3 are out.
        target = dt.datetime.combine(last_day - dt.timedelta(days=1), dt.time(7), VN_TZ)
        await time_env.sleep(target - await time_env.get_current_time())
        wanted = {f"reminder/{last_day}/T-7", f"reminder/{last_day}/T-3"}
        state = await eventually(lambda: handle.query(AssignmentWorkflow.state),
                                 lambda s: wanted <= set(s.reminders_sent))
        assert "assigned" == state.status
        assert wanted == set(state.reminders_sent)

        result = await handle.execute_update(
            AssignmentWorkflow.submit_report,
            SubmitReport(actor=actor("SNGV", "focal"), body="Báo cáo kết quả năm."),
        )
        assert "submitted" == result.status
        await handle.execute_update(AssignmentWorkflow.approve, Approve(actor=actor("SNGV", "leader")))
        await handle.execute_update(
            AssignmentWorkflow.approve, Approve(actor=actor("STTTT", "coordinator"))
        )
        final = await handle.result()
    assert "accepted" == final.status
    assert "on_time" == final.outcome
    assert 0 == final.escalation_level
    subjects = [m.subject for m in mailbox.messages(to="daumoi@sngv.example")]
    assert 1 == sum("Nhắc hạn" in s for s in subjects if "7 ngày" in s)
    stored = await store.list_submissions(wid)
    assert ["Báo cáo kết quả năm."] == [s.body for s in stored]
    row = await store.get_assignment(wid)
    assert ("accepted", "on_time") == (row.status, row.outcome)
