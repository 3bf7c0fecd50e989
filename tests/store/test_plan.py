"""Loading a plan: the plan, the agency directory, contacts and duties, idempotently."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from adapters.store import Store
from schemas.errors import Conflict, NotFound
from schemas.plan import NormalizedPlan

TABLES = ("plans", "agencies", "contacts", "duties")


async def snapshot(pool: asyncpg.Pool) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the plan tables, timestamps included, in a stable order."""
    return {
        table: [tuple(r) for r in await pool.fetch(f"SELECT * FROM {table} ORDER BY 1, 2")]
        for table in TABLES
    }


async def test_load_plan_stores_the_plan_agencies_contacts_and_duties(
    store: Store, pool: asyncpg.Pool, tiny_plan: NormalizedPlan
) -> None:
    await store.load_plan(tiny_plan)

    rows = await snapshot(pool)
    assert [1, 4, 8, 2] == [len(rows[t]) for t in TABLES]
    duty = await pool.fetchrow("SELECT * FROM duties WHERE duty_id = 'III.5.4'")
    assert ("III.5", "III", "report", "quarterly") == (
        duty["clause"],
        duty["section"],
        duty["deliverable"],
        duty["deadline"]["frequency"],
    )
    assert tiny_plan == await store.get_plan("516/KH-UBND")


async def test_load_plan_twice_changes_nothing_not_even_timestamps(
    store: Store, pool: asyncpg.Pool, tiny_plan: NormalizedPlan
) -> None:
    await store.load_plan(tiny_plan)
    first = await snapshot(pool)

    await store.load_plan(tiny_plan)

    assert first == await snapshot(pool)


async def test_load_plan_again_updates_what_changed_and_only_that(
    store: Store, pool: asyncpg.Pool, tiny_plan: NormalizedPlan
) -> None:
    await store.load_plan(tiny_plan)
    before = {r["code"]: r["updated_at"] for r in await pool.fetch("SELECT * FROM agencies")}
    renamed = tiny_plan.agency("SNGV").model_copy(update={"name": "Sở Ngoại vụ tỉnh Gia Lai"})
    changed = tiny_plan.model_copy(
        update={"agencies": [renamed if a.code == "SNGV" else a for a in tiny_plan.agencies]}
    )

    await store.load_plan(changed)

    after = {r["code"]: r for r in await pool.fetch("SELECT * FROM agencies")}
    assert "Sở Ngoại vụ tỉnh Gia Lai" == after["SNGV"]["name"]
    assert after["SNGV"]["updated_at"] > before["SNGV"]
    assert before["STTTT"] == after["STTTT"]["updated_at"]
    assert changed == await store.get_plan("516/KH-UBND")


async def test_load_plan_drops_a_duty_the_plan_no_longer_has(
    store: Store, pool: asyncpg.Pool, tiny_plan: NormalizedPlan
) -> None:
    await store.load_plan(tiny_plan)

    await store.load_plan(tiny_plan.model_copy(update={"duties": tiny_plan.duties[:1]}))

    assert ["III.5.4"] == [r["duty_id"] for r in await pool.fetch("SELECT duty_id FROM duties")]


async def test_load_plan_refuses_to_drop_an_assigned_duty_and_keeps_nothing_of_the_new_load(
    store: Store, pool: asyncpg.Pool, tiny_plan: NormalizedPlan
) -> None:
    await store.load_plan(tiny_plan)
    await store.upsert_assignment(
        id="kh/516-KH-UBND/III.6/STTTT/2023",
        plan_id="516/KH-UBND",
        duty_id="III.6",
        agency_code="STTTT",
        period="2023",
        status="assigned",
    )
    before = await snapshot(pool)
    without_iii6 = tiny_plan.model_copy(
        update={
            "duties": tiny_plan.duties[:1],
            "plan": tiny_plan.plan.model_copy(update={"title": "Kế hoạch đã sửa"}),
        }
    )

    with pytest.raises(Conflict, match=r"III\.6"):
        await store.load_plan(without_iii6)

    assert before == await snapshot(pool)


async def test_load_plan_whose_issuer_is_not_among_its_agencies_is_refused(
    store: Store, pool: asyncpg.Pool, tiny_plan: NormalizedPlan
) -> None:
    orphan = tiny_plan.model_copy(
        update={"plan": tiny_plan.plan.model_copy(update={"issuer": "UBND_KHAC"})}
    )

    with pytest.raises(NotFound, match="UBND_KHAC"):
        await store.load_plan(orphan)

    assert 0 == await pool.fetchval("SELECT count(*) FROM agencies")


async def test_get_plan_of_an_unknown_number_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="999/KH-UBND"):
        await store.get_plan("999/KH-UBND")


async def test_the_plan_row_carries_the_header_fields(
    store: Store, pool: asyncpg.Pool, tiny_plan: NormalizedPlan
) -> None:
    await store.load_plan(tiny_plan)

    row = await pool.fetchrow("SELECT * FROM plans")
    assert ("516/KH-UBND", "UBND_TINH", dt.date(2023, 3, 1), 2023, "STTTT") == (
        row["id"],
        row["issuer"],
        row["issued_on"],
        row["year"],
        row["coordinator"],
    )


async def test_get_agencies_returns_the_named_agencies_with_their_contacts(
    store: Store, tiny_plan: NormalizedPlan
) -> None:
    await store.load_plan(tiny_plan)

    found = await store.get_agencies("516/KH-UBND", ["SNGV", "STTTT", "SNGV", "NOBODY"])

    assert {"SNGV": tiny_plan.agency("SNGV"), "STTTT": tiny_plan.agency("STTTT")} == found
