"""Starting kehoach's workflows: assignments (from the plan's activities) and plans.

By workflow type name and the input models of `schemas`, so an activity can start
workflows without importing workflow code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.assign import details, plan_run_input, summary
from domain.ids import consolidation_workflow_id, plan_workflow_id, succession_workflow_id
from schemas import calls
from schemas import search_attributes as sa
from schemas.assignment import AssignmentInput, AssignmentState
from schemas.calendar import AnnouncedDays, WorkingCalendar
from schemas.digest import MorningDigestInput
from schemas.plan import NormalizedPlan
from schemas.plan_run import (
    AmendmentResult,
    ConsolidationRunInput,
    ConsolidationState,
    Progress,
    RunOptions,
    SuccessionRun,
)


def search_attributes(input: AssignmentInput) -> TypedSearchAttributes:
    """The attributes ops filter on, set at start so the list view is right at once."""
    pairs: list[SearchAttributePair] = [  # type: ignore[type-arg]
        SearchAttributePair(sa.PLAN, input.plan_id),
        SearchAttributePair(sa.AGENCY, input.agency),
        SearchAttributePair(sa.DUTY, input.duty.id),
        SearchAttributePair(sa.PERIOD, input.period),
        SearchAttributePair(sa.STATUS, "assigned"),
        SearchAttributePair(sa.ESCALATION_LEVEL, 0),
    ]
    if input.last_day is not None:
        deadline = input.calendar.deadline_instant(
            input.last_day, move_off_non_working_days=input.move_off_non_working_days
        )
        pairs.append(SearchAttributePair(sa.DEADLINE, deadline))
    return TypedSearchAttributes(pairs)


async def start_assignment(
    client: Client, input: AssignmentInput, *, task_queue: str
) -> WorkflowHandle[Any, AssignmentState]:
    """Start the assignment's workflow, or return the one with the same id, running or closed.

    Once: a closed assignment (accepted, cancelled, waived) is never started again, because
    the id may not be reused (REJECT_DUPLICATE); re-running a batch, `kehoach up` or an
    amendment finds it and changes nothing. Restarting a terminated run is an operator's
    deliberate act (`temporal workflow start`), not something a retry can do."""
    try:
        return await client.start_workflow(
            calls.ASSIGNMENT,
            input,
            id=input.assignment_id,
            task_queue=task_queue,
            result_type=AssignmentState,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=search_attributes(input),
            static_summary=summary(input),
            static_details=details(input),
        )
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(input.assignment_id, result_type=AssignmentState)


async def start_plan(
    client: Client,
    plan: NormalizedPlan,
    *,
    options: RunOptions,
    task_queue: str,
    today: dt.date,
    announced: AnnouncedDays | None = None,
) -> WorkflowHandle[Any, Progress]:
    """Start the plan's workflow, or return the one with its id, running or closed (a plan
    that has run to its end is not started again); its input from `plan_run_input`, with
    the days `announced` before it started.

    A plain start, not update-with-start: starting a plan asks nothing of its workflow, and
    an update would make `kehoach plan start` wait for a worker to be up, where a start is
    accepted by the server alone. The start is idempotent without one (USE_EXISTING while
    it runs, REJECT_DUPLICATE once it has closed); what a person asks of a running plan goes
    as an update with the request's own id (client.calls.person_update_id)."""
    header = plan.plan
    workflow_id = plan_workflow_id(header.number)
    try:
        return await client.start_workflow(
            calls.PLAN,
            plan_run_input(plan, options=options, today=today, announced=announced),
            id=workflow_id,
            task_queue=task_queue,
            result_type=Progress,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=f"{header.number} — {header.title}",
            static_details=f"Kế hoạch {header.number} ban hành ngày "
            f"{header.issued_on:%d/%m/%Y}; cơ quan đầu mối {header.coordinator}.",
        )
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(workflow_id, result_type=Progress)


async def start_consolidation(
    client: Client, input: ConsolidationRunInput, *, task_queue: str
) -> WorkflowHandle[Any, ConsolidationState]:
    """Start one period's consolidated report as a workflow of its own (idempotent: a running
    or finished one with the same id is kept, never started again). Not a child of the plan's
    workflow: the plan's run continues as new each year while a period's report may still
    await approval."""
    assert input.period is not None
    workflow_id = consolidation_workflow_id(input.plan_id, input.period)
    try:
        return await client.start_workflow(
            calls.CONSOLIDATION,
            input,
            id=workflow_id,
            task_queue=task_queue,
            result_type=ConsolidationState,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=f"Tổng hợp báo cáo kỳ {input.period} — {input.plan_id}",
        )
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(workflow_id, result_type=ConsolidationState)


async def start_successions(
    client: Client, plan: NormalizedPlan, *, task_queue: str
) -> list[WorkflowHandle[Any, AmendmentResult]]:
    """Start one `DirectoryChange` workflow per merger or renaming the plan's directory
    version states, or find the one with its id, running or closed: loading the same
    version again changes nothing. Each waits for its effective day (or acts at once)."""
    handles = []
    for change in plan.successions:
        workflow_id = succession_workflow_id(
            directory=plan.directory,
            code=change.code,
            successor=change.successor,
            effective=change.effective.isoformat(),
        )
        try:
            handle = await client.start_workflow(
                calls.DIRECTORY_CHANGE,
                SuccessionRun(directory=plan.directory, succession=change),
                id=workflow_id,
                task_queue=task_queue,
                result_type=AmendmentResult,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                static_summary=f"Danh bạ {plan.directory}: {change.code} → {change.successor}"
                f" từ {change.effective:%d/%m/%Y}",
                static_details=change.basis,
            )
        except WorkflowAlreadyStartedError:
            handle = client.get_workflow_handle(workflow_id, result_type=AmendmentResult)
        handles.append(handle)
    return handles


MORNING_DIGEST_ID = "kehoach-morning-digest"


async def start_morning_digest(
    client: Client,
    *,
    task_queue: str,
    notices_queue: str,
    hour: int,
    speed: float = 1.0,
    origin: dt.datetime | None = None,
    workflow_id: str = MORNING_DIGEST_ID,
) -> None:
    """Start the one morning-digest workflow unless it runs already (every worker tries at
    start-up; the first one wins and the others find it). A demo starts its own, on the
    plan's fast clock (`speed`, `origin`)."""
    year = (origin or dt.datetime.now(dt.UTC)).year
    await client.start_workflow(
        "MorningDigest",
        MorningDigestInput(
            calendar=WorkingCalendar.for_years(year, year + 1),
            task_queue=notices_queue,
            hour=hour,
            speed=speed,
            clock_origin=origin,
        ),
        id=workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary="Bản tin sáng: mỗi người một thư lúc 08:00 ngày làm việc",
    )
