"""The portal's calls to the assignment workflows: updates to act, the query to read.

Every action goes through a workflow update, so the workflow's validator decides; its
Vietnamese reason comes back as `Refused` and is shown to the person as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from schemas.assignment import ActionResult, AssignmentState
from workflows.assignment import STATUS_VI, AssignmentWorkflow

if TYPE_CHECKING:
    from temporalio.workflow import UpdateMethodMultiParam

    from schemas.base import Model

log = structlog.get_logger(__name__)

M = TypeVar("M", bound="Model")
UPDATE_TIMEOUT = dt.timedelta(seconds=30)
QUERY_TIMEOUT = dt.timedelta(seconds=10)


class Refused(Exception):
    """The workflow refused the action; `reason_vi` says why, for the person."""

    def __init__(self, reason_vi: str) -> None:
        super().__init__(reason_vi)
        self.reason_vi = reason_vi


class Unavailable(Exception):
    """Temporal (or the worker) did not answer; the action may be tried again."""

    message_vi = ("Hệ thống xử lý chưa phản hồi (máy chủ Temporal hoặc worker). "
                  "Vui lòng thử lại sau ít phút.")


async def send_update(
    client: Client,
    assignment_id: str,
    update: UpdateMethodMultiParam[[AssignmentWorkflow, M], ActionResult],
    message: M,
) -> ActionResult:
    """Send one update and wait for its result; `Refused` or `Unavailable` otherwise."""
    handle = client.get_workflow_handle_for(AssignmentWorkflow.run, assignment_id)
    try:
        return await handle.execute_update(update, message, rpc_timeout=UPDATE_TIMEOUT)
    except WorkflowUpdateFailedError as exc:
        if isinstance(exc.cause, ApplicationError):
            raise Refused(exc.cause.message) from None
        raise
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        log.warning("update_timeout", assignment_id=assignment_id)
        raise Unavailable() from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:  # no such workflow, or it has closed
            raise Refused(await _why_closed(client, assignment_id)) from None
        log.warning("update_rpc_error", assignment_id=assignment_id, error=str(exc))
        raise Unavailable() from None


async def _why_closed(client: Client, assignment_id: str) -> str:
    try:
        description = await client.get_workflow_handle(assignment_id).describe()
    except RPCError:
        return "Không tìm thấy tiến trình của phân công này."
    if description.status == WorkflowExecutionStatus.COMPLETED:
        return "Nhiệm vụ đã kết thúc."
    return "Tiến trình của phân công đã dừng; đề nghị liên hệ bộ phận vận hành."


async def live_state(client: Client, assignment_id: str) -> AssignmentState | None:
    """The workflow's own state (the pending approval step is only there), or None when
    Temporal or the worker cannot answer now: pages then show the store's mirror alone."""
    handle = client.get_workflow_handle_for(AssignmentWorkflow.run, assignment_id)
    try:
        description = await handle.describe()
        if description.status == WorkflowExecutionStatus.COMPLETED:
            result: Any = await handle.result()
            return AssignmentState.model_validate(result)
        return await handle.query(AssignmentWorkflow.state, rpc_timeout=QUERY_TIMEOUT)
    except (RPCError, WorkflowQueryFailedError) as exc:
        log.warning("state_unavailable", assignment_id=assignment_id, error=str(exc))
        return None


def status_vi(status: str) -> str:
    """The workflow status in Vietnamese."""
    return STATUS_VI.get(status, status)
