"""The store's repository: typed methods over SQL for activities, the portal and the CLI.

Each method is one statement or one transaction, so nothing is half-written. Errors come
back as kehoach.errors, never as asyncpg exceptions: `Conflict` when a unique key already
holds other data, `NotFound` for a missing row (or a reference to one), `StoreError` for a
broken rule. Activities turn those into non-retryable failures; connection errors stay
asyncpg's own so the retry policy handles them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import asyncpg
from pydantic_core import to_jsonable_python

from kehoach.errors import Conflict, NotFound, StoreError
from schemas.assignment import AssignmentEvent
from schemas.base import Model
from schemas.plan import Agency, NormalizedPlan
from schemas.store import (
    AgencyContacts,
    Assignment,
    AttachmentRef,
    AuditEntry,
    Channel,
    Decision,
    DecisionKind,
    Document,
    OutboxEntry,
    Person,
    Submission,
)

# The same limits as the CHECK constraints in db/migrations/0001_init.sql. A report may
# have 100,000 characters (schemas.assignment.MAX_REPORT_CHARS); at most 4 bytes each in UTF-8.
MAX_BODY_BYTES = 400_000
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ERROR_CHARS = 4000

M = TypeVar("M", bound=Model)


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """Turn asyncpg's integrity errors into kehoach's, naming the table and the key."""
    try:
        yield
    except asyncpg.UniqueViolationError as e:
        raise Conflict(f"{e.table_name}: {e.detail or e}") from e
    except asyncpg.ForeignKeyViolationError as e:
        raise NotFound(f"{e.table_name}: {e.detail or e}") from e
    except asyncpg.CheckViolationError as e:
        # Not e.detail: it repeats the whole row, report bodies included.
        raise StoreError(
            f"{e.table_name}: the value breaks the rule {e.constraint_name}"
            " (see db/migrations for what it allows)",
            message_vi="Dữ liệu không đúng quy định.",
        ) from e
    except (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError) as e:
        # Text PostgreSQL cannot keep (NUL): retrying cannot help, so it is a refusal.
        raise StoreError(
            f"text the database cannot store: {e}",
            message_vi="Nội dung có ký tự không lưu được.",
        ) from e


def _model(model: type[M], row: asyncpg.Record | None, missing: str) -> M:
    """The row as `model`, or NotFound saying what was `missing`."""
    if row is None:
        raise NotFound(missing)
    return model.model_validate(dict(row))


def _aware(field: str, value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.utcoffset() is None:
        raise StoreError(
            f"{field}: got {value.isoformat()} without a time zone; expected an aware datetime"
        )
    return value


def _check_body(body: str) -> None:
    size = len(body.encode())
    if size > MAX_BODY_BYTES:
        raise StoreError(
            f"body: got {size} bytes; expected at most {MAX_BODY_BYTES}",
            message_vi=f"Nội dung quá dài ({size} byte, tối đa {MAX_BODY_BYTES} byte).",
        )


class Store:
    """Everything kehoach keeps in PostgreSQL, behind one pool the process opened."""

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record]) -> None:
        self._pool = pool

    # --- The plan ----------------------------------------------------------------------

    async def load_plan(self, plan: NormalizedPlan) -> None:
        """Upsert the plan, its agencies, their contacts and its duties in one transaction.

        Loading the same plan again changes nothing (not even timestamps). A duty the new
        text no longer has is removed, unless assignments refer to it: then `Conflict`,
        and nothing of the new load is kept.
        """
        agencies = [
            (a.code, a.name, a.short_name, a.kind, a.webhook_url, a.report_endpoint)
            for a in plan.agencies
        ]
        contacts = [
            (a.code, role, c.name, c.title, c.email, c.phone, c.placeholder)
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
        p = plan.plan
        async with self._pool.acquire() as conn, conn.transaction():
            with _mapped_errors():
                await conn.executemany(_UPSERT_AGENCY, agencies)
                await conn.executemany(_UPSERT_CONTACT, contacts)
                await conn.execute(
                    _UPSERT_PLAN,
                    p.number,
                    p.title,
                    p.issuer,
                    p.issued_on,
                    p.year,
                    p.coordinator,
                    plan.model_dump(mode="json"),
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

    async def list_plan_ids(self) -> list[str]:
        """The number of every plan loaded, in order."""
        return [r["id"] for r in await self._pool.fetch("SELECT id FROM plans ORDER BY id")]

    async def get_agencies(self, codes: Iterable[str]) -> dict[str, Agency]:
        """The named agencies with their leader and focal contacts, by code; a code the
        directory does not hold is simply absent (notices skip it rather than fail)."""
        rows = await self._pool.fetch(_AGENCIES_WITH_CONTACTS, sorted(set(codes)))
        return {
            row["code"]: Agency.model_validate(
                {**{k: v for k, v in row.items() if k != "contacts"}, **row["contacts"]}
            )
            for row in rows
        }

    # --- Assignments -------------------------------------------------------------------

    async def agencies_with_contacts(self, codes: Iterable[str]) -> dict[str, AgencyContacts]:
        """The named agencies that exist, by code, with their contacts and webhook; an
        unknown code is simply absent."""
        rows = await self._pool.fetch(
            "SELECT a.code, a.name, a.webhook_url,"
            "       c.role, c.name AS contact_name, c.title, c.email, c.placeholder"
            " FROM agencies a LEFT JOIN contacts c ON c.agency_code = a.code"
            " WHERE a.code = ANY($1::text[])",
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
                    name=row["contact_name"], title=row["title"], email=row["email"],
                    placeholder=row["placeholder"],
                )
        return {code: AgencyContacts.model_validate(fields) for code, fields in found.items()}

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

        The workflow owns the state, so a second call overwrites `status` and `due_at`;
        `original_due_at` keeps the first deadline ever set. The same id for another
        plan, duty, agency or period is a `Conflict`.
        """
        _aware("due_at", due_at)
        with _mapped_errors():
            row = await self._pool.fetchrow(
                _UPSERT_ASSIGNMENT, id, plan_id, duty_id, agency_code, period, due_at, status
            )
        if row is None:
            raise Conflict(f"assignments: {id!r} already names another duty, agency or period")
        return Assignment.model_validate(dict(row))

    async def get_assignment(self, id: str) -> Assignment:
        """One assignment by its workflow id."""
        row = await self._pool.fetchrow("SELECT * FROM assignments WHERE id = $1", id)
        return _model(Assignment, row, f"assignments: no assignment {id!r}")

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
        """Mirror a workflow's new status, and its moved deadline when `due_at` is given."""
        _aware("due_at", due_at)
        with _mapped_errors():
            row = await self._pool.fetchrow(
                "UPDATE assignments SET status = $2, due_at = COALESCE($3, due_at),"
                " original_due_at = COALESCE(original_due_at, $3), updated_at = now()"
                " WHERE id = $1 RETURNING *",
                id,
                status,
                due_at,
            )
        return _model(Assignment, row, f"assignments: no assignment {id!r}")

    # --- Submissions and decisions -----------------------------------------------------

    async def add_submission(
        self,
        *,
        assignment_id: str,
        submitted_by: str,
        body: str,
        attachments: Sequence[AttachmentRef] = (),
        version: int | None = None,
        submitted_at: dt.datetime | None = None,
        idempotency_key: str | None = None,
    ) -> int:
        """Keep a new version of the assignment's report; return its version number.

        Without `version` the store numbers them 1, 2, 3… per assignment, locking the
        assignment row while it takes the next number, so concurrent submissions never
        share one. A workflow that numbers its own versions passes `version` (and its
        `submitted_at`). Either way a retry is safe: the same version, or the same
        `idempotency_key`, with the same content returns the version already kept; with
        other content it is a `Conflict`.
        """
        _check_body(body)
        _aware("submitted_at", submitted_at)
        async with self._pool.acquire() as conn, conn.transaction():
            found = await conn.fetchval(
                "SELECT 1 FROM assignments WHERE id = $1 FOR UPDATE", assignment_id
            )
            if found is None:
                raise NotFound(f"assignments: no assignment {assignment_id!r}")
            earlier = await conn.fetchrow(
                "SELECT * FROM submissions WHERE assignment_id = $1"
                " AND (version = $2 OR idempotency_key = $3) ORDER BY version LIMIT 1",
                assignment_id,
                version,
                idempotency_key,
            )
            if earlier is not None:
                kept = Submission.model_validate(dict(earlier))
                if (kept.submitted_by, kept.body, kept.attachments) != (
                    submitted_by,
                    body,
                    list(attachments),
                ):
                    raise Conflict(
                        f"submissions: version {kept.version} of {assignment_id!r} already"
                        " holds another report",
                        message_vi="Phiên bản báo cáo này đã được lưu với nội dung khác.",
                    )
                return kept.version
            with _mapped_errors():
                stored = await conn.fetchval(
                    _INSERT_SUBMISSION,
                    assignment_id,
                    version,
                    submitted_by,
                    body,
                    [a.model_dump(mode="json") for a in attachments],
                    idempotency_key,
                    submitted_at,
                )
        return int(stored)

    async def list_submissions(self, assignment_id: str) -> list[Submission]:
        """Every version of an assignment's report, oldest first."""
        rows = await self._pool.fetch(
            "SELECT * FROM submissions WHERE assignment_id = $1 ORDER BY version", assignment_id
        )
        return [Submission.model_validate(dict(r)) for r in rows]

    async def add_decision(
        self,
        *,
        assignment_id: str,
        submission_version: int,
        step: str,
        decision: DecisionKind,
        actor: str,
        reason: str | None = None,
    ) -> Decision:
        """Record one approval step's decision on one version; a retry returns the same row.

        Each step decides a version once: a different decision for the same step and
        version is a `Conflict`. Returning a report requires a reason.
        """
        if decision == "returned" and not reason:
            raise StoreError(
                "reason: got nothing; expected a reason when a report is returned",
                message_vi="Cần nêu lý do khi trả lại báo cáo.",
            )
        key = (assignment_id, submission_version, step)
        async with self._pool.acquire() as conn:
            with _mapped_errors():
                row = await conn.fetchrow(
                    "INSERT INTO decisions"
                    " (assignment_id, submission_version, step, decision, actor, reason)"
                    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING *",
                    *key,
                    decision,
                    actor,
                    reason,
                )
            if row is None:
                row = await conn.fetchrow(
                    "SELECT * FROM decisions WHERE assignment_id = $1"
                    " AND submission_version = $2 AND step = $3",
                    *key,
                )
        recorded = _model(Decision, row, f"decisions: none for {key}")
        if (recorded.decision, recorded.actor, recorded.reason) != (decision, actor, reason):
            raise Conflict(
                f"decisions: step {step!r} already {recorded.decision} version "
                f"{submission_version} of {assignment_id!r} (by {recorded.actor})",
                message_vi="Bước duyệt này đã có quyết định khác.",
            )
        return recorded

    # --- Attachments -------------------------------------------------------------------

    async def put_attachment(
        self, *, name: str, content_type: str, content: bytes
    ) -> AttachmentRef:
        """Keep a file's bytes, addressed by SHA-256 (stored once however often attached)."""
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise StoreError(
                f"{name}: got {len(content)} bytes; expected at most {MAX_ATTACHMENT_BYTES}",
                message_vi=f"Tệp đính kèm {name} quá lớn.",
            )
        digest = hashlib.sha256(content).hexdigest()
        with _mapped_errors():
            await self._pool.execute(
                "INSERT INTO attachments (sha256, content, content_type, size)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
                digest,
                content,
                content_type,
                len(content),
            )
        return AttachmentRef(
            name=name,
            content_type=content_type,
            size=len(content),
            sha256=digest,
            storage_key=f"pg:{digest}",
        )

    async def get_attachment(self, sha256: str) -> bytes:
        """A stored file's bytes."""
        content = await self._pool.fetchval(
            "SELECT content FROM attachments WHERE sha256 = $1", sha256
        )
        if content is None:
            raise NotFound(f"attachments: no file with sha256 {sha256}")
        return bytes(content)

    # --- The notice outbox -------------------------------------------------------------

    async def outbox_claim(
        self,
        idempotency_key: str,
        *,
        kind: str,
        channel: Channel,
        recipient: str,
        body: str,
        subject: str | None = None,
        assignment_id: str | None = None,
    ) -> OutboxEntry:
        """Claim a notice before sending it: insert it as 'pending', or return the row the key
        already holds, so a retried activity sees 'sent' and does not send twice."""
        _check_body(body)
        async with self._pool.acquire() as conn:
            with _mapped_errors():
                row = await conn.fetchrow(
                    "INSERT INTO notice_outbox"
                    " (idempotency_key, kind, channel, recipient, subject, body, assignment_id)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING *",
                    idempotency_key,
                    kind,
                    channel,
                    recipient,
                    subject,
                    body,
                    assignment_id,
                )
            if row is None:
                row = await conn.fetchrow(
                    "SELECT * FROM notice_outbox WHERE idempotency_key = $1", idempotency_key
                )
        return _model(OutboxEntry, row, f"notice_outbox: no notice {idempotency_key!r}")

    async def outbox_mark_sent(self, idempotency_key: str) -> OutboxEntry:
        """The notice went out. Only a pending notice changes: sent and failed are final,
        so marking it again keeps the first `sent_at`."""
        return await self._outbox_update(
            idempotency_key,
            "state = 'sent', sent_at = now(), attempts = attempts + 1",
        )

    async def outbox_mark_failed(
        self, idempotency_key: str, error: str, *, permanent: bool
    ) -> OutboxEntry:
        """A send failed: count the attempt and keep the error. A permanent failure ends in
        'failed'; a transient one stays 'pending' for the next attempt. A notice already
        sent or failed is left as it is."""
        return await self._outbox_update(
            idempotency_key,
            "state = CASE WHEN $3 THEN 'failed' ELSE 'pending' END,"
            " attempts = attempts + 1, last_error = $2",
            error[:MAX_ERROR_CHARS],
            permanent,
        )

    async def _outbox_update(self, key: str, set_clause: str, *args: object) -> OutboxEntry:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                f"UPDATE notice_outbox SET {set_clause}"
                " WHERE idempotency_key = $1 AND state = 'pending' RETURNING *",
                key,
                *args,
            )
            if row is None:
                row = await conn.fetchrow(
                    "SELECT * FROM notice_outbox WHERE idempotency_key = $1", key
                )
        return _model(OutboxEntry, row, f"notice_outbox: no notice {key!r}")

    # --- The audit log -----------------------------------------------------------------

    async def record_assignment_event(self, event: AssignmentEvent) -> bool:
        """Mirror an assignment workflow's state and append its audit entry, in one
        transaction; a retried call with the same key changes nothing. True if recorded."""
        _aware("deadline", event.deadline)
        outcome = event.detail.get("outcome") if event.action == "accept" else None
        async with self._pool.acquire() as conn, conn.transaction():
            with _mapped_errors():
                inserted = await conn.fetchval(
                    "INSERT INTO audit_log (actor, action, subject, detail, source,"
                    " idempotency_key) VALUES ($1, $2, $3, $4, $5, $6)"
                    " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                    event.actor, event.action, event.assignment_id,
                    to_jsonable_python({**event.detail, "status": event.status,
                                        "overdue": event.overdue,
                                        "escalation_level": event.escalation_level}),
                    event.source, event.idempotency_key,
                )
                if inserted is None:
                    return False
                row = await conn.fetchrow(
                    _UPSERT_ASSIGNMENT, event.assignment_id, event.plan_id, event.duty_id,
                    event.agency, event.period, event.deadline, event.status,
                )
                if row is None:
                    raise Conflict(f"assignments: {event.assignment_id!r} already names "
                                   "another duty, agency or period")
                await conn.execute(
                    "UPDATE assignments SET overdue = $2, escalation_level = $3,"
                    " outcome = COALESCE($4, outcome),"
                    " original_due_at = COALESCE($5, original_due_at) WHERE id = $1",
                    event.assignment_id, event.overdue, event.escalation_level, outcome,
                    event.original_deadline,
                )
        return True

    # --- Signed links used once (db/migrations/0004_portal.sql) ------------------------
    # The insert is the test: two people (or one double click) using the same link race on
    # the primary key, and exactly one of them wins.

    async def use_link(self, nonce: str, *, purpose: str, email: str) -> bool:
        """Record a signed link's nonce as used; False if it already was."""
        used = await self._pool.fetchval(
            "INSERT INTO action_links_used (nonce, purpose, email) VALUES ($1, $2, $3)"
            " ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
            nonce, purpose, email,
        )
        return used is not None

    async def link_used(self, nonce: str) -> bool:
        """Whether the link with this nonce was used."""
        return bool(await self._pool.fetchval(
            "SELECT 1 FROM action_links_used WHERE nonce = $1", nonce
        ))

    async def release_link(self, nonce: str) -> None:
        """Make a used link usable again."""
        await self._pool.execute("DELETE FROM action_links_used WHERE nonce = $1", nonce)

    async def put_document(
        self, *, id: str, plan_id: str, kind: str, markdown: str, docx: bytes
    ) -> Document:
        """Keep a produced document; the same id with the same bytes again is a no-op."""
        digest = hashlib.sha256(docx).hexdigest()
        with _mapped_errors():
            row = await self._pool.fetchrow(
                "INSERT INTO documents (id, plan_id, kind, markdown, docx, sha256)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING *",
                id, plan_id, kind, markdown, docx, digest,
            )
        if row is None:
            existing = await self.get_document(id)
            if existing.sha256 != digest:
                raise Conflict(f"documents: {id!r} already holds other content")
            return existing
        return Document.model_validate(dict(row))

    async def get_document(self, id: str) -> Document:
        """One document with its Markdown and .docx bytes."""
        row = await self._pool.fetchrow("SELECT * FROM documents WHERE id = $1", id)
        return _model(Document, row, f"documents: no document {id!r}")

    async def list_documents(self, *, plan_id: str, kind: str) -> list[Document]:
        """A plan's documents of one kind, oldest first."""
        rows = await self._pool.fetch(
            "SELECT * FROM documents WHERE plan_id = $1 AND kind = $2 ORDER BY created_at, id",
            plan_id, kind,
        )
        return [Document.model_validate(dict(r)) for r in rows]

    async def append_audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, Any] | None = None,
        source: str,
    ) -> AuditEntry:
        """Append who did what to which subject, and from where. Rows are never changed."""
        with _mapped_errors():
            row = await self._pool.fetchrow(
                "INSERT INTO audit_log (actor, action, subject, detail, source)"
                " VALUES ($1, $2, $3, $4, $5) RETURNING *",
                actor,
                action,
                subject,
                to_jsonable_python(dict(detail or {})),
                source,
            )
        return _model(AuditEntry, row, "audit_log: insert returned nothing")

    async def list_audit(self, subject: str) -> list[AuditEntry]:
        """A subject's audit trail, oldest first."""
        rows = await self._pool.fetch(
            "SELECT * FROM audit_log WHERE subject = $1 ORDER BY id", subject
        )
        return [AuditEntry.model_validate(dict(r)) for r in rows]


_UPSERT_AGENCY = """
INSERT INTO agencies (code, name, short_name, kind, webhook_url, report_endpoint)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (code) DO UPDATE SET
    name = EXCLUDED.name, short_name = EXCLUDED.short_name, kind = EXCLUDED.kind,
    webhook_url = EXCLUDED.webhook_url, report_endpoint = EXCLUDED.report_endpoint,
    updated_at = now()
WHERE (agencies.name, agencies.short_name, agencies.kind, agencies.webhook_url,
       agencies.report_endpoint)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.short_name, EXCLUDED.kind,
       EXCLUDED.webhook_url, EXCLUDED.report_endpoint)
"""

_UPSERT_CONTACT = """
INSERT INTO contacts (agency_code, role, name, title, email, phone, placeholder)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (agency_code, role) DO UPDATE SET
    name = EXCLUDED.name, title = EXCLUDED.title, email = EXCLUDED.email,
    phone = EXCLUDED.phone, placeholder = EXCLUDED.placeholder, updated_at = now()
WHERE (contacts.name, contacts.title, contacts.email, contacts.phone, contacts.placeholder)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.title, EXCLUDED.email, EXCLUDED.phone,
       EXCLUDED.placeholder)
"""

# The other columns are read from the document, so comparing it is enough.
_UPSERT_PLAN = """
INSERT INTO plans (id, title, issuer, issued_on, year, coordinator, document)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO UPDATE SET
    title = EXCLUDED.title, issuer = EXCLUDED.issuer, issued_on = EXCLUDED.issued_on,
    year = EXCLUDED.year, coordinator = EXCLUDED.coordinator, document = EXCLUDED.document,
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

# Identity columns must match for the update to happen; no row back means another identity.
_UPSERT_ASSIGNMENT = """
INSERT INTO assignments
    (id, plan_id, duty_id, agency_code, period, due_at, original_due_at, status)
VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
ON CONFLICT (id) DO UPDATE SET
    due_at = EXCLUDED.due_at, status = EXCLUDED.status,
    original_due_at = COALESCE(assignments.original_due_at, EXCLUDED.due_at),
    updated_at = CASE
        WHEN (assignments.due_at, assignments.status)
             IS DISTINCT FROM (EXCLUDED.due_at, EXCLUDED.status)
        THEN now() ELSE assignments.updated_at END
WHERE (assignments.plan_id, assignments.duty_id, assignments.agency_code, assignments.period)
      = (EXCLUDED.plan_id, EXCLUDED.duty_id, EXCLUDED.agency_code, EXCLUDED.period)
RETURNING *
"""

# The next version unless the caller numbered it; the database's clock unless the caller's.
_INSERT_SUBMISSION = """
INSERT INTO submissions
    (assignment_id, version, submitted_by, body, attachments, idempotency_key, submitted_at)
SELECT $1, COALESCE($2, max(version) + 1, 1), $3, $4, $5, $6, COALESCE($7, now())
FROM submissions WHERE assignment_id = $1
RETURNING version
"""

_AGENCIES_WITH_CONTACTS = """
SELECT a.code, a.name, a.short_name, a.kind, a.webhook_url, a.report_endpoint,
       jsonb_object_agg(c.role, jsonb_build_object(
           'name', c.name, 'title', c.title, 'email', c.email, 'phone', c.phone,
           'placeholder', c.placeholder)) AS contacts
FROM agencies a JOIN contacts c ON c.agency_code = a.code
WHERE a.code = ANY($1::text[])
GROUP BY a.code
"""
