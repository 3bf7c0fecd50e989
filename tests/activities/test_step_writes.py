"""A step's store writes in one activity (`record_step`): in their order, each as its own
activity would make it, a refused one not keeping the next from being made."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.assignments import AssignmentActivities
from adapters.store import Store
from schemas.assignment import AssignmentEvent, StepWrites, StoreSubmission
from tests.activities.helpers import DEADLINE, PLAN_ID, assignment_id

AT = dt.datetime(2023, 12, 1, 2, 0, tzinfo=dt.UTC)


def _submission(agency: str) -> StoreSubmission:
    return StoreSubmission(
        assignment_id=assignment_id(agency),
        version=1,
        submitted_by=f"daumoi@{agency.lower()}.example",
        submitted_at=AT,
        body="Báo cáo kết quả.",
    )


def _submit_event(agency: str) -> AssignmentEvent:
    return AssignmentEvent(
        assignment_id=assignment_id(agency),
        plan_id=PLAN_ID,
        duty_id="III.5.4",
        agency=agency,
        period="2023",
        status="submitted",
        overdue=False,
        escalation_level=0,
        deadline=DEADLINE,
        original_deadline=DEADLINE,
        pending_step="agency_leader",
        actor=f"daumoi@{agency.lower()}.example",
        action="submit",
        source="web",
        detail={"version": 1},
        idempotency_key=f"{assignment_id(agency)}/event/run/2",
    )


async def _record_step(store: Store, step: StepWrites) -> None:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id=step.writes[0].assignment_id)
    await env.run(AssignmentActivities(store=store).record_step, step)


async def test_a_step_stores_the_report_then_mirrors_its_event_and_a_retry_adds_nothing(
    store: Store,
) -> None:
    step = StepWrites(writes=[_submission("SNGV"), _submit_event("SNGV")])

    await _record_step(store, step)
    await _record_step(store, step)  # the activity retried after both writes were made

    stored = await store.list_submissions(assignment_id("SNGV"))
    assert ["Báo cáo kết quả."] == [s.body for s in stored]
    assert "submitted" == (await store.get_assignment(assignment_id("SNGV"))).status


async def test_a_refused_write_is_raised_once_the_step_s_other_writes_are_made(
    store: Store,
) -> None:
    unknown = _submission("SNGV").model_copy(update={"assignment_id": "kh/unknown"})
    step = StepWrites(writes=[unknown, _submit_event("STC")])

    with pytest.raises(ApplicationError) as refused:
        await _record_step(store, step)

    assert refused.value.non_retryable
    assert "submitted" == (await store.get_assignment(assignment_id("STC"))).status
