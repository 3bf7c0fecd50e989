"""The morning digest: who gets what, and the messages of its workflow and activity."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from schemas.base import Model
from schemas.calendar import WorkingCalendar

Delivery = Literal["immediate", "digest"]
"""How a person receives the notices that need no action now: at once, or each morning."""
Section = Literal["overdue", "due_soon", "waiting", "returned"]
Contact = Literal["focal", "leader"]


class DigestRow(Model):
    """An assignment as the store holds it now, with what a digest says about it."""

    assignment_id: str
    plan_id: str
    plan_title: str
    clause: str
    duty_text: str
    directory: str = Field(
        default="", description="The plan's agency directory: every code of the row is in it."
    )
    agency_code: str
    agency_name: str
    coordinator: str
    office: str
    issuer: str
    status: str
    due_at: dt.datetime | None
    overdue: bool
    pending_step: str | None = Field(
        default=None, description="Whose approval a submitted report waits for, if any."
    )


class Reader(Model):
    """One address among the directory's contacts, with what they are to every plan."""

    email: str
    name: str
    title: str
    directory: str = Field(default="", description="The directory of the reader's agency.")
    agency_code: str
    agency_name: str
    contact: Contact
    placeholder: bool = Field(
        default=False, description="The directory holds a placeholder, not the person's name."
    )


class DigestItem(Model):
    section: Section
    row: DigestRow


class DigestRun(Model):
    """Send the digests of one morning. `day` is the Vietnam date the digest is for."""

    day: dt.date
    at: dt.datetime = Field(description="The instant the digest describes (08:00 that day).")


class DigestRunResult(Model):
    readers: int = 0
    sent: int = 0
    skipped: int = Field(default=0, description="Already sent under the day's key.")
    failed: int = 0
    empty: int = Field(default=0, description="Readers with nothing to look at that day.")


class CalendarRequest(Model):
    years: tuple[int, int]


class MorningDigestInput(Model):
    """The digest workflow's state across continue-as-new: the calendar and the last day sent."""

    calendar: WorkingCalendar
    task_queue: str = Field(description="Where the digest activity runs (the notices' queue).")
    hour: int = Field(default=8, ge=0, le=23)
    last_day: dt.date | None = None
    runs_per_history: int = Field(default=30, ge=1, le=366)
    speed: float = Field(default=1.0, gt=0, description="The plan's clock, as in a demo run.")
    clock_origin: dt.datetime | None = None
