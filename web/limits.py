"""Limits before work: request bodies by route, sign-in requests, uploads per person.

Every request body is counted as it arrives; past its route's limit the request is refused
with 413 before the rest is read (a declared Content-Length over the limit is refused at the
first read). The report form with its files, and the upload of a plan document, have the
larger limit (`KEHOACH_WEB_MAX_SUBMIT_BYTES`); every other route the smaller
(`KEHOACH_WEB_MAX_REQUEST_BYTES`).
A route that never reads its body (an anonymous POST sent to sign in) reads none of it.

Rate limits are counted in the store (`portal_rate_events`), so every portal process shares
them and a restart does not reset them; subjects are hashed there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.store import Store

# Routes that take files: the report form and the plan document's upload.
_SUBMIT_PAGE = re.compile(r"^(/assignments/.+/submit|/plans/drafts)$")


class BodyTooLarge(HTTPException):
    """The request body is over its route's limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"body over {limit} bytes")
        self.limit = limit


def body_limit_of(*, request_bytes: int, submit_bytes: int) -> Callable[[Scope], int]:
    """The limit of a request: the report form's for the page that takes files, the
    general one for every other route."""

    def limit(scope: Scope) -> int:
        path = str(scope.get("path", ""))
        if scope.get("method") == "POST" and _SUBMIT_PAGE.match(path):
            return submit_bytes
        return request_bytes

    return limit


class BodyLimit:
    """ASGI middleware: count each request's body against its route's limit."""

    def __init__(self, app: ASGIApp, *, limit_of: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_of = limit_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope)
        declared = _content_length(scope)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            if declared is not None and declared > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RateLimits:
    """Counted events per subject in a sliding window, kept in the store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def take(
        self, bucket: str, subject: str, *, limit: int, window: dt.timedelta, count: int = 1
    ) -> bool:
        """Record `count` events for `subject` if that keeps it within `limit` in `window`;
        False (and nothing recorded) if it would not."""
        key = hashlib.sha256(f"{bucket}/{subject}".encode()).hexdigest()
        return await self._store.take_rate_events(
            bucket, key, within=window, count=count, limit=limit
        )
