"""What one workflow history says about a lifecycle: its size, when work was pending, and
when each reminder's activity started.

Times are epoch seconds from the server's event timestamps; the driver's own clock is the
same machine's, so the two can be compared (the run is loopback only).
"""

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

ReminderTier = Callable[[str, Any, str], int | None]
"""(activity type, decoded first input or None, summary) -> the reminder's tier (0 = first),
or None. A local activity's marker keeps its type and summary but not its input."""

_E = EventType
_REMINDER_SUMMARY = re.compile(r"Nhắc hạn T-(\d+)")
_WFT_CLOSED = {
    _E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: "workflow_task_completed_event_attributes",
    _E.EVENT_TYPE_WORKFLOW_TASK_FAILED: "workflow_task_failed_event_attributes",
    _E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT: "workflow_task_timed_out_event_attributes",
}
_ACTIVITY_CLOSED = {
    _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
    _E.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
    _E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "activity_task_timed_out_event_attributes",
    _E.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "activity_task_canceled_event_attributes",
}


@dataclass
class Lifecycle:
    """One workflow's history, reduced to what the benchmark reports."""

    events: int = 0
    size_bytes: int = 0
    activities: int = 0
    local_activities: int = 0
    timers: int = 0
    busy: list[tuple[float, float]] = field(default_factory=list)
    reminder_started: dict[int, float] = field(default_factory=dict)
    reminder_timer_fired: dict[int, float] = field(default_factory=dict)
    first_timer_started: float | None = None
    closed_at: float | None = None
    completed: bool = False
    workflow_task_wait: list[float] = field(default_factory=list)
    workflow_task_run: list[float] = field(default_factory=list)
    activity_wait: list[float] = field(default_factory=list)
    activity_run: list[float] = field(default_factory=list)
    activity_types: dict[str, int] = field(default_factory=dict)
    event_types: dict[str, int] = field(default_factory=dict)


def _at(event: HistoryEvent) -> float:
    return event.event_time.ToMicroseconds() / 1e6


def _first_input(event: HistoryEvent) -> Any:
    payloads = event.activity_task_scheduled_event_attributes.input.payloads
    if not payloads:
        return None
    try:
        return json.loads(payloads[0].data)
    except ValueError:
        return None


def _summary(event: HistoryEvent) -> str:
    try:
        text = json.loads(event.user_metadata.summary.data or b'""')
    except ValueError:
        return ""
    return text if isinstance(text, str) else ""


def _local_activity(event: HistoryEvent) -> dict[str, Any] | None:
    """The SDK's record of a local activity (type, attempt, schedule and complete times)."""
    attrs = event.marker_recorded_event_attributes
    if attrs.marker_name != "core_local_activity" or "data" not in attrs.details:
        return None
    payloads = attrs.details["data"].payloads
    try:
        data = json.loads(payloads[0].data) if payloads else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _seconds(stamp: Any) -> float | None:
    if not isinstance(stamp, dict):
        return None
    return float(stamp.get("seconds", 0)) + float(stamp.get("nanos", 0)) / 1e9


def read_lifecycle(events: Iterable[HistoryEvent], reminder_tier: ReminderTier) -> Lifecycle:
    """Reduce a history: busy intervals are workflow tasks and activities from scheduled to
    closed; a reminder's timer is the last TimerFired before its activity was scheduled.
    Waits are scheduled -> started (the task sat in its queue), runs started -> closed.
    A local activity runs inside a workflow task: its start is when the worker scheduled it
    (the marker's original_schedule_time) and its run lasts until it completed."""
    out = Lifecycle()
    scheduled: dict[int, float] = {}
    started: dict[int, float] = {}
    tier_of: dict[int, int] = {}
    last_timer_fired: float | None = None
    for event in events:
        out.events += 1
        out.size_bytes += event.ByteSize()
        kind, at = event.event_type, _at(event)
        name = EventType.Name(kind).removeprefix("EVENT_TYPE_")
        out.event_types[name] = out.event_types.get(name, 0) + 1
        if kind == _E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            sid = event.workflow_task_started_event_attributes.scheduled_event_id
            if sid in scheduled:
                out.workflow_task_wait.append(at - scheduled[sid])
                started[sid] = at
        if kind in (_E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, _E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED):
            scheduled[event.event_id] = at
        if kind == _E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            out.activities += 1
            attrs = event.activity_task_scheduled_event_attributes
            kind_name = attrs.activity_type.name
            out.activity_types[kind_name] = out.activity_types.get(kind_name, 0) + 1
            tier = reminder_tier(kind_name, _first_input(event), _summary(event))
            if tier is not None:
                tier_of[event.event_id] = tier
                if last_timer_fired is not None:
                    out.reminder_timer_fired[tier] = last_timer_fired
                last_timer_fired = None
        elif kind == _E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            sid = event.activity_task_started_event_attributes.scheduled_event_id
            if sid in scheduled:
                out.activity_wait.append(at - scheduled[sid])
                started[sid] = at
            if sid in tier_of:
                out.reminder_started[tier_of[sid]] = at
        elif kind == _E.EVENT_TYPE_MARKER_RECORDED and (local := _local_activity(event)):
            out.local_activities += 1
            kind_name = f"{local.get('activity_type')} (local)"
            out.activity_types[kind_name] = out.activity_types.get(kind_name, 0) + 1
            begun = _seconds(local.get("original_schedule_time"))
            ended = _seconds(local.get("complete_time"))
            if begun is not None and ended is not None:
                out.activity_run.append(ended - begun)
            tier = reminder_tier(str(local.get("activity_type")), None, _summary(event))
            if tier is not None and begun is not None:
                out.reminder_started[tier] = begun
                if last_timer_fired is not None:
                    out.reminder_timer_fired[tier] = last_timer_fired
                last_timer_fired = None
        elif kind == _E.EVENT_TYPE_TIMER_STARTED:
            out.timers += 1
            if out.first_timer_started is None:
                out.first_timer_started = at
        elif kind == _E.EVENT_TYPE_TIMER_FIRED:
            last_timer_fired = at
        elif kind in _WFT_CLOSED or kind in _ACTIVITY_CLOSED:
            attr = _WFT_CLOSED.get(kind) or _ACTIVITY_CLOSED[kind]
            sid = getattr(event, attr).scheduled_event_id
            if sid in started:
                runs = out.workflow_task_run if kind in _WFT_CLOSED else out.activity_run
                runs.append(at - started.pop(sid))
            if sid in scheduled:
                out.busy.append((scheduled.pop(sid), at))
        elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            out.completed = True
            out.closed_at = at
        elif kind in (
            _E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
            _E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
            _E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
            _E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
        ):
            out.closed_at = at
    return out


def bare_reminder_tier(activity_type: str, first_input: Any, summary: str) -> int | None:
    """bench.bare's reminders are bare_notice("reminder/<n>"), n from 1."""
    if activity_type == "bare_notice" and isinstance(first_input, str):
        head, _, index = first_input.partition("/")
        if head == "reminder" and index.isdigit():
            return int(index) - 1
    return None


def kehoach_reminder_tier(days_before: list[int]) -> ReminderTier:
    """kehoach's reminders are send_notice(kind="reminder", days_before=d) (or
    send_notice_by_reference with the same fields), summarised
    "Nhắc hạn T-d"; tiers in the order they fall due, i.e. `days_before` sorted from the
    largest."""
    order = sorted(days_before, reverse=True)

    def tier(activity_type: str, first_input: Any, summary: str) -> int | None:
        if activity_type not in ("send_notice", "send_notice_by_reference"):
            return None
        if isinstance(first_input, dict):
            if first_input.get("kind") != "reminder":
                return None
            days = first_input.get("days_before")
        else:
            found = _REMINDER_SUMMARY.fullmatch(summary)
            if not found:
                return None
            days = int(found.group(1))
        return order.index(days) if days in order else None

    return tier


def union_length(intervals: Iterable[tuple[float, float]]) -> float:
    """Seconds covered by at least one interval."""
    total, end = 0.0, float("-inf")
    for lo, hi in sorted(intervals):
        if hi <= end:
            continue
        total += hi - max(lo, end)
        end = hi
    return total
