"""The workflows as their callers see them: type names, updates and queries, with messages.

The CLI, the portal, the simulation and the activities that start or amend assignments reach
the workflows through these descriptors and the message models beside them, never through
the workflow classes: the client layer (`client/`) sits below the workflows, so an activity
may use it. `tests/workflows/test_calls.py` checks every descriptor against the workflow
definitions (name, message type and result type).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from schemas.assignment import (
    ActionResult,
    AmendCalendar,
    Approve,
    AssignmentState,
    Cancel,
    ExtendDeadline,
    Reroute,
    ReturnForRevision,
    SetDeadline,
    SubmitReport,
)
from schemas.plan_run import (
    AddDuty,
    AdHocRequest,
    AmendmentResult,
    ConsolidationDecision,
    ConsolidationState,
    MoveDeadline,
    Progress,
    WithdrawDuty,
)

I = TypeVar("I")  # noqa: E741 - the message type of a call
O = TypeVar("O")  # noqa: E741 - its result type

ASSIGNMENT = "Assignment"
PLAN = "Plan"
CONSOLIDATION = "Consolidation"
DIRECTORY_CHANGE = "DirectoryChange"


@dataclass(frozen=True)
class Update(Generic[I, O]):
    """An update handler: its workflow type, name, message type (None: it takes none) and
    result type."""

    workflow: str
    name: str
    message: type[I] | None
    result: type[O]


@dataclass(frozen=True)
class Query(Generic[O]):
    """A query handler that takes no argument: its workflow type, name and result type."""

    workflow: str
    name: str
    result: type[O]


SUBMIT_REPORT = Update[SubmitReport, ActionResult](
    ASSIGNMENT, "submit_report", SubmitReport, ActionResult
)
APPROVE = Update[Approve, ActionResult](ASSIGNMENT, "approve", Approve, ActionResult)
RETURN_FOR_REVISION = Update[ReturnForRevision, ActionResult](
    ASSIGNMENT, "return_for_revision", ReturnForRevision, ActionResult
)
EXTEND_DEADLINE = Update[ExtendDeadline, ActionResult](
    ASSIGNMENT, "extend_deadline", ExtendDeadline, ActionResult
)
SET_DEADLINE = Update[SetDeadline, ActionResult](
    ASSIGNMENT, "set_deadline", SetDeadline, ActionResult
)
CANCEL = Update[Cancel, ActionResult](ASSIGNMENT, "cancel", Cancel, ActionResult)
AMEND_CALENDAR = Update[AmendCalendar, ActionResult](
    ASSIGNMENT, "amend_calendar", AmendCalendar, ActionResult
)
REROUTE = Update[Reroute, ActionResult](ASSIGNMENT, "reroute", Reroute, ActionResult)
ASSIGNMENT_STATE = Query[AssignmentState](ASSIGNMENT, "state", AssignmentState)

WITHDRAW_DUTY = Update[WithdrawDuty, AmendmentResult](
    PLAN, "withdraw_duty", WithdrawDuty, AmendmentResult
)
MOVE_DEADLINE = Update[MoveDeadline, AmendmentResult](
    PLAN, "move_deadline", MoveDeadline, AmendmentResult
)
ADD_DUTY = Update[AddDuty, AmendmentResult](PLAN, "add_duty", AddDuty, AmendmentResult)
REQUEST_ADHOC = Update[AdHocRequest, AmendmentResult](
    PLAN, "request_adhoc", AdHocRequest, AmendmentResult
)
ANNOUNCE_CALENDAR = Update[AmendCalendar, AmendmentResult](
    PLAN, "amend_calendar", AmendCalendar, AmendmentResult
)
REFRESH_PROGRESS = Update[None, Progress](PLAN, "refresh_progress", None, Progress)
PLAN_PROGRESS = Query[Progress](PLAN, "progress_now", Progress)

DECIDE_REPORT = Update[ConsolidationDecision, ConsolidationState](
    CONSOLIDATION, "decide", ConsolidationDecision, ConsolidationState
)
CONSOLIDATION_STATE = Query[ConsolidationState](CONSOLIDATION, "current", ConsolidationState)

UPDATES: tuple[Update[object, object], ...] = (  # type: ignore[assignment]
    SUBMIT_REPORT,
    APPROVE,
    RETURN_FOR_REVISION,
    EXTEND_DEADLINE,
    SET_DEADLINE,
    CANCEL,
    AMEND_CALENDAR,
    REROUTE,
    WITHDRAW_DUTY,
    MOVE_DEADLINE,
    ADD_DUTY,
    REQUEST_ADHOC,
    REFRESH_PROGRESS,
    ANNOUNCE_CALENDAR,
    DECIDE_REPORT,
)
QUERIES: tuple[Query[object], ...] = (  # type: ignore[assignment]
    ASSIGNMENT_STATE,
    PLAN_PROGRESS,
    CONSOLIDATION_STATE,
)
