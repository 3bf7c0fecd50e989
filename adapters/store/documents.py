"""Documents kehoach writes: the consolidated reports."""

from __future__ import annotations

import hashlib

from adapters.store.base import (
    Repository,
    mapped_errors,
    row_model,
)
from schemas.errors import Conflict
from schemas.store import (
    Document,
)


class DocumentRepository(Repository):
    """Documents kehoach writes: the consolidated reports."""

    async def put_document(
        self, *, id: str, plan_id: str, kind: str, markdown: str, docx: bytes
    ) -> Document:
        """Keep a produced document; the same id with the same bytes again is a no-op."""
        digest = hashlib.sha256(docx).hexdigest()
        with mapped_errors():
            row = await self._pool.fetchrow(
                "INSERT INTO documents (id, plan_id, kind, markdown, docx, sha256)"
                " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING *",
                id,
                plan_id,
                kind,
                markdown,
                docx,
                digest,
            )
        if row is None:
            existing = await self.get_document(id)
            if existing.sha256 != digest:
                raise Conflict(f"documents: {id!r} already holds other content")
            return existing
        return Document.model_validate(dict(row))

    async def get_document(self, id: str) -> Document:
        """One document with its Markdown and .docx bytes."""
        row = await self._pool.fetchrow("SELECT * FROM documents WHERE id = $1", id)
        return row_model(Document, row, f"documents: no document {id!r}")

    async def list_documents(self, *, plan_id: str, kind: str) -> list[Document]:
        """A plan's documents of one kind, oldest first."""
        rows = await self._pool.fetch(
            "SELECT * FROM documents WHERE plan_id = $1 AND kind = $2 ORDER BY created_at, id",
            plan_id,
            kind,
        )
        return [Document.model_validate(dict(r)) for r in rows]
