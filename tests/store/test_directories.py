"""Agencies belong to their province's directory: plans of two provinces naming the same code
each resolve it to their own agency, name and mailboxes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from adapters.store import Store, migrate, open_pool
from adapters.store.migrate import MIGRATIONS_DIR
from domain.digest import items_for
from domain.planfile import load_plan
from schemas.errors import NotFound
from schemas.plan import NormalizedPlan

PLANS = Path(__file__).resolve().parents[2] / "plans"


@pytest.fixture(scope="module")
def dong_thap() -> NormalizedPlan:
    return load_plan(PLANS / "552-KH-UBND-2025-dong-thap.yaml")


@pytest.fixture(scope="module")
def bac_ninh() -> NormalizedPlan:
    return load_plan(PLANS / "144-KH-UBND-2025-bac-ninh.yaml")


async def test_each_plan_resolves_a_shared_code_to_its_own_provinces_agency(
    store: Store, dong_thap: NormalizedPlan, bac_ninh: NormalizedPlan
) -> None:
    await store.load_plan(dong_thap)
    await store.load_plan(bac_ninh)

    for plan in (dong_thap, bac_ninh):
        number = plan.plan.number
        contacts = await store.agencies_with_contacts(number, ["UBND_TINH", "SKHCN"])
        agencies = await store.get_agencies(number, ["UBND_TINH", "SKHCN"])
        for code in ("UBND_TINH", "SKHCN"):
            own = plan.agency(code)
            assert (own.name, own.leader.email, own.focal.email) == (
                contacts[code].name,
                contacts[code].leader.email if contacts[code].leader else None,
                contacts[code].focal.email if contacts[code].focal else None,
            )
            stored = agencies[code]
            assert (own.name, own.leader, own.focal) == (stored.name, stored.leader, stored.focal)
        assert {"UBND_TINH": plan.agency("UBND_TINH").name} == await store.agency_names(
            ["UBND_TINH"], directory=plan.directory
        )


async def test_migration_0012_gives_existing_agencies_the_directory_of_their_plans(
    empty_database_url: str, tmp_path: Path, dong_thap: NormalizedPlan
) -> None:
    before = Path(shutil.copytree(MIGRATIONS_DIR, tmp_path / "migrations"))
    for later in before.glob("001[2-9]_*.sql"):
        later.unlink()
    pool = await open_pool(empty_database_url, max_size=2)
    try:
        await migrate(pool, before)
        ubnd = dong_thap.agency("UBND_TINH")
        skhcn = dong_thap.agency("SKHCN")
        p = dong_thap.plan
        for agency in (ubnd, skhcn):
            await pool.execute(
                "INSERT INTO agencies (code, name, kind) VALUES ($1, $2, $3)",
                agency.code,
                agency.name,
                agency.kind,
            )
            await pool.execute(
                "INSERT INTO contacts (agency_code, role, name, title, email)"
                " VALUES ($1, 'focal', $2, $3, $4)",
                agency.code,
                agency.focal.name,
                agency.focal.title,
                agency.focal.email,
            )
        await pool.execute(
            "INSERT INTO plans (id, title, issuer, issued_on, year, coordinator, document)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            p.number,
            p.title,
            p.issuer,
            p.issued_on,
            p.year,
            p.coordinator,
            dong_thap.model_dump(mode="json"),
        )

        assert "0012_agencies_by_province" == (await migrate(pool))[0]  # and those after it

        found = await Store(pool).agencies_with_contacts(p.number, ["UBND_TINH", "SKHCN"])
        assert {"UBND_TINH": ubnd.focal.email, "SKHCN": skhcn.focal.email} == {
            code: a.focal.email for code, a in found.items() if a.focal
        }
        assert {("Đồng Tháp",)} == {
            tuple(r) for r in await pool.fetch("SELECT directory FROM agencies")
        }
    finally:
        await pool.close()


async def test_an_assignment_for_an_agency_of_another_provinces_directory_is_not_found(
    store: Store, dong_thap: NormalizedPlan, bac_ninh: NormalizedPlan
) -> None:
    await store.load_plan(dong_thap)
    await store.load_plan(bac_ninh)
    only_in_bac_ninh = sorted(
        {a.code for a in bac_ninh.agencies} - {a.code for a in dong_thap.agencies}
    )[0]

    with pytest.raises(NotFound, match=only_in_bac_ninh):
        await store.upsert_assignment(
            id=f"552-{only_in_bac_ninh}",
            plan_id=dong_thap.plan.number,
            duty_id=dong_thap.duties[0].id,
            agency_code=only_in_bac_ninh,
            period="2026",
            status="assigned",
        )


async def test_the_digest_gives_each_province_its_own_agencys_assignments_and_name(
    store: Store, dong_thap: NormalizedPlan, bac_ninh: NormalizedPlan
) -> None:
    await store.load_plan(dong_thap)
    await store.load_plan(bac_ninh)
    due = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    for plan, duty in ((dong_thap, "V.1.1"), (bac_ninh, "VI.1.1")):
        await store.upsert_assignment(
            id=f"{plan.plan.number}/{duty}/SKHCN",
            plan_id=plan.plan.number,
            duty_id=duty,
            agency_code="SKHCN",
            period="2026",
            status="assigned",
            due_at=due,
        )
    rows = await store.digest_rows()
    readers = {r.email: r for r in await store.digest_readers()}

    for plan in (dong_thap, bac_ninh):
        focal = readers[plan.agency("SKHCN").focal.email]
        items = items_for(focal, rows, at=due - dt.timedelta(days=2), due_soon=dt.timedelta(7))
        assert [(plan.plan.number, plan.agency("SKHCN").name)] == [
            (i.row.plan_id, i.row.agency_name) for i in items
        ]
