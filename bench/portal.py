"""The portal at province scale: its list and count pages over 100,000 assignments in 20
plans, side by side with the plain SQL that returns the same numbers and rows.

    .venv/bin/python -m bench.portal                      # 100,000 rows, 30 rounds: ~5 min
    .venv/bin/python -m bench.portal --plans 2 --agencies 10 --rounds 3 --no-write   # a look

An embedded PostgreSQL (in a temporary directory, stopped at the end) is migrated and filled
by COPY: `plans` plans × `duties` duties × `agencies` communes × `periods` periods, with a
fixed mix of statuses and deadlines around now. Each page is then asked through the real
FastAPI app (httpx's ASGI transport, a real signed-in session: middleware, store, rendering)
and its floor, the SQL statements that give the same figures and rows, is run on the same
pool right after it, round after round, so both meet the same machine. The page and its
floor must agree on their totals, or the run stops. Writes bench/PORTAL.md and portal.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx
from pydantic import SecretStr
from temporalio.client import Client

from adapters.settings import Settings
from adapters.store import Store, migrate, open_pool
from adapters.store.listing import LABEL_SQL
from bench.report import percentile, ratio
from domain.progress import DUE_SOON
from kehoach.embedded.postgres import EmbeddedPostgres
from schemas.plan import Agency, Contact, NormalizedPlan
from tests.factories import AGENCIES, tiny_plan
from web.app import create_app
from web.auth import SESSION_COOKIE

HERE = Path(__file__).resolve().parent
BASE = "http://portal.bench"
COORDINATOR = "daumoi@stttt.example"
INBOX_AGENCY = "XA0001"
TARGET_P99_MS = 300.0
TARGET_RATIO = 3.0
_COLUMNS = [
    "id", "plan_id", "duty_id", "agency_code", "period", "due_at", "original_due_at",
    "status", "overdue", "escalation_level", "outcome", "pending_step",
]  # fmt: skip


@dataclass(frozen=True)
class Shape:
    plans: int = 20
    duties: int = 10
    agencies: int = 100
    periods: int = 5

    @property
    def size(self) -> int:
        return self.plans * self.duties * self.agencies * self.periods


def commune(n: int) -> Agency:
    code = f"XA{n:04}"
    host = code.lower()
    return Agency(
        code=code,
        name=f"Ủy ban nhân dân xã số {n}",
        kind="xa_phuong",
        leader=Contact(name=f"Chủ tịch xã {n}", title="Chủ tịch", email=f"lanhdao@{host}.example"),
        focal=Contact(name=f"Công chức xã {n}", title="Công chức", email=f"daumoi@{host}.example"),
    )


def plans(shape: Shape) -> list[NormalizedPlan]:
    """`shape.plans` plans on one directory (the test plan's agencies and the communes), each
    with `shape.duties` duties assigned to every commune; all coordinated by STTTT."""
    base = tiny_plan()
    communes = [commune(n) for n in range(1, shape.agencies + 1)]
    codes = [c.code for c in communes]
    template = base.duties[0]
    made = []
    for k in range(shape.plans):
        duties = [
            template.model_copy(
                update={
                    "id": f"II.{d + 1}",
                    "clause": f"II.{d + 1}",
                    "text": f"Nhiệm vụ {d + 1} của kế hoạch {k + 1}: báo cáo kết quả.",
                    "lead": codes,
                    "assignees": codes,
                }
            )
            for d in range(shape.duties)
        ]
        made.append(
            base.model_copy(
                update={
                    "plan": base.plan.model_copy(
                        update={"number": f"{100 + k}/KH-UBND", "title": f"Kế hoạch số {k + 1}"}
                    ),
                    "agencies": [*AGENCIES, *communes],
                    "duties": duties,
                }
            )
        )
    return made


def rows(shape: Shape, made: list[NormalizedPlan], *, now: dt.datetime) -> list[tuple[Any, ...]]:
    """Every assignment row, in a fixed mix: 55% open with deadlines from 60 days ago to 60
    days ahead (some flagged overdue), 10% submitted (half waiting for the agency's leader,
    half for the coordinator), 30% accepted (a fifth late), 5% cancelled or waived."""
    pick = random.Random(12)
    out = []
    for plan in made:
        for duty in plan.duties:
            for agency in duty.assignees:
                for p in range(shape.periods):
                    due = now + dt.timedelta(hours=pick.randint(-60 * 24, 60 * 24))
                    roll = pick.random()
                    status, outcome, step = "assigned", None, None
                    if roll < 0.10:
                        status = "submitted"
                        step = "agency_leader" if roll < 0.05 else "coordinator"
                    elif roll < 0.40:
                        status, outcome = "accepted", "late" if roll < 0.16 else "on_time"
                    elif roll < 0.45:
                        status = "cancelled" if roll < 0.43 else "waived"
                    elif roll < 0.50:
                        status = "returned"
                    overdue = status in ("assigned", "returned") and due <= now and roll > 0.7
                    out.append(
                        (
                            f"kh/{plan.plan.number}/{duty.id}/{agency}/P{p}",
                            plan.plan.number,
                            duty.id,
                            agency,
                            f"P{p}",
                            due,
                            due,
                            status,
                            overdue,
                            1 if overdue else 0,
                            outcome,
                            step,
                        )
                    )
    return out


async def fill(pool: asyncpg.Pool[asyncpg.Record], shape: Shape, *, now: dt.datetime) -> None:
    """Migrate, store the plans, COPY the assignments, ANALYZE."""
    await migrate(pool)
    store = Store(pool)
    made = plans(shape)
    for plan in made:
        await store.load_plan(plan)
    records = rows(shape, made, now=now)
    async with pool.acquire() as conn:
        await conn.copy_records_to_table("assignments", records=records, columns=_COLUMNS)
        await conn.execute("ANALYZE")


# --- the floor: the same figures and rows, by plain SQL ---------------------------------


def _label(now: dt.datetime) -> tuple[str, list[Any]]:
    return LABEL_SQL.format(now="$1", soon="$2"), [now, DUE_SOON]


_NAMED = (
    "SELECT a.*, p.title, d.clause, d.text, g.name FROM page a"
    " JOIN plans p ON p.id = a.plan_id"
    " JOIN duties d ON d.plan_id = a.plan_id AND d.duty_id = a.duty_id"
    " JOIN agencies g ON (g.directory, g.code) = (p.directory, a.agency_code)"
)
_ORDER = " ORDER BY a.due_at NULLS LAST, a.id"


async def floor_dashboard(
    conn: asyncpg.Pool[asyncpg.Record], now: dt.datetime, plan_id: str | None
) -> int:
    """Counts per plan, status, agency (and duty for one plan) by label, in one pass over
    the rows for every plan (two for one plan: the plan list counts every plan), and the
    first page of the overdue; returns the number counted."""
    label, args = _label(now)
    by_plan = ["a.plan_id"]
    rest = ["a.status", "a.agency_code", *(["a.duty_id"] if plan_id else [])]

    def counted(columns: list[str], where: str) -> str:
        sets = ", ".join(f"({c}, l)" if c != "a.status" else f"({c})" for c in columns)
        return (
            f"SELECT {', '.join(columns)}, GROUPING({', '.join(columns)}) AS g, l, count(*)"
            f" FROM (SELECT a.*, {label} AS l FROM assignments a{where}) a"
            f" GROUP BY GROUPING SETS ({sets})"
        )

    if plan_id is None:
        rows = await conn.fetch(counted(by_plan + rest, ""), *args)
        plan_rows = [r for r in rows if r["g"] == 0b011]  # grouped by plan alone
    else:
        plan_rows = await conn.fetch(counted(by_plan, ""), *args)
        await conn.fetch(counted(rest, " WHERE a.plan_id = $3"), *args, plan_id)
    await conn.fetch(
        f"WITH page AS (SELECT * FROM assignments a WHERE ($3::text IS NULL OR a.plan_id = $3)"
        f" AND {label} = 'overdue'{_ORDER} LIMIT 50) {_NAMED}{_ORDER}",
        *args,
        plan_id,
    )
    return sum(r["count"] for r in plan_rows if plan_id is None or r["plan_id"] == plan_id)


async def floor_inbox(conn: asyncpg.Pool[asyncpg.Record], agency: str, plan_id: str | None) -> int:
    where = "a.agency_code = $1 AND ($2::text IS NULL OR a.plan_id = $2)"
    await conn.fetch(
        f"WITH page AS (SELECT * FROM assignments a WHERE {where}{_ORDER} LIMIT 50)"
        f" {_NAMED}{_ORDER}",
        agency,
        plan_id,
    )
    total: int = await conn.fetchval(
        f"SELECT count(*) FROM assignments a WHERE {where}", agency, plan_id
    )
    return total


async def floor_approvals(conn: asyncpg.Pool[asyncpg.Record], coordinator: str) -> int:
    where = (
        "a.status = 'submitted' AND a.pending_step = 'coordinator' AND a.plan_id IN"
        " (SELECT id FROM plans WHERE coordinator = $1)"
    )
    await conn.fetch(
        f"WITH page AS (SELECT * FROM assignments a WHERE {where}{_ORDER} LIMIT 50)"
        f" {_NAMED} LEFT JOIN LATERAL (SELECT version, submitted_by, submitted_at FROM"
        " submissions WHERE assignment_id = a.id ORDER BY version DESC LIMIT 1) s ON true"
        f"{_ORDER}",
        coordinator,
    )
    total: int = await conn.fetchval(
        f"SELECT count(*) FROM assignments a WHERE {where}", coordinator
    )
    return total


async def floor_export(
    conn: asyncpg.Pool[asyncpg.Record], now: dt.datetime, plan_id: str | None
) -> int:
    label, args = _label(now)
    found = await conn.fetch(
        f"SELECT a.id, a.plan_id, a.agency_code, g.name, d.clause, a.period, a.due_at,"
        f" a.status, {label} FROM assignments a"
        " JOIN duties d ON d.plan_id = a.plan_id AND d.duty_id = a.duty_id"
        " JOIN plans p ON p.id = a.plan_id"
        " JOIN agencies g ON (g.directory, g.code) = (p.directory, a.agency_code)"
        f" WHERE ($3::text IS NULL OR a.plan_id = $3){_ORDER}",
        *args,
        plan_id,
    )
    return len(found)


# --- the pages ------------------------------------------------------------------------


def _total(html: str, pattern: str) -> int:
    import re

    found = re.search(pattern, html)
    if found is None:
        raise AssertionError(f"no total matching {pattern!r} on the page")
    return int(found[1])


DASHBOARD_TOTAL = r"Tổng hợp tiến độ — (\d+) phân công"
PAGER_TOTAL = r'id="pager">\s*(?:\S+|0) / (\d+)'


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str
    rounds_share: float  # the CSV of every row is long: fewer rounds
    total: Callable[[httpx.Response], int]
    floor: Callable[[asyncpg.Pool[asyncpg.Record], dt.datetime], Awaitable[int]]


def pages(one_plan: str) -> list[Page]:
    inbox_of = f"daumoi@{INBOX_AGENCY.lower()}.example"

    def html_total(pattern: str) -> Callable[[httpx.Response], int]:
        return lambda r: _total(r.text, pattern)

    def csv_lines(r: httpx.Response) -> int:
        return r.text.count("\n") - 1

    return [
        Page("dashboard, every plan", "/dashboard", COORDINATOR, 1, html_total(DASHBOARD_TOTAL),
             lambda c, now: floor_dashboard(c, now, None)),
        Page(f"dashboard, plan {one_plan}", f"/dashboard?plan={one_plan}", COORDINATOR, 1,
             html_total(DASHBOARD_TOTAL), lambda c, now: floor_dashboard(c, now, one_plan)),
        Page(f"agency inbox ({INBOX_AGENCY}), every plan", "/inbox", inbox_of, 1,
             html_total(PAGER_TOTAL), lambda c, now: floor_inbox(c, INBOX_AGENCY, None)),
        Page(f"agency inbox ({INBOX_AGENCY}), one plan", f"/inbox?plan={one_plan}", inbox_of, 1,
             html_total(PAGER_TOTAL), lambda c, now: floor_inbox(c, INBOX_AGENCY, one_plan)),
        Page("approvals inbox (coordinator)", "/approvals", COORDINATOR, 1,
             html_total(PAGER_TOTAL), lambda c, now: floor_approvals(c, "STTTT")),
        Page(f"CSV export, plan {one_plan}", f"/dashboard.csv?plan={one_plan}", COORDINATOR, 1,
             csv_lines, lambda c, now: floor_export(c, now, one_plan)),
        Page("CSV export, every plan", "/dashboard.csv", COORDINATOR, 0.2, csv_lines,
             lambda c, now: floor_export(c, now, None)),
    ]  # fmt: skip


async def measure(
    pool: asyncpg.Pool[asyncpg.Record], shape: Shape, *, rounds: int
) -> list[dict[str, Any]]:
    """Each page and its floor, one after the other, `rounds` times (the first round is a
    warm-up and not counted); totals checked to agree."""
    store = Store(pool)
    settings = Settings().model_copy(
        update={"secret_key": SecretStr("b" * 48), "public_base_url": BASE}
    )
    home = plans(Shape(plans=1, duties=shape.duties, agencies=shape.agencies))[0]
    # The pages measured never reach Temporal (no report was submitted before the pending
    # step was mirrored): a call would fail the run at once, on this stand-in.
    app = create_app(settings=settings, client=cast(Client, None), store=store, plan=home)
    clients: dict[str, httpx.AsyncClient] = {}
    measured = []
    try:
        for page in pages(home.plan.number):
            if page.who not in clients:
                session = await app.state.portal.sessions.start(page.who)
                clients[page.who] = httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url=BASE,
                    cookies={SESSION_COOKIE: session.token},
                    timeout=600,
                )
            client = clients[page.who]
            times: dict[str, list[float]] = {"page": [], "floor": []}
            n = max(2, round(rounds * page.rounds_share))
            for i in range(n + 1):
                began = time.perf_counter()
                response = await client.get(page.path)
                page_ms = (time.perf_counter() - began) * 1000
                if response.status_code != 200:
                    raise AssertionError(f"{page.path}: {response.status_code}")
                began = time.perf_counter()
                floor_total = await page.floor(pool, dt.datetime.now(dt.UTC))
                floor_ms = (time.perf_counter() - began) * 1000
                if page.total(response) != floor_total:
                    raise AssertionError(
                        f"{page.name}: the page says {page.total(response)}, the floor"
                        f" {floor_total}"
                    )
                if i > 0:
                    times["page"].append(page_ms)
                    times["floor"].append(floor_ms)
            measured.append(_figures(page.name, times, total=floor_total))
            print(json.dumps(measured[-1], ensure_ascii=False), flush=True)
    finally:
        for c in clients.values():
            await c.aclose()
    return measured


def _figures(name: str, times: dict[str, list[float]], *, total: int) -> dict[str, Any]:
    p = {k: (percentile(v, 50), percentile(v, 99)) for k, v in times.items()}
    met = (
        p["page"][1] is not None
        and p["floor"][1] is not None
        and p["page"][1] < TARGET_P99_MS
        and p["page"][1] <= TARGET_RATIO * p["floor"][1]
    )
    return {
        "page": name,
        "rows": total,
        "rounds": len(times["page"]),
        "page_p50_ms": round(p["page"][0] or 0, 1),
        "page_p99_ms": round(p["page"][1] or 0, 1),
        "floor_p50_ms": round(p["floor"][0] or 0, 1),
        "floor_p99_ms": round(p["floor"][1] or 0, 1),
        "ratio_p50": ratio(p["page"][0], p["floor"][0]),
        "ratio_p99": ratio(p["page"][1], p["floor"][1]),
        "target": "met" if met else "missed",
    }


def table(measured: list[dict[str, Any]]) -> str:
    lines = [
        "| page | rows | rounds | page p50 ms | page p99 ms | SQL floor p50 ms |"
        " SQL floor p99 ms | ×floor p50 | ×floor p99 | p99 < 300 ms and ≤ 3× floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in measured:
        lines.append(
            f"| {m['page']} | {m['rows']:,} | {m['rounds']} | {m['page_p50_ms']} |"
            f" {m['page_p99_ms']} | {m['floor_p50_ms']} | {m['floor_p99_ms']} |"
            f" {m['ratio_p50']} | {m['ratio_p99']} | {m['target']} |"
        )
    return "\n".join(lines)


MARKER = "<!-- analysis below is kept across runs -->"


def write(measured: list[dict[str, Any]], shape: Shape, *, rounds: int, seconds: float) -> None:
    md = HERE / "PORTAL.md"
    kept = md.read_text().split(MARKER, 1)[1] if md.exists() and MARKER in md.read_text() else ""
    load = os.getloadavg()
    head = (
        "# The portal at province scale: pages next to their SQL floor\n\n"
        f"`.venv/bin/python -m bench.portal --rounds {rounds}` (bench/portal.py): "
        f"{shape.size:,} assignments ({shape.plans} plans × {shape.duties} duties × "
        f"{shape.agencies} communes × {shape.periods} periods) in an embedded PostgreSQL; each "
        "page asked through the FastAPI app with a signed-in session, its floor (plain SQL "
        "giving the same totals and rows) run right after it on the same pool. Percentiles "
        "are nearest-rank over the rounds after a warm-up; with 30 rounds p99 is the slowest.\n\n"
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {seconds:.0f} s in all; "
        f"{os.cpu_count()} cores shared with other work, load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.\n\n"
    )
    md.write_text(head + table(measured) + "\n\n" + MARKER + (kept or "\n"))
    (HERE / "portal.json").write_text(
        json.dumps(
            {"shape": shape.__dict__, "rounds": rounds, "pages": measured},
            ensure_ascii=False,
            indent=1,
        )
        + "\n"
    )


async def run(shape: Shape, *, rounds: int, write_out: bool) -> list[dict[str, Any]]:
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kehoach-bench-portal-") as root:
        postgres = EmbeddedPostgres(data_dir=Path(root))
        await postgres.start()
        try:
            pool = await open_pool(postgres.url, max_size=4)
            try:
                await fill(pool, shape, now=dt.datetime.now(dt.UTC))
                print(f"filled {shape.size:,} assignments", flush=True)
                measured = await measure(pool, shape, rounds=rounds)
            finally:
                await pool.close()
        finally:
            await postgres.stop()
    print(table(measured))
    if write_out:
        write(measured, shape, rounds=rounds, seconds=time.perf_counter() - began)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=Shape.plans)
    parser.add_argument("--duties", type=int, default=Shape.duties)
    parser.add_argument("--agencies", type=int, default=Shape.agencies)
    parser.add_argument("--periods", type=int, default=Shape.periods)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-write", action="store_true")
    a = parser.parse_args()
    shape = Shape(plans=a.plans, duties=a.duties, agencies=a.agencies, periods=a.periods)
    asyncio.run(run(shape, rounds=a.rounds, write_out=not a.no_write))


if __name__ == "__main__":
    main()
