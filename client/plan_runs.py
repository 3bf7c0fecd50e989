"""Starting a plan from its checked text: store it, then start its workflow, or find the one
running. Shared by `kehoach plan start` and the portal's publishing of an imported draft.

Starting is idempotent: the same plan again finds the running workflow. A different text
under the number of a running plan is refused (PlanConflict) unless it is an amendment
(`amend=True`): the store then holds the new text, which the running workflow reads at its
next schedule. A new version of the province's directory alone is no amendment: it is
stored, and its mergers and renamings start on their day (`start_successions`).
"""

import datetime as dt
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from adapters.store import Store
from client.starts import start_plan, start_successions
from domain.ids import plan_workflow_id
from schemas.errors import NotFound, PlanConflict
from schemas.plan import NormalizedPlan
from schemas.plan_run import Progress, RunOptions


def _text(plan: NormalizedPlan) -> tuple[Any, ...]:
    """What the plan itself says: its header and duties (groups expanded). A new version of
    the province's directory (names, mailboxes, mergers and renamings) is not an amendment
    of the plan: it is loaded with it and the running plan reads it from the store."""
    return (plan.plan, plan.duties)


async def running(client: Client, workflow_id: str) -> bool:
    try:
        described = await client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return False
    return described.status == WorkflowExecutionStatus.RUNNING


async def start_plan_run(
    client: Client,
    store: Store,
    plan: NormalizedPlan,
    *,
    task_queue: str,
    options: RunOptions | None = None,
    amend: bool = False,
    today: dt.date | None = None,
) -> WorkflowHandle[Any, Progress]:
    """Store the plan and start its workflow, or return the one already running.

    Refuses (PlanConflict) a plan whose stored text differs while its workflow runs, unless
    `amend`; nothing is written then."""
    number = plan.plan.number
    workflow_id = plan_workflow_id(number)
    try:
        stored: NormalizedPlan | None = await store.get_plan(number)
    except NotFound:
        stored = None
    if (
        stored is not None
        and _text(stored) != _text(plan)
        and not amend
        and await running(client, workflow_id)
    ):
        raise PlanConflict(
            f"plan {number} is running with a different text; pass amend to replace it",
            message_vi=f"Kế hoạch số {number} đang chạy với nội dung khác tệp này; nếu đây là "
            "văn bản điều chỉnh, chạy lại với --amend.",
        )
    await store.load_plan(plan)
    # The directory version loaded with the plan: its mergers and renamings, on their day.
    await start_successions(client, plan, task_queue=task_queue)
    return await start_plan(
        client,
        plan,
        options=options or RunOptions(),
        task_queue=task_queue,
        today=today or dt.date.today(),
        announced=await store.announced_days(),
    )
