"""Plan drafts the coordinator imports and reviews in the portal (table plan_drafts)."""

from __future__ import annotations

import json
from typing import Any

from adapters.store.base import Repository, mapped_errors, row_model
from schemas.store import PlanDraftRow

_JSON = ("plan", "directory", "notes")


def _row(record: Any) -> PlanDraftRow:
    values = dict(record)
    for key in _JSON:
        if isinstance(values.get(key), str):
            values[key] = json.loads(values[key])
    return PlanDraftRow.model_validate(values)


class DraftRepository(Repository):
    """Drafts: created while the document is read, updated as it is read and corrected."""

    async def create_draft(self, *, id: str, created_by: str, source_name: str) -> None:
        """A draft whose document is being read."""
        with mapped_errors():
            await self._pool.execute(
                "INSERT INTO plan_drafts (id, created_by, source_name, status, step)"
                " VALUES ($1, $2, $3, 'reading', 'Đang nhận tệp')",
                id,
                created_by,
                source_name,
            )

    async def draft_progress(self, id: str, *, step: str, percent: int) -> None:
        """How far the reading has come, for the page that waits on it."""
        await self._pool.execute(
            "UPDATE plan_drafts SET step = $2, percent = $3, updated_at = now()"
            " WHERE id = $1 AND status = 'reading'",
            id,
            step,
            max(0, min(100, percent)),
        )

    async def save_draft(
        self,
        id: str,
        *,
        status: str,
        message: str | None = None,
        source_text: str | None = None,
        plan: dict[str, Any] | None = None,
        directory: dict[str, Any] | None = None,
        notes: dict[str, Any] | None = None,
        published_plan_id: str | None = None,
    ) -> None:
        """Store the draft's state; fields left None keep what the row holds."""
        with mapped_errors():
            await self._pool.execute(
                "UPDATE plan_drafts SET status = $2, message = $3,"
                " source_text = COALESCE($4, source_text), plan = COALESCE($5::jsonb, plan),"
                " directory = COALESCE($6::jsonb, directory), notes = COALESCE($7::jsonb, notes),"
                " published_plan_id = COALESCE($8, published_plan_id), percent = 100,"
                " updated_at = now() WHERE id = $1",
                id,
                status,
                message,
                source_text,
                None if plan is None else json.dumps(plan, ensure_ascii=False),
                None if directory is None else json.dumps(directory, ensure_ascii=False),
                None if notes is None else json.dumps(notes, ensure_ascii=False),
                published_plan_id,
            )

    async def get_draft(self, id: str) -> PlanDraftRow:
        """One draft; NotFound if there is none."""
        row = await self._pool.fetchrow("SELECT * FROM plan_drafts WHERE id = $1", id)
        return _row(row) if row is not None else row_model(PlanDraftRow, row, f"no draft {id!r}")

    async def list_drafts(self, *, limit: int = 50) -> list[PlanDraftRow]:
        """The latest drafts, newest first."""
        rows = await self._pool.fetch(
            "SELECT * FROM plan_drafts ORDER BY created_at DESC LIMIT $1", limit
        )
        return [_row(r) for r in rows]
