"""How an assignment stands (the rule is `domain.progress`), and how pages write its dates."""

from __future__ import annotations

import datetime as dt

from domain.progress import DUE_SOON, LABELS, Label, label
from domain.vocabulary import last_day_vi, moment_vi

__all__ = ["DUE_SOON", "LABELS", "Label", "label", "last_day", "when"]


def last_day(deadline: dt.datetime | None) -> str:
    """The last day on time (the deadline is the instant it ends, 24:00 in Viet Nam)."""
    if deadline is None:
        return "chưa ấn định"
    return last_day_vi(deadline)


def when(instant: dt.datetime) -> str:
    """An instant as people in Viet Nam read it: 14:05 09/03/2023."""
    return moment_vi(instant)
