"""Server-side sessions and API tokens: random values the store keeps only hashed.

A signed-in browser holds a random cookie; the store maps its SHA-256 to the person, the
session's CSRF token and its end. Signing out revokes the row (and the API tokens made from
the session), so a copied cookie or token stops working at once; an administrator revokes
all of a person's rows with `kehoach sessions revoke EMAIL`.

A visitor who has not signed in also gets a random cookie, but no row: the CSRF token of
that anonymous session is derived from the cookie with the portal's secret, so the sign-in
form is protected and nobody can fill the table by visiting pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from adapters.store import Store

MAX_TOKEN_CHARS = 128  # ours are 43; anything longer is not one of ours


@dataclass(frozen=True)
class Session:
    """The request's session: its cookie value, CSRF token, and who signed in (None: nobody)."""

    token: str
    csrf: str
    email: str | None = None


def token_hash(token: str) -> str:
    """What the store keeps of a cookie or bearer value."""
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Starting, finding and ending sessions and API tokens, over the store."""

    def __init__(
        self, store: Store, *, secret: str, session_seconds: int, api_token_seconds: int
    ) -> None:
        self._store = store
        self._secret = secret.encode()
        self.session_seconds = session_seconds
        self.api_token_seconds = api_token_seconds

    def _anonymous_csrf(self, token: str) -> str:
        return hmac.new(
            self._secret, f"kehoach/anonymous-csrf/{token}".encode(), hashlib.sha256
        ).hexdigest()[:43]

    def anonymous(self) -> Session:
        """A new anonymous session (its cookie is sent back; nothing is stored)."""
        token = secrets.token_urlsafe(32)
        return Session(token=token, csrf=self._anonymous_csrf(token))

    async def load(self, cookie: str | None) -> Session | None:
        """The session a cookie names: signed in if the store has it live, anonymous
        otherwise (a revoked or expired cookie signs no one in)."""
        if not cookie or len(cookie) > MAX_TOKEN_CHARS:
            return None
        found = await self._store.live_session(token_hash(cookie))
        if found is not None and found.kind == "session":
            return Session(token=cookie, csrf=found.csrf, email=found.email)
        return Session(token=cookie, csrf=self._anonymous_csrf(cookie))

    async def start(self, email: str) -> Session:
        """Sign `email` in: a new cookie and CSRF token (never the anonymous ones: fixation)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        await self._store.put_session(
            token_hash(token),
            kind="session",
            email=email,
            csrf=csrf,
            expires_at=_after(self.session_seconds),
        )
        return Session(token=token, csrf=csrf, email=email)

    async def end(self, session: Session) -> int:
        """Revoke the session and the API tokens made from it; how many were live."""
        return await self._store.revoke_session(token_hash(session.token))

    async def api_token(self, session: Session) -> str:
        """A bearer token for the person signed in to `session`, revoked with it."""
        assert session.email is not None
        token = secrets.token_urlsafe(32)
        await self._store.put_session(
            token_hash(token),
            kind="api",
            email=session.email,
            csrf=secrets.token_urlsafe(24),
            expires_at=_after(self.api_token_seconds),
            parent_hash=token_hash(session.token),
        )
        return token

    async def bearer_email(self, token: str) -> str | None:
        """The person a live API token is for (None: unknown, expired or revoked)."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        found = await self._store.live_session(token_hash(token))
        return found.email if found is not None and found.kind == "api" else None


def _after(seconds: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
