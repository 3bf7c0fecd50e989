"""The pre-deploy gate: replay recent histories from a namespace against this code.

A change that would break workflows already running (a command added, removed or moved
without `workflow.patched`) fails here, on the operator's machine, before the new image
replaces the old. Recorded histories in the tests cover the paths we thought of; this
covers the runs the province actually has, of all three workflow types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workers.main import sandbox
from workflows.assignment import AssignmentWorkflow
from workflows.consolidation import ConsolidationWorkflow
from workflows.plan import PlanWorkflow

log = structlog.get_logger(__name__)

WORKFLOWS: tuple[type, ...] = (AssignmentWorkflow, PlanWorkflow, ConsolidationWorkflow)
WORKFLOW_TYPES = ("Assignment", "Plan", "Consolidation")


@dataclass
class ReplayReport:
    """How many histories of each type replayed, and which did not (id → why)."""

    replayed: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


async def replay_recent(
    client: Client,
    *,
    per_type: int = 100,
    extra_query: str | None = None,
    workflows: Sequence[type] = WORKFLOWS,
) -> ReplayReport:
    """Replay, for each workflow type, up to `per_type` running runs (the ones the new code
    must take over) and `per_type` recently closed ones, in the full sandbox; report any
    that this code cannot replay. `extra_query` narrows the list (a visibility query)."""
    report = ReplayReport()
    replayer = Replayer(
        workflows=workflows,
        data_converter=pydantic_data_converter,
        workflow_runner=sandbox(pass_through_own_modules=False),
    )
    seen: set[tuple[str, str]] = set()
    for workflow_type in WORKFLOW_TYPES:
        report.replayed[workflow_type] = 0
        for status in ("ExecutionStatus = 'Running'", "ExecutionStatus != 'Running'"):
            query = f"WorkflowType = '{workflow_type}' AND {status}"
            if extra_query:
                query += f" AND ({extra_query})"
            histories = client.list_workflows(query, limit=per_type).map_histories()
            async with replayer.workflow_replay_iterator(histories) as results:
                async for result in results:
                    # A run that closed between the two listings (visibility lags) is listed
                    # as running and as closed: it counts once.
                    run = _run_key(result.history)
                    if run in seen:
                        continue
                    seen.add(run)
                    report.replayed[workflow_type] += 1
                    if result.replay_failure is not None:
                        report.failed[result.history.workflow_id] = (
                            f"{type(result.replay_failure).__name__}: {result.replay_failure}"
                        )
                        log.error(
                            "replay_failed",
                            workflow_id=result.history.workflow_id,
                            workflow_type=workflow_type,
                            error=str(result.replay_failure),
                        )
    log.info("replay_done", replayed=report.replayed, failed=len(report.failed))
    return report


def _run_key(history: WorkflowHistory) -> tuple[str, str]:
    """A history's workflow id and the run id it started with."""
    started = (
        history.events[0].workflow_execution_started_event_attributes if history.events else None
    )
    return history.workflow_id, started.original_execution_run_id if started else ""
