"""The store's repository: typed methods over SQL for activities, the portal and the CLI.

Each method is one statement or one transaction, so nothing is half-written. Errors come
back as schemas.errors, never as asyncpg exceptions: `Conflict` when a unique key already
holds other data, `NotFound` for a missing row (or a reference to one), `StoreError` for a
broken rule. Activities turn those into non-retryable failures; connection errors stay
asyncpg's own so the retry policy handles them.
"""

from __future__ import annotations

from adapters.store.assignments import AssignmentRepository
from adapters.store.audit import AuditRepository
from adapters.store.base import MAX_ATTACHMENT_BYTES, MAX_BODY_BYTES, MAX_ERROR_CHARS
from adapters.store.calendar import CalendarRepository
from adapters.store.digests import DigestRepository
from adapters.store.documents import DocumentRepository
from adapters.store.drafts import DraftRepository
from adapters.store.listing import ListingRepository
from adapters.store.outbox import OutboxRepository
from adapters.store.plans import PlanRepository
from adapters.store.portal import PortalRepository
from adapters.store.reports import ReportRepository

__all__ = ["MAX_ATTACHMENT_BYTES", "MAX_BODY_BYTES", "MAX_ERROR_CHARS", "Store"]


class Store(
    PlanRepository,
    AssignmentRepository,
    ListingRepository,
    ReportRepository,
    OutboxRepository,
    PortalRepository,
    DocumentRepository,
    AuditRepository,
    DraftRepository,
    DigestRepository,
    CalendarRepository,
):
    """The whole store: one object over one pool, one repository per table group."""
