"""The notice outbox: a notice is claimed under its key before it is sent, once."""

from __future__ import annotations

import asyncpg
import pytest

from adapters.store import Store
from schemas.errors import NotFound
from schemas.store import Assignment, OutboxEntry


async def claim(store: Store, key: str, *, assignment_id: str | None = None) -> OutboxEntry:
    """Claim the same reminder e-mail under `key`, as a reminder activity would."""
    return await store.outbox_claim(
        key,
        kind="reminder",
        channel="email",
        recipient="focal@sngv.example",
        subject="Nhắc hạn báo cáo",
        body="Còn 3 ngày đến hạn.",
        assignment_id=assignment_id,
    )


async def test_claiming_a_key_twice_returns_the_same_row(
    store: Store, assignment: Assignment
) -> None:
    first = await claim(store, "rem/1", assignment_id=assignment.id)
    second = await claim(store, "rem/1", assignment_id=assignment.id)

    assert first == second
    assert ("pending", 0, None) == (first.state, first.attempts, first.sent_at)


async def test_a_retried_activity_sees_the_notice_already_sent(store: Store) -> None:
    await claim(store, "rem/2")
    sent = await store.outbox_mark_sent("rem/2")

    retried = await claim(store, "rem/2")

    assert "sent" == retried.state
    assert sent == retried


async def test_the_database_refuses_a_second_row_with_the_same_key(
    store: Store, pool: asyncpg.Pool
) -> None:
    await claim(store, "rem/3")

    with pytest.raises(asyncpg.UniqueViolationError):
        await pool.execute(
            "INSERT INTO notice_outbox (idempotency_key, kind, channel, recipient, body)"
            " VALUES ('rem/3', 'reminder', 'webhook', 'https://chat.example/hook', 'x')"
        )


async def test_a_transient_failure_stays_pending_and_a_permanent_one_fails(
    store: Store,
) -> None:
    await claim(store, "rem/4")

    transient = await store.outbox_mark_failed("rem/4", "timeout", permanent=False)
    permanent = await store.outbox_mark_failed("rem/4", "550 no such user", permanent=True)

    assert ("pending", 1, "timeout") == (transient.state, transient.attempts, transient.last_error)
    assert ("failed", 2, "550 no such user") == (
        permanent.state,
        permanent.attempts,
        permanent.last_error,
    )


async def test_a_sent_notice_stays_sent(store: Store) -> None:
    await claim(store, "rem/5")
    sent = await store.outbox_mark_sent("rem/5")

    after_failure = await store.outbox_mark_failed("rem/5", "late error", permanent=True)
    after_resend = await store.outbox_mark_sent("rem/5")

    assert sent == after_failure == after_resend
    assert 1 == sent.attempts


async def test_marking_an_unclaimed_key_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="rem/none"):
        await store.outbox_mark_sent("rem/none")
    with pytest.raises(NotFound, match="rem/none"):
        await store.outbox_mark_failed("rem/none", "x", permanent=False)


async def test_a_notice_for_an_unknown_assignment_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="kh/none"):
        await claim(store, "rem/6", assignment_id="kh/none")


async def test_a_permanently_failed_notice_stays_failed(store: Store) -> None:
    await claim(store, "rem/7")
    failed = await store.outbox_mark_failed("rem/7", "550 no such user", permanent=True)

    after_transient = await store.outbox_mark_failed("rem/7", "timeout", permanent=False)
    after_sent = await store.outbox_mark_sent("rem/7")

    assert failed == after_transient == after_sent
    assert ("failed", None) == (failed.state, failed.sent_at)
