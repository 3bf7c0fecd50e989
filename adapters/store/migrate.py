"""Apply the numbered SQL files in db/migrations, once each, in order.

Why a short runner instead of Alembic, yoyo or sqitch: kehoach has no ORM to generate
migrations from, its database code is asyncpg-native (those tools want a sync driver or a
second toolchain), and what is needed fits in about fifty lines that a reviewer reads at
once. Migrations stay plain SQL files, reviewed like code.

The rules: `NNNN_name.sql` files apply in version order, each in its own transaction,
recorded in `schema_migrations` with a SHA-256 of the file. A session advisory lock makes
workers that start together take turns, so each file applies once. A recorded file whose
checksum (or name) changed is refused: the database was built from a text that no longer
exists. Versions in the database that this code does not know (a newer release migrated
it) are left alone. A file needing to run outside a transaction (CREATE INDEX
CONCURRENTLY) is not supported; none is needed yet.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import asyncpg

from schemas.errors import StoreError

MIGRATIONS_DIR = Path(__file__).parents[2] / "db" / "migrations"
# Any fixed 64-bit key; the same in every kehoach process ("kehoach" in ASCII).
LOCK_KEY = 0x6B65686F616368
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

if TYPE_CHECKING:  # asyncpg's classes are generic only in its stubs
    from asyncpg.pool import PoolConnectionProxy

    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]


@dataclass(frozen=True)
class Migration:
    """One SQL file: its version, its name (the file stem), its text and checksum."""

    version: int
    name: str
    sql: str
    checksum: str


def read_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations in `directory`, in version order; two files with one version is an error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise StoreError(f"{path}: migration file name must look like 0001_name.sql")
        version, data = int(match[1]), path.read_bytes()
        if version in found:
            raise StoreError(f"{path}: version {version} is also {found[version].name}.sql")
        found[version] = Migration(
            version, path.stem, data.decode("utf-8"), hashlib.sha256(data).hexdigest()
        )
    return [found[v] for v in sorted(found)]


async def migrate(
    target: asyncpg.Pool[asyncpg.Record] | Connection, directory: Path = MIGRATIONS_DIR
) -> list[str]:
    """Apply every pending migration; return the names applied (empty when up to date)."""
    if isinstance(target, asyncpg.Pool):
        async with target.acquire() as conn:
            return await _migrate(conn, read_migrations(directory))
    return await _migrate(target, read_migrations(directory))


async def _migrate(conn: Connection, migrations: list[Migration]) -> list[str]:
    await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
            " name text NOT NULL, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
        applied = {row["version"]: (row["name"], row["checksum"]) for row in rows}
        pending = []
        for m in migrations:
            if m.version not in applied:
                pending.append(m)
            elif applied[m.version] != (m.name, m.checksum):
                raise StoreError(
                    f"migration {m.version} was applied as {applied[m.version][0]}.sql with "
                    f"checksum {applied[m.version][1][:12]}…, but the file is now {m.name}.sql "
                    f"with checksum {m.checksum[:12]}…: applied migrations must not change; "
                    "restore the file and put the change in a new migration",
                    message_vi="Tệp cập nhật cơ sở dữ liệu đã áp dụng bị sửa đổi.",
                )
        for m in pending:
            async with conn.transaction():
                await conn.execute(m.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    m.version,
                    m.name,
                    m.checksum,
                )
        return [m.name for m in pending]
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
