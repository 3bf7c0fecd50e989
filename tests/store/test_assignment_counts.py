"""The counts kept as assignment rows change (migration 0014) give the answers of the label
rule applied to every row: after inserts, status changes, moved deadlines, reroutes to
another agency, deletes, a plan moved to another province, at moments on both sides of
each deadline and of each "due soon" edge."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import shutil
from collections.abc import Sequence
from pathlib import Path

import asyncpg
import pytest

from adapters.store import Store, migrate, open_pool
from adapters.store.listing import GroupColumn
from adapters.store.migrate import MIGRATIONS_DIR
from domain.progress import DUE_SOON, label
from schemas.assignment import AssignmentEvent
from schemas.plan import NormalizedPlan
from schemas.store import Assignment, AssignmentFilter, LabelCount

NOW = dt.datetime(2023, 6, 1, 3, 0, tzinfo=dt.UTC)  # 10:00 in Viet Nam
HOUR = dt.timedelta(hours=1)
STATUSES = ("assigned", "submitted", "returned", "accepted", "cancelled", "waived", "ended")
# Deadlines on both sides of the moments below, several in the day of NOW and of NOW + 3 days.
DEADLINES = (
    None,
    NOW - dt.timedelta(days=2),
    NOW - HOUR,
    NOW + HOUR,
    NOW + 14 * HOUR,
    NOW + DUE_SOON - HOUR,
    NOW + DUE_SOON,
    NOW + DUE_SOON + HOUR,
    NOW + dt.timedelta(days=30),
)
MOMENTS = (
    NOW,
    NOW + HOUR,  # exactly a deadline
    NOW + 13 * HOUR,  # 00:00 in Viet Nam: the next day
    NOW - DUE_SOON + 14 * HOUR,  # a deadline exactly DUE_SOON ahead
    NOW + dt.timedelta(days=40),
)
PLANS = ("516/KH-UBND", "157/KH-UBND", "88/KH-UBND")
GROUPINGS: tuple[tuple[GroupColumn, ...], ...] = (
    (),
    ("status",),
    ("plan_id",),
    ("agency_code",),
    ("duty_id",),
    ("plan_id", "agency_code"),
    ("period",),
)


def numbered(plan: NormalizedPlan, number: str, place: str) -> NormalizedPlan:
    return plan.model_copy(
        update={"plan": plan.plan.model_copy(update={"number": number, "place": place})}
    )


@pytest.fixture
async def varied(
    store: Store, pool: asyncpg.Pool[asyncpg.Record], tiny_plan: NormalizedPlan
) -> list[str]:
    """Three plans (two in Gia Lai, one in Kon Tum), two agencies and two duties, every
    status, deadline, overdue flag and outcome the label rule tells apart; then changed."""
    await store.load_plan(tiny_plan)
    await store.load_plan(numbered(tiny_plan, PLANS[1], "Gia Lai"))
    await store.load_plan(numbered(tiny_plan, PLANS[2], "Kon Tum"))
    ids = []
    for n, (status, due, overdue) in enumerate(
        itertools.product(STATUSES, DEADLINES, (False, True))
    ):
        agency, duty = ("SNGV", "III.5.4") if n % 3 else ("STTTT", "III.6")
        a = await store.upsert_assignment(
            id=f"kh/{n}",
            plan_id=PLANS[n % 3],
            duty_id=duty,
            agency_code=agency,
            period=f"P{n % 5}-{n}",
            status=status,
            due_at=due,
        )
        await pool.execute(
            "UPDATE assignments SET overdue = $2, outcome = $3 WHERE id = $1",
            a.id,
            overdue,
            ("late" if n % 4 else "on_time") if status == "accepted" else None,
        )
        ids.append(a.id)
    return ids


async def change_rows(store: Store, pool: asyncpg.Pool[asyncpg.Record], ids: list[str]) -> None:
    """What happens to rows in a plan's life, by the store's own calls where it has them."""
    for n in range(0, len(ids), 7):  # submitted, accepted late, returned
        await store.set_assignment_status(ids[n], ("submitted", "accepted", "returned")[n % 3])
    for n in range(3, len(ids), 11):  # deadline extended into the day of NOW + DUE_SOON
        await store.set_assignment_status(ids[n], "assigned", due_at=NOW + DUE_SOON + 2 * HOUR)
    await pool.execute(  # the deadline timer fired
        "UPDATE assignments SET overdue = true WHERE status = 'assigned' AND due_at < $1", NOW
    )
    await pool.execute(  # an agency merged into another: open assignments rerouted
        "UPDATE assignments SET agency_code = 'STTTT' WHERE agency_code = 'SNGV'"
        " AND status IN ('assigned', 'returned') AND id LIKE '%1'"
    )
    await pool.execute("UPDATE assignments SET pending_step = 'coordinator' WHERE id LIKE '%2'")
    await pool.execute("DELETE FROM assignments WHERE id LIKE '%5'")
    await pool.execute(
        "UPDATE assignments SET outcome = 'late', status = 'accepted' WHERE id LIKE '%8'"
    )


async def every_row(pool: asyncpg.Pool[asyncpg.Record]) -> list[tuple[Assignment, str]]:
    rows = await pool.fetch(
        "SELECT a.*, p.directory FROM assignments a JOIN plans p ON p.id = a.plan_id"
    )
    return [
        (
            Assignment.model_validate({k: v for k, v in r.items() if k != "directory"}),
            r["directory"],
        )
        for r in rows
    ]


def by_the_rule(
    rows: list[tuple[Assignment, str]],
    f: AssignmentFilter,
    by: Sequence[GroupColumn],
    *,
    now: dt.datetime,
) -> list[LabelCount]:
    """The counts `count_assignments` must give, by domain.progress.label over every row."""
    groups: dict[tuple[str, ...], dict[str, int]] = {}
    for a, directory in rows:
        chosen = {"plan_id": a.plan_id, "agency_code": a.agency_code, "status": a.status}
        if any(getattr(f, k) not in (None, v) for k, v in chosen.items()):
            continue
        if f.directory not in (None, directory):
            continue
        name = label(a, now=now)
        if f.label not in (None, name):
            continue
        key = tuple(str(getattr(a, c)) for c in by)
        groups.setdefault(key, {}).setdefault(name, 0)
        groups[key][name] += 1
    if not groups and not by:
        return [LabelCount(key=(), counts={})]
    return [LabelCount(key=k, counts=groups[k]) for k in sorted(groups)]


FILTERS = (
    AssignmentFilter(),
    AssignmentFilter(directory="Gia Lai"),
    AssignmentFilter(directory="Kon Tum", plan_id=PLANS[2]),
    AssignmentFilter(plan_id=PLANS[0]),
    AssignmentFilter(agency_code="SNGV", directory="Gia Lai"),
    AssignmentFilter(plan_id=PLANS[1], agency_code="STTTT"),
    AssignmentFilter(status="assigned", directory="Gia Lai"),
    AssignmentFilter(label="due_soon", directory="Gia Lai"),
    AssignmentFilter(label="overdue", plan_id=PLANS[0], agency_code="SNGV"),
)


async def assert_counts_follow_the_rule(store: Store, pool: asyncpg.Pool[asyncpg.Record]) -> None:
    rows = await every_row(pool)
    for now, f in itertools.product(MOMENTS, FILTERS):
        counted = await store.count_assignment_sets(f, now=now, sets=GROUPINGS)
        expected = [by_the_rule(rows, f, by, now=now) for by in GROUPINGS]
        assert expected == counted, (now, f)
        page = await store.page_assignments(f, now=now, limit=1)
        assert expected[0][0].total == page.total, (now, f)


async def test_kept_counts_are_the_counts_of_every_row_by_the_label_rule(
    store: Store, pool: asyncpg.Pool[asyncpg.Record], varied: list[str]
) -> None:
    await assert_counts_follow_the_rule(store, pool)


async def test_kept_counts_follow_updates_reroutes_deletes_and_a_plan_moved(
    store: Store,
    pool: asyncpg.Pool[asyncpg.Record],
    varied: list[str],
    tiny_plan: NormalizedPlan,
) -> None:
    await change_rows(store, pool, varied)
    await store.load_plan(numbered(tiny_plan, PLANS[1], "Kon Tum"))

    await assert_counts_follow_the_rule(store, pool)
    await pool.execute("SELECT assignment_counts_fold()")
    await assert_counts_follow_the_rule(store, pool)
    assert 0 == await pool.fetchval("SELECT count(*) FROM assignment_count_changes")
    assert 0 == await pool.fetchval("SELECT count(*) FROM assignment_counts WHERE n <= 0")


async def test_the_kept_counts_are_rebuilt_the_same_from_the_rows(
    pool: asyncpg.Pool[asyncpg.Record], store: Store, varied: list[str]
) -> None:
    await change_rows(store, pool, varied)
    await pool.execute("SELECT assignment_counts_fold()")
    kept = await pool.fetch("SELECT * FROM assignment_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9")

    await pool.execute("SELECT assignment_counts_rebuild()")  # the migration's backfill
    rebuilt = await pool.fetch("SELECT * FROM assignment_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9")

    assert [tuple(r) for r in rebuilt] == [tuple(r) for r in kept]
    assert len(kept) < len(varied) * 4  # rows that keep their label share a count


async def test_a_kept_count_has_a_deadline_day_exactly_when_its_label_depends_on_the_moment(
    pool: asyncpg.Pool[asyncpg.Record], varied: list[str]
) -> None:
    far = dt.timedelta(days=3650)
    for a, _ in await every_row(pool):
        day = await pool.fetchval(
            "SELECT assignment_count_day($1, $2, $3)", a.status, a.overdue, a.due_at
        )
        moves = label(a, now=NOW - far) != label(a, now=NOW + far)
        assert moves == (day is not None), a


async def test_counts_are_read_from_the_kept_counts(
    pool: asyncpg.Pool[asyncpg.Record], store: Store, varied: list[str]
) -> None:
    await pool.execute("SELECT assignment_counts_fold()")
    before = await store.count_assignments(AssignmentFilter(), now=NOW, by=("plan_id",))
    await pool.execute(
        "UPDATE assignment_counts SET n = n + 1000 WHERE grain = 'plan' AND plan_id = $1"
        " AND status = 'cancelled' AND NOT overdue",
        PLANS[0],
    )
    after = await store.count_assignments(AssignmentFilter(), now=NOW, by=("plan_id",))

    expected = {c.key[0]: dict(c.counts) for c in before}
    expected[PLANS[0]]["cancelled"] += 1000
    assert expected == {c.key[0]: c.counts for c in after}


async def test_workers_recording_events_at_once_do_not_deadlock_and_leave_the_counts_right(
    store: Store, pool: asyncpg.Pool[asyncpg.Record], tiny_plan: NormalizedPlan
) -> None:
    await store.load_plan(tiny_plan)
    rows = [
        await store.upsert_assignment(
            id=f"kh/{duty.id}/{agency.code}/{p}",
            plan_id=PLANS[0],
            duty_id=duty.id,
            agency_code=agency.code,
            period=f"P{p}",
            status="assigned",
            due_at=NOW + p * DUE_SOON,
        )
        for duty in tiny_plan.duties
        for agency in tiny_plan.agencies
        for p in range(3)
    ]

    async def worker(k: int) -> None:
        # Each event writes the row twice in one transaction (status, then the overdue flag),
        # as the assignment workflow's mirror does.
        for i in range(30):
            a = rows[(k * 7 + i * 5) % len(rows)]
            await store.record_assignment_event(
                AssignmentEvent(
                    assignment_id=a.id,
                    plan_id=a.plan_id,
                    duty_id=a.duty_id,
                    agency=a.agency_code,
                    period=a.period,
                    status=STATUSES[(k + i) % 3],
                    overdue=bool(i % 2),
                    escalation_level=0,
                    deadline=NOW + (i - 15) * HOUR,
                    original_deadline=a.due_at,
                    actor="x@example",
                    action="remind",
                    source="web",
                    idempotency_key=f"{k}/{i}",
                )
            )

    await asyncio.gather(*(worker(k) for k in range(8)))

    rows_now = await every_row(pool)
    for by in GROUPINGS:
        assert by_the_rule(
            rows_now, AssignmentFilter(), by, now=NOW
        ) == await store.count_assignments(AssignmentFilter(), now=NOW, by=by)


async def test_migration_0014_counts_the_assignments_already_stored(
    empty_database_url: str, tmp_path: Path, tiny_plan: NormalizedPlan
) -> None:
    before = Path(shutil.copytree(MIGRATIONS_DIR, tmp_path / "migrations"))
    for later in before.glob("001[4-9]_*.sql"):
        later.unlink()
    pool = await open_pool(empty_database_url, max_size=2)
    try:
        await migrate(pool, before)
        store = Store(pool)
        await store.load_plan(tiny_plan)
        for n, (status, due) in enumerate(itertools.product(STATUSES, DEADLINES)):
            await store.upsert_assignment(
                id=f"kh/{n}",
                plan_id=PLANS[0],
                duty_id=tiny_plan.duties[n % 2].id,
                agency_code=tiny_plan.agencies[n % 4].code,
                period=f"P{n}",
                status=status,
                due_at=due,
            )

        assert "0014_assignment_counts" in await migrate(pool)

        rows = await every_row(pool)
        assert len(STATUSES) * len(DEADLINES) == len(rows)
        for now, by in itertools.product(MOMENTS, GROUPINGS):
            expected = by_the_rule(rows, AssignmentFilter(), by, now=now)
            assert expected == await store.count_assignments(AssignmentFilter(), now=now, by=by)
    finally:
        await pool.close()
