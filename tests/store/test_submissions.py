"""Submitted reports keep every version; decisions are recorded once per step."""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import pytest

from adapters.store import Store
from adapters.store.repository import MAX_BODY_BYTES
from schemas.errors import Conflict, NotFound, StoreError
from schemas.store import Assignment, Decision


async def test_every_submitted_version_is_kept_in_order(
    store: Store, assignment: Assignment
) -> None:
    versions = [
        await store.add_submission(
            assignment_id=assignment.id, submitted_by="focal@sngv.example", body=f"Bản {n}"
        )
        for n in (1, 2, 3)
    ]

    kept = await store.list_submissions(assignment.id)
    assert [1, 2, 3] == versions
    assert [(1, "Bản 1"), (2, "Bản 2"), (3, "Bản 3")] == [(s.version, s.body) for s in kept]


async def test_concurrent_submissions_get_distinct_consecutive_versions(
    store: Store, assignment: Assignment
) -> None:
    versions = await asyncio.gather(
        *(
            store.add_submission(assignment_id=assignment.id, submitted_by="a", body=str(n))
            for n in range(6)
        )
    )

    assert [1, 2, 3, 4, 5, 6] == sorted(versions)


async def test_a_retried_submission_with_the_same_key_returns_the_first_version(
    store: Store, assignment: Assignment
) -> None:
    first = await store.add_submission(
        assignment_id=assignment.id, submitted_by="a", body="x", idempotency_key="upd-1"
    )
    retried = await store.add_submission(
        assignment_id=assignment.id, submitted_by="a", body="x", idempotency_key="upd-1"
    )

    assert (1, 1) == (first, retried)
    assert 1 == len(await store.list_submissions(assignment.id))


async def test_a_version_the_workflow_numbered_is_kept_with_its_time_once(
    store: Store, assignment: Assignment
) -> None:
    when = dt.datetime(2023, 3, 10, 9, 30, tzinfo=dt.UTC)

    async def store_version_1(body: str) -> int:
        return await store.add_submission(
            assignment_id=assignment.id, submitted_by="a", body=body, version=1, submitted_at=when
        )

    assert 1 == await store_version_1("Bản 1")
    assert 1 == await store_version_1("Bản 1")
    with pytest.raises(Conflict, match="another report"):
        await store_version_1("Bản khác")

    [kept] = await store.list_submissions(assignment.id)
    assert ("Bản 1", when) == (kept.body, kept.submitted_at)
    next_version = await store.add_submission(
        assignment_id=assignment.id, submitted_by="a", body="Bản 2"
    )
    assert 2 == next_version


async def test_a_body_over_the_limit_is_refused_and_nothing_is_stored(
    store: Store, pool: asyncpg.Pool, assignment: Assignment
) -> None:
    # Vietnamese letters take several bytes: the limit counts bytes, as the database does.
    too_large = "ệ" * (MAX_BODY_BYTES // 3 + 1)

    with pytest.raises(StoreError, match=f"at most {MAX_BODY_BYTES}") as refused:
        await store.add_submission(assignment_id=assignment.id, submitted_by="a", body=too_large)

    assert "quá dài" in refused.value.message_vi
    assert 0 == await pool.fetchval("SELECT count(*) FROM submissions")


async def test_a_body_at_the_limit_is_accepted(store: Store, assignment: Assignment) -> None:
    version = await store.add_submission(
        assignment_id=assignment.id, submitted_by="a", body="a" * MAX_BODY_BYTES
    )

    assert 1 == version


async def test_the_database_itself_refuses_a_body_over_the_limit(
    pool: asyncpg.Pool, assignment: Assignment
) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await pool.execute(
            "INSERT INTO submissions (assignment_id, version, submitted_by, body)"
            " VALUES ($1, 1, 'a', $2)",
            assignment.id,
            "a" * (MAX_BODY_BYTES + 1),
        )


async def test_a_submitted_version_cannot_be_updated(
    store: Store, pool: asyncpg.Pool, assignment: Assignment
) -> None:
    await store.add_submission(assignment_id=assignment.id, submitted_by="a", body="gốc")

    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await pool.execute("UPDATE submissions SET body = 'sửa'")

    assert ["gốc"] == [s.body for s in await store.list_submissions(assignment.id)]


async def test_a_submission_for_an_unknown_assignment_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="kh/none"):
        await store.add_submission(assignment_id="kh/none", submitted_by="a", body="x")


async def test_attachments_are_kept_by_content_and_referenced_from_the_submission(
    store: Store, assignment: Assignment
) -> None:
    content = "Báo cáo quý I".encode()
    ref = await store.put_attachment(name="bc.txt", content_type="text/plain", content=content)
    again = await store.put_attachment(name="copy.txt", content_type="text/plain", content=content)
    await store.add_submission(
        assignment_id=assignment.id, submitted_by="a", body="x", attachments=[ref]
    )

    [submission] = await store.list_submissions(assignment.id)
    assert [ref] == submission.attachments
    assert ref.sha256 == again.sha256
    assert content == await store.get_attachment(ref.sha256)
    with pytest.raises(NotFound):
        await store.get_attachment("0" * 64)


async def test_a_retried_decision_returns_the_recorded_one(
    store: Store, assignment: Assignment
) -> None:
    await store.add_submission(assignment_id=assignment.id, submitted_by="a", body="x")

    async def approve() -> Decision:
        return await store.add_decision(
            assignment_id=assignment.id,
            submission_version=1,
            step="agency_leader",
            decision="approved",
            actor="leader@sngv.example",
        )

    first = await approve()
    retried = await approve()

    assert first == retried


async def test_a_different_decision_for_a_decided_step_is_a_conflict(
    store: Store, assignment: Assignment
) -> None:
    await store.add_submission(assignment_id=assignment.id, submitted_by="a", body="x")
    await store.add_decision(
        assignment_id=assignment.id,
        submission_version=1,
        step="coordinator",
        decision="approved",
        actor="c",
    )

    with pytest.raises(Conflict, match="already approved"):
        await store.add_decision(
            assignment_id=assignment.id,
            submission_version=1,
            step="coordinator",
            decision="returned",
            actor="c",
            reason="Thiếu số liệu",
        )


async def test_returning_a_report_needs_a_reason(store: Store, assignment: Assignment) -> None:
    await store.add_submission(assignment_id=assignment.id, submitted_by="a", body="x")

    with pytest.raises(StoreError, match="reason"):
        await store.add_decision(
            assignment_id=assignment.id,
            submission_version=1,
            step="coordinator",
            decision="returned",
            actor="c",
        )


async def test_a_decision_on_a_version_never_submitted_is_not_found(
    store: Store, assignment: Assignment
) -> None:
    with pytest.raises(NotFound, match="submissions"):
        await store.add_decision(
            assignment_id=assignment.id,
            submission_version=7,
            step="coordinator",
            decision="approved",
            actor="c",
        )
