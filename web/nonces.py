"""Single use for signed links: a link's nonce is recorded when the link is used.

The table is `action_links_used` (db/migrations/0004_portal.sql); the store's insert decides
which of two racing uses wins.
"""

from __future__ import annotations

from typing import Literal

from adapters.store import Store

LinkPurpose = Literal["signin", "action"]


class UsedLinks:
    """The nonces of links already used."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @classmethod
    def of(cls, store: Store) -> UsedLinks:
        return cls(store)

    async def use(self, nonce: str, *, purpose: LinkPurpose, email: str) -> bool:
        """Record the nonce as used; False if it already was."""
        return await self._store.use_link(nonce, purpose=purpose, email=email)

    async def is_used(self, nonce: str) -> bool:
        """Whether the link was used (shown before asking to confirm)."""
        return await self._store.link_used(nonce)

    async def release(self, nonce: str) -> None:
        """Make the link usable again: the action failed for a reason the person cannot fix
        (Temporal unreachable), not because it was refused."""
        await self._store.release_link(nonce)
