"""Kill -9 the worker again and again while 80 assignments run: every one completes, and
every notice the outbox marks sent reached the SMTP server."""

import asyncio
import datetime as dt

from tests.faults.harness import chaos, cluster, delivery, lifecycle, results
from tests.summary import COUNTS

LIFECYCLES = 80
KILLS = 8
MAILS_PER_LIFECYCLE = 6  # assignment ×2, approval requested, report received, accepted ×2


async def test_worker_killed_eight_times_loses_nothing() -> None:
    async with cluster() as c:
        c.start_worker()
        stop = asyncio.Event()
        ids = [f"fault/{c.queue}/{n:03d}" for n in range(LIFECYCLES)]
        last_day = dt.date.today() + dt.timedelta(days=30)
        killer = asyncio.create_task(chaos(c, kills=KILLS, seed=516, stop=stop))
        gate = asyncio.Semaphore(25)

        async def one(n: int, workflow_id: str) -> None:
            async with gate:
                await lifecycle(c, workflow_id, last_day=last_day, period=f"F{n:03d}")

        await asyncio.gather(*(one(n, i) for n, i in enumerate(ids)))
        stop.set()
        await killer
        states = await results(c, ids, within=240)
        report = await delivery(c)
        # Outbox rows are written by activities that may still be finishing their last
        # notice after the workflows' results: wait for the outbox to settle.
        for _ in range(60):
            if report.sent == LIFECYCLES * MAILS_PER_LIFECYCLE:
                break
            await asyncio.sleep(1)
            report = await delivery(c)
    COUNTS.append(
        f"worker killed {c.kills} times: lifecycles={len(states)} "
        f"outbox_sent={report.sent} received={report.received} "
        f"distinct={report.distinct_received} duplicates={report.duplicates} "
        f"other_states={dict(report.other_states)}"
    )
    assert ["accepted"] * LIFECYCLES == [s.status for s in states]
    assert KILLS == c.kills
    assert LIFECYCLES * MAILS_PER_LIFECYCLE == report.sent == report.distinct_received
    assert [] == report.missing
    assert {} == dict(report.other_states)
    # A kill between the SMTP server's acceptance and the outbox's "sent" mark re-sends on
    # retry (same Message-ID): at most one copy per kill.
    assert report.duplicates <= c.kills
