"""AssignmentWorkflow: one duty, one agency, one period, from assignment to acceptance.

The workflow owns the state; people change it through updates whose validators refuse what
is not allowed now, before anything reaches history. Update handlers only change state and
queue effects; the main loop performs the effects (storing the report, mirroring the state
to PostgreSQL, sending notices) in order, and waits on the next reminder, deadline or
escalation with a timer that is re-armed whenever the state changes.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.assignments import AssignmentActivities
    from activities.notices import NoticeActivities
    from activities.reports import ReportActivities
    from kehoach.calendar import VN_TZ
    from schemas import search_attributes as sa
    from schemas.assignment import (
        FINAL_STATUSES,
        ActionResult,
        Actor,
        Approve,
        AssignmentEvent,
        AssignmentInput,
        AssignmentState,
        Cancel,
        DecisionRecord,
        ExtendDeadline,
        Extension,
        FetchReport,
        NoticeKind,
        NoticeRequest,
        Outcome,
        Recipient,
        ReturnForRevision,
        SetDeadline,
        Status,
        StoreSubmission,
        SubmissionRecord,
        SubmitReport,
    )
    from schemas.plan import ApproverRole
    from workflows.clock import PlanClock

STORE_RETRY = RetryPolicy(
    initial_interval=dt.timedelta(seconds=1), maximum_interval=dt.timedelta(minutes=1)
)
NOTICE_RETRY = RetryPolicy(
    initial_interval=dt.timedelta(seconds=2),
    maximum_interval=dt.timedelta(minutes=5),
    maximum_attempts=12,
)
OPEN_STATUSES: frozenset[str] = frozenset({"assigned", "returned"})
STATUS_VI: dict[str, str] = {
    "assigned": "chưa nộp",
    "submitted": "đã nộp, chờ duyệt",
    "returned": "bị trả lại",
    "accepted": "đã chấp nhận",
    "cancelled": "đã hủy",
    "waived": "được miễn",
}
STEP_VI: dict[str, str] = {
    "agency_leader": "lãnh đạo cơ quan",
    "coordinator": "cơ quan đầu mối (Sở TT&TT)",
    "coordinator_director": "giám đốc cơ quan đầu mối",
    "vice_chairman": "Phó Chủ tịch UBND tỉnh",
}
STEP_RECIPIENT: dict[str, Recipient] = {
    "agency_leader": "leader",
    "coordinator": "coordinator",
    "coordinator_director": "coordinator_director",
    "vice_chairman": "vice_chairman",
}
MIN_REASON = 5
# Who reports for an agency: its focal official and leader; for the coordinator's own and
# the office's own assignments, their people (whose roles name what else they do).
SUBMITTER_ROLES = frozenset({"focal", "leader", "coordinator", "coordinator_director",
                             "office", "system"})
# Who decides the agency leader's step: the agency's leader; the coordinator's director for
# its own agency; either person of the office (the self-approval rule keeps the submitter
# out). A leader-like submitter signs the report by sending it (see `submit_report`).
AGENCY_LEADER_ROLES = frozenset({"leader", "coordinator_director", "office"})
SIGNING_SUBMITTER_ROLES = frozenset({"leader", "coordinator_director"})

# Runs started from this change write to the store with local activities first (one marker
# event each, inside the workflow task that queued them, no round trip through the server),
# send notices as regular activities (SMTP and webhooks can be slow or away: their retries
# must not hold the workflow task, and ops see them pending in the Web UI) after the writes
# of the same step, and upsert search attributes only when a shown value changes. Runs
# started before keep one regular activity per effect in queue order and replay unchanged.
LOCAL_FIRST_PATCH = "effects-local-first"
LOCAL_ATTEMPT = dt.timedelta(seconds=5)
LOCAL_BUDGET = dt.timedelta(seconds=10)
"""How long local attempts may keep the workflow task before the write moves to a regular
activity: short, because updates wait for the task's local activities."""
LOCAL_RETRY = RetryPolicy(
    initial_interval=dt.timedelta(milliseconds=200),
    maximum_interval=dt.timedelta(seconds=2),
    maximum_attempts=0,  # bounded by LOCAL_BUDGET; never a last attempt that gives up
)


def _refused(err: ActivityError) -> bool:
    """Whether the activity failed for good (a refusal retrying cannot cure), not by time."""
    return isinstance(err.cause, ApplicationError) and err.cause.non_retryable


def refuse(code: str, message_vi: str) -> ApplicationError:
    """An update refused: the Vietnamese reason goes to the person, the code to logs."""
    return ApplicationError(message_vi, type=code, non_retryable=True)


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
        self._local_first = workflow.patched(LOCAL_FIRST_PATCH)
        self._shown = _shown_at_start() if self._local_first else None
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
        self.started_at = self._now()
        self.effects: list[NoticeRequest | AssignmentEvent | StoreSubmission] = []
        self.changed = False
        # Queued here, before any update handler can run (an update may arrive with the
        # start): the assignment exists in the store before its first report is kept.
        self._notice("assignment", ["focal", "leader"], key="assignment")
        self._event("assign", actor="system", source="worker")

    # --- the main loop ---------------------------------------------------------------

    @workflow.run
    async def run(self, input: AssignmentInput) -> AssignmentState:
        while True:
            await self._perform_effects()
            if self.status in FINAL_STATUSES and not self.effects:
                break
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

    def _deadline(self) -> dt.datetime | None:
        if self.last_day is None:
            return None
        return self.input.calendar.deadline_instant(
            self.last_day, move_off_non_working_days=self.input.move_off_non_working_days
        )

    def _original_deadline(self) -> dt.datetime | None:
        if self.original_last_day is None:
            return None
        return self.input.calendar.deadline_instant(
            self.original_last_day, move_off_non_working_days=self.input.move_off_non_working_days
        )

    def _next_timer(self) -> _Timer | None:
        """The earliest pending reminder, deadline or escalation, or None."""
        deadline = self._deadline()
        if deadline is None or self.status not in OPEN_STATUSES:
            return None
        now = self._now()
        candidates: list[_Timer] = []
        done = set(self.reminders_sent) | set(self.reminders_skipped)
        pending = [
            (days_before, at)
            for days_before, at in self.input.calendar.reminder_instants(
                deadline, self.input.reminders, not_before=self.started_at
            )
            if self._reminder_key(days_before) not in done
        ]
        # Reminders whose time has passed (the worker was down, or the deadline moved
        # closer) collapse into one reminder now, the nearest to the deadline.
        late_reminders = [r for r in pending if r[1] <= now]
        for days_before, _ in late_reminders[:-1]:
            self.reminders_skipped.append(self._reminder_key(days_before))
        if pending:
            days_before, at = late_reminders[-1] if late_reminders else pending[0]
            candidates.append(
                _Timer(at, f"Nhắc hạn T-{days_before}", partial(self._remind, days_before))
            )
        if not self.overdue:
            candidates.append(_Timer(deadline, "Đến hạn", self._reach_deadline))
        horizon = max(now, deadline) + dt.timedelta(days=60)
        ahead = [
            e
            for e in self.input.calendar.escalation_instants(
                deadline, self.input.escalation, until=horizon
            )
            if e[0] > self.escalation_level
        ]
        # Levels already in the past (an assignment started late, a worker down for days)
        # collapse into one catch-up escalation at the highest of them, not a burst.
        late_levels = [e for e in ahead if e[1] <= now]
        if ahead:
            level, at, recipients = late_levels[-1] if late_levels else ahead[0]
            candidates.append(
                _Timer(
                    at,
                    f"Gửi thông báo quá hạn cấp {level}",
                    partial(self._escalate, level, recipients),
                )
            )
        return min(candidates, key=lambda t: t.at) if candidates else None

    def _reminder_key(self, days_before: int) -> str:
        return f"reminder/{self.last_day}/T-{days_before}"

    async def _remind(self, days_before: int) -> None:
        self.reminders_sent.append(self._reminder_key(days_before))
        if self.input.pull_report and await self._pull():
            return
        self._notice(
            "reminder", ["focal"], key=self._reminder_key(days_before), days_before=days_before
        )

    async def _reach_deadline(self) -> None:
        if self.pull_report_pending():
            await self._pull()
        if self.status in OPEN_STATUSES:
            self.overdue = True
            self._event("overdue", actor="system", source="worker")

    def pull_report_pending(self) -> bool:
        return self.input.pull_report and self.status in OPEN_STATUSES

    async def _escalate(self, level: int, recipients: list[str]) -> None:
        self.overdue = True
        self.escalation_level = level
        # Bodies the issuer can only ask ("Đề nghị") are chased through the coordinator.
        people: list[Recipient] = (
            ["coordinator"] if self.input.mode == "requested" else cast(list[Recipient], recipients)
        )
        self._notice(
            "escalation", people, key=f"escalation/{self.last_day}/{level}", escalation_level=level
        )
        self._event("escalate", actor="system", source="worker", detail={"level": level})

    async def _pull(self) -> bool:
        """Ask the agency's endpoint for its report; True if one was submitted."""
        self.pull_attempts += 1
        fetched = await workflow.execute_activity_method(
            ReportActivities.fetch_report,
            FetchReport(
                assignment_id=self.input.assignment_id,
                agency=self.input.agency,
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
            email=f"pull@{self.input.agency.lower()}",
            role="system",
            agency=self.input.agency,
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
            for write in batch:
                if not isinstance(write, NoticeRequest):
                    await self._record_local_first(write)
            for notice in batch:
                if isinstance(notice, NoticeRequest):
                    await self._send(notice)

    async def _record_local_first(self, effect: StoreSubmission | AssignmentEvent) -> None:
        """A store write as a local activity; if it has not succeeded within LOCAL_BUDGET
        (the store is away), the same write as a regular activity that retries until it does."""
        try:
            if isinstance(effect, StoreSubmission):
                await workflow.execute_local_activity_method(
                    AssignmentActivities.store_submission, effect,
                    start_to_close_timeout=LOCAL_ATTEMPT, schedule_to_close_timeout=LOCAL_BUDGET,
                    retry_policy=LOCAL_RETRY, summary=_record_summary(effect),
                )
            else:
                await workflow.execute_local_activity_method(
                    AssignmentActivities.record_event, effect,
                    start_to_close_timeout=LOCAL_ATTEMPT, schedule_to_close_timeout=LOCAL_BUDGET,
                    retry_policy=LOCAL_RETRY, summary=_record_summary(effect),
                )
            return
        except ActivityError as err:
            if _refused(err):
                workflow.logger.error("store refused %s: %s", type(effect).__name__, err.cause)
                return
        await self._record(effect)

    async def _perform_effects_one_activity_each(self) -> None:
        """The path of runs started before LOCAL_FIRST_PATCH: one regular activity per effect."""
        while self.effects:
            effect = self.effects[0]
            if isinstance(effect, NoticeRequest):
                await self._send(effect)
            else:
                await self._record(effect)
            self.effects.pop(0)

    async def _record(self, effect: StoreSubmission | AssignmentEvent) -> None:
        """Write a report or an event to the store, retrying while the store is away.

        A refusal that retrying cannot cure (a conflicting row) is logged and left: the
        workflow's history already holds the report and the event, so nothing is lost, and
        the assignment goes on rather than failing over its mirror."""
        try:
            if isinstance(effect, StoreSubmission):
                await workflow.execute_activity_method(
                    AssignmentActivities.store_submission,
                    effect,
                    start_to_close_timeout=dt.timedelta(seconds=30),
                    retry_policy=STORE_RETRY,
                    summary=_record_summary(effect),
                )
            else:
                await workflow.execute_activity_method(
                    AssignmentActivities.record_event,
                    effect,
                    start_to_close_timeout=dt.timedelta(seconds=30),
                    retry_policy=STORE_RETRY,
                    summary=_record_summary(effect),
                )
        except ActivityError as err:
            workflow.logger.error("store refused %s: %s", type(effect).__name__, err.cause)

    async def _send(self, notice: NoticeRequest) -> None:
        """Send one notice; a notice that cannot be sent never fails the assignment."""
        try:
            await workflow.execute_activity_method(
                NoticeActivities.send_notice,
                notice,
                start_to_close_timeout=dt.timedelta(seconds=60),
                retry_policy=NOTICE_RETRY,
                summary=_notice_summary(notice),
            )
        except ActivityError as err:
            workflow.logger.warning("notice %s not sent: %s", notice.idempotency_key, err.cause)

    # --- effects ---------------------------------------------------------------------

    def _notice(
        self, kind: NoticeKind, recipients: list[Recipient], *, key: str, **extra: Any
    ) -> None:
        i = self.input
        self.effects.append(
            NoticeRequest(
                idempotency_key=f"{i.assignment_id}/{key}",
                kind=kind,
                assignment_id=i.assignment_id,
                plan_id=i.plan_id,
                plan_title=i.plan_title,
                duty=i.duty,
                agency=i.agency,
                agency_name=i.agency_name,
                issuer=i.issuer,
                coordinator=i.coordinator,
                office=i.office,
                recipients=recipients,
                deadline=self._deadline(),
                status=self.status,
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
    ) -> None:
        i = self.input
        self.event_seq += 1
        self.effects.append(
            AssignmentEvent(
                assignment_id=i.assignment_id,
                plan_id=i.plan_id,
                duty_id=i.duty.id,
                agency=i.agency,
                period=i.period,
                status=self.status,
                overdue=self.overdue,
                escalation_level=self.escalation_level,
                deadline=self._deadline(),
                original_deadline=self._original_deadline(),
                actor=actor,
                action=action,
                source=source,
                detail=detail or {},
                idempotency_key=f"{i.assignment_id}/event/{workflow.info().run_id}/{self.event_seq}",
            )
        )
        self.changed = True
        self._upsert_search_attributes()

    def _upsert_search_attributes(self) -> None:
        shown = "overdue" if self.overdue and self.status in OPEN_STATUSES else self.status
        deadline = self._deadline()
        if self._local_first:
            now_shown = (shown, self.escalation_level, deadline)
            if now_shown == self._shown:
                return
            self._shown = now_shown
        updates: list[SearchAttributeUpdate[Any]] = [
            sa.STATUS.value_set(shown),
            sa.ESCALATION_LEVEL.value_set(self.escalation_level),
        ]
        updates.append(sa.DEADLINE.value_set(deadline) if deadline else sa.DEADLINE.value_unset())
        workflow.upsert_search_attributes(updates)

    def _show_details(self) -> None:
        deadline = self._deadline()
        due = (
            f"hạn {(deadline - dt.timedelta(seconds=1)).astimezone(VN_TZ):%d/%m/%Y}"
            if deadline
            else "chưa có hạn"
        )
        step = self._pending_step()
        lines = [
            f"**{self.input.agency_name}** — {self.input.duty.clause}, kỳ {self.input.period}",
            f"Trạng thái: {STATUS_VI[self.status]}" + (" — QUÁ HẠN" if self.overdue else ""),
            f"Thời hạn: {due}; cấp đôn đốc: {self.escalation_level}",
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
        if self.status in FINAL_STATUSES:
            raise refuse("WrongState", f"Nhiệm vụ đã kết thúc ({STATUS_VI[self.status]}).")

    def _check_coordinator(self, actor: Actor) -> None:
        if actor.agency != self.input.coordinator or actor.role not in (
            "coordinator",
            "coordinator_director",
        ):
            raise refuse("NotAllowed", "Chỉ cơ quan đầu mối (Sở TT&TT) được làm việc này.")

    def _check_reason(self, reason: str) -> None:
        if len(reason.strip()) < MIN_REASON:
            raise refuse("ReasonRequired", f"Cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự).")

    def _check_decider(self, actor: Actor, version: int | None = None) -> None:
        if self.status != "submitted":
            raise refuse(
                "WrongState", f"Chưa có báo cáo chờ duyệt (trạng thái: {STATUS_VI[self.status]})."
            )
        step = self._pending_step()
        assert step is not None
        allowed = {
            "agency_leader": actor.role in AGENCY_LEADER_ROLES
            and actor.agency == self.input.agency,
            "coordinator": actor.agency == self.input.coordinator
            and actor.role in ("coordinator", "coordinator_director"),
            "coordinator_director": actor.agency == self.input.coordinator
            and actor.role == "coordinator_director",
            "vice_chairman": actor.role == "vice_chairman",
        }[step]
        if not allowed:
            raise refuse("NotAllowed", f"Bước này do {STEP_VI[step]} duyệt.")
        if self.submissions and actor.email.lower() == self.submissions[-1].submitted_by.lower():
            raise refuse("SelfApproval", "Người nộp báo cáo không được tự duyệt báo cáo của mình.")
        current = self.submissions[-1].version if self.submissions else None
        if version is not None and version != current:
            raise refuse(
                "StaleVersion",
                f"Quyết định này dành cho phiên bản {version} của báo cáo, nhưng cơ quan đã nộp "
                f"phiên bản {current}. Hãy xem phiên bản mới trước khi duyệt hoặc trả lại.",
            )

    def _check_submit(self, update: SubmitReport) -> None:
        if self.status not in OPEN_STATUSES:
            raise refuse(
                "WrongState", f"Không thể nộp lúc này (trạng thái: {STATUS_VI[self.status]})."
            )
        if update.actor.agency != self.input.agency or update.actor.role not in SUBMITTER_ROLES:
            raise refuse("WrongAgency", "Chỉ cơ quan được giao mới nộp được báo cáo này.")
        if not update.body.strip():
            raise refuse("EmptyReport", "Báo cáo không được để trống.")

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
        if not self.input.calendar.covers(day) or not self.input.calendar.covers(
            day + dt.timedelta(days=60)
        ):
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
        self.status = "waived" if update.waive else "cancelled"
        self.pending_step_index = None
        self.closed_reason = update.reason
        self._event(
            "waive" if update.waive else "cancel",
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
        done = "Đã miễn thực hiện nhiệm vụ." if update.waive else "Đã hủy nhiệm vụ."
        return ActionResult(status=self.status, message_vi=done)

    @cancel.validator
    def _validate_cancel(self, update: Cancel) -> None:
        self._check_cancel(update)

    def _check_cancel(self, update: Cancel) -> None:
        self._check_coordinator(update.actor)
        self._check_not_final()
        self._check_reason(update.reason)

    # --- query -----------------------------------------------------------------------

    @workflow.query
    def state(self) -> AssignmentState:
        """The whole state of the assignment."""
        return AssignmentState(
            assignment_id=self.input.assignment_id,
            agency=self.input.agency,
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


def _record_summary(effect: StoreSubmission | AssignmentEvent) -> str:
    if isinstance(effect, StoreSubmission):
        return f"Lưu báo cáo phiên bản {effect.version}"
    return f"Ghi nhật ký: {effect.action}"


def _notice_summary(notice: NoticeRequest) -> str:
    if notice.kind == "reminder":
        return f"Nhắc hạn T-{notice.days_before}"
    if notice.kind == "escalation":
        return f"Gửi thông báo quá hạn cấp {notice.escalation_level}"
    return {
        "assignment": "Gửi thông báo giao nhiệm vụ",
        "report_received": "Báo Sở TT&TT đã nhận báo cáo",
        "approval_requested": "Gửi yêu cầu duyệt báo cáo",
        "accepted": "Báo báo cáo đã được chấp nhận",
        "returned": "Báo báo cáo bị trả lại",
        "extension_granted": "Báo đã gia hạn",
        "deadline_set": "Báo đã đặt hạn",
        "cancelled": "Báo đã hủy nhiệm vụ",
        "approved": "Báo báo cáo đã được duyệt",
    }.get(notice.kind, notice.kind)
