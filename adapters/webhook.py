"""Posting a notice to an agency's webhook (its chat gateway), signed with HMAC-SHA256.

The receiver checks `X-Kehoach-Signature: sha256=<hex>` over the raw body and may use
`X-Kehoach-Idempotency-Key` to drop a repeated delivery.
"""

from __future__ import annotations

import hashlib
import hmac

import httpx

RETRYABLE_HTTP = frozenset({408, 429})


class WebhookTransient(Exception):
    """The post failed in a way a later attempt may not (transport, 5xx, 408, 429)."""


class WebhookPermanent(Exception):
    """The post failed in a way no retry can fix (a bad URL, another 4xx)."""


def signature(secret: bytes, body: bytes) -> str:
    """The value of X-Kehoach-Signature for `body`."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


async def post(
    http: httpx.AsyncClient,
    url: str,
    body: bytes,
    *,
    secret: bytes,
    idempotency_key: str,
) -> None:
    """Post `body` (JSON) to `url`; returns when the receiver answered 2xx."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Kehoach-Signature": signature(secret, body),
        "X-Kehoach-Idempotency-Key": idempotency_key,
    }
    try:
        response = await http.post(url, content=body, headers=headers)
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as err:
        raise WebhookPermanent(f"{type(err).__name__}: {err}") from err
    except httpx.TransportError as err:
        raise WebhookTransient(f"{type(err).__name__}: {err}") from err
    if not response.is_success:
        detail = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if response.status_code >= 500 or response.status_code in RETRYABLE_HTTP:
            raise WebhookTransient(detail)
        raise WebhookPermanent(detail)
