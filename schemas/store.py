"""What the store returns: one frozen model per kind of row, never an asyncpg Record.

Timestamps are timezone-aware (UTC from the database).
"""

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from schemas.base import Model

DecisionKind = Literal["approved", "returned", "accepted"]
Channel = Literal["email", "webhook"]
OutboxState = Literal["pending", "sent", "failed", "held"]


class Assignment(Model):
    """One agency's duty for one period: the row behind one assignment workflow.

    `id` is the workflow id, e.g. 'kh/516-KH-UBND/III.5.4/SNGV/2023'. `original_due_at` is
    the deadline first set; `due_at` moves when the coordinator extends it.
    """

    id: str
    plan_id: str
    duty_id: str
    agency_code: str
    period: str
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    overdue: bool = False
    escalation_level: int = 0
    outcome: str | None = None


class AttachmentRef(Model):
    """A file attached to a submission: its description and where its bytes are kept."""

    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    storage_key: str | None = Field(
        default=None,
        description="Where the bytes are: 'pg:<sha256>' for the attachments table.",
    )


class Submission(Model):
    """One submitted version of a report; versions are numbered from 1 and never change."""

    id: int
    assignment_id: str
    version: int
    submitted_by: str
    body: str
    attachments: list[AttachmentRef]
    idempotency_key: str | None
    submitted_at: dt.datetime


class Decision(Model):
    """One approval step's decision on one submitted version."""

    id: int
    assignment_id: str
    submission_version: int
    step: str
    decision: DecisionKind
    actor: str
    reason: str | None
    decided_at: dt.datetime


class OutboxEntry(Model):
    """A notice claimed under its idempotency key; `state` says whether it went out."""

    id: int
    idempotency_key: str
    assignment_id: str | None
    kind: str
    channel: Channel
    recipient: str
    subject: str | None
    body: str
    state: OutboxState
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


class AuditEntry(Model):
    """Who did what to which subject, from where (`source`: 'cli', 'web', 'worker', an IP)."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]
    source: str
    idempotency_key: str | None = None


class Document(Model):
    """A document kehoach produced (the consolidated report), every version kept."""

    id: str
    plan_id: str
    kind: str
    markdown: str
    docx: bytes
    sha256: str
    created_at: dt.datetime


class Person(Model):
    """One contact an agency named (III.14 of the plan: a leader and a focal official)."""

    name: str
    title: str
    email: str
    placeholder: bool = False


class AgencyContacts(Model):
    """An agency with where to reach it: its contacts by role and its chat webhook, if any."""

    code: str
    name: str
    webhook_url: str | None = None
    leader: Person | None = None
    focal: Person | None = None


class PortalSession(Model):
    """A live portal session or API token, as the store keeps it (the value only hashed)."""

    kind: Literal["session", "api"]
    email: str
    csrf: str
    expires_at: dt.datetime
