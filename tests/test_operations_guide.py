"""docs/OPERATIONS.md tells the truth about the store: its SQL runs against the real schema."""

import re
from pathlib import Path

import asyncpg
import pytest

from adapters.store import migrate
from tests.pgserver import fresh_database, shared_server_uri

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "OPERATIONS.md"
_SQL_BLOCK = re.compile(r"```sql\n(?P<query>.*?)```", re.DOTALL)


def _queries() -> list[str]:
    return [m["query"] for m in _SQL_BLOCK.finditer(GUIDE.read_text())]


def test_guide_gives_the_watch_queries() -> None:
    queries = "\n".join(_queries())
    for watched in ("state = 'failed'", "state = 'pending'", "overdue"):
        assert watched in queries


@pytest.mark.parametrize("query", _queries(), ids=lambda q: q.split("\n", 1)[0][:40])
async def test_guide_query_runs_on_the_migrated_store(query: str) -> None:
    async with fresh_database(shared_server_uri()) as url:
        conn = await asyncpg.connect(url)
        try:
            await migrate(conn)
            await conn.fetch(query)
        finally:
            await conn.close()
