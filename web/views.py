"""What pages and the API show about assignments, built once from the store and Temporal."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from client import calls
from domain.vocabulary import ACTION_VI, LABEL_VI, STATUS_VI, STEP_VI
from schemas.assignment import Actor, AssignmentState
from schemas.plan import NormalizedPlan
from schemas.store import Assignment, AssignmentPage, AuditEntry, ListedAssignment, Submission
from web import progress
from web.portal import Portal, can_submit, decidable, may_decide

QUERY_CONCURRENCY = 16


PAGE_SIZE = 50
HEAL_BATCH = 100


def _shown(fields: dict[str, Any]) -> dict[str, Any]:
    """What every row adds to its fields: the Vietnamese words and the last day."""
    return {
        **fields,
        "status_vi": STATUS_VI.get(fields["status"], fields["status"]),
        "label_vi": LABEL_VI[fields["label"]],
        "last_day": progress.last_day(fields["due_at"]),
    }


def _name(plan: NormalizedPlan, code: str) -> str:
    """The agency's name in the plan's directory, or its code if the plan has none."""
    try:
        return plan.agency(code).name
    except KeyError:
        return code


def row(plan: NormalizedPlan, a: Assignment, *, now: dt.datetime) -> dict[str, Any]:
    """One assignment of `plan` as a list row (also the API's item)."""
    duty = next((d for d in plan.duties if d.id == a.duty_id), None)
    agency_name = _name(plan, a.agency_code)
    return _shown(
        {
            **_fields(a),
            "plan_title": plan.plan.title,
            "clause": duty.clause if duty else a.duty_id,
            "duty_text": duty.text if duty else "",
            "agency_name": agency_name,
            "label": progress.label(a, now=now),
        }
    )


def listed(r: ListedAssignment) -> dict[str, Any]:
    """A row the store listed (its label and names came with it)."""
    return _shown(
        {
            **_fields(r),
            "plan_title": r.plan_title,
            "clause": r.clause,
            "duty_text": r.duty_text,
            "agency_name": r.agency_name,
            "label": r.label,
        }
    )


def _fields(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "plan_id": a.plan_id,
        "duty_id": a.duty_id,
        "agency_code": a.agency_code,
        "period": a.period,
        "status": a.status,
        "due_at": a.due_at,
        "overdue": a.overdue,
        "outcome": a.outcome,
    }


def pager(page: AssignmentPage | tuple[int, int, int]) -> dict[str, Any]:
    """Where a page stands in its list: shown range, total, previous and next offsets."""
    total, limit, offset = (
        (page.total, page.limit, page.offset) if isinstance(page, AssignmentPage) else page
    )
    return {
        "total": total,
        "first": offset + 1 if total else 0,
        "last": min(offset + limit, total),
        "prev": max(0, offset - limit) if offset > 0 else None,
        "next": offset + limit if offset + limit < total else None,
    }


def history(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """The audit trail people read: what happened, who, when, with the reason if any."""
    shown = []
    for e in entries:
        if e.action not in ACTION_VI:
            continue  # notices that went out fine are in the audit log, not in this story
        detail = e.detail
        note = detail.get("reason") or detail.get("error") or ""
        if e.action == "approve" and detail.get("step"):
            note = f"bước {STEP_VI.get(str(detail['step']), detail['step'])}"
        if e.action == "accept" and detail.get("outcome"):
            note = "đúng hạn" if detail["outcome"] == "on_time" else "hoàn thành quá hạn"
        if e.action == "reroute":
            note = f"{detail.get('from_agency')} → {detail.get('to_agency')}"
        shown.append(
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "action_vi": ACTION_VI[e.action],
                "version": detail.get("version"),
                "note": str(note),
            }
        )
    return shown


async def detail(
    portal: Portal, actor: Actor, a: Assignment, *, now: dt.datetime
) -> dict[str, Any]:
    """Everything the assignment page (and the API's item) shows."""
    submissions: list[Submission]
    audit: list[AuditEntry]
    state: AssignmentState | None
    plan = await portal.plans.get(a.plan_id)
    submissions, audit, state = await asyncio.gather(
        portal.store.list_submissions(a.id),
        portal.store.list_audit(a.id),
        live_state(portal, a.id),
    )
    step = state.pending_step if state and state.status == "submitted" else None
    returned = None
    if state is not None and state.status == "returned":
        returned = next((d for d in reversed(state.decisions) if d.decision == "returned"), None)
    return {
        **row(plan, a, now=now),
        "heading": next((d.heading for d in plan.duties if d.id == a.duty_id), None),
        # The agency it was given to, when a merger or renaming moved it to its successor.
        "given_agency": _name(plan, a.given_agency_code) if a.given_agency_code else None,
        "submissions": submissions,
        "history": history(audit),
        "live_status": state.status if state else None,
        "pending_step": step,
        "pending_step_vi": STEP_VI.get(step or "", None),
        "decisions": state.decisions if state else [],
        "returned": returned,
        "may_decide": may_decide(
            actor, step=step, agency=a.agency_code, coordinator=plan.plan.coordinator
        ),
        "may_submit": can_submit(actor, a)
        and (state.status if state else a.status) in ("assigned", "returned"),
    }


async def live_state(portal: Portal, assignment_id: str) -> AssignmentState | None:
    """The workflow's own state (the pending approval step is only there), or None when
    Temporal or the worker cannot answer now: pages then show the store's mirror alone."""
    try:
        return await calls.assignment_state(portal.client, assignment_id)
    except (calls.Refused, calls.Unavailable):
        return None


async def awaiting(
    portal: Portal, actor: Actor, *, now: dt.datetime, plan_id: str | None, offset: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One page of the reports waiting for `actor`'s decision, over every plan or one, and
    where the page stands. The pending step is the workflow's as mirrored in the store; no
    workflow is queried, except once for a report submitted before the store kept it."""
    await _mirror_missing_steps(portal)
    found, total = await portal.store.page_awaiting(
        decidable(actor),
        now=now,
        plan_id=plan_id,
        directory=portal.plan.directory,
        limit=PAGE_SIZE,
        offset=offset,
    )
    rows = [
        {
            **listed(r),
            "pending_step": r.pending_step,
            "pending_step_vi": STEP_VI.get(r.pending_step or "", ""),
            "version": r.version,
            "submitted_by": r.submitted_by or "",
            "submitted_at": r.submitted_at,
        }
        for r in found
    ]
    return rows, pager((total, PAGE_SIZE, offset))


async def _mirror_missing_steps(portal: Portal) -> None:
    """Ask the workflows of reports submitted before the pending step was mirrored for it,
    and record it. Each is asked once per portal process (a workflow that is gone or no
    longer waits is not asked again; one Temporal could not answer is, on a later page), and
    a store with none costs one indexed query."""
    ids = await portal.store.submitted_without_step(
        limit=HEAL_BATCH, skip=sorted(portal.steps_asked)
    )
    if not ids:
        return
    gate = asyncio.Semaphore(QUERY_CONCURRENCY)

    async def mirror(assignment_id: str) -> None:
        async with gate:
            try:
                state = await calls.assignment_state(portal.client, assignment_id)
            except calls.Unavailable:
                return
            except calls.Refused:
                state = None
        portal.steps_asked.add(assignment_id)
        if state is not None and state.status == "submitted" and state.pending_step:
            await portal.store.set_pending_step(assignment_id, state.pending_step)

    await asyncio.gather(*(mirror(i) for i in ids))
