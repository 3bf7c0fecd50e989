"""Notices named by reference (assignment, kind, key): the activity reads the plan, the duty
as given and the deadline from the store, so the workflow's history carries only the ref."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from pydantic_core import to_json
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notices import NoticeActivities
from adapters.store import Store
from schemas.assignment import AssignmentEvent, DutyBrief, NoticeRef, NoticeResult
from tests.activities.helpers import (
    DEADLINE,
    LAST_DAY_VI,
    PLAN_ID,
    MailServer,
    address,
    assignment_id,
)

SNGV_FOCAL = address("focal", "SNGV")


async def run(notices: NoticeActivities, ref: NoticeRef) -> NoticeResult:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info,
        workflow_id=ref.assignment_id,
        started_time=dt.datetime.now(dt.UTC),
        start_to_close_timeout=dt.timedelta(seconds=60),
    )
    result: NoticeResult = await env.run(notices.send_notice_by_reference, ref)
    return result


def test_a_reference_leaves_unset_facts_out_and_keeps_the_whole_notice_key() -> None:
    ref = NoticeRef(
        assignment_id="kh/a", key="reminder/2023-12-15/T-3", kind="reminder", recipients=["focal"]
    )

    assert {
        "assignment_id": "kh/a",
        "key": "reminder/2023-12-15/T-3",
        "kind": "reminder",
        "recipients": ["focal"],
    } == json.loads(to_json(ref))
    assert "kh/a/reminder/2023-12-15/T-3" == ref.idempotency_key
    assert ref == NoticeRef.model_validate_json(to_json(ref))


async def test_a_reminder_by_reference_names_the_stored_duty_and_deadline_once(
    notices: NoticeActivities, mail_server: MailServer
) -> None:
    ref = NoticeRef(
        assignment_id=assignment_id("SNGV"),
        key="reminder/T-3",
        kind="reminder",
        recipients=["focal"],
        days_before=3,
    )

    results = [await run(notices, ref), await run(notices, ref)]

    assert [NoticeResult(sent=1), NoticeResult(skipped=1)] == results
    [mail] = mail_server.messages()
    assert (SNGV_FOCAL,) == mail.to
    for fact in (PLAN_ID, "Kế hoạch thông tin đối ngoại năm 2023", "Thông tin đối ngoại."):
        assert fact in mail.text, fact
    assert f"hết ngày {LAST_DAY_VI}" in mail.text
    assert ref.idempotency_key == str(mail.message["X-Kehoach-Notice-Key"]).strip()


async def test_an_adhoc_subject_kept_by_the_first_event_and_a_moved_deadline_are_what_it_says(
    notices: NoticeActivities, store: Store, mail_server: MailServer
) -> None:
    adhoc = "kh/516-KH-UBND/III.5.4/SNGV/2023-DX01"
    moved = DEADLINE + dt.timedelta(days=7)  # 22/12/2023
    await store.record_assignment_event(
        AssignmentEvent(
            assignment_id=adhoc,
            plan_id=PLAN_ID,
            duty_id="III.5.4",
            agency="SNGV",
            period="2023-DX01",
            status="assigned",
            overdue=False,
            escalation_level=0,
            deadline=moved,
            original_deadline=DEADLINE,
            actor="system",
            action="assign",
            source="worker",
            idempotency_key=f"{adhoc}/event/1",
            brief=DutyBrief(
                id="III.5.4",
                clause="III.5.4",
                heading="Báo cáo đột xuất số 1",
                text="Báo cáo tình hình đón đoàn khách quốc tế tháng 11.",
            ),
        )
    )

    result = await run(
        notices,
        NoticeRef(assignment_id=adhoc, key="assignment", kind="assignment", recipients=["focal"]),
    )

    assert NoticeResult(sent=1) == result
    [mail] = mail_server.messages()
    assert "Báo cáo tình hình đón đoàn khách quốc tế tháng 11." in mail.text
    assert "Thông tin đối ngoại." not in mail.text
    assert "hết ngày 22/12/2023" in mail.text


async def test_a_reference_to_an_assignment_the_store_lacks_fails_for_good(
    notices: NoticeActivities, mail_server: MailServer
) -> None:
    ref = NoticeRef(
        assignment_id="kh/khong-co", key="assignment", kind="assignment", recipients=["focal"]
    )

    with pytest.raises(ApplicationError) as raised:
        await run(notices, ref)

    assert ("NoticeSubjectMissing", True) == (raised.value.type, raised.value.non_retryable)
    assert [] == mail_server.messages()
