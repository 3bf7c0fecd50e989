"""What every `kehoach` command shares: consoles, Vietnamese errors and exit codes, input
parsing, the directory lookup of who acts, and the Temporal connection.

Exit codes: 0 done, 1 refused or failed (the reason in Vietnamese), 2 bad input.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from adapters.settings import Settings
from domain.people import actor_for
from domain.planfile import load_plan
from schemas.assignment import MAX_REPORT_CHARS
from schemas.errors import KehoachError, PlanError

# Temporal's client loads in a second; it is imported where a command needs it, so that
# `kehoach plan check` and --help stay instant.
if TYPE_CHECKING:
    from temporalio.client import Client

    from schemas.assignment import Actor
    from schemas.base import Model

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound="Model")
T = TypeVar("T")
OPTION_OF_FIELD = {"body": "--file", "reason": "--reason", "comment": "--comment"}
_connected = False  # whether this process has a Temporal client (see _exit_before_teardown)


def friendly_errors(func: F) -> F:
    """Turn every failure into a short Vietnamese message and exit code 1 (2 for bad input)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PlanError as exc:
            err.print(f"[bold red]Lỗi:[/] {exc.message_vi} ({len(exc.problems)} lỗi)")
            for problem in exc.problems:
                err.print("  " + problem.render(), markup=False, highlight=False)
            raise typer.Exit(2) from None
        except KehoachError as exc:
            err.print(f"[bold red]Lỗi:[/] {exc.message_vi}", highlight=False)
            err.print(f"  ({exc.message})", markup=False, highlight=False)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # the last guard: no traceback reaches a person
            err.print("[bold red]Lỗi không mong đợi.[/] Chi tiết kỹ thuật:", highlight=False)
            err.print(f"  {type(exc).__name__}: {exc}", markup=False, highlight=False)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def command(func: F) -> F:
    """Run under `friendly_errors`, then leave through `_exit_before_teardown`."""

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
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


def bad_input(message_vi: str) -> NoReturn:
    """A person typed something unusable: say what and what was expected; exit code 2."""
    err.print(f"[bold red]Lỗi:[/] {escape(message_vi)}", highlight=False)
    raise typer.Exit(2)


def parse_day(value: str, *, option: str) -> dt.date:
    """A DD/MM/YYYY day as people in Viet Nam write it; exit code 2 otherwise."""
    from domain.days import parse_day as parse

    try:
        return parse(value)
    except ValueError as err:
        bad_input(f"{option}: {err}")


def read_report(path: Path) -> str:
    """The report's text (UTF-8, a BOM tolerated), refused if empty or too long."""
    try:
        with path.open(encoding="utf-8-sig") as file:
            body = file.read(MAX_REPORT_CHARS + 1)
    except UnicodeDecodeError:
        bad_input(f"--file: tệp {path} không phải văn bản mã hóa UTF-8.")
    except FileNotFoundError:
        bad_input(f"--file: không có tệp {path}.")
    except IsADirectoryError:
        bad_input(f"--file: {path} là thư mục, cần một tệp văn bản.")
    except PermissionError:
        bad_input(f"--file: không có quyền đọc tệp {path}.")
    except OSError as exc:
        bad_input(f"--file: không đọc được tệp {path} ({exc.strerror or exc}).")
    if len(body) > MAX_REPORT_CHARS:
        bad_input(
            f"--file: báo cáo dài hơn {MAX_REPORT_CHARS:,} ký tự (giới hạn cho phép); ".replace(
                ",", "."
            )
            + "hãy rút gọn, phần dài gửi dưới dạng tệp đính kèm qua cổng thông tin."
        )
    if not body.strip():
        bad_input(f"--file: tệp {path} trống; báo cáo cần có nội dung.")
    return body


def message(model: type[M], **fields: Any) -> M:
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
        bad_input("; ".join(problems) + ".")


def actor(settings: Settings, email: str) -> Actor:
    plan = load_plan(settings.plan_file, contacts_file=settings.contacts_file)
    return actor_for(plan, email, source="cli")


# --- Temporal --------------------------------------------------------------------------


async def temporal_client(settings: Settings) -> Client:
    from temporalio.service import RPCError

    from client.connection import connect

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


RequestId = Annotated[
    str | None,
    typer.Option(
        "--request-id",
        help="Mã yêu cầu (UUID). Chạy lại lệnh với cùng mã khi chưa nhận được phản hồi: "
        "yêu cầu chỉ được thực hiện một lần.",
    ),
]


def run_action(
    action: Awaitable[T], *, check_with: str | None = None, request_id: str | None = None
) -> T:
    """Run one call to Temporal; a refusal is printed in Vietnamese with exit code 1. When
    no answer came, the request may still be carried out later: `check_with` names the
    command that shows whether it was, and `request_id` the id to send it again with."""
    from client.calls import Refused, Unavailable

    try:
        return asyncio.run(action)  # type: ignore[arg-type]
    except Refused as refusal:
        err.print(f"Không thực hiện được: {refusal.reason_vi}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except Unavailable:
        later = f"; kiểm tra bằng `{check_with}`" if check_with else ""
        again = (
            f" Gửi lại thì thêm --request-id {request_id} để yêu cầu chỉ được thực hiện một lần."
            if request_id
            else ""
        )
        err.print(
            "Chưa nhận được phản hồi (worker có đang chạy không?). Yêu cầu có thể vẫn "
            f"được xử lý sau{later}.{again}",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1) from None


def print_json(value: Any) -> None:
    """JSON on standard output, for scripts."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
