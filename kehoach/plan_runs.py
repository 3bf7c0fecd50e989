"""Many plans side by side: each plan is its own PlanWorkflow (`plan/<number>`), started from
its file, listed and stopped by its number.

Starting is idempotent: the same file again finds the running workflow. A different file
under the number of a running plan is refused unless it is an amendment (`amend=True`): the
store then holds the new text, which the running workflow reads at its next schedule and
which `add_duty` and the other amendments act on.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml
from temporalio.client import Client
from temporalio.service import RPCError

from adapters.store import Store
from client.plan_runs import start_plan_run
from domain.ids import plan_workflow_id
from schemas.errors import PlanConflict

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
