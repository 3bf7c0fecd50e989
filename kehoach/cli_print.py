"""How `kehoach assignments` shows assignments: list rows, one state, its history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from domain.vocabulary import DECISION_VI, OUTCOME_VI, last_day_vi, moment_vi, status_vi, step_vi
from kehoach.cli_common import out
from schemas import search_attributes as sa
from schemas.assignment import AssignmentState

if TYPE_CHECKING:
    from temporalio.client import WorkflowExecution


def _day(deadline: dt.datetime | None) -> str:
    """The last day a deadline instant (24:00 VN) closes, as DD/MM/YYYY."""
    if deadline is None:
        return "—"
    return last_day_vi(deadline)


def _when(instant: dt.datetime) -> str:
    return moment_vi(instant)


def list_row(execution: WorkflowExecution) -> dict[str, Any]:
    from temporalio.client import WorkflowExecutionStatus

    attrs = execution.typed_search_attributes
    deadline = attrs.get(sa.DEADLINE)
    status = attrs.get(sa.STATUS)
    return {
        "id": execution.id,
        "plan": attrs.get(sa.PLAN),
        "agency": attrs.get(sa.AGENCY),
        "duty": attrs.get(sa.DUTY),
        "period": attrs.get(sa.PERIOD),
        "status": status,
        "status_vi": status_vi(status),
        "escalation_level": attrs.get(sa.ESCALATION_LEVEL),
        "deadline": deadline.isoformat() if deadline else None,
        "last_day": _day(deadline) if deadline else None,
        "running": execution.status == WorkflowExecutionStatus.RUNNING,
    }


def print_state(state: AssignmentState) -> None:
    out.print(f"[bold]Phân công:[/] {escape(state.assignment_id)}", highlight=False)
    out.print(f"Cơ quan: {state.agency}", highlight=False)
    status = status_vi(state.status) + (" — QUÁ HẠN" if state.overdue else "")
    out.print(f"Trạng thái: {status}", highlight=False)
    if state.last_day is None:
        out.print("Thời hạn: chưa có (cơ quan đầu mối sẽ đặt)", highlight=False)
    else:
        line = f"Thời hạn: hết ngày {state.last_day:%d/%m/%Y}"
        if state.deadline is not None and _day(state.deadline) != f"{state.last_day:%d/%m/%Y}":
            line += f" (rơi vào ngày nghỉ, lùi đến hết ngày {_day(state.deadline)})"
        if state.original_last_day and state.original_last_day != state.last_day:
            line += f"; hạn ban đầu: hết ngày {state.original_last_day:%d/%m/%Y}"
        out.print(line, highlight=False)
    out.print(f"Cấp đôn đốc quá hạn: {state.escalation_level}", highlight=False)
    if state.pending_step:
        out.print(f"Đang chờ duyệt: {step_vi(state.pending_step)}", highlight=False)
    if state.outcome:
        out.print(f"Kết quả: {OUTCOME_VI[state.outcome]}", highlight=False)
    if state.closed_reason:
        out.print(f"Lý do kết thúc: {state.closed_reason}", markup=False, highlight=False)
    _print_history(state)


def _print_history(state: AssignmentState) -> None:
    if not state.submissions:
        out.print("Chưa nộp báo cáo nào.")
    else:
        table = Table(title="Báo cáo đã nộp")
        for column in ("Phiên bản", "Người nộp", "Lúc", "Tệp đính kèm"):
            table.add_column(column)
        for s in state.submissions:
            table.add_row(
                str(s.version), escape(s.submitted_by), _when(s.submitted_at), str(s.attachments)
            )
        out.print(table)
    if state.decisions:
        table = Table(title="Ý kiến duyệt")
        for column in ("Phiên bản", "Bước", "Quyết định", "Người", "Lý do / ý kiến", "Lúc"):
            table.add_column(column)
        for d in state.decisions:
            table.add_row(
                str(d.version),
                step_vi(d.step),
                DECISION_VI[d.decision],
                escape(d.actor),
                escape(d.reason or ""),
                _when(d.at),
            )
        out.print(table)
    if state.extensions:
        table = Table(title="Gia hạn")
        for column in ("Hạn cũ", "Hạn mới", "Người gia hạn", "Lý do", "Lúc"):
            table.add_column(column)
        for e in state.extensions:
            before = f"{e.previous_last_day:%d/%m/%Y}" if e.previous_last_day else "—"
            table.add_row(
                before, f"{e.new_last_day:%d/%m/%Y}", escape(e.by), escape(e.reason), _when(e.at)
            )
        out.print(table)
