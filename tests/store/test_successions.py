"""A directory version's mergers in the store: recorded once per agency as the version states
them, and the one event (`reroute`) that moves an open assignment's row to the successor,
never a finished one's."""

from __future__ import annotations

import datetime as dt

from adapters.store import Store
from schemas.assignment import AssignmentEvent
from tests.factories import PLAN_ID, merged_communes_plan

EFFECTIVE = dt.date(2026, 3, 1)


def _event(
    assignment_id: str, *, action: str, agency: str, status: str, duty_id: str = "III.5.4"
) -> AssignmentEvent:
    detail: dict[str, str | int | bool | None] = (
        {"from_agency": "XA_A", "to_agency": "XA_B"} if action == "reroute" else {}
    )
    return AssignmentEvent(
        assignment_id=assignment_id,
        plan_id=PLAN_ID,
        duty_id=duty_id,
        agency=agency,
        period="2026",
        status=status,
        overdue=False,
        escalation_level=0,
        deadline=None,
        original_deadline=None,
        actor="danh-ba",
        action=action,
        source="directory",
        detail=detail,
        idempotency_key=f"{assignment_id}/{action}/{agency}/{status}",
    )


async def test_loading_a_version_records_its_successions_once_and_drops_withdrawn_ones(
    store: Store,
) -> None:
    plan = merged_communes_plan(effective=EFFECTIVE)
    await store.load_plan(plan)
    recorded = await store._pool.fetchval("SELECT recorded_at FROM agency_successions")
    await store.load_plan(plan)
    assert (plan.successions, recorded) == (
        await store.successions(plan.directory),
        await store._pool.fetchval("SELECT recorded_at FROM agency_successions"),
    )
    await store.load_plan(plan.model_copy(update={"successions": []}))
    assert [] == await store.successions(plan.directory)


async def test_a_reroute_moves_an_open_row_to_the_successor_and_never_a_finished_one(
    store: Store,
) -> None:
    await store.load_plan(merged_communes_plan(effective=EFFECTIVE))
    open_id, done_id, own_id = "a/open", "a/done", "b/own"
    # The merged commune's two and the successor's own of the same duty and period.
    given = ((open_id, "XA_A", "III.5.4"), (done_id, "XA_A", "III.1"), (own_id, "XA_B", "III.5.4"))
    for workflow_id, agency, duty_id in given:
        await store.record_assignment_event(
            _event(workflow_id, action="assign", agency=agency, status="assigned", duty_id=duty_id)
        )
    await store.record_assignment_event(
        _event(done_id, action="accept", agency="XA_A", status="accepted", duty_id="III.1")
    )
    for workflow_id, _, duty_id in given[:2]:
        await store.record_assignment_event(
            _event(workflow_id, action="reroute", agency="XA_B", status="assigned", duty_id=duty_id)
        )
    rows = [await store.get_assignment(i) for i in (open_id, done_id, own_id)]
    assert [
        ("XA_B", "XA_A", "assigned"),
        ("XA_A", None, "accepted"),
        ("XA_B", None, "assigned"),
    ] == [(r.agency_code, r.given_agency_code, r.status) for r in rows]
    holds = await store.open_assignments_of("Gia Lai", "XA_B")
    assert [open_id, own_id] == [r.id for r in holds]
    assert [] == await store.open_assignments_of("Gia Lai", "XA_A")
