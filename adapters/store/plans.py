"""The plan, its agencies and duties, and the directory's contacts."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from adapters.store.base import (
    Repository,
    mapped_errors,
)
from schemas.assignment import FINAL_STATUSES
from schemas.errors import Conflict, NotFound
from schemas.plan import Agency, NormalizedPlan, Succession
from schemas.store import (
    AgencyContacts,
    Assignment,
    Person,
)

_UPSERT_AGENCY = """
INSERT INTO agencies (directory, code, name, short_name, kind, webhook_url, report_endpoint)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (directory, code) DO UPDATE SET
    name = EXCLUDED.name, short_name = EXCLUDED.short_name, kind = EXCLUDED.kind,
    webhook_url = EXCLUDED.webhook_url, report_endpoint = EXCLUDED.report_endpoint,
    updated_at = now()
WHERE (agencies.name, agencies.short_name, agencies.kind, agencies.webhook_url,
       agencies.report_endpoint)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.short_name, EXCLUDED.kind,
       EXCLUDED.webhook_url, EXCLUDED.report_endpoint)
"""


_UPSERT_CONTACT = """
INSERT INTO contacts (directory, agency_code, role, name, title, email, phone, placeholder)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (directory, agency_code, role) DO UPDATE SET
    name = EXCLUDED.name, title = EXCLUDED.title, email = EXCLUDED.email,
    phone = EXCLUDED.phone, placeholder = EXCLUDED.placeholder, updated_at = now()
WHERE (contacts.name, contacts.title, contacts.email, contacts.phone, contacts.placeholder)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.title, EXCLUDED.email, EXCLUDED.phone,
       EXCLUDED.placeholder)
"""


# The other columns are read from the document, so comparing it is enough.
_UPSERT_PLAN = """
INSERT INTO plans (id, title, issuer, issued_on, year, coordinator, document, directory)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (id) DO UPDATE SET
    directory = EXCLUDED.directory, title = EXCLUDED.title, issuer = EXCLUDED.issuer,
    issued_on = EXCLUDED.issued_on, year = EXCLUDED.year, coordinator = EXCLUDED.coordinator,
    document = EXCLUDED.document,
    loaded_at = now()
WHERE plans.document IS DISTINCT FROM EXCLUDED.document
"""


_UPSERT_DUTY = """
INSERT INTO duties (plan_id, duty_id, clause, section, heading, text, mode, deliverable, deadline)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (plan_id, duty_id) DO UPDATE SET
    clause = EXCLUDED.clause, section = EXCLUDED.section, heading = EXCLUDED.heading,
    text = EXCLUDED.text, mode = EXCLUDED.mode, deliverable = EXCLUDED.deliverable,
    deadline = EXCLUDED.deadline
WHERE (duties.clause, duties.section, duties.heading, duties.text, duties.mode,
       duties.deliverable, duties.deadline)
      IS DISTINCT FROM (EXCLUDED.clause, EXCLUDED.section, EXCLUDED.heading, EXCLUDED.text,
       EXCLUDED.mode, EXCLUDED.deliverable, EXCLUDED.deadline)
"""


_UPSERT_SUCCESSION = """
INSERT INTO agency_successions (directory, code, successor, effective, basis)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (directory, code) DO UPDATE SET
    successor = EXCLUDED.successor, effective = EXCLUDED.effective, basis = EXCLUDED.basis,
    recorded_at = now()
WHERE (agency_successions.successor, agency_successions.effective, agency_successions.basis)
      IS DISTINCT FROM (EXCLUDED.successor, EXCLUDED.effective, EXCLUDED.basis)
"""


_AGENCIES_WITH_CONTACTS = """
SELECT a.code, a.name, a.short_name, a.kind, a.webhook_url, a.report_endpoint,
       jsonb_object_agg(c.role, jsonb_build_object(
           'name', c.name, 'title', c.title, 'email', c.email, 'phone', c.phone,
           'placeholder', c.placeholder)) AS contacts
FROM agencies a JOIN contacts c ON (c.directory, c.agency_code) = (a.directory, a.code)
WHERE a.directory = (SELECT directory FROM plans WHERE id = $1) AND a.code = ANY($2::text[])
GROUP BY a.directory, a.code
"""


class PlanRepository(Repository):
    """The plan, its agencies and duties, and the directory's contacts."""

    async def load_plan(self, plan: NormalizedPlan) -> None:
        """Upsert the plan, its agencies, their contacts and its duties in one transaction.

        Loading the same plan again changes nothing (not even timestamps). A duty the new
        text no longer has is removed, unless assignments refer to it: then `Conflict`,
        and nothing of the new load is kept.
        """
        directory = plan.directory
        agencies = [
            (directory, a.code, a.name, a.short_name, a.kind, a.webhook_url, a.report_endpoint)
            for a in plan.agencies
        ]
        contacts = [
            (directory, a.code, role, c.name, c.title, c.email, c.phone, c.placeholder)
            for a in plan.agencies
            for role, c in (("leader", a.leader), ("focal", a.focal))
        ]
        duties = [
            (
                plan.plan.number,
                d.id,
                d.clause,
                d.section,
                d.heading,
                d.text,
                d.mode,
                d.deliverable,
                d.deadline.model_dump(mode="json"),
            )
            for d in plan.duties
        ]
        successions = [
            (directory, s.code, s.successor, s.effective, s.basis) for s in plan.successions
        ]
        p = plan.plan
        async with self._pool.acquire() as conn, conn.transaction():
            with mapped_errors():
                await conn.executemany(_UPSERT_AGENCY, agencies)
                await conn.executemany(_UPSERT_CONTACT, contacts)
                await conn.executemany(_UPSERT_SUCCESSION, successions)
                # The directory version as loaded is the whole truth: a succession it no
                # longer lists was withdrawn (a reroute still waiting for its day skips it).
                await conn.execute(
                    "DELETE FROM agency_successions WHERE directory = $1"
                    " AND NOT (code = ANY($2::text[]))",
                    directory,
                    [s.code for s in plan.successions],
                )
                await conn.execute(
                    _UPSERT_PLAN,
                    p.number,
                    p.title,
                    p.issuer,
                    p.issued_on,
                    p.year,
                    p.coordinator,
                    plan.model_dump(mode="json"),
                    directory,
                )
                await conn.executemany(_UPSERT_DUTY, duties)
            try:
                await conn.execute(
                    "DELETE FROM duties WHERE plan_id = $1 AND NOT (duty_id = ANY($2::text[]))",
                    p.number,
                    [d.id for d in plan.duties],
                )
            except asyncpg.ForeignKeyViolationError as e:
                raise Conflict(
                    f"plan {p.number} no longer has a duty that assignments refer to ({e.detail})",
                    message_vi="Không thể bỏ nhiệm vụ đã được giao.",
                ) from e

    async def get_plan(self, plan_id: str) -> NormalizedPlan:
        """The normalized plan as last loaded."""
        document = await self._pool.fetchval("SELECT document FROM plans WHERE id = $1", plan_id)
        if document is None:
            raise NotFound(f"plans: no plan {plan_id!r}")
        return NormalizedPlan.model_validate(document)

    async def list_plan_ids(self, *, directory: str | None = None) -> list[str]:
        """The number of every plan loaded (of one province's directory if given), in order."""
        rows = await self._pool.fetch(
            "SELECT id FROM plans WHERE $1::text IS NULL OR directory = $1 ORDER BY id", directory
        )
        return [r["id"] for r in rows]

    async def get_agencies(self, plan_id: str, codes: Iterable[str]) -> dict[str, Agency]:
        """The named agencies of the plan's directory with their leader and focal contacts,
        by code; a code the directory does not hold is simply absent (notices skip it rather
        than fail)."""
        rows = await self._pool.fetch(_AGENCIES_WITH_CONTACTS, plan_id, sorted(set(codes)))
        return {
            row["code"]: Agency.model_validate(
                {**{k: v for k, v in row.items() if k != "contacts"}, **row["contacts"]}
            )
            for row in rows
        }

    async def agencies_with_contacts(
        self, plan_id: str, codes: Iterable[str]
    ) -> dict[str, AgencyContacts]:
        """The named agencies of the plan's directory that exist, by code, with their
        contacts and webhook; an unknown code is simply absent."""
        rows = await self._pool.fetch(
            "SELECT a.code, a.name, a.webhook_url,"
            "       c.role, c.name AS contact_name, c.title, c.email, c.placeholder"
            " FROM agencies a LEFT JOIN contacts c"
            "   ON (c.directory, c.agency_code) = (a.directory, a.code)"
            " WHERE a.directory = (SELECT directory FROM plans WHERE id = $1)"
            "   AND a.code = ANY($2::text[])",
            plan_id,
            sorted(set(codes)),
        )
        found: dict[str, dict[str, object]] = {}
        for row in rows:
            code = row["code"]
            agency = found.setdefault(
                code, {"code": code, "name": row["name"], "webhook_url": row["webhook_url"]}
            )
            if row["role"] is not None:
                agency[row["role"]] = Person(
                    name=row["contact_name"],
                    title=row["title"],
                    email=row["email"],
                    placeholder=row["placeholder"],
                )
        return {code: AgencyContacts.model_validate(fields) for code, fields in found.items()}

    async def successions(self, directory: str) -> list[Succession]:
        """The mergers and renamings the directory's version as last loaded records."""
        rows = await self._pool.fetch(
            "SELECT code, successor, effective, basis FROM agency_successions"
            " WHERE directory = $1 ORDER BY effective, code",
            directory,
        )
        return [Succession.model_validate(dict(r)) for r in rows]

    async def open_assignments_of(self, directory: str, code: str) -> list[Assignment]:
        """The agency's assignments still open (not accepted, cancelled, waived or ended),
        across every plan of the directory, oldest id first."""
        rows = await self._pool.fetch(
            "SELECT a.* FROM assignments a JOIN plans p ON p.id = a.plan_id"
            " WHERE p.directory = $1 AND a.agency_code = $2"
            " AND a.status <> ALL($3::text[]) ORDER BY a.id",
            directory,
            code,
            sorted(FINAL_STATUSES),
        )
        return [Assignment.model_validate(dict(r)) for r in rows]
