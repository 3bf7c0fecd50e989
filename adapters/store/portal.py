"""The portal's own rows: signed links used once, sessions and API tokens, rate limits."""

from __future__ import annotations

import datetime as dt

from adapters.store.base import (
    Repository,
    aware,
    mapped_errors,
)
from schemas.store import (
    PortalSession,
)


class PortalRepository(Repository):
    """The portal's own rows: signed links used once, sessions and API tokens, rate limits."""

    # The insert is the test: two people (or one double click) using the same link race on
    # the primary key, and exactly one of them wins.

    async def use_link(self, nonce: str, *, purpose: str, email: str) -> bool:
        """Record a signed link's nonce as used; False if it already was."""
        used = await self._pool.fetchval(
            "INSERT INTO action_links_used (nonce, purpose, email) VALUES ($1, $2, $3)"
            " ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
            nonce,
            purpose,
            email,
        )
        return used is not None

    async def link_used(self, nonce: str) -> bool:
        """Whether the link with this nonce was used."""
        return bool(
            await self._pool.fetchval("SELECT 1 FROM action_links_used WHERE nonce = $1", nonce)
        )

    async def release_link(self, nonce: str) -> None:
        """Make a used link usable again."""
        await self._pool.execute("DELETE FROM action_links_used WHERE nonce = $1", nonce)

    async def put_session(
        self,
        token_hash: str,
        *,
        kind: str,
        email: str,
        csrf: str,
        expires_at: dt.datetime,
        parent_hash: str | None = None,
    ) -> None:
        """Keep a new session or API token (by the hash of its value)."""
        aware("expires_at", expires_at)
        async with self._pool.acquire() as conn, conn.transaction():
            with mapped_errors():
                await conn.execute(
                    "INSERT INTO portal_sessions"
                    " (token_hash, kind, email, csrf, parent_hash, expires_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6)",
                    token_hash,
                    kind,
                    email,
                    csrf,
                    parent_hash,
                    expires_at,
                )
            # Rows a day past their end serve no one, unless a live token names them.
            await conn.execute(
                "DELETE FROM portal_sessions s WHERE s.expires_at < now() - interval '1 day'"
                " AND NOT EXISTS (SELECT 1 FROM portal_sessions t"
                "     WHERE t.parent_hash = s.token_hash AND t.expires_at > now())"
            )

    async def live_session(self, token_hash: str) -> PortalSession | None:
        """The session or token with this hash, unless it is revoked, expired or unknown."""
        row = await self._pool.fetchrow(
            "SELECT kind, email, csrf, expires_at FROM portal_sessions WHERE token_hash = $1"
            " AND revoked_at IS NULL AND expires_at > now()"
            " AND (parent_hash IS NULL OR EXISTS (SELECT 1 FROM portal_sessions p"
            "      WHERE p.token_hash = portal_sessions.parent_hash AND p.revoked_at IS NULL))",
            token_hash,
        )
        return None if row is None else PortalSession.model_validate(dict(row))

    async def revoke_session(self, token_hash: str) -> int:
        """Revoke a session and the API tokens made from it; how many were live."""
        return int(
            await self._pool.fetchval(
                "WITH done AS (UPDATE portal_sessions SET revoked_at = now()"
                " WHERE (token_hash = $1 OR parent_hash = $1) AND revoked_at IS NULL"
                " RETURNING 1) SELECT count(*) FROM done",
                token_hash,
            )
        )

    async def revoke_sessions_of(self, email: str) -> int:
        """Revoke every session and API token of one person (an administrator's act)."""
        return int(
            await self._pool.fetchval(
                "WITH done AS (UPDATE portal_sessions SET revoked_at = now()"
                " WHERE lower(email) = lower($1) AND revoked_at IS NULL"
                " RETURNING 1) SELECT count(*) FROM done",
                email,
            )
        )

    async def take_rate_events(
        self, bucket: str, subject: str, *, within: dt.timedelta, count: int, limit: int
    ) -> bool:
        """Record `count` events of `subject` in `bucket` if, with those of the last `within`,
        they stay within `limit`; False (nothing recorded) if not. Racing requests of one
        subject take turns, so none slips past the limit. Events a day old are dropped."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1 || $2))", bucket, subject)
            seen = int(
                await conn.fetchval(
                    "SELECT count(*) FROM portal_rate_events WHERE bucket = $1 AND subject = $2"
                    " AND at > now() - $3::interval",
                    bucket,
                    subject,
                    within,
                )
            )
            if seen + count > limit:
                return False
            await conn.execute(
                "INSERT INTO portal_rate_events (bucket, subject)"
                " SELECT $1, $2 FROM generate_series(1, $3)",
                bucket,
                subject,
                count,
            )
            await conn.execute(
                "DELETE FROM portal_rate_events WHERE bucket = $1 AND subject = $2"
                " AND at < now() - interval '1 day'",
                bucket,
                subject,
            )
        return True
