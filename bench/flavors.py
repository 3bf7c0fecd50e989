"""The two sides of the comparison, driven the same way: how each starts a lifecycle, which
updates take it to acceptance, how its reminders are found in its history.

The schedule is shared: kehoach's assignment gets a plan clock running `speed` times faster
than real time from `origin`, a last day and a reminder policy chosen so its reminders fall
due at given real instants; the bare workflow gets those same real instants as input.
"""

import datetime as dt
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.workflow import UpdateMethodMultiParam

from bench.bare import BareApprove, BareAssignment, BareInput, BareSubmit
from bench.history import ReminderTier, bare_reminder_tier, kehoach_reminder_tier
from client.starts import start_assignment
from domain.ids import assignment_id
from schemas.assignment import Approve, AssignmentInput, SubmitReport
from schemas.calendar import VN_TZ
from schemas.plan import ApprovalChain, ReminderPolicy
from tests.factories import CALENDAR, PLAN_ID, actor, assignment_input
from workflows.assignment import AssignmentWorkflow

FOCAL = actor("SNGV", "focal")
LEADER = actor("SNGV", "leader")
COORDINATOR = actor("STTTT", "coordinator")
APPROVAL_STEPS = len(ApprovalChain().steps)  # the default chain: agency leader, coordinator
REPORT = (
    "Báo cáo kết quả thực hiện nhiệm vụ III.5.4 năm 2026 của Sở Ngoại vụ: đã tổ chức 4 hội "
    "nghị thông tin đối ngoại, phát hành 12 bản tin, cập nhật trang thông tin điện tử hằng "
    "tuần; khó khăn: thiếu biên tập viên tiếng nước ngoài; đề xuất bổ sung kinh phí năm sau."
)


@dataclass(frozen=True)
class Schedule:
    """One phase's timeline: reminders due at `reminders_at`, the deadline after them.

    `origin` is the real instant at which kehoach's plan clock reads `origin` too; from there
    the plan runs `speed` times faster than real time (workflows.clock.PlanClock)."""

    origin: dt.datetime
    speed: float
    last_day: dt.date
    policy: ReminderPolicy
    reminders_at: list[dt.datetime]
    deadline_at: dt.datetime

    def real_time(self, plan: dt.datetime) -> dt.datetime:
        return self.origin + (plan - self.origin) / self.speed

    def describe(self, start: dt.datetime) -> str:
        due = ", ".join(f"+{(at - start).total_seconds():.3f} s" for at in self.reminders_at)
        deadline = (self.deadline_at - start).total_seconds()
        return (
            f"plan clock x{self.speed:,.0f}; reminders T-{self.policy.days_before} plan "
            f"days before the deadline, due {due} after the phase's first start; deadline "
            f"+{deadline:,.0f} s (after every update, so nothing goes overdue)"
        )


def max_speed(*, tier_gap: float, window: float, reminders: int) -> float:
    """The fastest plan clock that keeps every reminder within a year of its deadline
    (ReminderPolicy allows 365 days at most)."""
    return 86_400 * 360 / (window + tier_gap * max(0, reminders - 1))


def make_schedule(
    start: dt.datetime,
    *,
    speed: float,
    first_at: float,
    tier_gap: float,
    window: float,
    reminders: int,
) -> Schedule:
    """A timeline whose first reminder is due exactly `first_at` real seconds after `start`,
    the next ones `tier_gap` seconds apart (whole plan days), the deadline at least `window`
    seconds after the last one.

    The plan's reminders fall at 08:00 (VN) on whole days, so a fixed offset from `start`
    is had by moving the clock's origin a little (less than a few plan days, i.e. a few
    seconds) after `start`. Every phase of a run built with the same arguments therefore
    waits the same real durations, to the microsecond. The deadline is put on a working day
    so it is not moved off a weekend (which would shift the reminders with it)."""
    day_s = 86_400 / speed
    stride = max(1, round(tier_gap / day_s))
    gap = max(1, math.ceil(window / day_s))
    policy = ReminderPolicy(
        days_before=[gap + stride * k for k in range(reminders)], working_days_only=False
    )
    first_plan = start + dt.timedelta(seconds=first_at * speed)  # if the origin were `start`
    day = first_plan.astimezone(VN_TZ).date()
    while True:
        first = dt.datetime.combine(day, policy.at_local, tzinfo=VN_TZ)
        last_day = day + dt.timedelta(days=max(policy.days_before))
        if first <= first_plan and CALENDAR.is_working_day(last_day):
            break
        day -= dt.timedelta(days=1)
    # origin + (first - origin) / speed == start + first_at, solved for origin.
    ahead = (first - start).total_seconds()
    origin = start + dt.timedelta(seconds=(first_at - ahead / speed) / (1 - 1 / speed))
    deadline = CALENDAR.deadline_instant(last_day, move_off_non_working_days=True)
    instants = CALENDAR.reminder_instants(
        deadline, policy, not_before=origin - dt.timedelta(days=30)
    )
    schedule = Schedule(origin, speed, last_day, policy, [], origin)
    reminders_at = [schedule.real_time(at) for _, at in instants]
    if len(reminders_at) != reminders:
        raise ValueError(f"schedule has {len(reminders_at)} reminders, wanted {reminders}")
    return Schedule(origin, speed, last_day, policy, reminders_at, schedule.real_time(deadline))


Update = tuple[UpdateMethodMultiParam[[Any, Any], Any], Any]
"""An update method of the flavor's workflow class and its one argument."""


@dataclass(frozen=True)
class Flavor:
    """How the driver works one side."""

    name: str
    start: Callable[[Client, str, str, Schedule], Awaitable[WorkflowHandle[Any, Any]]]
    updates: list[Update]
    reminder_tier: Callable[[Schedule], ReminderTier]


async def _start_bare(
    client: Client,
    workflow_id: str,
    queue: str,
    schedule: Schedule,
    *,
    notify_approvers: bool = False,
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        BareAssignment.run,
        BareInput(
            reminders_at=schedule.reminders_at,
            approvals=APPROVAL_STEPS,
            notify_approvers=notify_approvers,
        ),
        id=workflow_id,
        task_queue=queue,
    )


async def _start_bare_notify(
    client: Client, workflow_id: str, queue: str, schedule: Schedule
) -> WorkflowHandle[Any, Any]:
    return await _start_bare(client, workflow_id, queue, schedule, notify_approvers=True)


def lifecycle_id(flavor: str, run_id: str, size: int, index: int) -> str:
    """A workflow id per lifecycle. kehoach's are real assignment ids (plan/duty/agency/
    period) with a period of their own, as the store keeps one assignment per period."""
    if flavor.startswith("bare"):
        return f"bench-{flavor}/{run_id}/{size}/{index:05d}"
    prefix = "q" if flavor == "kehoach_one_queue" else flavor[0]  # one per kehoach flavor
    period = f"{prefix}{run_id}-{size}-{index:05d}"
    return assignment_id(plan_id=PLAN_ID, duty_id="III.5.4", agency="SNGV", period=period)


def kehoach_input(workflow_id: str, schedule: Schedule) -> AssignmentInput:
    base = assignment_input(
        assignment_id=workflow_id,
        last_day=schedule.last_day,
        reminders=schedule.policy,
        period=workflow_id.rsplit("/", 1)[1],
    )
    return base.model_copy(update={"speed": schedule.speed, "clock_origin": schedule.origin})


async def _start_kehoach(
    client: Client, workflow_id: str, queue: str, schedule: Schedule
) -> WorkflowHandle[Any, Any]:
    # The product's own start: search attributes, summary and details for the Web UI.
    return await start_assignment(client, kehoach_input(workflow_id, schedule), task_queue=queue)


BARE = Flavor(
    name="bare",
    start=_start_bare,
    updates=[
        (BareAssignment.submit, BareSubmit(body=REPORT)),
        (BareAssignment.approve, BareApprove(approver=LEADER.email)),
        (BareAssignment.approve, BareApprove(approver=COORDINATOR.email)),
    ],
    reminder_tier=lambda schedule: bare_reminder_tier,
)
BARE_NOTIFY = Flavor(
    name="bare_notify",
    start=_start_bare_notify,
    updates=BARE.updates,
    reminder_tier=lambda schedule: bare_reminder_tier,
)
_KEHOACH_UPDATES: list[Update] = [
    (AssignmentWorkflow.submit_report, SubmitReport(actor=FOCAL, body=REPORT)),
    (AssignmentWorkflow.approve, Approve(actor=LEADER)),
    (AssignmentWorkflow.approve, Approve(actor=COORDINATOR, comment="Đạt yêu cầu.")),
]
KEHOACH = Flavor(
    name="kehoach",
    start=_start_kehoach,
    updates=_KEHOACH_UPDATES,
    reminder_tier=lambda schedule: kehoach_reminder_tier(schedule.policy.days_before),
)
KEHOACH_ONE_QUEUE = Flavor(
    name="kehoach_one_queue",
    start=_start_kehoach,
    updates=_KEHOACH_UPDATES,
    reminder_tier=lambda schedule: kehoach_reminder_tier(schedule.policy.days_before),
)
NOOP = Flavor(
    name="noop",
    start=_start_kehoach,
    updates=_KEHOACH_UPDATES,
    reminder_tier=lambda schedule: kehoach_reminder_tier(schedule.policy.days_before),
)
PASSTHROUGH = Flavor(
    name="passthrough",
    start=_start_kehoach,
    updates=_KEHOACH_UPDATES,
    reminder_tier=lambda schedule: kehoach_reminder_tier(schedule.policy.days_before),
)
FLAVORS: dict[str, Flavor] = {
    f.name: f for f in (BARE, BARE_NOTIFY, NOOP, KEHOACH, KEHOACH_ONE_QUEUE, PASSTHROUGH)
}
