"""AssignmentWorkflow: one duty, one agency, one period, from assignment to acceptance.

The workflow owns the state; people change it through updates whose validators refuse what
is not allowed now, before anything reaches history. Update handlers only change state and
queue effects; the main loop performs the effects (storing the report, mirroring the state
to PostgreSQL, sending notices) in order, and waits on the next reminder, deadline or
escalation with a timer that is re-armed whenever the state changes.
"""

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.reports import ReportActivities
    from domain.digest import escalation_step_vi
    from domain.ids import notice_task_queue
    from domain.vocabulary import STATUS_VI, STEP_VI, last_day_vi
    from schemas import search_attributes as sa
    from schemas.assignment import (
        FINAL_STATUSES,
        OPEN_STATUSES,
        REROUTE_ACTION,
        ActionResult,
        Actor,
        AmendCalendar,
        Approve,
        AssignmentEvent,
        AssignmentInput,
        AssignmentState,
        Cancel,
        DecisionRecord,
        DutyBrief,
        ExtendDeadline,
        Extension,
        FetchReport,
        NoticeKind,
        NoticeRef,
        NoticeRequest,
        Outcome,
        Recipient,
        Reroute,
        ReturnForRevision,
        SetDeadline,
        Status,
        StoreSubmission,
        SubmissionRecord,
        SubmitReport,
        notice_key,
    )
    from schemas.calendar import VN_TZ
    from schemas.plan import ApproverRole

# Workflow code of our own: imported in the sandbox like this module, so it is watched too.
from workflows import assignment_effects as effects
from workflows import assignment_rules as rules
from workflows import assignment_timers as timers
from workflows.assignment_rules import SIGNING_SUBMITTER_ROLES, refuse
from workflows.clock import PlanClock

STEP_RECIPIENT: dict[str, Recipient] = {
    "agency_leader": "leader",
    "coordinator": "coordinator",
    "coordinator_director": "coordinator_director",
    "vice_chairman": "vice_chairman",
}

# Runs started from this change write to the store with local activities first (one marker
# event each, inside the workflow task that queued them, no round trip through the server),
# send notices as regular activities (SMTP and webhooks can be slow or away: their retries
# must not hold the workflow task, and ops see them pending in the Web UI) after the writes
# of the same step, and upsert search attributes only when a shown value changes. Runs
# started before keep one regular activity per effect in queue order and replay unchanged.
LOCAL_FIRST_PATCH = "effects-local-first"

# Runs started from this change send each notice apart from the effects loop: on the
# notices' own rate-limited task queue, retried for hours rather than a count of attempts,
# and a notice given up is recorded (`notice_failed` in the audit, through the same ordered
# store writes) instead of only logged. Later timers and store writes no longer wait for a
# slow mail relay; the run ends only once its notices have. Earlier runs await each notice
# in the effects loop as before.
NOTICES_APART_PATCH = "notices-apart"

# Runs started from this change name each notice by reference (assignment, kind, key and
# the facts of its step): the notice activity reads the plan, the duty as given (kept in the
# store by the first event) and the deadline from the store, instead of every notice's input
# repeating them in history. Earlier runs keep sending whole notices.
NOTICES_BY_REFERENCE_PATCH = "notices-by-reference"

# From this change the coordinator may end the tracking of an assignment never reported
# (`Cancel.end_tracking`): status "ended", counted as not done, never as waived. Only a
# request carrying the flag takes the new branch.
END_TRACKING_PATCH = "cancel-end-tracking"

# Runs started with `AssignmentInput.shape` >= SHAPED have every patch above in force without
# calling `workflow.patched`: no marker event and no `TemporalChangeVersion` upsert per patch
# in each new history (six events and about 1.1 KB of an on-time lifecycle). They also write
# each step's store effects with one local activity (`effects.step_writes`) instead of one
# per effect, and upsert only the search attributes whose value changed. Whether a run is
# shaped is fixed by its input, so it replays the same way:
# runs started before the shape (0 in their input) ask `workflow.patched` as they always did,
# whether their history holds the markers or not.
SHAPED = 1


@dataclass
class _Timer:
    at: dt.datetime
    summary: str
    fire: Callable[[], Any]


@workflow.defn(name="Assignment")
class AssignmentWorkflow:
    """The life of one assignment; see the module docstring."""

    @workflow.init
    def __init__(self, input: AssignmentInput) -> None:
        self.input = input
        # Whose assignment it is: the input's agency until a merger or renaming moves it to
        # the successor (`reroute`); everything after reads these, never the input's.
        self.agency = input.agency
        self.agency_name = input.agency_name
        # Runs started with a shape (`AssignmentInput.shape`) have the patches of it in force
        # without asking; runs started before ask `workflow.patched` as they always did.
        self._shaped = input.shape >= SHAPED
        self._local_first = self._in_force(LOCAL_FIRST_PATCH)
        self._shown = _shown_at_start() if self._local_first else None
        self._notices_apart = self._local_first and self._in_force(NOTICES_APART_PATCH)
        self._by_reference = self._notices_apart and self._in_force(NOTICES_BY_REFERENCE_PATCH)
        self._notices_in_flight = 0
        self._notice_tasks: set[asyncio.Task[None]] = set()  # referenced until done
        self.status: Status = "assigned"
        self.overdue = False
        self.escalation_level = 0
        self.original_last_day = input.last_day
        self.last_day = input.last_day
        self.pending_step_index: int | None = None
        self.submissions: list[SubmissionRecord] = []
        self.decisions: list[DecisionRecord] = []
        self.extensions: list[Extension] = []
        self.reminders_sent: list[str] = []
        self.reminders_skipped: list[str] = []
        self.outcome: Outcome | None = None
        self.closed_reason: str | None = None
        self.pull_attempts = 0
        self.event_seq = 0
        self.clock = PlanClock(speed=input.speed, origin=input.clock_origin)
        # The input's calendar, with the days announced since (`amend_calendar`).
        self.calendar = input.calendar
        self.started_at = self._now()
        self.effects: list[NoticeRequest | NoticeRef | AssignmentEvent | StoreSubmission] = []
        self.changed = False
        # Queued here, before any update handler can run (an update may arrive with the
        # start): the assignment exists in the store before its first report is kept.
        self._notice("assignment", ["focal", "leader"], key="assignment")
        self._event(
            "assign",
            actor="system",
            source="worker",
            brief=input.duty if self._by_reference else None,
        )

    # --- the main loop ---------------------------------------------------------------

    @workflow.run
    async def run(self, input: AssignmentInput) -> AssignmentState:
        while True:
            await self._perform_effects()
            if self.status in FINAL_STATUSES and not self.effects:
                if not self._notices_in_flight:
                    break
                # The last notices are still out; one given up queues its record.
                await workflow.wait_condition(
                    lambda: not self._notices_in_flight or bool(self.effects)
                )
                continue
            self._show_details()
            timer = self._next_timer()
            self.changed = False
            timeout = None if timer is None else self.clock.real(timer.at - self._now())
            if timer is not None and timeout is not None and timeout <= dt.timedelta(0):
                await timer.fire()
                continue
            try:
                await workflow.wait_condition(
                    lambda: self.changed or bool(self.effects),
                    timeout=timeout,
                    timeout_summary=timer.summary if timer else None,
                )
            except TimeoutError:
                assert timer is not None
                await timer.fire()
        self._show_details()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state()

    def _now(self) -> dt.datetime:
        return self.clock.now()

    def _in_force(self, patch: str) -> bool:
        """Whether this run takes the path of `patch`: always for a shaped run (no marker),
        else as `workflow.patched` says."""
        return self._shaped or workflow.patched(patch)

    def _deadline(self) -> dt.datetime | None:
        if self.last_day is None:
            return None
        return self.calendar.deadline_instant(
            self.last_day, move_off_non_working_days=self.input.move_off_non_working_days
        )

    def _original_deadline(self) -> dt.datetime | None:
        if self.original_last_day is None:
            return None
        return self.calendar.deadline_instant(
            self.original_last_day, move_off_non_working_days=self.input.move_off_non_working_days
        )

    def _next_timer(self) -> _Timer | None:
        """The earliest pending reminder, deadline or escalation, or None."""
        deadline = self._deadline()
        if deadline is None or self.status not in OPEN_STATUSES:
            return None
        plan = timers.next_timer(
            calendar=self.calendar,
            reminders=self.input.reminders,
            escalation=self.input.escalation,
            deadline=deadline,
            now=self._now(),
            started_at=self.started_at,
            reminder_key=self._reminder_key,
            reminders_done=set(self.reminders_sent) | set(self.reminders_skipped),
            overdue=self.overdue,
            escalation_level=self.escalation_level,
        )
        self.reminders_skipped.extend(plan.skipped_reminders)
        due = plan.due
        if due is None:
            return None
        if isinstance(due, timers.Reminder):
            return _Timer(due.at, due.summary, partial(self._remind, due.days_before, due.at))
        if isinstance(due, timers.Escalation):
            return _Timer(
                due.at, due.summary, partial(self._escalate, due.level, due.recipients, due.at)
            )
        return _Timer(due.at, due.summary, self._reach_deadline)

    def _reminder_key(self, days_before: int) -> str:
        return f"reminder/{self.last_day}/T-{days_before}"

    async def _remind(self, days_before: int, planned_at: dt.datetime) -> None:
        self.reminders_sent.append(self._reminder_key(days_before))
        if self.input.pull_report and await self._pull():
            return
        # "còn N ngày" counts from the day it is sent: a reminder moved off a day off is
        # sent earlier than its rule's T-N.
        today = self._now().astimezone(VN_TZ).date()
        days_left = (self.last_day - today).days if self.last_day else None
        self._notice(
            "reminder",
            ["focal"],
            key=self._reminder_key(days_before),
            days_before=days_before,
            planned_at=planned_at,
            days_left=days_left,
        )

    async def _reach_deadline(self) -> None:
        if self.pull_report_pending():
            await self._pull()
        if self.status in OPEN_STATUSES:
            self.overdue = True
            workflow.metric_meter().create_counter("kehoach_assignments_overdue").add(1)
            self._event("overdue", actor="system", source="worker")

    def pull_report_pending(self) -> bool:
        return self.input.pull_report and self.status in OPEN_STATUSES

    async def _escalate(self, level: int, recipients: list[str], planned_at: dt.datetime) -> None:
        self.overdue = True
        self.escalation_level = level
        # Bodies the issuer can only ask ("Đề nghị") are chased through the coordinator.
        people: list[Recipient] = (
            ["coordinator"] if self.input.mode == "requested" else cast(list[Recipient], recipients)
        )
        self._notice(
            "escalation",
            people,
            key=f"escalation/{self.last_day}/{level}",
            escalation_level=level,
            planned_at=planned_at,
            ladder_levels=len(self.input.escalation.steps),
        )
        self._event("escalate", actor="system", source="worker", detail={"level": level})

    async def _pull(self) -> bool:
        """Ask the agency's endpoint for its report; True if one was submitted."""
        self.pull_attempts += 1
        fetched = await workflow.execute_activity_method(
            ReportActivities.fetch_report,
            FetchReport(
                assignment_id=self.input.assignment_id,
                agency=self.agency,
                period=self.input.period,
            ),
            start_to_close_timeout=dt.timedelta(seconds=60),
            retry_policy=RetryPolicy(maximum_attempts=3),
            summary="Lấy báo cáo từ hệ thống của cơ quan",
        )
        if fetched.outcome != "report" or fetched.body is None:
            self._event(
                "pull_failed",
                actor="system",
                source="pull",
                detail={"outcome": fetched.outcome, "error": fetched.error},
            )
            return False
        if self.status not in OPEN_STATUSES:
            return False  # a person submitted while the pull was running
        actor = Actor(
            email=f"pull@{self.agency.lower()}",
            role="system",
            agency=self.agency,
            source="pull",
        )
        self._accept_submission(SubmitReport(actor=actor, body=fetched.body))
        return True

    async def _perform_effects(self) -> None:
        if not self._local_first:
            await self._perform_effects_one_activity_each()
            return
        while self.effects:
            # Everything queued so far, store writes before notices: a notice may link to
            # the report or the state it announces, so the store has them first.
            batch, self.effects = self.effects, []
            writes = [w for w in batch if not isinstance(w, NoticeRequest | NoticeRef)]
            if self._shaped and writes:
                await effects.record_local_first(effects.step_writes(writes))
            else:
                for write in writes:
                    await effects.record_local_first(write)
            for notice in batch:
                if isinstance(notice, NoticeRef):
                    self._send_apart(notice)
                elif isinstance(notice, NoticeRequest):
                    if self._notices_apart:
                        self._send_apart(notice)
                    else:
                        await effects.send(notice)

    def _send_apart(self, notice: NoticeRequest | NoticeRef) -> None:
        """Send the notice while the loop goes on; if it is given up, record that."""
        self._notices_in_flight += 1
        task = asyncio.create_task(self._deliver(notice))
        self._notice_tasks.add(task)
        task.add_done_callback(self._notice_tasks.discard)

    async def _deliver(self, notice: NoticeRequest | NoticeRef) -> None:
        try:
            failure = await effects.deliver(
                notice, task_queue=notice_task_queue(workflow.info().task_queue)
            )
            if failure is not None:
                workflow.metric_meter().create_counter("kehoach_notices_given_up").add(
                    1, {"kind": notice.kind}
                )
                self._event(
                    "notice_failed",
                    actor="system",
                    source="worker",
                    detail={
                        "notice_key": notice.idempotency_key,
                        "kind": notice.kind,
                        "error": failure,
                    },
                )
        finally:
            self._notices_in_flight -= 1

    async def _perform_effects_one_activity_each(self) -> None:
        """The path of runs started before LOCAL_FIRST_PATCH: one regular activity per effect."""
        while self.effects:
            effect = self.effects[0]
            if isinstance(effect, NoticeRef):  # never queued on this path
                raise ApplicationError("a notice by reference on the path before local writes")
            if isinstance(effect, NoticeRequest):
                await effects.send(effect)
            else:
                await effects.record(effect)
            self.effects.pop(0)

    # --- effects ---------------------------------------------------------------------

    def _notice(
        self, kind: NoticeKind, recipients: list[Recipient], *, key: str, **extra: Any
    ) -> None:
        i = self.input
        if self._by_reference:
            self.effects.append(
                NoticeRef(
                    assignment_id=i.assignment_id,
                    key=key,
                    kind=kind,
                    recipients=recipients,
                    at=self._now(),
                    **extra,
                )
            )
            return
        self.effects.append(
            NoticeRequest(
                idempotency_key=notice_key(i.assignment_id, key),
                kind=kind,
                assignment_id=i.assignment_id,
                plan_id=i.plan_id,
                plan_title=i.plan_title,
                duty=i.duty,
                agency=self.agency,
                agency_name=self.agency_name,
                issuer=i.issuer,
                coordinator=i.coordinator,
                office=i.office,
                recipients=recipients,
                deadline=self._deadline(),
                status=self.status,
                at=self._now(),
                period=i.period,
                **extra,
            )
        )

    def _event(
        self,
        action: str,
        *,
        actor: str,
        source: str,
        detail: dict[str, str | int | bool | None] | None = None,
        brief: DutyBrief | None = None,
    ) -> None:
        i = self.input
        self.event_seq += 1
        self.effects.append(
            AssignmentEvent(
                assignment_id=i.assignment_id,
                plan_id=i.plan_id,
                duty_id=i.duty.id,
                agency=self.agency,
                period=i.period,
                status=self.status,
                overdue=self.overdue,
                escalation_level=self.escalation_level,
                deadline=self._deadline(),
                original_deadline=self._original_deadline(),
                pending_step=self._pending_step(),
                actor=actor,
                action=action,
                source=source,
                detail=detail or {},
                idempotency_key=f"{i.assignment_id}/event/{workflow.info().run_id}/{self.event_seq}",
                brief=brief,
            )
        )
        self.changed = True
        self._upsert_search_attributes()

    def _upsert_search_attributes(self) -> None:
        shown = "overdue" if self.overdue and self.status in OPEN_STATUSES else self.status
        deadline = self._deadline()
        updates: list[SearchAttributeUpdate[Any]] = [
            sa.STATUS.value_set(shown),
            sa.ESCALATION_LEVEL.value_set(self.escalation_level),
            sa.DEADLINE.value_set(deadline) if deadline else sa.DEADLINE.value_unset(),
        ]
        if self._local_first:
            now_shown = (shown, self.escalation_level, deadline)
            if now_shown == self._shown:
                return
            if self._shaped and self._shown is not None:
                # Only the values that changed: each one costs the history its key and type.
                changed = zip(updates, self._shown, now_shown, strict=True)
                updates = [update for update, was, now in changed if was != now]
            self._shown = now_shown
        workflow.upsert_search_attributes(updates)

    def _show_details(self) -> None:
        deadline = self._deadline()
        due = f"hạn {last_day_vi(deadline)}" if deadline else "chưa có hạn"
        step = self._pending_step()
        lines = [
            f"**{self.agency_name}** — {self.input.duty.clause}, kỳ {self.input.period}",
            f"Trạng thái: {STATUS_VI[self.status]}" + (" — QUÁ HẠN" if self.overdue else ""),
            f"Thời hạn: {due}; đôn đốc: "
            + (
                escalation_step_vi(self.escalation_level, len(self.input.escalation.steps))
                or "chưa"
            ),
        ]
        if step:
            lines.append(f"Chờ: {STEP_VI[step]}")
        if self.outcome:
            done = "đúng hạn" if self.outcome == "on_time" else "hoàn thành quá hạn"
            lines.append(f"Kết quả: {done}")
        workflow.set_current_details("\n\n".join(lines))

    # --- rules shared by validators and handlers ---------------------------------------

    def _pending_step(self) -> ApproverRole | None:
        if self.pending_step_index is None:
            return None
        return self.input.approval.steps[self.pending_step_index]

    def _check_not_final(self) -> None:
        rules.check_not_final(self.status)

    def _check_coordinator(self, actor: Actor) -> None:
        rules.check_coordinator(actor, coordinator=self.input.coordinator)

    def _check_reason(self, reason: str) -> None:
        rules.check_reason(reason)

    def _check_decider(self, actor: Actor, version: int | None = None) -> None:
        rules.check_decider(
            actor,
            status=self.status,
            step=self._pending_step(),
            agency=self.agency,
            coordinator=self.input.coordinator,
            submissions=self.submissions,
            version=version,
        )

    def _check_submit(self, update: SubmitReport) -> None:
        rules.check_submit(update, status=self.status, agency=self.agency)

    # --- updates ---------------------------------------------------------------------

    @workflow.update
    def submit_report(self, update: SubmitReport) -> ActionResult:
        """The focal official (or the agency's system) submits the report."""
        self._check_submit(update)
        version = self._accept_submission(update)
        return ActionResult(
            status=self.status, version=version, message_vi=f"Đã nộp báo cáo (phiên bản {version})."
        )

    @submit_report.validator
    def _validate_submit(self, update: SubmitReport) -> None:
        self._check_submit(update)

    def _accept_submission(self, update: SubmitReport) -> int:
        version = len(self.submissions) + 1
        now = self._now()
        self.effects.append(
            StoreSubmission(
                assignment_id=self.input.assignment_id,
                version=version,
                submitted_by=update.actor.email,
                submitted_at=now,
                body=update.body,
                attachments=update.attachments,
            )
        )
        self.submissions.append(
            SubmissionRecord(
                version=version,
                submitted_by=update.actor.email,
                submitted_at=now,
                attachments=len(update.attachments),
            )
        )
        self.status = "submitted"
        self.overdue = False
        self.pending_step_index = 0
        step = self._pending_step()
        assert step is not None
        self._event(
            "submit",
            actor=update.actor.email,
            source=update.actor.source,
            detail={"version": version},
        )
        if step == "agency_leader" and update.actor.role in SIGNING_SUBMITTER_ROLES:
            # The leader sending the report signs it: that is the agency leader's approval.
            self._approve_step(update.actor, comment="Lãnh đạo cơ quan trực tiếp nộp báo cáo.")
            return version
        self._notice(
            "approval_requested",
            [STEP_RECIPIENT[step]],
            key=f"approval_requested/{version}/0",
            actor=update.actor.email,
            version=version,
        )
        return version

    @workflow.update
    def approve(self, update: Approve) -> ActionResult:
        """The pending approver approves; the last approval accepts the report."""
        self._check_decider(update.actor, update.version)
        return self._approve_step(update.actor, comment=update.comment)

    def _approve_step(self, actor: Actor, *, comment: str | None) -> ActionResult:
        step = self._pending_step()
        assert step is not None and self.pending_step_index is not None
        version = self.submissions[-1].version
        self.decisions.append(
            DecisionRecord(
                version=version,
                step=step,
                decision="approved",
                actor=actor.email,
                reason=comment,
                at=self._now(),
            )
        )
        index = self.pending_step_index + 1
        if index < len(self.input.approval.steps):
            self.pending_step_index = index
            nxt = self.input.approval.steps[index]
            kind: NoticeKind = (
                "report_received" if nxt.startswith("coordinator") else "approval_requested"
            )
            self._event(
                "approve",
                actor=actor.email,
                source=actor.source,
                detail={"version": version, "step": step},
            )
            self._notice(
                kind,
                [STEP_RECIPIENT[nxt]],
                key=f"{kind}/{version}/{index}",
                actor=actor.email,
                version=version,
            )
            return ActionResult(
                status=self.status, version=version, message_vi=f"Đã duyệt; chuyển {STEP_VI[nxt]}."
            )
        self._close_accepted(actor, version)
        return ActionResult(status=self.status, version=version, message_vi="Đã chấp nhận báo cáo.")

    @approve.validator
    def _validate_approve(self, update: Approve) -> None:
        self._check_decider(update.actor, update.version)

    def _close_accepted(self, actor: Actor, version: int) -> None:
        self.status = "accepted"
        self.pending_step_index = None
        original = self._original_deadline()
        submitted_at = self.submissions[-1].submitted_at
        self.outcome = "on_time" if original is None or submitted_at < original else "late"
        self._event(
            "accept",
            actor=actor.email,
            source=actor.source,
            detail={"version": version, "outcome": self.outcome},
        )
        self._notice("accepted", ["focal", "leader"], key=f"accepted/{version}")

    @workflow.update
    def return_for_revision(self, update: ReturnForRevision) -> ActionResult:
        """The pending approver returns the report with a reason."""
        self._check_decider(update.actor, update.version)
        self._check_reason(update.reason)
        step = self._pending_step()
        assert step is not None
        version = self.submissions[-1].version
        self.decisions.append(
            DecisionRecord(
                version=version,
                step=step,
                decision="returned",
                actor=update.actor.email,
                reason=update.reason,
                at=self._now(),
            )
        )
        self.status = "returned"
        self.pending_step_index = None
        deadline = self._deadline()
        self.overdue = deadline is not None and self._now() >= deadline
        self._event(
            "return",
            actor=update.actor.email,
            source=update.actor.source,
            detail={"version": version, "reason": update.reason},
        )
        self._notice(
            "returned",
            ["focal", "leader"],
            key=f"returned/{version}",
            reason=update.reason,
            actor=update.actor.email,
        )
        return ActionResult(
            status=self.status, version=version, message_vi="Đã trả lại báo cáo để chỉnh sửa."
        )

    @return_for_revision.validator
    def _validate_return(self, update: ReturnForRevision) -> None:
        self._check_decider(update.actor, update.version)
        self._check_reason(update.reason)

    @workflow.update
    def extend_deadline(self, update: ExtendDeadline) -> ActionResult:
        """The coordinator grants an extension; the original deadline is kept."""
        self._check_extend(update)
        self.extensions.append(
            Extension(
                previous_last_day=self.last_day,
                new_last_day=update.new_last_day,
                by=update.actor.email,
                reason=update.reason,
                at=self._now(),
            )
        )
        self.last_day = update.new_last_day
        deadline = self._deadline()
        assert deadline is not None
        self.overdue = self.status in OPEN_STATUSES and self._now() >= deadline
        self.escalation_level = 0
        self._event(
            "extend",
            actor=update.actor.email,
            source=update.actor.source,
            detail={"new_last_day": update.new_last_day.isoformat(), "reason": update.reason},
        )
        self._notice(
            "extension_granted",
            ["focal", "leader"],
            key=f"extension/{update.new_last_day}",
            reason=update.reason,
            actor=update.actor.email,
        )
        return ActionResult(
            status=self.status,
            message_vi=f"Đã gia hạn đến hết ngày {update.new_last_day:%d/%m/%Y}.",
        )

    @extend_deadline.validator
    def _validate_extend(self, update: ExtendDeadline) -> None:
        self._check_extend(update)

    def _check_extend(self, update: ExtendDeadline) -> None:
        self._check_coordinator(update.actor)
        self._check_not_final()
        self._check_reason(update.reason)
        if self.last_day is None:
            raise refuse("NoDeadline", "Nhiệm vụ chưa có hạn; hãy đặt hạn thay vì gia hạn.")
        if update.new_last_day <= self.last_day:
            raise refuse("BadDate", f"Hạn mới phải sau hạn hiện tại ({self.last_day:%d/%m/%Y}).")
        self._check_covered(update.new_last_day)

    def _check_covered(self, day: dt.date) -> None:
        if not self.calendar.covers(day) or not self.calendar.covers(day + dt.timedelta(days=60)):
            raise refuse("BadDate", f"Ngày {day:%d/%m/%Y} nằm ngoài lịch làm việc đã nạp.")

    @workflow.update
    def set_deadline(self, update: SetDeadline) -> ActionResult:
        """The coordinator sets the deadline the plan left open."""
        self._check_set_deadline(update)
        self.original_last_day = update.last_day
        self.last_day = update.last_day
        self._event(
            "set_deadline",
            actor=update.actor.email,
            source=update.actor.source,
            detail={"last_day": update.last_day.isoformat()},
        )
        self._notice(
            "deadline_set",
            ["focal", "leader"],
            key=f"deadline_set/{update.last_day}",
            actor=update.actor.email,
        )
        return ActionResult(
            status=self.status, message_vi=f"Đã đặt hạn: hết ngày {update.last_day:%d/%m/%Y}."
        )

    @set_deadline.validator
    def _validate_set_deadline(self, update: SetDeadline) -> None:
        self._check_set_deadline(update)

    def _check_set_deadline(self, update: SetDeadline) -> None:
        self._check_coordinator(update.actor)
        self._check_not_final()
        if self.last_day is not None:
            raise refuse("HasDeadline", "Nhiệm vụ đã có hạn; hãy dùng gia hạn.")
        today = self._now().astimezone(VN_TZ).date()
        if update.last_day < today:
            raise refuse("BadDate", f"Hạn phải từ hôm nay ({today:%d/%m/%Y}) trở đi.")
        self._check_covered(update.last_day)

    @workflow.update
    def cancel(self, update: Cancel) -> ActionResult:
        """The coordinator cancels (or waives) the assignment."""
        self._check_cancel(update)
        ended = update.end_tracking and self._in_force(END_TRACKING_PATCH)
        self.status = "ended" if ended else "waived" if update.waive else "cancelled"
        self.pending_step_index = None
        self.closed_reason = update.reason
        self._event(
            "end" if ended else "waive" if update.waive else "cancel",
            actor=update.actor.email,
            source=update.actor.source,
            detail={"reason": update.reason},
        )
        self._notice(
            "cancelled",
            ["focal", "leader"],
            key="cancelled",
            reason=update.reason,
            actor=update.actor.email,
        )
        done = (
            "Đã kết thúc theo dõi: nhiệm vụ không hoàn thành."
            if ended
            else "Đã miễn thực hiện nhiệm vụ."
            if update.waive
            else "Đã hủy nhiệm vụ."
        )
        return ActionResult(status=self.status, message_vi=done)

    @cancel.validator
    def _validate_cancel(self, update: Cancel) -> None:
        self._check_cancel(update)

    def _check_cancel(self, update: Cancel) -> None:
        self._check_coordinator(update.actor)
        self._check_not_final()
        self._check_reason(update.reason)

    @workflow.update
    def amend_calendar(self, update: AmendCalendar) -> ActionResult:
        """The coordinator passes on days the government announced (a swap day, an extra
        day off); the next reminder, the deadline and the ladder are re-armed on them."""
        self._check_amend_calendar(update)
        self.calendar = self.calendar.amended(
            days_off=update.days_off, working_days=update.working_days
        )
        self._event(
            "amend_calendar",
            actor=update.actor.email,
            source=update.actor.source,
            detail={
                "days_off": ",".join(d.isoformat() for d in sorted(update.days_off)),
                "working_days": ",".join(d.isoformat() for d in sorted(update.working_days)),
                "reason": update.reason,
            },
        )
        return ActionResult(status=self.status, message_vi="Đã cập nhật lịch làm việc.")

    @amend_calendar.validator
    def _validate_amend_calendar(self, update: AmendCalendar) -> None:
        self._check_amend_calendar(update)

    def _check_amend_calendar(self, update: AmendCalendar) -> None:
        self._check_coordinator(update.actor)
        self._check_not_final()
        self._check_reason(update.reason)
        days = [*update.days_off, *update.working_days]
        if not days:
            raise refuse("NoDays", "Cần ít nhất một ngày nghỉ hoặc ngày làm việc bù.")
        if set(update.days_off) & set(update.working_days):
            raise refuse("BadDate", "Một ngày không thể vừa là ngày nghỉ vừa là ngày làm việc.")
        outside = sorted(d for d in days if not self.calendar.covers(d))
        if outside:
            raise refuse("BadDate", f"Ngày {outside[0]:%d/%m/%Y} nằm ngoài lịch làm việc đã nạp.")

    @workflow.update
    def reroute(self, update: Reroute) -> ActionResult:
        """The agency was merged into or renamed as another: the successor holds the
        assignment from now on (its people act, its mailboxes get the notices, ops find it
        under its code); the report, the deadline and the ladder carry on as they were."""
        self._check_reroute(update)
        self.agency = update.to_agency
        self.agency_name = update.to_agency_name
        self._event(
            REROUTE_ACTION,
            actor=update.actor.email,
            source=update.actor.source,
            detail={
                "from_agency": update.from_agency,
                "to_agency": update.to_agency,
                "effective": update.effective.isoformat(),
                "basis": update.basis,
            },
        )
        workflow.upsert_search_attributes([sa.AGENCY.value_set(update.to_agency)])
        # The successor learns of the duty it now holds, as the first agency did.
        self._notice("assignment", ["focal", "leader"], key=f"assignment/{update.to_agency}")
        return ActionResult(
            status=self.status,
            message_vi=f"Đã chuyển nhiệm vụ từ {update.from_agency} sang {update.to_agency_name}.",
        )

    @reroute.validator
    def _validate_reroute(self, update: Reroute) -> None:
        self._check_reroute(update)

    def _check_reroute(self, update: Reroute) -> None:
        rules.check_reroute(
            update.actor,
            status=self.status,
            agency=self.agency,
            coordinator=self.input.coordinator,
            from_agency=update.from_agency,
            to_agency=update.to_agency,
        )

    # --- query -----------------------------------------------------------------------

    @workflow.query
    def state(self) -> AssignmentState:
        """The whole state of the assignment."""
        return AssignmentState(
            assignment_id=self.input.assignment_id,
            agency=self.agency,
            status=self.status,
            overdue=self.overdue,
            escalation_level=self.escalation_level,
            original_last_day=self.original_last_day,
            last_day=self.last_day,
            deadline=self._deadline(),
            pending_step=self._pending_step(),
            submissions=list(self.submissions),
            decisions=list(self.decisions),
            extensions=list(self.extensions),
            reminders_sent=list(self.reminders_sent),
            reminders_skipped=list(self.reminders_skipped),
            outcome=self.outcome,
            closed_reason=self.closed_reason,
            pull_attempts=self.pull_attempts,
        )


def _shown_at_start() -> tuple[str | None, int | None, dt.datetime | None]:
    """Status, escalation level and deadline as the starter set them in search attributes."""
    attrs = workflow.info().typed_search_attributes
    return (attrs.get(sa.STATUS), attrs.get(sa.ESCALATION_LEVEL), attrs.get(sa.DEADLINE))
