"""What pages and the API show about assignments, built once from the store and Temporal."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

from client import calls
from domain.vocabulary import ACTION_VI, LABEL_VI, STATUS_VI, STEP_VI
from schemas.assignment import Actor, AssignmentState
from schemas.store import Assignment, AuditEntry, Submission
from web import progress
from web.portal import COORDINATOR_ROLES, Portal, can_submit, may_decide

QUERY_CONCURRENCY = 16


def row(portal: Portal, a: Assignment, *, now: dt.datetime) -> dict[str, Any]:
    """One assignment as a list row (also the API's list item)."""
    duty = portal.duty(a.duty_id)
    label = progress.label(a, now=now)
    return {
        "id": a.id,
        "plan_id": a.plan_id,
        "duty_id": a.duty_id,
        "clause": duty.clause if duty else a.duty_id,
        "duty_text": duty.text if duty else "",
        "agency_code": a.agency_code,
        "agency_name": portal.agency_name(a.agency_code),
        "period": a.period,
        "status": a.status,
        "status_vi": STATUS_VI.get(a.status, a.status),
        "label": label,
        "label_vi": LABEL_VI[label],
        "due_at": a.due_at,
        "last_day": progress.last_day(a.due_at),
        "overdue": a.overdue,
        "outcome": a.outcome,
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
        **row(portal, a, now=now),
        "heading": (d.heading if (d := portal.duty(a.duty_id)) else None),
        "submissions": submissions,
        "history": history(audit),
        "live_status": state.status if state else None,
        "pending_step": step,
        "pending_step_vi": STEP_VI.get(step or "", None),
        "decisions": state.decisions if state else [],
        "returned": returned,
        "may_decide": may_decide(
            actor, step=step, agency=a.agency_code, coordinator=portal.plan.plan.coordinator
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


async def awaiting(portal: Portal, actor: Actor, *, now: dt.datetime) -> list[dict[str, Any]]:
    """The reports waiting for `actor`'s step: the leader's own agency's at 'agency_leader',
    the coordinator's at 'coordinator'. The pending step lives in the workflow, so each
    submitted assignment's state is asked for (a few at a time)."""
    if actor.role == "leader":
        rows = await portal.store.list_assignments(
            plan_id=portal.plan_id, agency_code=actor.agency, status="submitted"
        )
    elif actor.role in COORDINATOR_ROLES or actor.role in ("vice_chairman", "office"):
        rows = await portal.store.list_assignments(plan_id=portal.plan_id, status="submitted")
    else:
        return []
    gate = asyncio.Semaphore(QUERY_CONCURRENCY)

    async def state_of(a: Assignment) -> AssignmentState | None:
        async with gate:
            return await live_state(portal, a.id)

    states = await asyncio.gather(*(state_of(a) for a in rows))
    waiting = []
    for a, state in zip(rows, states, strict=True):
        if state is None or state.status != "submitted":
            continue
        if may_decide(
            actor,
            step=state.pending_step,
            agency=a.agency_code,
            coordinator=portal.plan.plan.coordinator,
        ):
            last = state.submissions[-1] if state.submissions else None
            waiting.append(
                {
                    **row(portal, a, now=now),
                    "pending_step": state.pending_step,
                    "pending_step_vi": STEP_VI.get(state.pending_step or "", ""),
                    "version": last.version if last else None,
                    "submitted_by": last.submitted_by if last else "",
                    "submitted_at": last.submitted_at if last else None,
                }
            )
    return waiting


def counts(portal: Portal, assignments: list[Assignment], *, now: dt.datetime) -> dict[str, Any]:
    """The dashboard's numbers: per label, per status, per agency, per duty; the overdue."""
    rows = [row(portal, a, now=now) for a in assignments]
    per_agency: dict[str, Counter[str]] = {}
    per_duty: dict[str, Counter[str]] = {}
    for r in rows:
        per_agency.setdefault(r["agency_code"], Counter())[r["label"]] += 1
        per_duty.setdefault(r["duty_id"], Counter())[r["label"]] += 1
    return {
        "total": len(rows),
        "by_label": {
            label: sum(1 for r in rows if r["label"] == label) for label in progress.LABELS
        },
        "by_status": dict(Counter(r["status"] for r in rows)),
        "per_agency": [
            {
                "code": code,
                "name": portal.agency_name(code),
                "total": sum(c.values()),
                **{k: c[k] for k in progress.LABELS},
            }
            for code, c in sorted(per_agency.items())
        ],
        "per_duty": [
            {
                "duty_id": duty,
                "clause": (d.clause if (d := portal.duty(duty)) else duty),
                "total": sum(c.values()),
                **{k: c[k] for k in progress.LABELS},
            }
            for duty, c in sorted(per_duty.items())
        ],
        "overdue": [r for r in rows if r["label"] == "overdue"],
        "rows": rows,
    }
