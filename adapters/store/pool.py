"""Open the one connection pool a process shares."""

from __future__ import annotations

import json

import asyncpg


async def _init_connection(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    # jsonb in and out as Python values, so callers never handle JSON text.
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def open_pool(dsn: str, *, max_size: int) -> asyncpg.Pool[asyncpg.Record]:
    """A pool whose connections encode and decode json/jsonb with the json module.

    It opens one connection at once and more on demand, so a CLI command or a test does not
    hold `max_size` connections it never uses.
    """
    return await asyncpg.create_pool(dsn, min_size=1, max_size=max_size, init=_init_connection)
