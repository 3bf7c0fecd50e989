"""How the assignment workflow performs its effects: store writes (local activities first,
a regular activity when the store is away) and notices (regular activities, retried; a
notice that cannot be sent never fails the assignment). Deterministic workflow code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.assignments import AssignmentActivities
    from activities.notices import NoticeActivities
    from domain.digest import escalation_step_vi
    from schemas.assignment import (
        AssignmentEvent,
        NoticeRef,
        NoticeRequest,
        StepWrites,
        StoreSubmission,
    )

STORE_RETRY = RetryPolicy(
    initial_interval=dt.timedelta(seconds=1), maximum_interval=dt.timedelta(minutes=1)
)
NOTICE_RETRY = RetryPolicy(
    initial_interval=dt.timedelta(seconds=2),
    maximum_interval=dt.timedelta(minutes=5),
    maximum_attempts=12,
)
# Runs under NOTICES_APART_PATCH: a notice is retried for as long as NOTICE_PATIENCE allows
# (hours, whatever the attempts), each attempt may run NOTICE_ATTEMPT (longer than every
# delivery a notice makes, each bounded by its channel's own timeout) and must heartbeat
# within NOTICE_HEARTBEAT (after each delivery), so a hung worker is noticed in minutes.
NOTICE_PATIENCE = dt.timedelta(hours=8)
NOTICE_ATTEMPT = dt.timedelta(minutes=10)
NOTICE_HEARTBEAT = dt.timedelta(minutes=2)
NOTICE_RETRY_BY_TIME = RetryPolicy(
    initial_interval=dt.timedelta(seconds=2),
    maximum_interval=dt.timedelta(minutes=5),
    maximum_attempts=0,  # bounded by NOTICE_PATIENCE, not by a count
)
LOCAL_ATTEMPT = dt.timedelta(seconds=5)
LOCAL_BUDGET = dt.timedelta(seconds=10)
"""How long local attempts may keep the workflow task before the write moves to a regular
activity: short, because updates wait for the task's local activities."""
LOCAL_RETRY = RetryPolicy(
    initial_interval=dt.timedelta(milliseconds=200),
    maximum_interval=dt.timedelta(seconds=2),
    maximum_attempts=0,  # bounded by LOCAL_BUDGET; never a last attempt that gives up
)


def refused(err: ActivityError) -> bool:
    """Whether the activity failed for good (a refusal retrying cannot cure), not by time."""
    return isinstance(err.cause, ApplicationError) and err.cause.non_retryable


Write = StoreSubmission | AssignmentEvent | StepWrites


def _write_activity(write: Write) -> Any:
    """The store activity that makes `write`."""
    if isinstance(write, StepWrites):
        return AssignmentActivities.record_step
    if isinstance(write, StoreSubmission):
        return AssignmentActivities.store_submission
    return AssignmentActivities.record_event


async def record_local_first(write: Write) -> None:
    """A store write as a local activity; if it has not succeeded within LOCAL_BUDGET
    (the store is away), the same write as a regular activity that retries until it does."""
    try:
        await workflow.execute_local_activity_method(
            _write_activity(write),
            write,
            start_to_close_timeout=LOCAL_ATTEMPT,
            schedule_to_close_timeout=LOCAL_BUDGET,
            retry_policy=LOCAL_RETRY,
            summary=record_summary(write),
        )
        return
    except ActivityError as err:
        if refused(err):
            workflow.logger.error("store refused %s: %s", type(write).__name__, err.cause)
            return
    await record(write)


def step_writes(writes: list[StoreSubmission | AssignmentEvent]) -> Write:
    """The writes of one step as one store write: itself if there is only one."""
    return writes[0] if len(writes) == 1 else StepWrites(writes=writes)


async def record(write: Write) -> None:
    """Write a report or an event to the store, retrying while the store is away.

    A refusal that retrying cannot cure (a conflicting row) is logged and left: the
    workflow's history already holds the report and the event, so nothing is lost, and
    the assignment goes on rather than failing over its mirror."""
    try:
        await workflow.execute_activity_method(
            _write_activity(write),
            write,
            start_to_close_timeout=dt.timedelta(seconds=30),
            retry_policy=STORE_RETRY,
            summary=record_summary(write),
        )
    except ActivityError as err:
        workflow.logger.error("store refused %s: %s", type(write).__name__, err.cause)


async def send(notice: NoticeRequest) -> None:
    """Send one notice; a notice that cannot be sent never fails the assignment."""
    try:
        await workflow.execute_activity_method(
            NoticeActivities.send_notice,
            notice,
            start_to_close_timeout=dt.timedelta(seconds=60),
            retry_policy=NOTICE_RETRY,
            summary=notice_summary(notice),
        )
    except ActivityError as err:
        workflow.logger.warning("notice %s not sent: %s", notice.idempotency_key, err.cause)


async def deliver(notice: NoticeRequest | NoticeRef, *, task_queue: str) -> str | None:
    """Send one notice on the notices' own task queue, retrying for up to NOTICE_PATIENCE;
    a `NoticeRef` through the activity that reads the rest from the store.

    None once it is delivered (a delivery refused for good is recorded and reported to the
    coordinator by the activity itself); otherwise why it was given up, for the workflow to
    record as `notice_failed` in the store's audit."""
    try:
        if isinstance(notice, NoticeRef):
            await workflow.execute_activity_method(
                NoticeActivities.send_notice_by_reference,
                notice,
                task_queue=task_queue,
                retry_policy=NOTICE_RETRY_BY_TIME,
                summary=notice_summary(notice),
                schedule_to_close_timeout=NOTICE_PATIENCE,
                start_to_close_timeout=NOTICE_ATTEMPT,
                heartbeat_timeout=NOTICE_HEARTBEAT,
            )
        else:
            await workflow.execute_activity_method(
                NoticeActivities.send_notice,
                notice,
                task_queue=task_queue,
                retry_policy=NOTICE_RETRY_BY_TIME,
                summary=notice_summary(notice),
                schedule_to_close_timeout=NOTICE_PATIENCE,
                start_to_close_timeout=NOTICE_ATTEMPT,
                heartbeat_timeout=NOTICE_HEARTBEAT,
            )
    except ActivityError as err:
        reason = failure_reason(err)
        workflow.logger.error(
            "notice_given_up",
            extra={"notice_key": notice.idempotency_key, "kind": notice.kind, "error": reason},
        )
        return reason
    return None


def failure_reason(err: BaseException) -> str:
    """The chain of causes of a failed activity, innermost last, short enough for the audit."""
    parts: list[str] = []
    cause: BaseException | None = err.cause if isinstance(err, ActivityError) else err
    while cause is not None and len(parts) < 4:
        parts.append(f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return " <- ".join(parts)[:1000] or "unknown"


def record_summary(write: Write) -> str:
    if isinstance(write, StepWrites):
        return "; ".join(record_summary(w) for w in write.writes)
    if isinstance(write, StoreSubmission):
        return f"Lưu báo cáo phiên bản {write.version}"
    return f"Ghi nhật ký: {write.action}"


def notice_summary(notice: NoticeRequest | NoticeRef) -> str:
    if notice.kind == "reminder":
        return f"Nhắc hạn T-{notice.days_before}"
    if notice.kind == "escalation":
        step = escalation_step_vi(notice.escalation_level, notice.ladder_levels)
        return f"Gửi thông báo quá hạn {step}"
    return {
        "assignment": "Gửi thông báo giao nhiệm vụ",
        "report_received": "Báo cơ quan đầu mối đã nhận báo cáo",
        "approval_requested": "Gửi yêu cầu duyệt báo cáo",
        "accepted": "Báo báo cáo đã được chấp nhận",
        "returned": "Báo báo cáo bị trả lại",
        "extension_granted": "Báo đã gia hạn",
        "deadline_set": "Báo đã đặt hạn",
        "cancelled": "Báo đã hủy nhiệm vụ",
        "approved": "Báo báo cáo đã được duyệt",
    }.get(notice.kind, notice.kind)
