"""Agencies belong to their province's directory: plans of two provinces naming the same code
each resolve it to their own agency, name and mailboxes."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.store import Store
from domain.planfile import load_plan
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
