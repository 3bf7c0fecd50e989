"""The migration runner: applies each file once, in order, and refuses edited history."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from adapters.store.migrate import MIGRATIONS_DIR, migrate, read_migrations
from schemas.errors import StoreError

ALL = [m.name for m in read_migrations()]
TABLES = {
    "action_links_used",
    "agencies",
    "agency_successions",
    "assignment_briefs",
    "assignment_count_changes",
    "assignment_counts",
    "assignments",
    "attachments",
    "audit_log",
    "calendar_announcements",
    "contacts",
    "decisions",
    "documents",
    "duties",
    "notice_outbox",
    "notice_preferences",
    "portal_rate_events",
    "portal_sessions",
    "plan_drafts",
    "plans",
    "schema_migrations",
    "submissions",
}

# Everything a migration could change, as text: columns, constraints, indexes, triggers,
# functions, and the migration records themselves (applied_at included).
SCHEMA_DUMP = [
    """SELECT table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public'
       ORDER BY table_name, column_name""",
    """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""",
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    " ORDER BY 1, 2",
    "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
    " WHERE NOT tgisinternal ORDER BY 1, 2",
    "SELECT proname, md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
    " ORDER BY 1",
    "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version",
]


async def schema_dump(conn: asyncpg.Connection[asyncpg.Record]) -> list[list[tuple[object, ...]]]:
    return [[tuple(r) for r in await conn.fetch(q)] for q in SCHEMA_DUMP]


@pytest.fixture
async def conn(empty_database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection (no codecs) to an empty database."""
    conn = await asyncpg.connect(empty_database_url)
    yield conn
    await conn.close()


@pytest.fixture
def migrations_copy(tmp_path: Path) -> Path:
    """A copy of db/migrations a test may edit."""
    return Path(shutil.copytree(MIGRATIONS_DIR, tmp_path / "migrations"))


async def test_migrate_on_an_empty_database_applies_every_file_and_creates_the_tables(
    conn: asyncpg.Connection[asyncpg.Record],
) -> None:
    applied = await migrate(conn)

    assert ALL == applied
    tables = await conn.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    )
    assert TABLES == {r["table_name"] for r in tables}


async def test_migrate_again_applies_nothing_and_changes_nothing(
    conn: asyncpg.Connection[asyncpg.Record],
) -> None:
    await migrate(conn)
    before = await schema_dump(conn)

    applied = await migrate(conn)

    assert [] == applied
    assert before == await schema_dump(conn)
    assert len(before[0]) > 50  # the dump did see the schema


async def test_migrate_refuses_an_applied_file_whose_text_changed_and_applies_nothing(
    conn: asyncpg.Connection[asyncpg.Record], migrations_copy: Path
) -> None:
    await migrate(conn, migrations_copy)
    first = migrations_copy / f"{ALL[0]}.sql"
    first.write_text(first.read_text() + "\n-- an innocent-looking edit\n")
    (migrations_copy / "9999_later.sql").write_text("CREATE TABLE later (id int);")

    with pytest.raises(StoreError, match="must not change"):
        await migrate(conn, migrations_copy)

    assert None is await conn.fetchval("SELECT to_regclass('later')")


async def test_migrate_applies_a_new_file_alone_after_the_applied_ones(
    conn: asyncpg.Connection[asyncpg.Record], migrations_copy: Path
) -> None:
    await migrate(conn, migrations_copy)
    (migrations_copy / "9999_later.sql").write_text("CREATE TABLE later (id int);")

    assert ["9999_later"] == await migrate(conn, migrations_copy)
    assert "later" == await conn.fetchval("SELECT to_regclass('later')::text")


async def test_a_failing_file_leaves_no_trace_and_is_not_recorded(
    conn: asyncpg.Connection[asyncpg.Record], migrations_copy: Path
) -> None:
    await migrate(conn, migrations_copy)
    (migrations_copy / "9999_broken.sql").write_text(
        "CREATE TABLE half (id int); SELECT no_such_function();"
    )

    with pytest.raises(asyncpg.UndefinedFunctionError):
        await migrate(conn, migrations_copy)

    assert None is await conn.fetchval("SELECT to_regclass('half')")
    assert None is await conn.fetchval("SELECT name FROM schema_migrations WHERE version = 9999")


def test_migrate_refuses_a_file_name_without_a_version(migrations_copy: Path) -> None:
    (migrations_copy / "add_things.sql").write_text("SELECT 1;")

    with pytest.raises(StoreError, match=r"0001_name\.sql"):
        read_migrations(migrations_copy)


async def test_three_workers_migrating_at_once_apply_each_file_once(
    empty_database_url: str,
) -> None:
    conns = [await asyncpg.connect(empty_database_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in conns))

        assert sorted(ALL) == sorted(name for applied in results for name in applied)
        recorded = await conns[0].fetchval("SELECT count(*) FROM schema_migrations")
        assert len(ALL) == recorded
    finally:
        for c in conns:
            await c.close()
