"""bench/portal.py at a tiny size: its pages answer, and each page and its SQL floor agree
on what they count (the run stops otherwise), so the 100,000-row figures compare like with
like."""

import datetime as dt

from adapters.store import open_pool
from bench.portal import Shape, fill, measure, table
from tests.pgserver import fresh_database, shared_server_uri


async def test_every_page_and_its_floor_count_the_same_rows_at_a_tiny_size() -> None:
    shape = Shape(plans=2, duties=2, agencies=3, periods=2)
    async with fresh_database(shared_server_uri()) as url:
        pool = await open_pool(url, max_size=4)
        try:
            await fill(pool, shape, now=dt.datetime.now(dt.UTC))
            measured = await measure(pool, shape, rounds=1)
        finally:
            await pool.close()

    assert [24, 12, 8, 4, 12, 24] == [
        m["rows"] for m in measured if m["page"] != "approvals inbox (coordinator)"
    ]
    assert 7 == len(measured) == table(measured).count("\n") - 1
