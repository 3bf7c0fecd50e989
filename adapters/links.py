"""Signed, expiring links: the sign-in link a person asks for, and the approve and return
links in an approval request e-mail.

Signing is itsdangerous's `URLSafeTimedSerializer` (HMAC-SHA1 over a key derived from the
portal's secret and a salt per purpose, so a sign-in token never passes as an action link).
The token records when it was made; its lifetime is checked when it is read, so shortening a
lifetime in the settings also shortens the links already out. Sessions and API tokens are not
made here: they are random values the store keeps hashed, so they can be revoked (web.auth).

A token has several base64 spellings of the same bytes (the last character's unused bits);
only the one this module writes is accepted, so a token has exactly one text.

The worker imports this module to put action links into notices, and must not need the web
stack for that: itsdangerous is its only third-party import.
"""

from __future__ import annotations

import re
import time
from typing import Any, Literal
from urllib.parse import quote

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode
from itsdangerous.signer import Signer
from itsdangerous.timed import TimestampSigner

Purpose = Literal["signin", "action"]
Action = Literal["approve", "return"]
ACTIONS: tuple[Action, ...] = ("approve", "return")

# A link in a text: the portal's path and the token (what logs and stored notices must not
# keep). Tokens are base64url with dots; quoted ones may carry %2E.
_LINK = re.compile(r"(/(?:a|signin)/)[A-Za-z0-9._~%-]{12,}")
REDACTED = "[đã ẩn]"


class BadToken(Exception):
    """The token was not made with our key for this purpose (forged, truncated, edited)."""


class ExpiredToken(Exception):
    """The token is genuine but its time is over."""


class _StampedAt(TimestampSigner):
    """A timestamp signer whose clock the caller sets (links made "earlier" in tests)."""

    at: float | None = None

    def get_timestamp(self) -> int:
        return int(time.time() if self.at is None else self.at)


def _serializer(
    secret: str, purpose: Purpose, *, at: float | None = None
) -> URLSafeTimedSerializer:
    signer = type("_Signer", (_StampedAt,), {"at": at})
    return URLSafeTimedSerializer(secret, salt=f"kehoach/{purpose}", signer=signer)


def _canonical(token: str) -> bool:
    """Whether every base64 part of the token is spelled the way itsdangerous writes it."""
    parts = token.lstrip(".").split(".")  # a leading dot marks a compressed payload
    try:
        return all(part and base64_encode(base64_decode(part)).decode() == part for part in parts)
    except (BadSignature, ValueError):
        return False


def sign(
    secret: str, purpose: Purpose, fields: dict[str, str | int], *, now: float | None = None
) -> str:
    """A token carrying `fields` for `purpose` only, stamped with `now` (default: the clock)."""
    token = _serializer(secret, purpose, at=now).dumps(fields)
    assert isinstance(token, str)
    return token


def verify(secret: str, purpose: Purpose, token: str, *, max_age: int) -> dict[str, str]:
    """The fields of a genuine token made less than `max_age` seconds ago; `BadToken` or
    `ExpiredToken` otherwise."""
    if not _canonical(token):
        raise BadToken("token is not in its canonical form")
    try:
        data: Any = _serializer(secret, purpose).loads(token, max_age=max_age)
    except SignatureExpired as err:
        raise ExpiredToken(str(err)) from None
    except BadSignature as err:
        raise BadToken(str(err)) from None
    if not isinstance(data, dict):
        raise BadToken("payload is not an object")
    return {str(k): str(v) for k, v in data.items()}


def action_nonce(secret: str, notice_key: str, email: str) -> str:
    """The nonce the links of one e-mail share: derived, so a retried notice activity sends
    the same links, and using one action of an e-mail uses up the other."""
    mac = Signer(secret, salt="kehoach/action-nonce").get_signature(f"{notice_key}/{email.lower()}")
    return mac.decode()[:22]


def action_token(
    secret: str,
    *,
    email: str,
    assignment_id: str,
    action: Action,
    nonce: str,
    version: int,
    now: float | None = None,
) -> str:
    """The token of one action link: who may act, on which version of which report, how,
    and its nonce."""
    return sign(
        secret,
        "action",
        {
            "email": email,
            "assignment": assignment_id,
            "action": action,
            "nonce": nonce,
            "version": version,
        },
        now=now,
    )


def action_links(
    *,
    secret: str,
    public_base_url: str,
    notice_key: str,
    email: str,
    assignment_id: str,
    version: int,
    now: float | None = None,
) -> dict[str, str]:
    """The approve and return links for one person's approval request e-mail, by action.

    They open a confirmation page on the portal; nothing happens on a GET (mail scanners
    follow links), only when the person confirms. They act on `version` only: once a newer
    version is submitted they are refused.
    """
    nonce = action_nonce(secret, notice_key, email)
    base = public_base_url.rstrip("/")
    return {
        action: f"{base}/a/"
        + quote(
            action_token(
                secret,
                email=email,
                assignment_id=assignment_id,
                action=action,
                nonce=nonce,
                version=version,
                now=now,
            ),
            safe="",
        )
        for action in ACTIONS
    }


def redact(text: str) -> str:
    """`text` with the token of every sign-in or action link replaced: for logs and for the
    copy of a notice the store keeps (a link there would work for whoever reads the table)."""
    return _LINK.sub(rf"\g<1>{REDACTED}", text)


def redact_path(path: str) -> str:
    """A request path fit for a log line."""
    return redact(path)
