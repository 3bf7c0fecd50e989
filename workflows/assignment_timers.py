"""Which timer an open assignment waits on next: a reminder, its deadline, or an escalation.

Pure and deterministic: from the working calendar, the duty's reminder policy and ladder, the
deadline and what has already happened. Reminders and escalation levels whose time has
already passed (an assignment started late, a worker down for days) collapse into one
catch-up, never a burst.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.digest import escalation_step_vi
    from schemas.calendar import WorkingCalendar
    from schemas.plan import EscalationLadder, ReminderPolicy

ESCALATION_HORIZON = dt.timedelta(days=60)
"""How far past now (or the deadline) escalation instants are computed at a time."""


@dataclass(frozen=True)
class Reminder:
    at: dt.datetime
    days_before: int

    @property
    def summary(self) -> str:
        return f"Nhắc hạn T-{self.days_before}"


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    summary: str = "Đến hạn"


@dataclass(frozen=True)
class Escalation:
    at: dt.datetime
    level: int
    recipients: list[str]
    ladder_levels: int | None = None

    @property
    def summary(self) -> str:
        return f"Gửi thông báo quá hạn {self.step_vi}"

    @property
    def step_vi(self) -> str:
        return escalation_step_vi(self.level, self.ladder_levels) or ""


@dataclass(frozen=True)
class TimerPlan:
    """The next timer (None: nothing is pending) and the reminder keys passed over."""

    due: Reminder | Deadline | Escalation | None
    skipped_reminders: list[str] = field(default_factory=list)


def next_timer(
    *,
    calendar: WorkingCalendar,
    reminders: ReminderPolicy,
    escalation: EscalationLadder,
    deadline: dt.datetime,
    now: dt.datetime,
    started_at: dt.datetime,
    reminder_key: Callable[[int], str],
    reminders_done: set[str],
    overdue: bool,
    escalation_level: int,
) -> TimerPlan:
    """The earliest of the pending reminder, the deadline (until it has passed) and the next
    escalation level above `escalation_level`."""
    candidates: list[Reminder | Deadline | Escalation] = []
    pending = [
        (days_before, at)
        for days_before, at in calendar.reminder_instants(
            deadline, reminders, not_before=started_at
        )
        if reminder_key(days_before) not in reminders_done
    ]
    # Reminders whose time has passed (the worker was down, or the deadline moved closer)
    # collapse into one reminder now, the nearest to the deadline.
    late_reminders = [r for r in pending if r[1] <= now]
    skipped = [reminder_key(days_before) for days_before, _ in late_reminders[:-1]]
    if pending:
        days_before, at = late_reminders[-1] if late_reminders else pending[0]
        candidates.append(Reminder(at=at, days_before=days_before))
    if not overdue:
        candidates.append(Deadline(at=deadline))
    horizon = max(now, deadline) + ESCALATION_HORIZON
    ahead = [
        e
        for e in calendar.escalation_instants(deadline, escalation, until=horizon)
        if e[0] > escalation_level
    ]
    late_levels = [e for e in ahead if e[1] <= now]
    if ahead:
        level, at, recipients = late_levels[-1] if late_levels else ahead[0]
        candidates.append(
            Escalation(
                at=at, level=level, recipients=recipients, ladder_levels=len(escalation.steps)
            )
        )
    due = min(candidates, key=lambda t: t.at) if candidates else None
    return TimerPlan(due=due, skipped_reminders=skipped)
