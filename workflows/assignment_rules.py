"""Who may do what to an assignment, and when: the rules its update validators and handlers
share. A rule that does not hold raises `refuse(...)`: an ApplicationError whose Vietnamese
message reaches the person before anything is written to history."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.vocabulary import STATUS_VI, STEP_VI
    from schemas.assignment import (
        FINAL_STATUSES,
        MIN_REASON,
        Actor,
        SubmissionRecord,
        SubmitReport,
    )
    from schemas.plan import ApproverRole

OPEN_STATUSES: frozenset[str] = frozenset({"assigned", "returned"})
"""Statuses in which the agency still owes its report."""


def refuse(code: str, message_vi: str) -> ApplicationError:
    """An update refused: the Vietnamese reason goes to the person, the code to logs."""
    return ApplicationError(message_vi, type=code, non_retryable=True)


def check_not_final(status: str) -> None:
    """Nothing changes a finished assignment."""
    if status in FINAL_STATUSES:
        raise refuse("WrongState", f"Nhiệm vụ đã kết thúc ({STATUS_VI[status]}).")


def check_coordinator(actor: Actor, *, coordinator: str) -> None:
    """Only the coordinating department's people amend an assignment."""
    if actor.agency != coordinator or actor.role not in ("coordinator", "coordinator_director"):
        raise refuse("NotAllowed", "Chỉ cơ quan đầu mối (Sở TT&TT) được làm việc này.")


def check_reason(reason: str) -> None:
    """A return, cancellation or extension says why."""
    if len(reason.strip()) < MIN_REASON:
        raise refuse("ReasonRequired", f"Cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự).")


def check_decider(
    actor: Actor, *, status: str, step: ApproverRole | None, agency: str, coordinator: str,
    submissions: list[SubmissionRecord],
) -> None:
    """The pending step is `actor`'s to decide, and the submitter never approves their own."""
    if status != "submitted":
        raise refuse(
            "WrongState", f"Chưa có báo cáo chờ duyệt (trạng thái: {STATUS_VI[status]})."
        )
    assert step is not None
    allowed = {
        "agency_leader": actor.role == "leader" and actor.agency == agency,
        "coordinator": actor.agency == coordinator
        and actor.role in ("coordinator", "coordinator_director"),
        "coordinator_director": actor.agency == coordinator
        and actor.role == "coordinator_director",
        "vice_chairman": actor.role == "vice_chairman",
    }[step]
    if not allowed:
        raise refuse("NotAllowed", f"Bước này do {STEP_VI[step]} duyệt.")
    if submissions and actor.email.lower() == submissions[-1].submitted_by.lower():
        raise refuse("SelfApproval", "Người nộp báo cáo không được tự duyệt báo cáo của mình.")


def check_submit(update: SubmitReport, *, status: str, agency: str) -> None:
    """The assigned agency's people (or its own system) submit, while a report is owed."""
    if status not in OPEN_STATUSES:
        raise refuse(
            "WrongState", f"Không thể nộp lúc này (trạng thái: {STATUS_VI[status]})."
        )
    if update.actor.agency != agency or update.actor.role not in ("focal", "leader", "system"):
        raise refuse("WrongAgency", "Chỉ cơ quan được giao mới nộp được báo cáo này.")
    if not update.body.strip():
        raise refuse("EmptyReport", "Báo cáo không được để trống.")
