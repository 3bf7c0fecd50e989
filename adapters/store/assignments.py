"""Assignments: the mirror of each assignment workflow's state, written from its events."""

from __future__ import annotations

import datetime as dt

from pydantic_core import to_jsonable_python

from adapters.store.base import (
    Repository,
    aware,
    mapped_errors,
    row_model,
)
from schemas.assignment import (
    FINAL_STATUSES,
    REROUTE_ACTION,
    AssignmentEvent,
    DutyBrief,
    NoticeSubject,
)
from schemas.errors import Conflict, NotFound
from schemas.store import (
    Assignment,
)

# Identity columns must match for the update to happen; no row back means another identity.
_UPSERT_ASSIGNMENT = """
INSERT INTO assignments
    (id, plan_id, duty_id, agency_code, period, due_at, original_due_at, status)
VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
ON CONFLICT (id) DO UPDATE SET
    due_at = CASE WHEN assignments.status = ANY($8::text[]) THEN assignments.due_at
                  ELSE EXCLUDED.due_at END,
    status = CASE WHEN assignments.status = ANY($8::text[]) THEN assignments.status
                  ELSE EXCLUDED.status END,
    original_due_at = COALESCE(assignments.original_due_at, EXCLUDED.due_at),
    updated_at = CASE
        WHEN assignments.status <> ALL($8::text[])
             AND (assignments.due_at, assignments.status)
                 IS DISTINCT FROM (EXCLUDED.due_at, EXCLUDED.status)
        THEN now() ELSE assignments.updated_at END
WHERE (assignments.plan_id, assignments.duty_id, assignments.agency_code, assignments.period)
      = (EXCLUDED.plan_id, EXCLUDED.duty_id, EXCLUDED.agency_code, EXCLUDED.period)
RETURNING *
"""

# The brief an assignment was given, or its plan duty's for assignments recorded before
# briefs were kept.
_NOTICE_SUBJECT = """
SELECT a.plan_id, p.title AS plan_title, a.duty_id,
       COALESCE(b.clause, d.clause) AS clause,
       CASE WHEN b.assignment_id IS NULL THEN d.heading ELSE b.heading END AS heading,
       COALESCE(b.text, d.text) AS text,
       a.agency_code, ag.name AS agency_name, p.issuer, p.coordinator,
       p.document -> 'plan' ->> 'office' AS office, a.due_at, a.status, a.period
FROM assignments a
JOIN plans p ON p.id = a.plan_id
JOIN duties d ON (d.plan_id, d.duty_id) = (a.plan_id, a.duty_id)
JOIN agencies ag ON (ag.directory, ag.code) = (p.directory, a.agency_code)
LEFT JOIN assignment_briefs b ON b.assignment_id = a.id
WHERE a.id = $1
"""

# A closed assignment's row is final: no later write (a stray second run, a late retry of an
# older event) brings it back to an open status. Sorted: the order of a frozenset is not.
_FINAL = sorted(FINAL_STATUSES)


class AssignmentRepository(Repository):
    """Assignments: the mirror of each assignment workflow's state, written from its events."""

    async def upsert_assignment(
        self,
        *,
        id: str,
        plan_id: str,
        duty_id: str,
        agency_code: str,
        period: str,
        status: str,
        due_at: dt.datetime | None = None,
    ) -> Assignment:
        """Record an assignment workflow's row, or bring its status and deadline up to date.

        The workflow owns the state, so a second call overwrites `status` and `due_at`,
        unless the row is closed (accepted, cancelled, waived): a closed row never goes
        back to an open status. `original_due_at` keeps the first deadline ever set. The
        same id for another plan, duty, agency or period is a `Conflict`.
        """
        aware("due_at", due_at)
        with mapped_errors():
            row = await self._pool.fetchrow(
                _UPSERT_ASSIGNMENT,
                id,
                plan_id,
                duty_id,
                agency_code,
                period,
                due_at,
                status,
                _FINAL,
            )
        if row is None:
            raise Conflict(f"assignments: {id!r} already names another duty, agency or period")
        return Assignment.model_validate(dict(row))

    async def get_assignment(self, id: str) -> Assignment:
        """One assignment by its workflow id."""
        row = await self._pool.fetchrow("SELECT * FROM assignments WHERE id = $1", id)
        return row_model(Assignment, row, f"assignments: no assignment {id!r}")

    async def notice_subject(self, assignment_id: str) -> NoticeSubject:
        """What a notice about the assignment names, as the store has it now: the plan, the
        duty as given, the agencies and the current deadline and status."""
        row = await self._pool.fetchrow(_NOTICE_SUBJECT, assignment_id)
        if row is None:
            raise NotFound(f"assignments: no assignment {assignment_id!r} to send a notice about")
        return NoticeSubject(
            plan_id=row["plan_id"],
            plan_title=row["plan_title"],
            duty=DutyBrief(
                id=row["duty_id"], clause=row["clause"], heading=row["heading"], text=row["text"]
            ),
            agency=row["agency_code"],
            agency_name=row["agency_name"],
            issuer=row["issuer"],
            coordinator=row["coordinator"],
            office=row["office"],
            deadline=row["due_at"],
            status=row["status"],
            period=row["period"],
        )

    async def list_assignments(
        self, *, plan_id: str, agency_code: str | None = None, status: str | None = None
    ) -> list[Assignment]:
        """A plan's assignments, optionally one agency's or in one status, soonest due first."""
        rows = await self._pool.fetch(
            "SELECT * FROM assignments WHERE plan_id = $1"
            " AND ($2::text IS NULL OR agency_code = $2) AND ($3::text IS NULL OR status = $3)"
            " ORDER BY due_at NULLS LAST, id",
            plan_id,
            agency_code,
            status,
        )
        return [Assignment.model_validate(dict(r)) for r in rows]

    async def set_assignment_status(
        self, id: str, status: str, *, due_at: dt.datetime | None = None
    ) -> Assignment:
        """Mirror a workflow's new status, and its moved deadline when `due_at` is given; a
        closed assignment is returned unchanged."""
        aware("due_at", due_at)
        with mapped_errors():
            row = await self._pool.fetchrow(
                "UPDATE assignments SET status = $2, due_at = COALESCE($3, due_at),"
                " original_due_at = COALESCE(original_due_at, $3), updated_at = now()"
                " WHERE id = $1 AND status <> ALL($4::text[]) RETURNING *",
                id,
                status,
                due_at,
                _FINAL,
            )
            if row is None:  # closed (kept as it is), or missing (NotFound below)
                row = await self._pool.fetchrow("SELECT * FROM assignments WHERE id = $1", id)
        return row_model(Assignment, row, f"assignments: no assignment {id!r}")

    async def record_assignment_event(self, event: AssignmentEvent) -> bool:
        """Mirror an assignment workflow's state and append its audit entry, in one
        transaction; a retried call with the same key changes nothing. True if recorded."""
        aware("deadline", event.deadline)
        outcome = event.detail.get("outcome") if event.action == "accept" else None
        async with self._pool.acquire() as conn, conn.transaction():
            with mapped_errors():
                inserted = await conn.fetchval(
                    "INSERT INTO audit_log (actor, action, subject, detail, source,"
                    " idempotency_key) VALUES ($1, $2, $3, $4, $5, $6)"
                    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                    event.actor,
                    event.action,
                    event.assignment_id,
                    to_jsonable_python(
                        {
                            **event.detail,
                            "status": event.status,
                            "overdue": event.overdue,
                            "escalation_level": event.escalation_level,
                        }
                    ),
                    event.source,
                    event.idempotency_key,
                )
                if inserted is None:
                    return False
                before = await conn.fetchval(
                    "SELECT status FROM assignments WHERE id = $1 FOR UPDATE", event.assignment_id
                )
                if before in FINAL_STATUSES:
                    return True  # closed: audited, but the mirror never goes backwards
                if event.action == REROUTE_ACTION:
                    # The one event that moves the row to another agency (the successor in
                    # the plan's directory; the trigger of migration 0012 checks it).
                    await conn.execute(
                        "UPDATE assignments SET agency_code = $2, updated_at = now(),"
                        " given_agency_code = COALESCE(given_agency_code, agency_code)"
                        " WHERE id = $1 AND agency_code = $3",
                        event.assignment_id,
                        event.agency,
                        event.detail.get("from_agency"),
                    )
                row = await conn.fetchrow(
                    _UPSERT_ASSIGNMENT,
                    event.assignment_id,
                    event.plan_id,
                    event.duty_id,
                    event.agency,
                    event.period,
                    event.deadline,
                    event.status,
                    _FINAL,
                )
                if row is None:
                    raise Conflict(
                        f"assignments: {event.assignment_id!r} already names "
                        "another duty, agency or period"
                    )
                if event.brief is not None:
                    await conn.execute(
                        "INSERT INTO assignment_briefs (assignment_id, clause, heading, text)"
                        " VALUES ($1, $2, $3, $4) ON CONFLICT (assignment_id) DO NOTHING",
                        event.assignment_id,
                        event.brief.clause,
                        event.brief.heading,
                        event.brief.text,
                    )
                await conn.execute(
                    "UPDATE assignments SET overdue = $2, escalation_level = $3,"
                    " outcome = COALESCE($4, outcome),"
                    " original_due_at = COALESCE($5, original_due_at), pending_step = $6"
                    " WHERE id = $1",
                    event.assignment_id,
                    event.overdue,
                    event.escalation_level,
                    outcome,
                    event.original_deadline,
                    event.pending_step,
                )
        return True
