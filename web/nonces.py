"""Single use for signed links: a link's nonce is recorded when the link is used.

The table is `action_links_used` (db/migrations/0004_portal.sql). The insert is the test:
two people (or one double click) using the same link race on the primary key, and exactly
one of them wins.
"""

from __future__ import annotations

from typing import Literal

import asyncpg

from kehoach.store import Store

LinkPurpose = Literal["signin", "action"]


class UsedLinks:
    """The nonces of links already used."""

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record]) -> None:
        self._pool = pool

    @classmethod
    def of(cls, store: Store) -> UsedLinks:
        """On the store's pool. The store has no method for this table yet, so its pool is
        borrowed rather than opening a second one per process."""
        return cls(store._pool)

    async def use(self, nonce: str, *, purpose: LinkPurpose, email: str) -> bool:
        """Record the nonce as used; False if it already was."""
        used = await self._pool.fetchval(
            "INSERT INTO action_links_used (nonce, purpose, email) VALUES ($1, $2, $3)"
            " ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
            nonce, purpose, email,
        )
        return used is not None

    async def is_used(self, nonce: str) -> bool:
        """Whether the link was used (shown before asking to confirm)."""
        return bool(await self._pool.fetchval(
            "SELECT 1 FROM action_links_used WHERE nonce = $1", nonce
        ))

    async def release(self, nonce: str) -> None:
        """Make the link usable again: the action failed for a reason the person cannot fix
        (Temporal unreachable), not because it was refused."""
        await self._pool.execute("DELETE FROM action_links_used WHERE nonce = $1", nonce)
