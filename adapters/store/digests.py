"""What the morning digest reads and the notice preferences people set (migration 0009)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from adapters.store.base import Repository, aware, check_body, mapped_errors
from schemas.digest import Delivery, DigestRow, Reader

# Every assignment someone may still have to look at, with its plan's roles. Whose approval
# a submitted report waits for is the step the workflow mirrors (migration 0007), whatever
# the duty's chain; a row mirrored before that falls back to the default chain (agency
# leader, then coordinator): the first step without a decision on the latest version.
_ROWS = """
SELECT a.id, a.plan_id, p.title AS plan_title, d.clause, d.text AS duty_text,
       p.directory, a.agency_code, g.name AS agency_name, p.coordinator, p.issuer,
       p.document -> 'plan' ->> 'office' AS office,
       a.status, a.due_at, a.overdue,
       CASE WHEN a.status <> 'submitted' THEN NULL
            WHEN a.pending_step IS NOT NULL THEN a.pending_step
            WHEN NOT EXISTS (
                SELECT 1 FROM decisions x
                WHERE x.assignment_id = a.id AND x.step = 'agency_leader'
                  AND x.submission_version = (
                      SELECT max(version) FROM submissions s WHERE s.assignment_id = a.id))
            THEN 'agency_leader'
            ELSE 'coordinator' END AS pending_step
FROM assignments a
JOIN plans p ON p.id = a.plan_id
JOIN duties d ON (d.plan_id, d.duty_id) = (a.plan_id, a.duty_id)
JOIN agencies g ON (g.directory, g.code) = (p.directory, a.agency_code)
WHERE a.status IN ('assigned', 'returned', 'submitted')
ORDER BY a.id
"""


class DigestRepository(Repository):
    """The digest's view of the assignments, its readers, and each person's choice."""

    async def digest_rows(self) -> list[DigestRow]:
        """Every open or submitted assignment, as the digest describes it."""
        rows = await self._pool.fetch(_ROWS)
        return [
            DigestRow(
                assignment_id=r["id"],
                plan_id=r["plan_id"],
                plan_title=r["plan_title"],
                clause=r["clause"],
                duty_text=r["duty_text"],
                directory=r["directory"],
                agency_code=r["agency_code"],
                agency_name=r["agency_name"],
                coordinator=r["coordinator"],
                office=r["office"] or "",
                issuer=r["issuer"],
                status=r["status"],
                due_at=aware("due_at", r["due_at"]),
                overdue=r["overdue"],
                pending_step=r["pending_step"],
            )
            for r in rows
        ]

    async def digest_readers(self) -> list[Reader]:
        """Every contact of the directory, once per address (a person named by two agencies
        reads one digest, as the first agency's contact). Placeholder contacts are included,
        as notices include them: their mail goes where the directory says."""
        rows = await self._pool.fetch(
            "SELECT DISTINCT ON (lower(c.email)) c.email, c.name, c.title, c.role, c.placeholder,"
            "       a.directory, a.code, a.name AS agency_name"
            " FROM contacts c"
            " JOIN agencies a ON (a.directory, a.code) = (c.directory, c.agency_code)"
            " ORDER BY lower(c.email), c.role, a.code, a.directory"
        )
        return [
            Reader(
                email=r["email"],
                name=r["name"],
                title=r["title"],
                directory=r["directory"],
                agency_code=r["code"],
                agency_name=r["agency_name"],
                contact=r["role"],
                placeholder=r["placeholder"],
            )
            for r in rows
        ]

    async def delivery_preferences(self, emails: Iterable[str]) -> dict[str, Delivery]:
        """The choices the people at `emails` made, by lower-case address; absent: none made."""
        rows = await self._pool.fetch(
            "SELECT email, delivery FROM notice_preferences WHERE email = ANY($1::text[])",
            sorted({e.lower() for e in emails}),
        )
        return {r["email"]: r["delivery"] for r in rows}

    async def set_delivery_preference(self, email: str, delivery: Delivery) -> None:
        """Record a person's choice; the latest one counts."""
        with mapped_errors():
            await self._pool.execute(
                "INSERT INTO notice_preferences (email, delivery) VALUES ($1, $2)"
                " ON CONFLICT (email) DO UPDATE SET delivery = EXCLUDED.delivery,"
                " updated_at = now()",
                email.lower(),
                delivery,
            )

    @asynccontextmanager
    async def outbox_lease(self, idempotency_key: str) -> AsyncIterator[bool]:
        """Whether this caller alone holds `idempotency_key` for the block (a session advisory
        lock on one connection): two workers running the same digest never both send it; the
        one without the lease leaves it to the other, which marks it sent."""
        async with self._pool.acquire() as conn:
            got = await conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtextextended($1, 14))", idempotency_key
            )
            try:
                yield bool(got)
            finally:
                if got:
                    await conn.execute(
                        "SELECT pg_advisory_unlock(hashtextextended($1, 14))", idempotency_key
                    )

    async def outbox_hold(
        self,
        idempotency_key: str,
        *,
        kind: str,
        recipient: str,
        subject: str,
        body: str,
        reason: str,
    ) -> bool:
        """Keep a delivery for the digest instead of sending it; False if the key is taken."""
        check_body(body)
        with mapped_errors():
            inserted = await self._pool.fetchval(
                "INSERT INTO notice_outbox"
                " (idempotency_key, kind, channel, recipient, subject, body, state, last_error)"
                " VALUES ($1, $2, 'email', $3, $4, $5, 'held', $6)"
                " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                idempotency_key,
                kind,
                recipient,
                subject,
                body,
                reason,
            )
        return inserted is not None

    async def held_since(self, recipient: str, since: dt.datetime | None) -> list[str]:
        """Keys of deliveries held for `recipient` after `since` (None: ever)."""
        rows = await self._pool.fetch(
            "SELECT idempotency_key FROM notice_outbox WHERE state = 'held'"
            " AND lower(recipient) = lower($1) AND ($2::timestamptz IS NULL OR created_at > $2)",
            recipient,
            since,
        )
        return [r["idempotency_key"] for r in rows]

    async def last_digest_at(self, recipient: str, *, excluding: str) -> dt.datetime | None:
        """When the last digest to `recipient` other than `excluding` (the one being sent,
        which a retried activity may already have claimed) was claimed, if one ever was."""
        value = await self._pool.fetchval(
            "SELECT max(created_at) FROM notice_outbox WHERE kind = 'digest'"
            " AND lower(recipient) = lower($1) AND idempotency_key <> $2",
            recipient,
            excluding,
        )
        return aware("created_at", value)

    async def mails_by_recipient(self) -> list[tuple[str, str, str]]:
        """(recipient, kind, outbox key) of every email sent, for the demo's and bench's counts."""
        rows = await self._pool.fetch(
            "SELECT recipient, kind, idempotency_key FROM notice_outbox"
            " WHERE channel = 'email' AND state = 'sent' ORDER BY id"
        )
        return [(r["recipient"], r["kind"], r["idempotency_key"]) for r in rows]
