"""Many plans side by side: each plan is its own PlanWorkflow (`plan/<number>`), started from
its file, listed and stopped by its number.

Starting is idempotent: the same file again finds the running workflow. A different file
under the number of a running plan is refused unless it is an amendment (`amend=True`): the
store then holds the new text, which the running workflow reads at its next schedule and
which `add_duty` and the other amendments act on.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from adapters.store import Store
from client.starts import start_plan
from domain.ids import plan_workflow_id
from schemas.errors import NotFound, PlanConflict
from schemas.plan import NormalizedPlan
from schemas.plan_run import Progress, RunOptions

__all__ = ["PlanConflict", "PlanRun", "list_plans", "plan_files", "start_plan_run", "stop_plan"]


@dataclass(frozen=True)
class PlanRun:
    """One plan's workflow as `plan list` shows it."""

    plan_id: str
    workflow_id: str
    status: str
    title: str


def plan_files(folder: Path) -> list[Path]:
    """The plan files of a folder (YAML files whose top level has `plan:`), in name order;
    agency directories and other files beside them are left out."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and "plan" in data:
            found.append(path)
    return found


async def _running(client: Client, workflow_id: str) -> bool:
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
    if stored is not None and stored != plan and not amend and await _running(client, workflow_id):
        raise PlanConflict(
            f"plan {number} is running with a different text; pass amend to replace it",
            message_vi=f"Kế hoạch số {number} đang chạy với nội dung khác tệp này; nếu đây là "
            "văn bản điều chỉnh, chạy lại với --amend.",
        )
    await store.load_plan(plan)
    return await start_plan(
        client,
        plan,
        options=options or RunOptions(),
        task_queue=task_queue,
        today=today or dt.date.today(),
    )


async def list_plans(client: Client, store: Store) -> list[PlanRun]:
    """Every plan in the store with the state of its workflow ("none" if never started)."""
    runs = []
    for plan_id in await store.list_plan_ids():
        workflow_id = plan_workflow_id(plan_id)
        try:
            status = (await client.get_workflow_handle(workflow_id).describe()).status
            shown = status.name.lower() if status is not None else "unknown"
        except RPCError:
            shown = "none"
        title = (await store.get_plan(plan_id)).plan.title
        runs.append(PlanRun(plan_id=plan_id, workflow_id=workflow_id, status=shown, title=title))
    return runs


async def stop_plan(client: Client, plan_id: str) -> None:
    """Cancel the plan's workflow: no new period starts; assignments already started keep
    running to their own end (they are workflows of their own)."""
    await client.get_workflow_handle(plan_workflow_id(plan_id)).cancel()
