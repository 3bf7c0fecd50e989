"""Signed, expiring tokens: sign-in links, sessions, API tokens and action links in notices.

One primitive, HMAC-SHA256 over a compact JSON payload, with a key derived per purpose from
the portal's secret (so a session cookie can never pass as an action link, and the other way
round). Standard library only: the worker imports this module to sign the action links it
puts into approval requests, and must not need the web stack for that.

A token is `<base64url(payload)>.<base64url(mac)>`; the payload always carries `exp` (Unix
seconds). Single use (links) is the caller's business: the payload carries a nonce for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Literal
from urllib.parse import quote

Purpose = Literal["session", "signin", "action", "api"]
Action = Literal["approve", "return"]
ACTIONS: tuple[Action, ...] = ("approve", "return")
ACTION_LINK_SECONDS = 14 * 24 * 3600
"""An approval request may wait over a long holiday (Tết is five days plus a weekend)."""


class BadToken(Exception):
    """The token was not made with our key for this purpose (forged, truncated, edited)."""


class ExpiredToken(Exception):
    """The token is genuine but its time is over."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str, purpose: Purpose) -> bytes:
    return hmac.new(secret.encode(), f"kehoach/{purpose}".encode(), hashlib.sha256).digest()


def sign(secret: str, purpose: Purpose, fields: dict[str, str], *, expires_at: float) -> str:
    """A token carrying `fields` until `expires_at` (Unix seconds), for `purpose` only."""
    payload = _b64(
        json.dumps({**fields, "exp": int(expires_at)}, separators=(",", ":"),
                   sort_keys=True).encode()
    )
    mac = hmac.new(_key(secret, purpose), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify(secret: str, purpose: Purpose, token: str, *, now: float | None = None
           ) -> dict[str, str]:
    """The fields of a genuine, unexpired token; `BadToken` or `ExpiredToken` otherwise."""
    payload, dot, mac = token.partition(".")
    if not dot or not payload or not mac:
        raise BadToken("token has no signature part")
    expected = hmac.new(_key(secret, purpose), payload.encode(), hashlib.sha256).digest()
    try:
        given = _unb64(mac)
        data = json.loads(_unb64(payload))
    except (ValueError, UnicodeDecodeError) as err:
        raise BadToken(f"token is not base64/JSON: {err}") from None
    if not hmac.compare_digest(expected, given):
        raise BadToken("signature does not match")
    if not isinstance(data, dict) or not isinstance(data.get("exp"), int):
        raise BadToken("payload has no expiry")
    if data["exp"] <= (time.time() if now is None else now):
        raise ExpiredToken(f"expired at {data['exp']}")
    return {k: str(v) for k, v in data.items() if k != "exp"}


def action_nonce(secret: str, notice_key: str, email: str) -> str:
    """The nonce the links of one e-mail share: derived, so a retried notice activity sends
    the same links, and using one action of an e-mail uses up the other."""
    mac = hmac.new(_key(secret, "action"), f"nonce/{notice_key}/{email.lower()}".encode(),
                   hashlib.sha256).digest()
    return _b64(mac[:16])


def action_token(secret: str, *, email: str, assignment_id: str, action: Action, nonce: str,
                 expires_at: float) -> str:
    """The token of one action link: who may act, on what, how, until when, and its nonce."""
    return sign(secret, "action", {"email": email, "assignment": assignment_id,
                                   "action": action, "nonce": nonce}, expires_at=expires_at)


def action_links(*, secret: str, public_base_url: str, notice_key: str, email: str,
                 assignment_id: str, now: float | None = None) -> dict[str, str]:
    """The approve and return links for one person's approval request e-mail, by action.

    They open a confirmation page on the portal; nothing happens on a GET (mail scanners
    follow links), only when the person confirms.
    """
    expires_at = (time.time() if now is None else now) + ACTION_LINK_SECONDS
    nonce = action_nonce(secret, notice_key, email)
    base = public_base_url.rstrip("/")
    return {
        action: f"{base}/a/" + quote(
            action_token(secret, email=email, assignment_id=assignment_id, action=action,
                         nonce=nonce, expires_at=expires_at), safe="")
        for action in ACTIONS
    }
