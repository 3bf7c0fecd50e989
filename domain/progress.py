"""How an assignment stands, as the province's task-tracking practice names it.

Five labels people know from provincial tracking systems (đúng hạn, trong hạn, sắp đến hạn,
quá hạn, hoàn thành quá hạn), plus the two ways an assignment ends without a report. The
label is computed from the store's mirror of the workflow, at the moment the page is shown.
The store counts and filters by the same rule in SQL (`adapters.store.listing.LABEL_SQL`);
tests/store/test_listing.py holds the two to the same answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from schemas.store import Assignment

Label = Literal["on_time", "in_term", "due_soon", "overdue", "late", "cancelled", "waived"]
LABELS: tuple[Label, ...] = (
    "overdue",
    "due_soon",
    "in_term",
    "on_time",
    "late",
    "cancelled",
    "waived",
)
DUE_SOON = dt.timedelta(days=3)


def label(assignment: Assignment, *, now: dt.datetime) -> Label:
    """The assignment's label at `now`.

    A report waiting for approval is not late while it waits (the workflow judges lateness
    by when it was submitted); an open one past its deadline is overdue even before the
    workflow's own deadline timer has been mirrored.
    """
    status = assignment.status
    if status == "accepted":
        return "late" if assignment.outcome == "late" else "on_time"
    if status in ("cancelled", "waived"):
        return "cancelled" if status == "cancelled" else "waived"
    if status == "ended":
        return "overdue"  # never reported: overdue when tracking ended
    if assignment.overdue:
        return "overdue"
    due = assignment.due_at
    if status == "submitted" or due is None:
        return "in_term"
    if due <= now:
        return "overdue"
    return "due_soon" if due - now <= DUE_SOON else "in_term"
