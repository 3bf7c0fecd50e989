"""Assignment rows: the store's mirror of each assignment workflow."""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.store import Store
from schemas.errors import Conflict, NotFound, StoreError
from schemas.plan import NormalizedPlan
from schemas.store import Assignment

MARCH_15 = dt.datetime(2023, 3, 15, 10, 0, tzinfo=dt.UTC)
MARCH_31 = dt.datetime(2023, 3, 31, 10, 0, tzinfo=dt.UTC)


async def test_upsert_assignment_creates_the_row_with_its_first_deadline(
    store: Store, assignment: Assignment
) -> None:
    assert ("assigned", MARCH_15, MARCH_15) == (
        assignment.status,
        assignment.due_at,
        assignment.original_due_at,
    )
    assert assignment == await store.get_assignment(assignment.id)


async def test_upsert_assignment_again_updates_status_and_deadline_but_keeps_the_original(
    store: Store, assignment: Assignment
) -> None:
    again = await store.upsert_assignment(
        id=assignment.id,
        plan_id=assignment.plan_id,
        duty_id=assignment.duty_id,
        agency_code=assignment.agency_code,
        period=assignment.period,
        status="submitted",
        due_at=MARCH_31,
    )

    assert ("submitted", MARCH_31, MARCH_15) == (again.status, again.due_at, again.original_due_at)
    assert assignment.created_at == again.created_at


async def test_upsert_assignment_with_the_same_values_keeps_updated_at(
    store: Store, assignment: Assignment
) -> None:
    again = await store.upsert_assignment(
        id=assignment.id,
        plan_id=assignment.plan_id,
        duty_id=assignment.duty_id,
        agency_code=assignment.agency_code,
        period=assignment.period,
        status=assignment.status,
        due_at=assignment.due_at,
    )

    assert assignment == again


async def test_upsert_assignment_with_an_id_that_names_another_agency_is_a_conflict(
    store: Store, assignment: Assignment
) -> None:
    with pytest.raises(Conflict, match="another duty, agency or period"):
        await store.upsert_assignment(
            id=assignment.id,
            plan_id=assignment.plan_id,
            duty_id=assignment.duty_id,
            agency_code="STTTT",
            period=assignment.period,
            status="assigned",
        )

    assert assignment == await store.get_assignment(assignment.id)


async def test_a_second_id_for_the_same_duty_agency_and_period_is_a_conflict(
    store: Store, assignment: Assignment
) -> None:
    with pytest.raises(Conflict):
        await store.upsert_assignment(
            id="kh/other-id",
            plan_id=assignment.plan_id,
            duty_id=assignment.duty_id,
            agency_code=assignment.agency_code,
            period=assignment.period,
            status="assigned",
        )


async def test_upsert_assignment_for_an_unknown_agency_is_not_found(
    store: Store, tiny_plan: NormalizedPlan
) -> None:
    await store.load_plan(tiny_plan)

    with pytest.raises(NotFound, match="NOBODY"):
        await store.upsert_assignment(
            id="kh/516-KH-UBND/III.6/NOBODY/2023",
            plan_id="516/KH-UBND",
            duty_id="III.6",
            agency_code="NOBODY",
            period="2023",
            status="assigned",
        )


async def test_a_deadline_without_a_time_zone_is_refused(
    store: Store, assignment: Assignment
) -> None:
    with pytest.raises(StoreError, match=r"due_at: .* without a time zone"):
        await store.set_assignment_status(
            assignment.id, "assigned", due_at=dt.datetime(2023, 3, 31, 10, 0)
        )


async def test_set_assignment_status_moves_the_deadline_only_when_given(
    store: Store, assignment: Assignment
) -> None:
    moved = await store.set_assignment_status(assignment.id, "returned", due_at=MARCH_31)
    kept = await store.set_assignment_status(assignment.id, "submitted")

    assert ("returned", MARCH_31, MARCH_15) == (moved.status, moved.due_at, moved.original_due_at)
    assert ("submitted", MARCH_31) == (kept.status, kept.due_at)
    assert kept.updated_at >= moved.updated_at > assignment.updated_at


async def test_status_of_an_unknown_assignment_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="kh/none"):
        await store.set_assignment_status("kh/none", "assigned")
    with pytest.raises(NotFound, match="kh/none"):
        await store.get_assignment("kh/none")


async def test_a_status_outside_the_checked_shape_is_refused(
    store: Store, assignment: Assignment
) -> None:
    with pytest.raises(StoreError, match="assignments"):
        await store.set_assignment_status(assignment.id, "Đã nộp")


async def test_list_assignments_filters_by_agency_and_status_soonest_due_first(
    store: Store, assignment: Assignment
) -> None:
    later = await store.upsert_assignment(
        id="kh/516-KH-UBND/III.5.4/SNGV/2023-Q2",
        plan_id="516/KH-UBND",
        duty_id="III.5.4",
        agency_code="SNGV",
        period="2023-Q2",
        status="assigned",
        due_at=dt.datetime(2023, 6, 15, 10, 0, tzinfo=dt.UTC),
    )
    undated = await store.upsert_assignment(
        id="kh/516-KH-UBND/III.6/STTTT/2023",
        plan_id="516/KH-UBND",
        duty_id="III.6",
        agency_code="STTTT",
        period="2023",
        status="submitted",
    )

    everything = await store.list_assignments(plan_id="516/KH-UBND")
    sngv = await store.list_assignments(plan_id="516/KH-UBND", agency_code="SNGV")
    submitted = await store.list_assignments(plan_id="516/KH-UBND", status="submitted")
    sngv_submitted = await store.list_assignments(
        plan_id="516/KH-UBND", agency_code="SNGV", status="submitted"
    )

    assert [assignment, later, undated] == everything
    assert [assignment, later] == sngv
    assert [undated] == submitted
    assert [] == sngv_submitted
    assert [] == await store.list_assignments(plan_id="1/KH-UBND")
