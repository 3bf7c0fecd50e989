"""`kehoach directory check FILE`: a province's agency directory on its own, with its dated
mergers and renamings, before any plan loads it."""

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from domain.planfile import check_directory
from domain.succession import succession_vi
from kehoach.cli_common import friendly_errors, out
from schemas.calendar import VN_TZ

directory_app = typer.Typer(no_args_is_help=True, help="Danh bạ cơ quan của tỉnh.")


@directory_app.command("check")
@friendly_errors
def check_command(
    file: Annotated[Path, typer.Argument(help="Tệp danh bạ YAML (plans/directories/…).")],
) -> None:
    """Kiểm tra danh bạ: mã trùng, nhóm, và các thay đổi sáp nhập, đổi tên có ngày hiệu lực."""
    directory = check_directory(file)
    today = dt.datetime.now(VN_TZ).date()
    out.print(
        f"Danh bạ {directory.province} (phiên bản {directory.as_of:%d/%m/%Y}): "
        f"{len(directory.agencies)} cơ quan, {len(directory.groups)} nhóm.",
        markup=False,
        highlight=False,
    )
    names = {a.code: a.name for a in directory.agencies}
    changes = directory.successions()
    if not changes:
        out.print("Không có thay đổi sáp nhập, đổi tên.", markup=False)
    for change in changes:
        out.print("Sáp nhập, đổi tên: " + succession_vi(change, names, today=today), markup=False)
