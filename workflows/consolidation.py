"""ConsolidationWorkflow: compile the accepted reports, have them approved, send them on.

Missing reports never block it: they go into the annex. The province's Vice-Chairman
approves or returns; a return compiles a new version from whatever has been accepted since.
"""

import datetime as dt
from typing import Literal

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from workflows import assignment_effects as effects
from workflows.clock import PlanClock

with workflow.unsafe.imports_passed_through():
    from activities.plans import PlanActivities
    from domain.ids import notice_task_queue
    from schemas.calendar import VN_TZ
    from schemas.plan_run import (
        CompileRequest,
        ConsolidationDecision,
        ConsolidationNotice,
        ConsolidationRunInput,
        ConsolidationState,
        IssueReport,
    )

RETRY = RetryPolicy(
    initial_interval=dt.timedelta(seconds=1), maximum_interval=dt.timedelta(minutes=1)
)
NOTICE_RETRY = RetryPolicy(
    initial_interval=dt.timedelta(seconds=2),
    maximum_interval=dt.timedelta(minutes=5),
    maximum_attempts=12,
)
# Runs started from this change send each notice of the consolidated report as an activity of
# its own (the assignment's notice activity on the notices' queue, `effects.deliver`);
# an activity builds the list first. Runs started before keep the one activity that built and
# sent them all, and replay unchanged.
NOTICES_EACH_PATCH = "consolidation-notices-each"
# Runs started from this change are approved by whoever the plan's final-report rule makes
# the report's signer (`CompiledReport.approver`: the coordinating department's Director for
# its own report, the Vice-Chairman for the Committee's); runs started before keep the
# Vice-Chairman.
APPROVER_BY_PLAN_PATCH = "consolidation-approver-by-plan"
# Runs started from this change issue an approved report under the number and date its
# signer gives with the approval (`ConsolidationDecision.report_number`): the draft's blanks
# filled in (`PlanActivities.issue_consolidation`), and that copy sent to its recipients.
ISSUE_NUMBER_PATCH = "consolidation-issue-number"
APPROVER_VI = {
    "vice_chairman": "Phó Chủ tịch UBND tỉnh",
    "coordinator_director": "Giám đốc cơ quan đầu mối",
}


@workflow.defn(name="Consolidation")
class ConsolidationWorkflow:
    """One consolidated report of one plan year (or one period of a recurring final report),
    from compilation to approval."""

    @workflow.init
    def __init__(self, input: ConsolidationRunInput) -> None:
        self.input = input
        self.clock = PlanClock(speed=input.options.speed, origin=input.options.clock_origin)
        self.state = ConsolidationState(status="compiling")
        self.decision: ConsolidationDecision | None = None
        self.version = 0
        self.approver = "vice_chairman"

    @workflow.run
    async def run(self, input: ConsolidationRunInput) -> ConsolidationState:
        while True:
            self.version += 1
            compiled = await workflow.execute_activity_method(
                PlanActivities.compile_consolidation,
                CompileRequest(
                    plan_id=input.plan_id,
                    year=input.year,
                    duty_id=input.duty_id,
                    report_date=self.clock.now().astimezone(VN_TZ).date(),
                    version=self.version,
                    period=input.period,
                ),
                start_to_close_timeout=dt.timedelta(minutes=5),
                retry_policy=RETRY,
                summary=f"Tổng hợp báo cáo (bản {self.version})",
            )
            if compiled.approver and workflow.patched(APPROVER_BY_PLAN_PATCH):
                self.approver = compiled.approver
            self.state = self.state.model_copy(
                update={
                    "status": "awaiting_approval",
                    "document_id": compiled.document_id,
                    "accepted": compiled.accepted,
                    "late": compiled.late,
                    "missing": compiled.missing,
                }
            )
            self._show()
            await self._notify("consolidation_ready", compiled.document_id)
            self.decision = None
            await workflow.wait_condition(
                lambda: self.decision is not None, timeout_summary="Chờ Phó Chủ tịch duyệt"
            )
            decision = self.decision
            assert decision is not None
            verdict = "duyệt" if decision.approve else f"trả lại: {decision.reason}"
            self.state = self.state.model_copy(
                update={
                    "decisions": [*self.state.decisions, f"{decision.actor.email} {verdict}"],
                    "status": "approved" if decision.approve else "returned",
                }
            )
            if decision.approve:
                issued = compiled.document_id
                if decision.report_number and workflow.patched(ISSUE_NUMBER_PATCH):
                    day = decision.issued_on or self.clock.now().astimezone(VN_TZ).date()
                    issued = await workflow.execute_activity_method(
                        PlanActivities.issue_consolidation,
                        IssueReport(
                            document_id=compiled.document_id,
                            plan_id=input.plan_id,
                            report_number=decision.report_number,
                            issued_on=day,
                        ),
                        start_to_close_timeout=dt.timedelta(minutes=2),
                        retry_policy=RETRY,
                        summary=f"Ban hành báo cáo số {decision.report_number}",
                    )
                    self.state = self.state.model_copy(update={"issued_document_id": issued})
                await self._notify("consolidation_approved", issued)
                self._show()
                await workflow.wait_condition(workflow.all_handlers_finished)
                return self.state

    async def _notify(
        self, kind: Literal["consolidation_ready", "consolidation_approved"], document_id: str
    ) -> None:
        notice = ConsolidationNotice(
            plan_id=self.input.plan_id,
            document_id=document_id,
            idempotency_key=f"{workflow.info().workflow_id}/{kind}/{self.version}",
            kind=kind,
        )
        summary = (
            "Gửi báo cáo tổng hợp"
            if kind == "consolidation_approved"
            else "Trình Phó Chủ tịch duyệt báo cáo tổng hợp"
        )
        if not workflow.patched(NOTICES_EACH_PATCH):
            await self._notify_in_one_activity(notice, summary)
            return
        requests = await workflow.execute_activity_method(
            PlanActivities.consolidation_notices,
            notice,
            start_to_close_timeout=dt.timedelta(minutes=1),
            retry_policy=RETRY,
            summary=f"{summary}: người nhận",
        )
        queue = notice_task_queue(workflow.info().task_queue)
        for request in requests:
            failure = await effects.deliver(request, task_queue=queue)
            if failure is not None:
                workflow.logger.warning(
                    "consolidation notice %s given up: %s", request.idempotency_key, failure
                )

    async def _notify_in_one_activity(self, notice: ConsolidationNotice, summary: str) -> None:
        """Runs started before NOTICES_EACH_PATCH: one activity built and sent every notice."""
        try:
            await workflow.execute_activity_method(
                PlanActivities.notify_consolidation,
                notice,
                start_to_close_timeout=dt.timedelta(minutes=2),
                retry_policy=NOTICE_RETRY,
                summary=summary,
            )
        except ActivityError as err:
            workflow.logger.warning("consolidation notice not sent: %s", err)

    def _show(self) -> None:
        s = self.state
        workflow.set_current_details(
            "\n\n".join(
                [
                    f"Trạng thái: {s.status}; tài liệu: {s.document_id}",
                    f"Đã chấp nhận: {len(s.accepted)}; quá hạn: {len(s.late)}; "
                    f"thiếu: {len(s.missing)}",
                ]
            )
        )

    @workflow.update
    def decide(self, decision: ConsolidationDecision) -> ConsolidationState:
        """The Vice-Chairman approves, or returns with a reason."""
        self._check(decision)
        self.decision = decision
        return self.state

    @decide.validator
    def _validate_decide(self, decision: ConsolidationDecision) -> None:
        self._check(decision)

    def _check(self, decision: ConsolidationDecision) -> None:
        if self.state.status != "awaiting_approval" or self.decision is not None:
            raise ApplicationError(
                "Báo cáo tổng hợp không ở bước chờ duyệt.", type="WrongState", non_retryable=True
            )
        if decision.actor.role != self.approver:
            raise ApplicationError(
                f"Chỉ {APPROVER_VI[self.approver]} duyệt báo cáo tổng hợp.",
                type="NotAllowed",
                non_retryable=True,
            )
        if not decision.approve and len((decision.reason or "").strip()) < 5:
            raise ApplicationError(
                "Cần ghi rõ lý do trả lại (ít nhất 5 ký tự).",
                type="ReasonRequired",
                non_retryable=True,
            )

    @workflow.query
    def current(self) -> ConsolidationState:
        return self.state
