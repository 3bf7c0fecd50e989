"""`kehoach assignments …`: list, read and act on assignments through Temporal.

Every action is a workflow update: the workflow's validator decides, and its Vietnamese
reason is what the person reads ("Không thực hiện được: …", exit code 1). Who acts comes
from `--as EMAIL`, looked up in the plan's directory. Bad input (a date, a code, a file)
is refused with exit code 2 before Temporal is contacted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kehoach.calendar import VN_TZ
from kehoach.errors import KehoachError
from kehoach.people import actor_for
from kehoach.planfile import load_plan
from kehoach.settings import Settings, load_settings
from schemas.assignment import (
    MAX_REPORT_CHARS,
    Approve,
    AssignmentState,
    Cancel,
    ExtendDeadline,
    ReturnForRevision,
    SetDeadline,
    SubmitReport,
)

# Temporal's client and the workflow module load in a second; they are imported where a
# command needs them, so that `kehoach plan check` and --help stay instant.
if TYPE_CHECKING:
    from temporalio.client import (
        Client,
        WorkflowExecution,
        WorkflowExecutionDescription,
        WorkflowHandle,
    )
    from temporalio.workflow import UpdateMethodMultiParam

    from schemas.assignment import ActionResult, Actor
    from schemas.base import Model
    from workflows.assignment import AssignmentWorkflow

assignments_app = typer.Typer(
    no_args_is_help=True, help="Xem và xử lý các phân công (nhiệm vụ × cơ quan × kỳ)."
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

WORKFLOW_TYPE = "Assignment"  # @workflow.defn(name=...) of AssignmentWorkflow
UPDATE_TIMEOUT = dt.timedelta(seconds=30)
QUERY_TIMEOUT = dt.timedelta(seconds=15)
_connected = False  # whether this process has a Temporal client (see _exit_before_teardown)
DECISION_VI = {"approved": "duyệt", "returned": "trả lại"}
OUTCOME_VI = {"on_time": "đúng hạn", "late": "hoàn thành quá hạn"}
OPTION_OF_FIELD = {"body": "--file", "reason": "--reason", "comment": "--comment"}
# What a value may look like in a visibility query; anything else never reaches the server.
QUERY_VALUE = {
    "--agency": re.compile(r"^[A-Z][A-Z0-9_]{1,39}$"),
    "--duty": re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"),
    "--plan": re.compile(r"^\d+/[A-ZĐ-]+(-[A-ZĐ]+)*$"),
}
EXAMPLE = {"--agency": "SNGV", "--duty": "III.5.4", "--plan": "516/KH-UBND"}

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound="Model")

AssignmentId = Annotated[
    str, typer.Argument(help="Mã phân công, ví dụ 516-KH-UBND/III.5.4/SNGV/2023.")
]
AsEmail = Annotated[
    str, typer.Option("--as", help="Địa chỉ thư của người thực hiện (theo danh bạ kế hoạch).")
]
Reason = Annotated[str, typer.Option("--reason", help="Lý do (ít nhất 5 ký tự).")]
AsJson = Annotated[bool, typer.Option("--json", help="In dạng JSON.")]


class Refused(Exception):
    """The workflow (or the server, for a finished one) refused the action; why, in Vietnamese."""

    def __init__(self, reason_vi: str) -> None:
        super().__init__(reason_vi)
        self.reason_vi = reason_vi


def _command(func: F) -> F:
    """Run under kehoach.cli's `friendly_errors` (looked up late: cli.py imports this module),
    then leave through `_exit_before_teardown`."""

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        from kehoach.cli import friendly_errors

        try:
            result = friendly_errors(func)(*args, **kwargs)
        except typer.Exit as done:
            _exit_before_teardown(done.exit_code)
            raise
        _exit_before_teardown(0)
        return result

    return guarded  # type: ignore[return-value]


def _exit_before_teardown(code: int) -> None:
    """End the process now if it talked to Temporal, skipping interpreter teardown.

    The client's Rust threads can touch the interpreter while it shuts down and abort a
    short-lived process ("Fatal Python error: PyGILState_Release", exit 134) after its
    work is done: temporalio/sdk-python#300, about one `list` in five here. Only a process
    of our own is ended this way; in-process callers (CliRunner replaces sys.stdout) return.
    """
    if not _connected or sys.stdout is not sys.__stdout__:
        return
    out.file.flush()  # sys.stdout, where JSON goes too
    err.file.flush()
    os._exit(code)


def _bad_input(message_vi: str) -> NoReturn:
    """A person typed something unusable: say what and what was expected; exit code 2."""
    err.print(f"[bold red]Lỗi:[/] {escape(message_vi)}", highlight=False)
    raise typer.Exit(2)


# --- input -----------------------------------------------------------------------------


def parse_day(value: str, *, option: str) -> dt.date:
    """A DD/MM/YYYY day as people in Viet Nam write it; exit code 2 otherwise."""
    try:
        return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError:
        _bad_input(f"{option}: ngày {value!r} không hợp lệ; cần dạng DD/MM/YYYY, ví dụ 31/12/2023.")


def read_report(path: Path) -> str:
    """The report's text (UTF-8, a BOM tolerated), refused if empty or too long."""
    try:
        with path.open(encoding="utf-8-sig") as file:
            body = file.read(MAX_REPORT_CHARS + 1)
    except UnicodeDecodeError:
        _bad_input(f"--file: tệp {path} không phải văn bản mã hóa UTF-8.")
    except FileNotFoundError:
        _bad_input(f"--file: không có tệp {path}.")
    except IsADirectoryError:
        _bad_input(f"--file: {path} là thư mục, cần một tệp văn bản.")
    except PermissionError:
        _bad_input(f"--file: không có quyền đọc tệp {path}.")
    except OSError as exc:
        _bad_input(f"--file: không đọc được tệp {path} ({exc.strerror or exc}).")
    if len(body) > MAX_REPORT_CHARS:
        _bad_input(
            f"--file: báo cáo dài hơn {MAX_REPORT_CHARS:,} ký tự (giới hạn cho phép); ".replace(
                ",", "."
            )
            + "hãy rút gọn, phần dài gửi dưới dạng tệp đính kèm qua cổng thông tin."
        )
    if not body.strip():
        _bad_input(f"--file: tệp {path} trống; báo cáo cần có nội dung.")
    return body


def _message(model: type[M], **fields: Any) -> M:
    """Build an update message; a field out of bounds is named by its option, in Vietnamese."""
    try:
        return model(**fields)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "?"
            option = OPTION_OF_FIELD.get(name, name)
            limit = error.get("ctx", {}).get("max_length")
            if error["type"] in ("string_too_long", "too_long") and limit is not None:
                problems.append(f"{option}: dài quá, tối đa {limit} ký tự")
            else:
                problems.append(f"{option}: {error['msg']}")
        _bad_input("; ".join(problems) + ".")


def _actor(settings: Settings, email: str) -> Actor:
    plan = load_plan(settings.plan_file, contacts_file=settings.contacts_file)
    return actor_for(plan, email, source="cli")


# --- Temporal --------------------------------------------------------------------------


def _workflow() -> type[AssignmentWorkflow]:
    from workflows.assignment import AssignmentWorkflow

    return AssignmentWorkflow


def status_vi(code: str | None) -> str:
    """A KehoachStatus value in Vietnamese ("overdue" is shown for late open assignments)."""
    from workflows.assignment import STATUS_VI

    return {**STATUS_VI, "overdue": "quá hạn"}.get(code or "", code or "—")


def _step_vi(step: str) -> str:
    from workflows.assignment import STEP_VI

    return STEP_VI.get(step, step)


async def _client(settings: Settings) -> Client:
    from temporalio.service import RPCError

    from kehoach.temporal import connect

    global _connected
    try:
        client = await connect(settings)
    except (RuntimeError, RPCError, OSError) as exc:
        raise KehoachError(
            f"cannot connect to Temporal at {settings.temporal_address}: {exc}",
            message_vi=f"Không kết nối được Temporal ở {settings.temporal_address} "
            "(kiểm tra TEMPORAL_ADDRESS và máy chủ Temporal).",
        ) from None
    _connected = True
    return client


def _not_found(assignment_id: str) -> KehoachError:
    return KehoachError(
        f"no workflow with id {assignment_id!r}",
        message_vi=f"Không tìm thấy phân công {assignment_id} (kiểm tra mã bằng "
        "`kehoach assignments list`).",
    )


async def _describe(handle: WorkflowHandle[Any, Any]) -> WorkflowExecutionDescription:
    from temporalio.service import RPCError, RPCStatusCode

    try:
        return await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise _not_found(handle.id) from None
        raise


async def _why_closed(handle: WorkflowHandle[Any, Any]) -> Refused:
    """The server refuses updates to a closed workflow (or raises if there is none)."""
    from temporalio.client import WorkflowExecutionStatus

    from schemas import search_attributes as sa

    description = await _describe(handle)
    if description.status == WorkflowExecutionStatus.COMPLETED:
        shown = description.typed_search_attributes.get(sa.STATUS)
        return Refused(f"Nhiệm vụ đã kết thúc ({status_vi(shown)}).")
    status = description.status.name if description.status else "?"
    return Refused(f"Tiến trình của phân công đã dừng (Temporal: {status}).")


async def act(
    settings: Settings,
    assignment_id: str,
    update: UpdateMethodMultiParam[[AssignmentWorkflow, M], ActionResult],
    message: M,
) -> ActionResult:
    """Send one update and wait for its result; a refusal becomes `Refused`."""
    from temporalio.client import (
        WorkflowUpdateFailedError,
        WorkflowUpdateRPCTimeoutOrCancelledError,
    )
    from temporalio.exceptions import ApplicationError
    from temporalio.service import RPCError, RPCStatusCode

    client = await _client(settings)
    handle = client.get_workflow_handle_for(_workflow().run, assignment_id)
    try:
        return await handle.execute_update(update, message, rpc_timeout=UPDATE_TIMEOUT)
    except WorkflowUpdateFailedError as exc:
        if isinstance(exc.cause, ApplicationError):
            raise Refused(exc.cause.message) from None
        raise
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise KehoachError(
            f"no answer to the update within {UPDATE_TIMEOUT}",
            message_vi=f"Chưa nhận được phản hồi sau {UPDATE_TIMEOUT.seconds} giây (worker có "
            "đang chạy không?). Yêu cầu có thể vẫn được xử lý sau; kiểm tra bằng "
            f"`kehoach assignments show {assignment_id}`.",
        ) from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:  # no such workflow, or it has closed
            raise await _why_closed(handle) from None
        raise


def _perform(
    assignment_id: str,
    email: str,
    update: UpdateMethodMultiParam[[AssignmentWorkflow, M], ActionResult],
    build: Callable[[Actor], M],
) -> None:
    settings = load_settings()
    message = build(_actor(settings, email))
    try:
        result = asyncio.run(act(settings, assignment_id, update, message))
    except Refused as refusal:
        err.print(f"Không thực hiện được: {refusal.reason_vi}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    out.print(result.message_vi, markup=False, highlight=False)


async def fetch_state(settings: Settings, assignment_id: str) -> AssignmentState:
    """The `state` query; a finished assignment's final state comes from its history."""
    from temporalio.client import WorkflowExecutionStatus, WorkflowQueryFailedError
    from temporalio.service import RPCError

    client = await _client(settings)
    workflow = _workflow()
    handle = client.get_workflow_handle_for(workflow.run, assignment_id)
    description = await _describe(handle)
    if description.status == WorkflowExecutionStatus.COMPLETED:
        return await handle.result()  # no worker needed for a closed one
    try:
        return await handle.query(workflow.state, rpc_timeout=QUERY_TIMEOUT)
    except (RPCError, WorkflowQueryFailedError) as exc:
        raise KehoachError(
            f"state query failed: {exc}",
            message_vi="Không đọc được trạng thái phân công (worker có đang chạy không?).",
        ) from None


def visibility_query(
    *, agency: str | None, status: str | None, duty: str | None, plan: str | None
) -> str:
    """The list filter on kehoach's typed search attributes, values checked before quoting."""
    from schemas import search_attributes as sa
    from workflows.assignment import STATUS_VI

    clauses = [f"WorkflowType = '{WORKFLOW_TYPE}'"]
    for option, attribute, value in (
        ("--plan", sa.PLAN, plan),
        ("--agency", sa.AGENCY, agency),
        ("--duty", sa.DUTY, duty),
    ):
        if value is None:
            continue
        if not QUERY_VALUE[option].fullmatch(value):
            _bad_input(f"{option}: giá trị {value!r} không hợp lệ; cần dạng như {EXAMPLE[option]}.")
        clauses.append(f"{attribute.name} = '{value}'")
    if status is not None:
        codes = [*STATUS_VI, "overdue"]
        if status not in codes:
            _bad_input(
                f"--status: giá trị {status!r} không hợp lệ; cần một trong: "
                + ", ".join(f"{code} ({status_vi(code)})" for code in codes)
                + "."
            )
        clauses.append(f"{sa.STATUS.name} = '{status}'")
    return " AND ".join(clauses)


# --- output ----------------------------------------------------------------------------


def _day(deadline: dt.datetime | None) -> str:
    """The last day a deadline instant (24:00 VN) closes, as DD/MM/YYYY."""
    if deadline is None:
        return "—"
    return f"{(deadline - dt.timedelta(seconds=1)).astimezone(VN_TZ):%d/%m/%Y}"


def _when(instant: dt.datetime) -> str:
    return f"{instant.astimezone(VN_TZ):%H:%M %d/%m/%Y}"


def _row(execution: WorkflowExecution) -> dict[str, Any]:
    from temporalio.client import WorkflowExecutionStatus

    from schemas import search_attributes as sa

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


async def list_rows(settings: Settings, query: str, *, limit: int) -> list[dict[str, Any]]:
    client = await _client(settings)
    rows = [_row(e) async for e in client.list_workflows(query, limit=limit)]
    return sorted(rows, key=lambda r: (r["deadline"] or "9999", r["id"]))


def _print_state(state: AssignmentState) -> None:
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
        out.print(f"Đang chờ duyệt: {_step_vi(state.pending_step)}", highlight=False)
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
            table.add_row(str(s.version), escape(s.submitted_by), _when(s.submitted_at),
                          str(s.attachments))
        out.print(table)
    if state.decisions:
        table = Table(title="Ý kiến duyệt")
        for column in ("Phiên bản", "Bước", "Quyết định", "Người", "Lý do / ý kiến", "Lúc"):
            table.add_column(column)
        for d in state.decisions:
            table.add_row(str(d.version), _step_vi(d.step), DECISION_VI[d.decision],
                          escape(d.actor), escape(d.reason or ""), _when(d.at))
        out.print(table)
    if state.extensions:
        table = Table(title="Gia hạn")
        for column in ("Hạn cũ", "Hạn mới", "Người gia hạn", "Lý do", "Lúc"):
            table.add_column(column)
        for e in state.extensions:
            before = f"{e.previous_last_day:%d/%m/%Y}" if e.previous_last_day else "—"
            table.add_row(before, f"{e.new_last_day:%d/%m/%Y}", escape(e.by), escape(e.reason),
                          _when(e.at))
        out.print(table)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


# --- commands --------------------------------------------------------------------------


@assignments_app.command("list")
@_command
def list_command(
    agency: Annotated[str | None, typer.Option("--agency", help="Mã cơ quan, ví dụ SNGV.")] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="assigned, submitted, returned, overdue, accepted, "
                     "cancelled hoặc waived."),
    ] = None,
    duty: Annotated[str | None, typer.Option("--duty", help="Mã nhiệm vụ, ví dụ III.5.4.")] = None,
    plan: Annotated[
        str | None, typer.Option("--plan", help="Số kế hoạch, ví dụ 516/KH-UBND.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Tối đa bao nhiêu dòng.")] = 1000,
    as_json: AsJson = False,
) -> None:
    """Liệt kê phân công theo cơ quan, trạng thái, nhiệm vụ, kế hoạch (truy vấn Temporal)."""
    query = visibility_query(agency=agency, status=status, duty=duty, plan=plan)
    rows = asyncio.run(list_rows(load_settings(), query, limit=limit))
    if as_json:
        _print_json(rows)
        return
    if not rows:
        out.print("Không có phân công nào khớp điều kiện.")
        return
    table = Table(title=f"Phân công ({len(rows)})")
    for column in ("Mã phân công", "Cơ quan", "Nhiệm vụ", "Kỳ", "Trạng thái", "Hạn"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(escape(str(row[key] or "—")) for key in
                        ("id", "agency", "duty", "period", "status_vi", "last_day")))
    out.print(table)


@assignments_app.command("show")
@_command
def show_command(assignment_id: AssignmentId, as_json: AsJson = False) -> None:
    """Xem trạng thái đầy đủ của một phân công."""
    state = asyncio.run(fetch_state(load_settings(), assignment_id))
    if as_json:
        _print_json(state.model_dump(mode="json"))
    else:
        _print_state(state)


@assignments_app.command("submit")
@_command
def submit_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    file: Annotated[Path, typer.Option("--file", help="Tệp văn bản báo cáo (UTF-8).")],
) -> None:
    """Nộp báo cáo (đầu mối hoặc lãnh đạo cơ quan được giao)."""
    body = read_report(file)
    _perform(assignment_id, email, _workflow().submit_report,
             lambda actor: _message(SubmitReport, actor=actor, body=body))


@assignments_app.command("approve")
@_command
def approve_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    comment: Annotated[str | None, typer.Option("--comment", help="Ý kiến kèm theo.")] = None,
) -> None:
    """Duyệt báo cáo ở bước đang chờ."""
    _perform(assignment_id, email, _workflow().approve,
             lambda actor: _message(Approve, actor=actor, comment=comment))


@assignments_app.command("return")
@_command
def return_command(assignment_id: AssignmentId, email: AsEmail, reason: Reason) -> None:
    """Trả lại báo cáo để chỉnh sửa, kèm lý do."""
    _perform(assignment_id, email, _workflow().return_for_revision,
             lambda actor: _message(ReturnForRevision, actor=actor, reason=reason))


@assignments_app.command("extend")
@_command
def extend_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    until: Annotated[str, typer.Option("--until", help="Hạn mới, DD/MM/YYYY.")],
    reason: Reason,
) -> None:
    """Gia hạn (cơ quan đầu mối); hạn ban đầu vẫn được giữ để tính đúng hạn."""
    day = parse_day(until, option="--until")
    _perform(assignment_id, email, _workflow().extend_deadline,
             lambda actor: _message(ExtendDeadline, actor=actor, new_last_day=day, reason=reason))


@assignments_app.command("set-deadline")
@_command
def set_deadline_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    date: Annotated[str, typer.Option("--date", help="Hạn, DD/MM/YYYY.")],
) -> None:
    """Đặt hạn cho nhiệm vụ kế hoạch chưa nêu hạn (cơ quan đầu mối)."""
    day = parse_day(date, option="--date")
    _perform(assignment_id, email, _workflow().set_deadline,
             lambda actor: _message(SetDeadline, actor=actor, last_day=day))


@assignments_app.command("cancel")
@_command
def cancel_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    reason: Reason,
    waive: Annotated[bool, typer.Option("--waive", help="Miễn thay vì hủy.")] = False,
) -> None:
    """Hủy (hoặc miễn) phân công (cơ quan đầu mối)."""
    _perform(assignment_id, email, _workflow().cancel,
             lambda actor: _message(Cancel, actor=actor, reason=reason, waive=waive))
