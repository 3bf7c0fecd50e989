"""`kehoach notices failed`: the notices that did not reach someone, for the coordinator to
follow up by telephone or by hand. Read from the store's audit log (`notice_failed`): a
delivery refused for good (one line per address) or a notice given up after hours of
retries while the mail relay or the store was away (one line per notice)."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.table import Table

from adapters.settings import load_settings
from kehoach.cli_common import command, out
from schemas.errors import KehoachError
from schemas.store import AuditEntry

notices_app = typer.Typer(no_args_is_help=True, help="Thông báo chưa gửi được.")


async def notice_failures(
    database_url: str, *, plan_id: str | None, limit: int
) -> list[AuditEntry]:
    """The newest `notice_failed` entries, of one plan or all."""
    from workers.main import open_store

    async with open_store(database_url, max_size=1, wait=10.0) as store:
        return await store.list_notice_failures(plan_id=plan_id, limit=limit)


@notices_app.command("failed")
@command
def failed_command(
    plan: Annotated[
        str | None, typer.Option("--plan", help="Số kế hoạch, ví dụ 516/KH-UBND.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Tối đa bao nhiêu dòng.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
) -> None:
    """Thông báo không gửi được (mới nhất trước): cần liên hệ trực tiếp với người nhận."""
    settings = load_settings()
    if settings.database_url is None:
        raise KehoachError(
            "KEHOACH_DATABASE_URL is not set",
            message_vi="Chưa đặt KEHOACH_DATABASE_URL (địa chỉ PostgreSQL).",
        )
    entries = asyncio.run(
        notice_failures(settings.database_url.get_secret_value(), plan_id=plan, limit=limit)
    )
    if as_json:
        out.print_json(json.dumps([e.model_dump(mode="json") for e in entries], ensure_ascii=False))
        return
    table = Table(title=f"Thông báo chưa gửi được: {len(entries)}")
    for column in ("Lúc", "Phân công", "Loại", "Người nhận", "Lỗi"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            f"{e.at:%d/%m/%Y %H:%M}",
            e.subject,
            str(e.detail.get("kind", "")),
            str(e.detail.get("recipient") or "(cả thông báo)"),
            str(e.detail.get("error", ""))[:120],
        )
    out.print(table)
