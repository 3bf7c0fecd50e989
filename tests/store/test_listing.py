"""The portal's lists and counts across plans: filtered, paged and counted in SQL."""

from __future__ import annotations

import datetime as dt
import itertools

import asyncpg
import pytest

from adapters.store import Store
from domain.progress import label
from schemas.assignment import AssignmentEvent
from schemas.plan import NormalizedPlan
from schemas.store import AssignmentFilter, Decidable

NOW = dt.datetime(2023, 6, 1, 3, 0, tzinfo=dt.UTC)
OTHER = "157/KH-UBND"
# Every combination the label rule tells apart: status, outcome, overdue flag, deadline.
STATUSES = ("assigned", "submitted", "returned", "accepted", "cancelled", "waived")
DEADLINES = (
    None,
    NOW - dt.timedelta(days=1),
    NOW + dt.timedelta(days=2),
    NOW + dt.timedelta(days=30),
)


def other_plan(plan: NormalizedPlan) -> NormalizedPlan:
    """The same duties under another number, coordinated by SNGV."""
    return plan.model_copy(
        update={"plan": plan.plan.model_copy(update={"number": OTHER, "coordinator": "SNGV"})}
    )


@pytest.fixture
async def rows(
    store: Store, pool: asyncpg.Pool[asyncpg.Record], tiny_plan: NormalizedPlan
) -> list[str]:
    """96 assignments over two plans and two agencies, in every state the rule knows."""
    await store.load_plan(tiny_plan)
    await store.load_plan(other_plan(tiny_plan))
    ids = []
    combos = itertools.product(STATUSES, DEADLINES, (False, True), ("on_time", "late"))
    for n, (status, due, overdue, outcome) in enumerate(combos):
        plan_id = "516/KH-UBND" if n % 2 else OTHER
        agency, duty = ("SNGV", "III.5.4") if n % 3 else ("STTTT", "III.6")
        a = await store.upsert_assignment(
            id=f"kh/{n}",
            plan_id=plan_id,
            duty_id=duty,
            agency_code=agency,
            period=f"P{n}",
            status=status,
            due_at=due,
        )
        await pool.execute(
            "UPDATE assignments SET overdue = $2, outcome = $3 WHERE id = $1",
            a.id,
            overdue,
            outcome if status == "accepted" else None,
        )
        ids.append(a.id)
    return ids


async def test_labels_from_sql_are_the_labels_of_the_python_rule(
    store: Store, rows: list[str]
) -> None:
    page = await store.page_assignments(AssignmentFilter(), now=NOW, limit=500)

    assert len(rows) == page.total == len(page.rows)
    for r in page.rows:
        assert label(r, now=NOW) == r.label, r


async def test_pages_cover_the_filtered_list_once_in_deadline_order(
    store: Store, rows: list[str]
) -> None:
    f = AssignmentFilter(plan_id=OTHER, agency_code="SNGV")
    pages = [await store.page_assignments(f, now=NOW, limit=7, offset=o) for o in range(0, 40, 7)]
    seen = [r for p in pages for r in p.rows]
    whole = await store.page_assignments(f, now=NOW, limit=500)

    assert [r.id for r in whole.rows] == [r.id for r in seen]
    assert {whole.total} == {p.total for p in pages}
    assert 32 == whole.total
    assert all((r.plan_id, r.agency_code) == (OTHER, "SNGV") for r in seen)
    assert "Kế hoạch thử" == seen[0].plan_title
    assert "Sở Ngoại vụ" == seen[0].agency_name


async def test_a_label_filter_lists_exactly_the_rows_counted_under_that_label(
    store: Store, rows: list[str]
) -> None:
    [counts] = await store.count_assignments(AssignmentFilter(), now=NOW)
    for name, n in counts.counts.items():
        page = await store.page_assignments(AssignmentFilter(label=name), now=NOW, limit=500)
        assert n == page.total == len(page.rows)
        assert {name} == {r.label for r in page.rows}
    assert len(rows) == counts.total


async def test_counts_per_plan_and_agency_add_up_to_the_whole(
    store: Store, rows: list[str]
) -> None:
    per = await store.count_assignments(AssignmentFilter(), now=NOW, by=("plan_id", "agency_code"))
    summaries = await store.plan_summaries(now=NOW)

    assert [
        ("157/KH-UBND", "SNGV"),
        ("157/KH-UBND", "STTTT"),
        ("516/KH-UBND", "SNGV"),
        ("516/KH-UBND", "STTTT"),
    ] == [c.key for c in per]
    assert [32, 16, 32, 16] == [c.total for c in per]
    assert [(OTHER, 48), ("516/KH-UBND", 48)] == [(s.id, s.total) for s in summaries]


async def test_an_empty_filter_counts_zero_and_pages_nothing(store: Store, rows: list[str]) -> None:
    f = AssignmentFilter(plan_id="999/KH-UBND")

    assert [0] == [c.total for c in await store.count_assignments(f, now=NOW)]
    assert (0, []) == ((p := await store.page_assignments(f, now=NOW)).total, p.rows)


async def test_the_recorded_pending_step_decides_whose_approvals_inbox_lists_a_report(
    store: Store, rows: list[str]
) -> None:
    # kh/17 (plan 516, SNGV) waits for SNGV's leader; kh/20 (plan 157, coordinated by SNGV) for
    # its coordinator; kh/21 (plan 516, coordinated by STTTT) for the coordinator too.
    for n, step in ((17, "agency_leader"), (20, "coordinator"), (21, "coordinator")):
        a = await store.get_assignment(f"kh/{n}")
        assert "submitted" == a.status
        await store.record_assignment_event(
            AssignmentEvent(
                assignment_id=a.id,
                plan_id=a.plan_id,
                duty_id=a.duty_id,
                agency=a.agency_code,
                period=a.period,
                status="submitted",
                overdue=False,
                escalation_level=0,
                deadline=a.due_at,
                original_deadline=a.due_at,
                actor="x@example",
                action="submit",
                source="web",
                pending_step=step,  # type: ignore[arg-type]
                idempotency_key=f"{a.id}/test",
            )
        )
    leader = Decidable(agency="SNGV", own_agency=frozenset({"agency_leader"}))
    sngv_coordinator = Decidable(agency="SNGV", coordinated=frozenset({"coordinator"}))
    stttt_coordinator = Decidable(agency="STTTT", coordinated=frozenset({"coordinator"}))

    assert (["kh/17"], 1) == _ids(await store.page_awaiting(leader, now=NOW))
    assert (["kh/20"], 1) == _ids(await store.page_awaiting(sngv_coordinator, now=NOW))
    assert (["kh/21"], 1) == _ids(await store.page_awaiting(stttt_coordinator, now=NOW))
    assert ([], 0) == _ids(
        await store.page_awaiting(sngv_coordinator, now=NOW, plan_id="516/KH-UBND")
    )
    assert "coordinator" == (await store.get_assignment("kh/20")).pending_step


def _ids(found: tuple[list, int]) -> tuple[list[str], int]:  # type: ignore[type-arg]
    return [r.id for r in found[0]], found[1]


async def test_counts_of_several_groupings_in_one_pass_are_the_counts_of_each(
    store: Store, rows: list[str]
) -> None:
    f = AssignmentFilter(agency_code="SNGV")
    sets = [(), ("status",), ("plan_id", "agency_code"), ("duty_id",)]

    together = await store.count_assignment_sets(f, now=NOW, sets=sets)  # type: ignore[arg-type]

    assert [await store.count_assignments(f, now=NOW, by=by) for by in sets] == together  # type: ignore[arg-type]
    assert 64 == together[0][0].total == sum(c.total for c in together[1])
