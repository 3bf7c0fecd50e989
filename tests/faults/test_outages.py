"""Parts of the system go away mid-run and come back: nothing is lost, nothing is sent
twice, every assignment finishes. Counts go to the run's summary so a CI log shows them."""

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

from tests.faults.harness import Cluster, cluster, delivery, lifecycle, results
from tests.summary import COUNTS

MAILS_PER_LIFECYCLE = 6


async def _run(c: Cluster, count: int, *, fault: Callable[[], Awaitable[None]], name: str) -> None:
    """`count` lifecycles with `fault` happening while they run; then check delivery."""
    ids = [f"outage/{c.queue}/{n:03d}" for n in range(count)]
    last_day = dt.date.today() + dt.timedelta(days=30)
    gate = asyncio.Semaphore(20)

    async def one(n: int, workflow_id: str) -> None:
        async with gate:
            await lifecycle(c, workflow_id, last_day=last_day, period=f"O{n:03d}")

    await asyncio.gather(fault(), *(one(n, i) for n, i in enumerate(ids)))
    states = await results(c, ids, within=240)
    report = await delivery(c)
    for _ in range(60):
        if report.sent == count * MAILS_PER_LIFECYCLE:
            break
        await asyncio.sleep(1)
        report = await delivery(c)
    COUNTS.append(
        f"{name}: kills={c.kills} lifecycles={len(states)} "
        f"outbox_sent={report.sent} received={report.received} "
        f"distinct={report.distinct_received} duplicates={report.duplicates} "
        f"other_states={dict(report.other_states)}"
    )
    assert ["accepted"] * count == [s.status for s in states]
    assert count * MAILS_PER_LIFECYCLE == report.sent == report.distinct_received
    assert ([], {}) == (report.missing, dict(report.other_states))
    # Outages of the store, the server or the mail server never send twice; a killed worker
    # may, once, if it dies between the mail server's acceptance and the outbox's "sent"
    # mark (the copy has the same Message-ID; RELIABILITY.md).
    assert report.duplicates <= c.kills


async def test_postgres_stopped_for_20_seconds_loses_nothing() -> None:
    async with cluster() as c:
        c.start_worker()

        async def outage() -> None:
            await asyncio.sleep(2)
            await c.postgres.stop()
            await asyncio.sleep(20)
            await c.postgres.start()

        await _run(c, 40, fault=outage, name="PostgreSQL stopped 20 s")


async def test_temporal_restarted_mid_run_resumes_everything() -> None:
    async with cluster() as c:
        c.start_worker()

        async def restart() -> None:
            await asyncio.sleep(3)
            await c.temporal.stop()
            await asyncio.sleep(2)
            await c.temporal.start()

        await _run(c, 40, fault=restart, name="Temporal restarted")


async def test_smtp_server_down_then_back_delivers_every_notice() -> None:
    async with cluster() as c:
        c.start_worker()

        async def outage() -> None:
            await asyncio.sleep(1)
            await c.mailbox.stop()
            await asyncio.sleep(10)
            await c.mailbox.start()

        await _run(c, 30, fault=outage, name="SMTP server down 10 s")


async def test_two_workers_share_the_load_and_one_killed_leaves_the_other_to_finish() -> None:
    async with cluster() as c:
        first = c.start_worker()
        c.start_worker()

        async def kill_one() -> None:
            await asyncio.sleep(3)
            c.kill(first)

        await _run(c, 40, fault=kill_one, name="two workers, one killed")
        assert 1 == c.kills
