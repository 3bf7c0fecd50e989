"""PlanWorkflow: one plan, one year at a time.

Assignments are linked top-level workflows started by an activity, not children: a
province-wide plan has hundreds of them and a nationwide one thousands, past Temporal's
2,000 pending children per execution, and each child would add events to this history.
Here one activity starts a whole batch and this history grows per batch, not per assignment;
ops still find every assignment by its search attributes (KehoachPlan = ...).

Recurring duties: this workflow continues-as-new at each year's end with its small state,
until the last year of the plan's span (or forever, for an open-ended plan), so its history
stays bounded however many years pass; each period is its own assignment, and each period
of a recurring final report its own consolidation.
Temporal Schedules were the other way: they would need one schedule per recurring duty,
kept in step with plan amendments, while the periods and their deadlines come from the
plan's own rules and working-day calendar, which live here.
"""

import datetime as dt

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.plans import PlanActivities
    from domain.ids import consolidation_workflow_id
    from schemas.assignment import Actor, AmendCalendar, DutyBrief
    from schemas.calendar import VN_TZ, WorkingCalendar
    from schemas.plan_run import (
        AddDuty,
        AdHocRequest,
        AmendmentResult,
        CalendarChange,
        ConsolidationRunInput,
        DutyChange,
        ExtendCalendar,
        MoveDeadline,
        PlanRunInput,
        PlanSchedule,
        Progress,
        ProgressRequest,
        ScheduledConsolidation,
        ScheduledStart,
        ScheduleRequest,
        StartBatch,
        WithdrawDuty,
    )
    from workflows.assignment_rules import check_reason, refuse
    from workflows.clock import PlanClock
    from workflows.consolidation import ConsolidationWorkflow

ACTIVITY_RETRY = RetryPolicy(
    initial_interval=dt.timedelta(seconds=1), maximum_interval=dt.timedelta(minutes=1)
)
PERIODIC_CONSOLIDATION_PATCH = "periodic-consolidation"
"""Runs whose schedule consolidates each period (a recurring final report) mark it: a
schedule of the first format has no such periods, so its runs never reach the marker."""
CALENDAR_YEARS_AHEAD = 2
"""Years of working calendar each year's run has beyond its own (escalations of a late
report, deadlines set or extended into the next years)."""
CALENDAR_AHEAD_PATCH = "calendar-extended-at-year-end"


@workflow.defn(name="Plan")
class PlanWorkflow:
    """Starts the plan's assignments when they are due, consolidates, amends, reports."""

    @workflow.init
    def __init__(self, input: PlanRunInput) -> None:
        self.input = input
        self.clock = PlanClock(speed=input.options.speed, origin=input.options.clock_origin)
        self.schedule: PlanSchedule | None = None
        self.started: list[str] = []
        self.progress = Progress()
        self.adhoc_requests = input.adhoc_requests
        self.consolidations = list(input.consolidations)

    @workflow.run
    async def run(self, input: PlanRunInput) -> Progress:
        self.schedule = await workflow.execute_activity_method(
            PlanActivities.plan_schedule,
            ScheduleRequest(
                plan_id=input.plan_id,
                year=input.year,
                first_year=input.first_year,
                shift_days=input.options.shift_days,
                calendar=input.calendar,
                consolidation_delay_days=input.options.consolidation_delay_days,
            ),
            start_to_close_timeout=dt.timedelta(minutes=1),
            retry_policy=ACTIVITY_RETRY,
            summary=f"Lập lịch năm {input.year}",
        )
        schedule = self.schedule
        next_progress = self.clock.now()
        while True:
            now = self.clock.now()
            for start in schedule.starts:
                if start.at <= now and _key(start) not in self.started:
                    await self._start(start)
            if (
                schedule.consolidate_at is not None
                and schedule.consolidate_at <= now
                and self._consolidation_id() not in self.consolidations
            ):
                await self._consolidate(schedule)
            for due in self._periodic(schedule):
                if due.at <= now:
                    await self._consolidate_period(schedule, due)
            if now >= next_progress:
                await self._refresh_progress()
                next_progress = now + dt.timedelta(days=input.options.progress_every_days)
            # A period due at the year's end is consolidated after it: the run waits for it.
            if now >= schedule.year_end and not self._periodic(schedule):
                break
            waits = [s.at for s in schedule.starts if _key(s) not in self.started]
            if (
                schedule.consolidate_at is not None
                and self._consolidation_id() not in self.consolidations
            ):
                waits.append(schedule.consolidate_at)
            waits += [due.at for due in self._periodic(schedule)]
            waits += [next_progress]
            if now < schedule.year_end:
                waits.append(schedule.year_end)
            target = min(waits)
            self._show(target)
            await workflow.sleep(
                self.clock.real(max(target - now, dt.timedelta(0))),
                summary=_summary_for(target, schedule),
            )
        await self._refresh_progress()
        if input.options.until_year is not None:
            last: int | None = input.options.until_year
        elif schedule.open_ended:
            last = None  # an open-ended plan runs until it is stopped
        else:
            last = schedule.last_year or input.year
        if last is not None and input.year >= last:
            await workflow.wait_condition(workflow.all_handlers_finished)
            return self.progress
        await workflow.wait_condition(workflow.all_handlers_finished)
        calendar = await self._calendar_ahead(input.year + 1)
        workflow.continue_as_new(
            input.model_copy(
                update={
                    "year": input.year + 1,
                    "first_year": False,
                    "calendar": calendar,
                    "adhoc_requests": self.adhoc_requests,
                    "consolidations": self.consolidations,
                }
            )
        )

    async def _calendar_ahead(self, next_year: int) -> WorkingCalendar:
        """The calendar the next year's run starts with: extended, at each year's end, to
        CALENDAR_YEARS_AHEAD years past it, so no batch, deadline or escalation ever runs
        off its end. Runs that reached a year's end before this change carry theirs on."""
        calendar = self.input.calendar
        if not workflow.patched(CALENDAR_AHEAD_PATCH):
            return calendar
        through = next_year + CALENDAR_YEARS_AHEAD
        if calendar.last_year >= through:
            return calendar
        return await workflow.execute_activity_method(
            PlanActivities.extend_calendar,
            ExtendCalendar(calendar=calendar, through_year=through),
            start_to_close_timeout=dt.timedelta(minutes=1),
            retry_policy=ACTIVITY_RETRY,
            summary=f"Nạp lịch làm việc đến hết năm {through}",
        )

    def _consolidation_id(self, period: str | None = None) -> str:
        return consolidation_workflow_id(self.input.plan_id, period or self.input.year)

    def _periodic(self, schedule: PlanSchedule) -> list[ScheduledConsolidation]:
        """The periods still to consolidate (none in schedules of the first format)."""
        return [
            c
            for c in schedule.consolidations
            if self._consolidation_id(c.period) not in self.consolidations
        ]

    async def _consolidate_period(
        self, schedule: PlanSchedule, due: ScheduledConsolidation
    ) -> None:
        """Start one period's consolidation through an activity, as a workflow of its own:
        a period due at the year's end is still awaiting approval when this run continues
        as new, and a child would be tied to the closed run."""
        assert schedule.final_duty is not None
        workflow.patched(PERIODIC_CONSOLIDATION_PATCH)
        await workflow.execute_activity_method(
            PlanActivities.start_consolidation,
            ConsolidationRunInput(
                plan_id=self.input.plan_id,
                year=int(due.period[:4]),
                duty_id=schedule.final_duty,
                options=self.input.options,
                period=due.period,
            ),
            start_to_close_timeout=dt.timedelta(minutes=1),
            retry_policy=ACTIVITY_RETRY,
            summary=f"Tổng hợp báo cáo kỳ {due.period}",
        )
        self.consolidations.append(self._consolidation_id(due.period))

    async def _start(self, start: ScheduledStart) -> None:
        await self._start_batch(
            StartBatch(
                plan_id=self.input.plan_id,
                duty_id=start.duty_id,
                period=start.period,
                options=self.input.options,
                calendar=self.input.calendar,
            ),
            summary=f"Giao nhiệm vụ {start.duty_id}, kỳ {start.period}",
        )
        self.started.append(_key(start))

    async def _start_batch(self, batch: StartBatch, *, summary: str) -> int:
        # The plan's day goes with the batch: an agency merged or renamed by then is given
        # nothing, its successor is (the same activity call as before, one field more).
        today = self.clock.now().astimezone(VN_TZ).date()
        result = await workflow.execute_activity_method(
            PlanActivities.start_batch,
            batch.model_copy(update={"on": today}),
            start_to_close_timeout=dt.timedelta(minutes=30),
            heartbeat_timeout=dt.timedelta(minutes=1),
            retry_policy=ACTIVITY_RETRY,
            summary=summary,
        )
        return result.started + result.existing

    async def _consolidate(self, schedule: PlanSchedule) -> None:
        assert schedule.final_duty is not None
        await workflow.start_child_workflow(
            ConsolidationWorkflow.run,
            ConsolidationRunInput(
                plan_id=self.input.plan_id,
                year=self.input.year,
                duty_id=schedule.final_duty,
                options=self.input.options,
            ),
            id=self._consolidation_id(),
            parent_close_policy=ParentClosePolicy.ABANDON,
            static_summary=f"Tổng hợp báo cáo năm {self.input.year} — {self.input.plan_id}",
        )
        self.consolidations.append(self._consolidation_id())

    async def _refresh_progress(self) -> Progress:
        self.progress = await workflow.execute_activity_method(
            PlanActivities.plan_progress,
            ProgressRequest(plan_id=self.input.plan_id),
            start_to_close_timeout=dt.timedelta(minutes=1),
            retry_policy=ACTIVITY_RETRY,
            summary="Cập nhật tiến độ",
        )
        return self.progress

    def _show(self, target: dt.datetime) -> None:
        p = self.progress
        workflow.set_current_details(
            "\n\n".join(
                [
                    f"**{self.input.plan_id}** — năm {self.input.year}",
                    f"Phân công: {p.total}; quá hạn: {p.overdue}; "
                    f"hoàn thành đúng hạn: {p.on_time}; "
                    f"hoàn thành quá hạn: {p.late}",
                    "Theo trạng thái: "
                    + ", ".join(f"{k}: {v}" for k, v in sorted(p.by_status.items())),
                    f"Bước tiếp theo (giờ kế hoạch): {target:%d/%m/%Y %H:%M}",
                ]
            )
        )

    # --- amendments ------------------------------------------------------------------

    def _check_coordinator(self, actor: Actor) -> None:
        if self.schedule is None:
            raise refuse("NotReady", "Kế hoạch đang khởi tạo, xin thử lại sau giây lát.")
        if actor.agency != self.schedule.coordinator or actor.role not in (
            "coordinator",
            "coordinator_director",
        ):
            raise refuse("NotAllowed", "Chỉ cơ quan đầu mối được điều chỉnh kế hoạch.")

    def _check_duty(self, duty_id: str) -> None:
        assert self.schedule is not None
        if duty_id not in self.schedule.duty_ids:
            raise refuse("UnknownDuty", f"Kế hoạch không có nhiệm vụ {duty_id}.")

    def _check_reason(self, reason: str) -> None:
        check_reason(reason)

    async def _change(self, change: DutyChange, summary: str) -> AmendmentResult:
        return await workflow.execute_activity_method(
            PlanActivities.apply_duty_change,
            change,
            start_to_close_timeout=dt.timedelta(minutes=30),
            heartbeat_timeout=dt.timedelta(minutes=1),
            retry_policy=ACTIVITY_RETRY,
            summary=summary,
        )

    @workflow.update
    async def withdraw_duty(self, update: WithdrawDuty) -> AmendmentResult:
        """Withdraw a duty: every open assignment of it is cancelled."""
        return await self._change(
            DutyChange(
                plan_id=self.input.plan_id,
                duty_id=update.duty_id,
                kind="withdraw",
                actor=update.actor,
                reason=update.reason,
            ),
            f"Rút nhiệm vụ {update.duty_id}",
        )

    @withdraw_duty.validator
    def _validate_withdraw(self, update: WithdrawDuty) -> None:
        self._check_coordinator(update.actor)
        self._check_duty(update.duty_id)
        self._check_reason(update.reason)

    @workflow.update
    async def move_deadline(self, update: MoveDeadline) -> AmendmentResult:
        """Move the deadline of every open assignment of a duty."""
        return await self._change(
            DutyChange(
                plan_id=self.input.plan_id,
                duty_id=update.duty_id,
                kind="move_deadline",
                actor=update.actor,
                reason=update.reason,
                new_last_day=update.new_last_day,
            ),
            f"Điều chỉnh hạn nhiệm vụ {update.duty_id}",
        )

    @move_deadline.validator
    def _validate_move(self, update: MoveDeadline) -> None:
        self._check_coordinator(update.actor)
        self._check_duty(update.duty_id)
        self._check_reason(update.reason)

    @workflow.update
    async def add_duty(self, update: AddDuty) -> AmendmentResult:
        """Start the assignments of a duty added to the plan (already in the loaded plan)."""
        started = await self._start_batch(
            StartBatch(
                plan_id=self.input.plan_id,
                duty_id=update.duty_id,
                period=str(self.input.year),
                options=self.input.options,
                calendar=self.input.calendar,
            ),
            summary=f"Bổ sung nhiệm vụ {update.duty_id}",
        )
        return AmendmentResult(message_vi=f"Đã giao nhiệm vụ {update.duty_id}.", affected=started)

    @add_duty.validator
    def _validate_add(self, update: AddDuty) -> None:
        self._check_coordinator(update.actor)
        self._check_duty(update.duty_id)

    @workflow.update
    async def request_adhoc(self, update: AdHocRequest) -> AmendmentResult:
        """Báo cáo đột xuất: its own request, with its own assignments."""
        assert self.schedule is not None and self.schedule.adhoc_duty is not None
        self.adhoc_requests += 1
        number = self.adhoc_requests
        started = await self._start_batch(
            StartBatch(
                plan_id=self.input.plan_id,
                duty_id=self.schedule.adhoc_duty,
                period=f"{self.input.year}-DX{number:02d}",
                options=self.input.options,
                calendar=self.input.calendar,
                agencies=update.agencies,
                last_day=update.last_day,
                brief=DutyBrief(
                    id=self.schedule.adhoc_duty,
                    clause=self.schedule.adhoc_duty,
                    heading=f"Báo cáo đột xuất số {number}",
                    text=update.subject,
                ),
            ),
            summary=f"Yêu cầu báo cáo đột xuất số {number}",
        )
        return AmendmentResult(
            message_vi=f"Đã gửi yêu cầu báo cáo đột xuất số {number} tới {started} cơ quan.",
            affected=started,
        )

    @request_adhoc.validator
    def _validate_adhoc(self, update: AdHocRequest) -> None:
        self._check_coordinator(update.actor)
        assert self.schedule is not None
        if self.schedule.adhoc_duty is None:
            raise refuse("NoAdHocDuty", "Kế hoạch không quy định báo cáo đột xuất.")
        unknown = sorted(set(update.agencies) - set(self.schedule.agencies))
        if unknown:
            raise refuse("UnknownAgency", f"Không có cơ quan: {', '.join(unknown)}.")
        if update.last_day < self.clock.now().astimezone(VN_TZ).date():
            raise refuse("BadDate", "Hạn báo cáo phải từ hôm nay trở đi.")

    @workflow.update
    async def amend_calendar(self, update: AmendCalendar) -> AmendmentResult:
        """Days the government announced after the plan started (a swap day, an extra day
        off): every open assignment re-arms its timers on them, and later batches and years
        start with them."""
        calendar = self.input.calendar.amended(
            days_off=update.days_off, working_days=update.working_days
        )
        self.input = self.input.model_copy(update={"calendar": calendar})
        return await workflow.execute_activity_method(
            PlanActivities.amend_calendars,
            CalendarChange(plan_id=self.input.plan_id, amendment=update),
            start_to_close_timeout=dt.timedelta(minutes=30),
            heartbeat_timeout=dt.timedelta(minutes=1),
            retry_policy=ACTIVITY_RETRY,
            summary="Cập nhật lịch làm việc",
        )

    @amend_calendar.validator
    def _validate_amend_calendar(self, update: AmendCalendar) -> None:
        self._check_coordinator(update.actor)
        self._check_reason(update.reason)
        days = [*update.days_off, *update.working_days]
        if not days:
            raise refuse("NoDays", "Cần ít nhất một ngày nghỉ hoặc ngày làm việc bù.")
        if set(update.days_off) & set(update.working_days):
            raise refuse("BadDate", "Một ngày không thể vừa là ngày nghỉ vừa là ngày làm việc.")
        outside = sorted(d for d in days if not self.input.calendar.covers(d))
        if outside:
            raise refuse("BadDate", f"Ngày {outside[0]:%d/%m/%Y} nằm ngoài lịch làm việc đã nạp.")

    @workflow.update
    async def refresh_progress(self) -> Progress:
        """Recount now and return the counts."""
        return await self._refresh_progress()

    @workflow.query
    def progress_now(self) -> Progress:
        """The counts as of the last refresh (see `at`)."""
        return self.progress


def _key(start: ScheduledStart) -> str:
    return f"{start.duty_id}/{start.period}"


def _summary_for(target: dt.datetime, schedule: PlanSchedule) -> str:
    if target == schedule.year_end:
        return "Chờ hết năm kế hoạch"
    if target == schedule.consolidate_at or any(c.at == target for c in schedule.consolidations):
        return "Chờ đến hạn tổng hợp báo cáo"
    if any(s.at == target for s in schedule.starts):
        return "Chờ đến kỳ giao nhiệm vụ tiếp theo"
    return "Chờ lần cập nhật tiến độ tiếp theo"
