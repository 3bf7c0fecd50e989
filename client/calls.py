"""Updates and queries of kehoach's workflows, with refusals mapped once for every caller.

Every action a person takes is a workflow update, so the workflow's validator decides; its
Vietnamese reason comes back as `Refused` and is shown to the person as it is. `Unavailable`
means Temporal or the worker did not answer: the action may be tried again. The CLI, the
portal, the simulation and the plan's activities all call through here, by the descriptors
of `schemas.calls`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypeVar

import structlog
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.ids import plan_workflow_id
from domain.vocabulary import status_vi
from schemas import search_attributes as sa
from schemas.assignment import AmendCalendar, AssignmentState
from schemas.calls import ANNOUNCE_CALENDAR, ASSIGNMENT_STATE, Query, Update
from schemas.errors import KehoachError
from schemas.plan_run import AmendmentResult

log = structlog.get_logger(__name__)

I = TypeVar("I")  # noqa: E741
O = TypeVar("O")  # noqa: E741

UPDATE_TIMEOUT = dt.timedelta(seconds=30)
QUERY_TIMEOUT = dt.timedelta(seconds=10)


class Refused(KehoachError):
    """The workflow (or the server, for a closed one) refused the action; `reason_vi` says
    why, for the person."""

    def __init__(self, reason_vi: str) -> None:
        super().__init__(f"refused: {reason_vi}", message_vi=reason_vi)
        self.reason_vi = reason_vi


class Unavailable(KehoachError):
    """Temporal (or the worker) did not answer; the action may be tried again."""

    message_vi = (
        "Hệ thống xử lý chưa phản hồi (máy chủ Temporal hoặc worker). Vui lòng thử lại sau ít phút."
    )

    def __init__(self, message: str) -> None:
        super().__init__(message)


SEND_ATTEMPTS = 3
"""How often one request is sent when Temporal does not answer, under the same update id."""


def request_id() -> str:
    """A fresh update id for one request of a person (the CLI, the simulation)."""
    return str(uuid.uuid4())


def person_update_id(given: str | None, *, call: Update[Any, Any], actor: str) -> str:
    """The update id of a request a person sent again (a form posted twice, an API call
    retried with the same Idempotency-Key): the id their page or client chose, scoped to the
    action and the person, so the workflow applies it once and answers the repeat with the
    first result, while the page's other forms and other people's ids never collide with
    it. A fresh id when none is given or it is not a UUID."""
    try:
        chosen = uuid.UUID((given or "").strip())
    except ValueError:
        return request_id()
    return f"{call.name}/{actor.strip().lower()}/{chosen}"


async def update(
    client: Client,
    workflow_id: str,
    call: Update[I, O],
    message: I,
    *,
    update_id: str | None = None,
) -> O:
    """Send one update and wait for its result; `Refused` or `Unavailable` otherwise.

    Every request carries an update id, the caller's (`update_id`: an activity derives it
    from its own identity, so its retries are one request) or a fresh one, and a request
    that got no answer is sent again under the same id: Temporal deduplicates updates by id
    within a run, so a retried request applies once and returns the first one's result.
    A `None` message is sent as no argument (`schemas.calls.REFRESH_PROGRESS`).
    """
    handle = client.get_workflow_handle(workflow_id)
    args: list[Any] = [] if message is None else [message]
    update_id = update_id or request_id()
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            result: O = await handle.execute_update(
                call.name,
                args=args,
                id=update_id,
                result_type=call.result,
                rpc_timeout=UPDATE_TIMEOUT,
            )
            return result
        except WorkflowUpdateFailedError as exc:
            if isinstance(exc.cause, ApplicationError):
                raise Refused(exc.cause.message) from None
            raise
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            log.warning(
                "update_timeout",
                workflow_id=workflow_id,
                update=call.name,
                update_id=update_id,
                attempt=attempt,
            )
            failure = f"no answer to {call.name} within {UPDATE_TIMEOUT}"
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:  # no such workflow, or it has closed
                raise await why_closed(handle) from None
            log.warning(
                "update_rpc_error",
                workflow_id=workflow_id,
                update=call.name,
                update_id=update_id,
                attempt=attempt,
                error=str(exc),
            )
            failure = f"{call.name} failed: {exc}"
            if exc.status not in _TRANSIENT:
                break
    raise Unavailable(failure)


_TRANSIENT = (
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.RESOURCE_EXHAUSTED,
)


async def announce_calendar(
    client: Client, plan_id: str, announcement: AmendCalendar, *, update_id: str | None = None
) -> AmendmentResult:
    """Announced days off and swap days, to the plan's run, which passes them to every open
    assignment (`kehoach calendar announce` and the portal's form both call this)."""
    return await update(
        client, plan_workflow_id(plan_id), ANNOUNCE_CALENDAR, announcement, update_id=update_id
    )


async def query(client: Client, workflow_id: str, call: Query[O]) -> O:
    """Ask a running workflow; `Unavailable` when Temporal or the worker cannot answer."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        answer: O = await handle.query(
            call.name, result_type=call.result, rpc_timeout=QUERY_TIMEOUT
        )
        return answer
    except (RPCError, WorkflowQueryFailedError) as exc:
        log.warning("query_failed", workflow_id=workflow_id, query=call.name, error=str(exc))
        raise Unavailable(f"{call.name} failed: {exc}") from None


async def why_closed(handle: WorkflowHandle[Any, Any]) -> Refused:
    """Why the server refused an update: no such workflow, finished (with its status), or
    stopped by something else."""
    try:
        description = await handle.describe()
    except RPCError:
        return Refused(f"Không tìm thấy phân công {handle.id}.")
    if description.status == WorkflowExecutionStatus.COMPLETED:
        shown = description.typed_search_attributes.get(sa.STATUS)
        return Refused("Nhiệm vụ đã kết thúc" + (f" ({status_vi(shown)})." if shown else "."))
    status = description.status.name if description.status else "?"
    return Refused(
        f"Tiến trình của phân công đã dừng (Temporal: {status}); đề nghị liên hệ bộ phận vận hành."
    )


async def assignment_state(client: Client, assignment_id: str) -> AssignmentState:
    """The assignment workflow's own state: the query while it runs, its result once it has
    finished (no worker needed then). `Refused` when there is no such assignment."""
    handle = client.get_workflow_handle(assignment_id, result_type=AssignmentState)
    try:
        description = await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise Refused(f"Không tìm thấy phân công {assignment_id}.") from None
        raise Unavailable(f"describe failed: {exc}") from None
    if description.status == WorkflowExecutionStatus.COMPLETED:
        result: Any = await handle.result()
        return AssignmentState.model_validate(result)
    return await query(client, assignment_id, ASSIGNMENT_STATE)
