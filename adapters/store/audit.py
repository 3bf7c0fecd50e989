"""The append-only audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_core import to_jsonable_python

from adapters.store.base import (
    Repository,
    mapped_errors,
    row_model,
)
from schemas.store import (
    AuditEntry,
)


class AuditRepository(Repository):
    """The append-only audit log."""

    async def append_audit(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        detail: Mapping[str, Any] | None = None,
        source: str,
    ) -> AuditEntry:
        """Append who did what to which subject, and from where. Rows are never changed."""
        with mapped_errors():
            row = await self._pool.fetchrow(
                "INSERT INTO audit_log (actor, action, subject, detail, source)"
                " VALUES ($1, $2, $3, $4, $5) RETURNING *",
                actor,
                action,
                subject,
                to_jsonable_python(dict(detail or {})),
                source,
            )
        return row_model(AuditEntry, row, "audit_log: insert returned nothing")

    async def list_notice_failures(
        self, *, plan_id: str | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        """Notices that did not reach someone, newest first: a delivery refused for good (the
        activity's `notice_failed`, one per address) or a notice given up after hours of
        retries (the workflow's, one per notice). The coordinator's list to follow up."""
        rows = await self._pool.fetch(
            "SELECT l.* FROM audit_log l LEFT JOIN assignments a ON a.id = l.subject"
            " WHERE l.action = 'notice_failed' AND ($1::text IS NULL OR a.plan_id = $1)"
            " ORDER BY l.id DESC LIMIT $2",
            plan_id,
            limit,
        )
        return [AuditEntry.model_validate(dict(r)) for r in rows]

    async def list_audit(self, subject: str) -> list[AuditEntry]:
        """A subject's audit trail, oldest first."""
        rows = await self._pool.fetch(
            "SELECT * FROM audit_log WHERE subject = $1 ORDER BY id", subject
        )
        return [AuditEntry.model_validate(dict(r)) for r in rows]
