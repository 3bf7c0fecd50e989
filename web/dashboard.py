"""The coordinator's dashboard over every plan: the plans with their counts, counts per
status, agency and duty, a page of the overdue (or any label's) rows, and the same rows as
CSV and .xlsx for the periodic reports the province publishes. A plan, an agency and a label
can be chosen; every count and page comes from the store's SQL."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from adapters.store.listing import GroupColumn
from domain.vocabulary import LABEL_VI, STATUS_VI
from schemas.assignment import Actor
from schemas.errors import NotFound
from schemas.store import AssignmentFilter, LabelCount
from web import progress, views
from web.portal import (
    COORDINATOR_ROLES,
    READ_ALL_ROLES,
    PageError,
    Portal,
    chosen,
    now,
    offset_of,
    portal_of,
    render,
    signed_in,
)

router = APIRouter(include_in_schema=False)
Resources = Annotated[Portal, Depends(portal_of)]
COLUMNS: tuple[str, ...] = (
    "Mã phân công",
    "Kế hoạch",
    "Mã cơ quan",
    "Cơ quan",
    "Mục",
    "Kỳ",
    "Hạn (hết ngày)",
    "Trạng thái",
    "Tiến độ",
)


def coordinator_view(me: Annotated[Actor, Depends(signed_in)]) -> Actor:
    """The dashboard is for the coordinator, the office and the issuer (403 otherwise)."""
    if me.role not in READ_ALL_ROLES:
        raise PageError(
            403, "Không có quyền", "Trang tổng hợp dành cho cơ quan đầu mối và Văn phòng UBND tỉnh."
        )
    return me


Viewer = Annotated[Actor, Depends(coordinator_view)]


def chosen_filter(request: Request) -> AssignmentFilter:
    """The plan, agency and label chosen in the query string (any when not chosen), among
    the plans of the portal's directory (province)."""
    label = chosen(request, "label")
    return AssignmentFilter(
        plan_id=chosen(request, "plan"),
        agency_code=chosen(request, "agency"),
        label=label if label in progress.LABELS else None,
        directory=portal_of(request).plan.directory,
    )


async def _counts(portal: Portal, f: AssignmentFilter, *, at: dt.datetime) -> dict[str, Any]:
    """The dashboard's numbers for the chosen assignments, all counted by the store in one
    pass; with nothing chosen, the plan list's counts come from the same pass."""
    whole = f.model_copy(update={"label": None})
    store = portal.store
    by_duty = f.plan_id is not None
    every = whole == AssignmentFilter(directory=f.directory)
    sets: list[tuple[GroupColumn, ...]] = [(), ("status",), ("agency_code",)]
    extra: list[tuple[GroupColumn, ...]] = (
        [("duty_id",)] if by_duty else [("plan_id",)] if every else []
    )
    if every:
        counted = await store.count_assignment_sets(whole, now=at, sets=[*sets, *extra])
        plans = await store.plan_summaries(now=at, counted=counted[3], directory=f.directory)
    else:  # the plan list counts every plan: a pass of its own, at the same time
        counted, plans = await asyncio.gather(
            store.count_assignment_sets(whole, now=at, sets=[*sets, *extra]),
            store.plan_summaries(now=at, directory=f.directory),
        )
    [total], by_status, by_agency = counted[:3]
    names = await store.agency_names([c.key[0] for c in by_agency], directory=portal.plan.directory)
    per_duty: list[dict[str, Any]] = []
    if by_duty:
        try:
            plan = await portal.plans.get(str(f.plan_id))
        except NotFound:
            plan = None
        clauses = {d.id: d.clause for d in plan.duties} if plan else {}
        per_duty = [
            {"clause": clauses.get(c.key[0], c.key[0]), "total": c.total, **_labels(c)}
            for c in counted[3]
        ]
    return {
        "total": total.total,
        "by_label": _labels(total),
        "by_status": {c.key[0]: c.total for c in by_status},
        "per_agency": [
            {
                "code": c.key[0],
                "name": names.get(c.key[0], c.key[0]),
                "total": c.total,
                **_labels(c),
            }
            for c in by_agency
        ],
        "per_duty": per_duty,
        "plans": plans,
    }


def _labels(c: LabelCount) -> dict[str, int]:
    return {k: c.counts.get(k, 0) for k in progress.LABELS}


@router.get("/dashboard")
async def dashboard(request: Request, me: Viewer, portal: Resources) -> HTMLResponse:
    """Every plan with its counts; the chosen assignments' counts by label, status, agency
    and (for one plan) duty; a page of the chosen label's rows (the overdue by default)."""
    f = chosen_filter(request)
    at = now()
    listed_label = f.label or "overdue"
    counts, page = await asyncio.gather(
        _counts(portal, f, at=at),
        portal.store.page_assignments(
            f.model_copy(update={"label": listed_label}),
            now=at,
            limit=views.PAGE_SIZE,
            offset=offset_of(request),
        ),
    )
    plans = counts["plans"]
    return render(
        request,
        "dashboard.html.j2",
        {
            "c": counts,
            "labels": progress.LABELS,
            "plans": plans,
            "plan_choices": {p.id: p.title for p in plans},
            "chosen": _chosen(f),
            "query": urlencode({k: v for k, v in _chosen(f).items() if v is not None}),
            "listed_label": listed_label,
            "rows": [views.listed(r) for r in page.rows],
            "pager": views.pager(page),
            "can_announce": me.role in COORDINATOR_ROLES,
        },
    )


def _chosen(f: AssignmentFilter) -> dict[str, str | None]:
    """The chosen filter under its query-string names (the filter form, the export links,
    the pager)."""
    return {"plan": f.plan_id, "agency": f.agency_code, "label": f.label}


async def _export_rows(portal: Portal, f: AssignmentFilter) -> list[list[Any]]:
    rows = await portal.store.export_assignments(f, now=now())
    days: dict[dt.datetime | None, str] = {}  # a plan's deadlines repeat: each written once
    for r in rows:
        if r[6] not in days:
            days[r[6]] = progress.last_day(r[6])
    return [[*r[:6], days[r[6]], STATUS_VI.get(r[7], r[7]), LABEL_VI[r[8]]] for r in rows]


CSV_CHUNK_ROWS = 2000


async def _csv_chunks(rows: list[list[Any]]) -> AsyncIterator[str]:
    """The CSV text in pieces of CSV_CHUNK_ROWS lines, so a province-wide export is sent as
    it is written instead of being held whole as one string."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(COLUMNS)
    for start in range(0, max(len(rows), 1), CSV_CHUNK_ROWS):
        writer.writerows(rows[start : start + CSV_CHUNK_ROWS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


@router.get("/dashboard.csv")
async def dashboard_csv(request: Request, me: Viewer, portal: Resources) -> StreamingResponse:
    """The chosen assignments, one line each; UTF-8 with a BOM so Excel reads the Vietnamese."""
    rows = await _export_rows(portal, chosen_filter(request))
    return StreamingResponse(
        _csv_chunks(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tien-do.csv"'},
    )


@router.get("/dashboard.xlsx")
async def dashboard_xlsx(request: Request, me: Viewer, portal: Resources) -> Response:
    """The summary per agency and the chosen assignments, as two sheets."""
    f = chosen_filter(request)
    c = await _counts(portal, f, at=now())
    book = Workbook()
    summary = book.active
    summary.title = "Theo cơ quan"
    summary.append(["Mã", "Cơ quan", "Tổng", *(LABEL_VI[k] for k in progress.LABELS)])
    for agency in c["per_agency"]:
        summary.append(
            [agency["code"], agency["name"], agency["total"], *(agency[k] for k in progress.LABELS)]
        )
    detail = book.create_sheet("Phân công")
    detail.append(list(COLUMNS))
    for r in await _export_rows(portal, f):
        detail.append(r)
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
