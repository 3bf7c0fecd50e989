"""The notice outbox: one row per delivery, claimed before sending, marked after."""

from __future__ import annotations

from adapters.store.base import (
    MAX_ERROR_CHARS,
    Repository,
    check_body,
    mapped_errors,
    row_model,
)
from schemas.store import (
    Channel,
    OutboxEntry,
)


class OutboxRepository(Repository):
    """The notice outbox: one row per delivery, claimed before sending, marked after."""

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
        check_body(body)
        async with self._pool.acquire() as conn:
            with mapped_errors():
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
        return row_model(OutboxEntry, row, f"notice_outbox: no notice {idempotency_key!r}")

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
        return row_model(OutboxEntry, row, f"notice_outbox: no notice {key!r}")
