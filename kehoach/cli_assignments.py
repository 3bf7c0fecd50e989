"""`kehoach assignments …`: list, read and act on assignments through Temporal.

Every action is a workflow update: the workflow's validator decides, and its Vietnamese
reason is what the person reads ("Không thực hiện được: …", exit code 1). Who acts comes
from `--as EMAIL`, looked up in the plan's directory. Bad input (a date, a code, a file)
is refused with exit code 2 before Temporal is contacted.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from adapters.settings import Settings, load_settings
from domain.vocabulary import SHOWN_STATUS_VI, status_vi
from kehoach.cli_common import (
    RequestId,
    actor,
    bad_input,
    command,
    message,
    out,
    parse_day,
    print_json,
    read_report,
    run_action,
    temporal_client,
)
from kehoach.cli_print import list_row, print_state
from schemas import calls as wf
from schemas import search_attributes as sa
from schemas.assignment import (
    Approve,
    AssignmentState,
    Cancel,
    ExtendDeadline,
    ReturnForRevision,
    SetDeadline,
    SubmitReport,
)

if TYPE_CHECKING:
    from schemas.assignment import ActionResult, Actor
    from schemas.base import Model

M = TypeVar("M", bound="Model")

assignments_app = typer.Typer(
    no_args_is_help=True, help="Xem và xử lý các phân công (nhiệm vụ × cơ quan × kỳ)."
)

# What a value may look like in a visibility query; anything else never reaches the server.
QUERY_VALUE = {
    "--agency": re.compile(r"^[A-Z][A-Z0-9_]{1,39}$"),
    "--duty": re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"),
    "--plan": re.compile(r"^\d+/[A-ZĐ-]+(-[A-ZĐ]+)*$"),
}
EXAMPLE = {"--agency": "SNGV", "--duty": "III.5.4", "--plan": "516/KH-UBND"}

AssignmentId = Annotated[
    str, typer.Argument(help="Mã phân công, ví dụ 516-KH-UBND/III.5.4/SNGV/2023.")
]
AsEmail = Annotated[
    str, typer.Option("--as", help="Địa chỉ thư của người thực hiện (theo danh bạ kế hoạch).")
]
Reason = Annotated[str, typer.Option("--reason", help="Lý do (ít nhất 5 ký tự).")]
AsJson = Annotated[bool, typer.Option("--json", help="In dạng JSON.")]


def visibility_query(
    *, agency: str | None, status: str | None, duty: str | None, plan: str | None
) -> str:
    """The list filter on kehoach's typed search attributes, values checked before quoting."""
    clauses = [f"WorkflowType = '{wf.ASSIGNMENT}'"]
    for option, attribute, value in (
        ("--plan", sa.PLAN, plan),
        ("--agency", sa.AGENCY, agency),
        ("--duty", sa.DUTY, duty),
    ):
        if value is None:
            continue
        if not QUERY_VALUE[option].fullmatch(value):
            bad_input(f"{option}: giá trị {value!r} không hợp lệ; cần dạng như {EXAMPLE[option]}.")
        clauses.append(f"{attribute.name} = '{value}'")
    if status is not None:
        if status not in SHOWN_STATUS_VI:
            bad_input(
                f"--status: giá trị {status!r} không hợp lệ; cần một trong: "
                + ", ".join(f"{code} ({status_vi(code)})" for code in SHOWN_STATUS_VI)
                + "."
            )
        clauses.append(f"{sa.STATUS.name} = '{status}'")
    return " AND ".join(clauses)


async def list_rows(settings: Settings, query: str, *, limit: int) -> list[dict[str, Any]]:
    """The assignments the visibility query finds, by deadline."""
    client = await temporal_client(settings)
    rows = [list_row(e) async for e in client.list_workflows(query, limit=limit)]
    return sorted(rows, key=lambda r: (r["deadline"] or "9999", r["id"]))


async def fetch_state(settings: Settings, assignment_id: str) -> AssignmentState:
    """The assignment's state; a finished one's final state comes from its history."""
    from client.calls import assignment_state

    return await assignment_state(await temporal_client(settings), assignment_id)


def _perform(
    assignment_id: str,
    email: str,
    update: wf.Update[M, ActionResult],
    build: Callable[[Actor], M],
    *,
    request_id: str | None = None,
) -> None:
    """Send one update as the person with `email`; print what the workflow answered.

    Under the person's `--request-id` (or a fresh one, shown if no answer comes): the same
    command run again with it applies once (client.calls.person_update_id)."""
    from client import calls

    settings = load_settings()
    update_message = build(actor(settings, email))
    chosen = request_id or calls.request_id()
    update_id = calls.person_update_id(chosen, call=update, actor=email)

    async def send() -> ActionResult:
        return await calls.update(
            await temporal_client(settings),
            assignment_id,
            update,
            update_message,
            update_id=update_id,
        )

    result = run_action(
        send(), check_with=f"kehoach assignments show {assignment_id}", request_id=chosen
    )
    out.print(result.message_vi, markup=False, highlight=False)


# --- commands --------------------------------------------------------------------------


@assignments_app.command("list")
@command
def list_command(
    agency: Annotated[str | None, typer.Option("--agency", help="Mã cơ quan, ví dụ SNGV.")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="assigned, submitted, returned, overdue, accepted, cancelled, waived hoặc ended.",
        ),
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
        print_json(rows)
        return
    if not rows:
        out.print("Không có phân công nào khớp điều kiện.")
        return
    table = Table(title=f"Phân công ({len(rows)})")
    for column in ("Mã phân công", "Cơ quan", "Nhiệm vụ", "Kỳ", "Trạng thái", "Hạn"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            *(
                escape(str(row[key] or "—"))
                for key in ("id", "agency", "duty", "period", "status_vi", "last_day")
            )
        )
    out.print(table)


@assignments_app.command("show")
@command
def show_command(assignment_id: AssignmentId, as_json: AsJson = False) -> None:
    """Xem trạng thái đầy đủ của một phân công."""
    state = asyncio.run(fetch_state(load_settings(), assignment_id))
    if as_json:
        print_json(state.model_dump(mode="json"))
    else:
        print_state(state)


@assignments_app.command("submit")
@command
def submit_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    file: Annotated[Path, typer.Option("--file", help="Tệp văn bản báo cáo (UTF-8).")],
    request_id: RequestId = None,
) -> None:
    """Nộp báo cáo (đầu mối hoặc lãnh đạo cơ quan được giao)."""
    body = read_report(file)
    _perform(
        assignment_id,
        email,
        wf.SUBMIT_REPORT,
        lambda who: message(SubmitReport, actor=who, body=body),
        request_id=request_id,
    )


@assignments_app.command("approve")
@command
def approve_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    comment: Annotated[str | None, typer.Option("--comment", help="Ý kiến kèm theo.")] = None,
    request_id: RequestId = None,
) -> None:
    """Duyệt báo cáo ở bước đang chờ."""
    _perform(
        assignment_id,
        email,
        wf.APPROVE,
        lambda who: message(Approve, actor=who, comment=comment),
        request_id=request_id,
    )


@assignments_app.command("return")
@command
def return_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    reason: Reason,
    request_id: RequestId = None,
) -> None:
    """Trả lại báo cáo để chỉnh sửa, kèm lý do."""
    _perform(
        assignment_id,
        email,
        wf.RETURN_FOR_REVISION,
        lambda who: message(ReturnForRevision, actor=who, reason=reason),
        request_id=request_id,
    )


@assignments_app.command("extend")
@command
def extend_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    until: Annotated[str, typer.Option("--until", help="Hạn mới, DD/MM/YYYY.")],
    reason: Reason,
    request_id: RequestId = None,
) -> None:
    """Gia hạn (cơ quan đầu mối); hạn ban đầu vẫn được giữ để tính đúng hạn."""
    day = parse_day(until, option="--until")
    _perform(
        assignment_id,
        email,
        wf.EXTEND_DEADLINE,
        lambda who: message(ExtendDeadline, actor=who, new_last_day=day, reason=reason),
        request_id=request_id,
    )


@assignments_app.command("set-deadline")
@command
def set_deadline_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    date: Annotated[str, typer.Option("--date", help="Hạn, DD/MM/YYYY.")],
    request_id: RequestId = None,
) -> None:
    """Đặt hạn cho nhiệm vụ kế hoạch chưa nêu hạn (cơ quan đầu mối)."""
    day = parse_day(date, option="--date")
    _perform(
        assignment_id,
        email,
        wf.SET_DEADLINE,
        lambda who: message(SetDeadline, actor=who, last_day=day),
        request_id=request_id,
    )


@assignments_app.command("cancel")
@command
def cancel_command(
    assignment_id: AssignmentId,
    email: AsEmail,
    reason: Reason,
    waive: Annotated[bool, typer.Option("--waive", help="Miễn thay vì hủy.")] = False,
    request_id: RequestId = None,
) -> None:
    """Hủy (hoặc miễn) phân công (cơ quan đầu mối)."""
    _perform(
        assignment_id,
        email,
        wf.CANCEL,
        lambda who: message(Cancel, actor=who, reason=reason, waive=waive),
        request_id=request_id,
    )
