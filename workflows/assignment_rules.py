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
        OPEN_STATUSES,
        Actor,
        SubmissionRecord,
        SubmitReport,
    )
    from schemas.plan import ApproverRole


# Who reports for an agency: its focal official and leader; for the coordinator's own and
# the office's own assignments, their people (whose roles name what else they do).
SUBMITTER_ROLES = frozenset(
    {"focal", "leader", "coordinator", "coordinator_director", "office", "system"}
)
# Who decides the agency leader's step: the agency's leader; the coordinator's director for
# its own agency; either person of the office (the self-approval rule keeps the submitter
# out). A leader-like submitter signs the report by sending it (see `submit_report`).
AGENCY_LEADER_ROLES = frozenset({"leader", "coordinator_director", "office"})
SIGNING_SUBMITTER_ROLES = frozenset({"leader", "coordinator_director"})


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
        raise refuse("NotAllowed", "Chỉ cơ quan đầu mối được làm việc này.")


def check_reroute(
    actor: Actor,
    *,
    status: str,
    agency: str,
    coordinator: str,
    from_agency: str,
    to_agency: str,
) -> None:
    """A merger or renaming moves an unfinished assignment of the agency it names, once:
    sent by the directory's loader (role system) or the coordinator."""
    if actor.role != "system":
        check_coordinator(actor, coordinator=coordinator)
    check_not_final(status)
    if agency == to_agency:
        raise refuse("AlreadyMoved", f"Nhiệm vụ đã thuộc {to_agency}.")
    if agency != from_agency:
        raise refuse(
            "WrongAgency", f"Nhiệm vụ thuộc {agency}, không phải {from_agency}: không chuyển."
        )


def check_reason(reason: str) -> None:
    """A return, cancellation or extension says why."""
    if len(reason.strip()) < MIN_REASON:
        raise refuse("ReasonRequired", f"Cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự).")


def check_decider(
    actor: Actor,
    *,
    status: str,
    step: ApproverRole | None,
    agency: str,
    coordinator: str,
    submissions: list[SubmissionRecord],
    version: int | None = None,
) -> None:
    """The pending step is `actor`'s to decide, the submitter never approves their own, and a
    decision made on `version` is refused once a newer version is in."""
    if status != "submitted":
        raise refuse("WrongState", f"Chưa có báo cáo chờ duyệt (trạng thái: {STATUS_VI[status]}).")
    assert step is not None
    allowed = {
        "agency_leader": actor.role in AGENCY_LEADER_ROLES and actor.agency == agency,
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
    current = submissions[-1].version if submissions else None
    if version is not None and version != current:
        raise refuse(
            "StaleVersion",
            f"Quyết định này dành cho phiên bản {version} của báo cáo, nhưng cơ quan đã nộp "
            f"phiên bản {current}. Hãy xem phiên bản mới trước khi duyệt hoặc trả lại.",
        )


def check_submit(update: SubmitReport, *, status: str, agency: str) -> None:
    """The assigned agency's people (or its own system) submit, while a report is owed."""
    if status not in OPEN_STATUSES:
        raise refuse("WrongState", f"Không thể nộp lúc này (trạng thái: {STATUS_VI[status]}).")
    if update.actor.agency != agency or update.actor.role not in SUBMITTER_ROLES:
        raise refuse("WrongAgency", "Chỉ cơ quan được giao mới nộp được báo cáo này.")
    if not update.body.strip():
        raise refuse("EmptyReport", "Báo cáo không được để trống.")
