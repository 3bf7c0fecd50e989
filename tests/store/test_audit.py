"""The audit log: appended to, read back by subject, never changed."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from adapters.store import Store


async def test_audit_entries_come_back_in_order_for_their_subject(store: Store) -> None:
    when = dt.datetime(2023, 3, 15, 10, 0, tzinfo=dt.UTC)
    await store.append_audit(
        actor="focal@sngv.example",
        action="report.submit",
        subject="kh/a",
        detail={"version": 1, "due_at": when},
        source="web 10.0.0.7",
    )
    await store.append_audit(actor="cli", action="plan.load", subject="kh/b", source="cli")
    await store.append_audit(
        actor="leader@sngv.example", action="report.approve", subject="kh/a", source="web"
    )

    trail = await store.list_audit("kh/a")

    assert ["report.submit", "report.approve"] == [e.action for e in trail]
    assert {"version": 1, "due_at": "2023-03-15T10:00:00Z"} == trail[0].detail
    assert "web 10.0.0.7" == trail[0].source


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log"],
)
async def test_the_audit_log_refuses_to_change_or_lose_rows(
    store: Store, pool: asyncpg.Pool, statement: str
) -> None:
    entry = await store.append_audit(actor="a", action="x", subject="s", source="cli")

    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await pool.execute(statement)

    assert [entry] == await store.list_audit("s")
