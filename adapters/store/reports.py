"""Reports: every submitted version, the decisions on them, and their attachments."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from adapters.store.base import (
    MAX_ATTACHMENT_BYTES,
    Repository,
    aware,
    check_body,
    mapped_errors,
    row_model,
)
from schemas.errors import Conflict, NotFound, StoreError
from schemas.store import (
    AttachmentRef,
    Decision,
    DecisionKind,
    Submission,
)

# The next version unless the caller numbered it; the database's clock unless the caller's.
_INSERT_SUBMISSION = """
INSERT INTO submissions
    (assignment_id, version, submitted_by, body, attachments, idempotency_key, submitted_at)
SELECT $1, COALESCE($2, max(version) + 1, 1), $3, $4, $5, $6, COALESCE($7, now())
FROM submissions WHERE assignment_id = $1
RETURNING version
"""


class ReportRepository(Repository):
    """Reports: every submitted version, the decisions on them, and their attachments."""

    async def add_submission(
        self,
        *,
        assignment_id: str,
        submitted_by: str,
        body: str,
        attachments: Sequence[AttachmentRef] = (),
        version: int | None = None,
        submitted_at: dt.datetime | None = None,
        idempotency_key: str | None = None,
    ) -> int:
        """Keep a new version of the assignment's report; return its version number.

        Without `version` the store numbers them 1, 2, 3… per assignment, locking the
        assignment row while it takes the next number, so concurrent submissions never
        share one. A workflow that numbers its own versions passes `version` (and its
        `submitted_at`). Either way a retry is safe: the same version, or the same
        `idempotency_key`, with the same content returns the version already kept; with
        other content it is a `Conflict`.
        """
        check_body(body)
        aware("submitted_at", submitted_at)
        async with self._pool.acquire() as conn, conn.transaction():
            found = await conn.fetchval(
                "SELECT 1 FROM assignments WHERE id = $1 FOR UPDATE", assignment_id
            )
            if found is None:
                raise NotFound(f"assignments: no assignment {assignment_id!r}")
            earlier = await conn.fetchrow(
                "SELECT * FROM submissions WHERE assignment_id = $1"
                " AND (version = $2 OR idempotency_key = $3) ORDER BY version LIMIT 1",
                assignment_id,
                version,
                idempotency_key,
            )
            if earlier is not None:
                kept = Submission.model_validate(dict(earlier))
                if (kept.submitted_by, kept.body, kept.attachments) != (
                    submitted_by,
                    body,
                    list(attachments),
                ):
                    raise Conflict(
                        f"submissions: version {kept.version} of {assignment_id!r} already"
                        " holds another report",
                        message_vi="Phiên bản báo cáo này đã được lưu với nội dung khác.",
                    )
                return kept.version
            with mapped_errors():
                stored = await conn.fetchval(
                    _INSERT_SUBMISSION,
                    assignment_id,
                    version,
                    submitted_by,
                    body,
                    [a.model_dump(mode="json") for a in attachments],
                    idempotency_key,
                    submitted_at,
                )
        return int(stored)

    async def list_submissions(self, assignment_id: str) -> list[Submission]:
        """Every version of an assignment's report, oldest first."""
        rows = await self._pool.fetch(
            "SELECT * FROM submissions WHERE assignment_id = $1 ORDER BY version", assignment_id
        )
        return [Submission.model_validate(dict(r)) for r in rows]

    async def add_decision(
        self,
        *,
        assignment_id: str,
        submission_version: int,
        step: str,
        decision: DecisionKind,
        actor: str,
        reason: str | None = None,
    ) -> Decision:
        """Record one approval step's decision on one version; a retry returns the same row.

        Each step decides a version once: a different decision for the same step and
        version is a `Conflict`. Returning a report requires a reason.
        """
        if decision == "returned" and not reason:
            raise StoreError(
                "reason: got nothing; expected a reason when a report is returned",
                message_vi="Cần nêu lý do khi trả lại báo cáo.",
            )
        key = (assignment_id, submission_version, step)
        async with self._pool.acquire() as conn:
            with mapped_errors():
                row = await conn.fetchrow(
                    "INSERT INTO decisions"
                    " (assignment_id, submission_version, step, decision, actor, reason)"
                    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING *",
                    *key,
                    decision,
                    actor,
                    reason,
                )
            if row is None:
                row = await conn.fetchrow(
                    "SELECT * FROM decisions WHERE assignment_id = $1"
                    " AND submission_version = $2 AND step = $3",
                    *key,
                )
        recorded = row_model(Decision, row, f"decisions: none for {key}")
        if (recorded.decision, recorded.actor, recorded.reason) != (decision, actor, reason):
            raise Conflict(
                f"decisions: step {step!r} already {recorded.decision} version "
                f"{submission_version} of {assignment_id!r} (by {recorded.actor})",
                message_vi="Bước duyệt này đã có quyết định khác.",
            )
        return recorded

    async def put_attachment(
        self, *, name: str, content_type: str, content: bytes
    ) -> AttachmentRef:
        """Keep a file's bytes, addressed by SHA-256 (stored once however often attached)."""
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise StoreError(
                f"{name}: got {len(content)} bytes; expected at most {MAX_ATTACHMENT_BYTES}",
                message_vi=f"Tệp đính kèm {name} quá lớn.",
            )
        digest = hashlib.sha256(content).hexdigest()
        with mapped_errors():
            await self._pool.execute(
                "INSERT INTO attachments (sha256, content, content_type, size)"
                " VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
                digest,
                content,
                content_type,
                len(content),
            )
        return AttachmentRef(
            name=name,
            content_type=content_type,
            size=len(content),
            sha256=digest,
            storage_key=f"pg:{digest}",
        )

    async def get_attachment(self, sha256: str) -> bytes:
        """A stored file's bytes."""
        content = await self._pool.fetchval(
            "SELECT content FROM attachments WHERE sha256 = $1", sha256
        )
        if content is None:
            raise NotFound(f"attachments: no file with sha256 {sha256}")
        return bytes(content)

    async def drop_unreferenced_attachments(self, sha256s: Sequence[str]) -> int:
        """Delete the files among `sha256s` that no kept report refers to (the update that
        would have carried them was refused); how many were deleted."""
        if not sha256s:
            return 0
        return int(
            await self._pool.fetchval(
                "WITH gone AS (DELETE FROM attachments a WHERE a.sha256 = ANY($1::text[])"
                " AND NOT EXISTS (SELECT 1 FROM submissions s,"
                "     jsonb_array_elements(s.attachments) e WHERE e->>'sha256' = a.sha256)"
                " RETURNING 1) SELECT count(*) FROM gone",
                list(sha256s),
            )
        )
