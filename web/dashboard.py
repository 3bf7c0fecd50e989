"""The coordinator's dashboard: counts per status, agency and duty, the overdue list, and
the same rows as CSV and .xlsx for the periodic reports the province publishes."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook
from openpyxl.styles import Font

from domain.vocabulary import LABEL_VI
from schemas.assignment import Actor
from web import progress, views
from web.portal import (
    COORDINATOR_ROLES,
    READ_ALL_ROLES,
    PageError,
    Portal,
    now,
    portal_of,
    render,
    signed_in,
)

router = APIRouter(include_in_schema=False)
Resources = Annotated[Portal, Depends(portal_of)]
COLUMNS: list[tuple[str, str]] = [
    ("id", "Mã phân công"),
    ("agency_code", "Mã cơ quan"),
    ("agency_name", "Cơ quan"),
    ("clause", "Mục"),
    ("period", "Kỳ"),
    ("last_day", "Hạn (hết ngày)"),
    ("status_vi", "Trạng thái"),
    ("label_vi", "Tiến độ"),
]


def coordinator_view(me: Annotated[Actor, Depends(signed_in)]) -> Actor:
    """The dashboard is for the coordinator, the office and the issuer (403 otherwise)."""
    if me.role not in READ_ALL_ROLES:
        raise PageError(
            403, "Không có quyền", "Trang tổng hợp dành cho cơ quan đầu mối và Văn phòng UBND tỉnh."
        )
    return me


Viewer = Annotated[Actor, Depends(coordinator_view)]


async def _counts(portal: Portal) -> dict[str, Any]:
    rows = await portal.store.list_assignments(plan_id=portal.plan_id)
    return views.counts(portal, rows, now=now())


@router.get("/dashboard")
async def dashboard(request: Request, me: Viewer, portal: Resources) -> HTMLResponse:
    return render(
        request,
        "dashboard.html.j2",
        {
            "c": await _counts(portal),
            "labels": progress.LABELS,
            "can_announce": me.role in COORDINATOR_ROLES,
        },
    )


@router.get("/dashboard.csv")
async def dashboard_csv(me: Viewer, portal: Resources) -> Response:
    """Every assignment, one line each; UTF-8 with a BOM so Excel reads the Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in COLUMNS])
    for r in (await _counts(portal))["rows"]:
        writer.writerow([r[key] for key, _ in COLUMNS])
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tien-do.csv"'},
    )


@router.get("/dashboard.xlsx")
async def dashboard_xlsx(me: Viewer, portal: Resources) -> Response:
    """The summary per agency and every assignment, as two sheets."""
    c = await _counts(portal)
    book = Workbook()
    summary = book.active
    summary.title = "Theo cơ quan"
    summary.append(["Mã", "Cơ quan", "Tổng", *(LABEL_VI[k] for k in progress.LABELS)])
    for agency in c["per_agency"]:
        summary.append(
            [agency["code"], agency["name"], agency["total"], *(agency[k] for k in progress.LABELS)]
        )
    detail = book.create_sheet("Phân công")
    detail.append([title for _, title in COLUMNS])
    for r in c["rows"]:
        detail.append([r[key] for key, _ in COLUMNS])
    for sheet in (summary, detail):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="tien-do.xlsx"'},
    )
