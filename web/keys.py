"""How strong the portal's secret key must be before the portal listens beyond loopback.

Sessions' CSRF tokens, sign-in links and the action links in notices are all signed with
KEHOACH_SECRET_KEY; whoever guesses it acts as anyone. On a loopback address (a laptop's
`kehoach up`) the development key is fine; on any other address the key must have at least
MIN_KEY_CHARS characters and an estimated MIN_KEY_BITS bits: the smaller of its length times
the Shannon entropy of its characters (few distinct characters) and the size zlib makes of
it (repeated patterns), which a key like `0123456789` × 4 does not reach and
`python -c "import secrets; print(secrets.token_urlsafe(32))"` passes with room to spare.
"""

from __future__ import annotations

import ipaddress
import math
import zlib
from collections import Counter

from schemas.errors import RuntimeStartError

MIN_KEY_CHARS = 32
MIN_KEY_BITS = 128
DEVELOPMENT_KEYS = frozenset({"dev-only-change-me-portal", "dev-only-change-me"})


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def estimated_bits(key: str) -> float:
    """The smaller of the key's length times the Shannon entropy of its character
    frequencies, and the bits zlib needs for it beyond an empty input."""
    if not key:
        return 0.0
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    compressed = 8 * (len(zlib.compress(key.encode(), 9)) - len(zlib.compress(b"", 9)))
    return min(per_char * len(key), float(compressed))


def check_secret_key(key: str) -> None:
    """RuntimeStartError unless `key` is strong enough to serve beyond loopback."""
    bits = estimated_bits(key)
    if key in DEVELOPMENT_KEYS or len(key) < MIN_KEY_CHARS or bits < MIN_KEY_BITS:
        reason = (
            "it is the development key"
            if key in DEVELOPMENT_KEYS
            else f"{len(key)} characters, about {bits:.0f} bits"
        )
        raise RuntimeStartError(
            f"KEHOACH_SECRET_KEY is too weak to serve beyond loopback ({reason}; at least "
            f"{MIN_KEY_CHARS} characters and {MIN_KEY_BITS} bits needed)",
            message_vi="KEHOACH_SECRET_KEY quá yếu để mở cổng thông tin ra mạng (cần ít nhất "
            f"{MIN_KEY_CHARS} ký tự ngẫu nhiên, khoảng {MIN_KEY_BITS} bit). Tạo khóa "
            'bằng: python -c "import secrets; print(secrets.token_urlsafe(32))"',
        )
