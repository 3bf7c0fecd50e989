"""Days as people in Viet Nam write them, DD/MM/YYYY: one rule for the CLI and the portal."""

from __future__ import annotations

import datetime as dt
import re

DAY_FORMAT = "%d/%m/%Y"


def parse_day(text: str) -> dt.date:
    """One day; ValueError saying, in Vietnamese, what was expected."""
    try:
        return dt.datetime.strptime(text.strip(), DAY_FORMAT).date()
    except ValueError:
        raise ValueError(
            f"ngày {text.strip()!r} không hợp lệ; cần dạng DD/MM/YYYY, ví dụ 31/12/2023."
        ) from None


def parse_days(text: str) -> list[dt.date]:
    """Days separated by commas, semicolons or spaces, in order, each once."""
    days = [parse_day(part) for part in re.split(r"[,;\s]+", text) if part]
    return sorted(set(days))
