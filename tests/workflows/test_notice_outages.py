"""Notices through long outages of the mail relay, under the time-skipping test server: a
morning's reminder waits out an hour-long outage and arrives once, a notice given up after
its hours of patience leaves a `notice_failed` record, and a notice that cannot go out
holds back neither the store writes nor the timers of its assignment."""

import asyncio
import datetime as dt
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store, open_pool
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import AssignmentState, SubmitReport
from schemas.calendar import VN_TZ
from tests.factories import CALENDAR, actor, assignment_input, eventually
from tests.workflows.helpers import running_worker, skip
from workflows.assignment import AssignmentWorkflow
from workflows.assignment_effects import NOTICE_PATIENCE

SNGV_FOCAL = "daumoi@sngv.example"
BIN = Path(sys.executable).parent
Handle = WorkflowHandle[AssignmentWorkflow, AssignmentState]


@pytest.fixture
async def queue(
    time_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> AsyncIterator[str]:
    async with running_worker(time_env.client, store, mailbox) as queue:
        yield queue


async def _start(
    env: WorkflowEnvironment, queue: str, last_day: dt.date, *, period: str = "2026"
) -> Handle:
    wid = f"t/{uuid.uuid4()}"
    return await env.client.start_workflow(
        AssignmentWorkflow.run,
        assignment_input(assignment_id=wid, last_day=last_day, period=period),
        id=wid,
        task_queue=queue,
    )


async def _skip_to(env: WorkflowEnvironment, at: dt.datetime) -> None:
    await skip(env, at - await env.get_current_time())


async def _today(env: WorkflowEnvironment) -> dt.date:
    return (await env.get_current_time()).astimezone(VN_TZ).date()


def _reminders(mailbox: Mailbox) -> list[str | None]:
    return [
        m.message_id for m in mailbox.messages(to=SNGV_FOCAL) if m.subject.startswith("Nhắc hạn")
    ]


async def test_reminders_of_a_morning_the_relay_was_down_for_an_hour_arrive_once_after(
    time_env: WorkflowEnvironment, queue: str, mailbox: Mailbox, store: Store
) -> None:
    last_day = CALENDAR.next_working_day(await _today(time_env) + dt.timedelta(days=30))
    handle = await _start(time_env, queue, last_day)
    t7 = next(
        at
        for days, at in CALENDAR.reminder_instants(
            CALENDAR.deadline_instant(last_day, move_off_non_working_days=True),
            assignment_input(assignment_id="x", last_day=last_day).reminders,
            not_before=await time_env.get_current_time(),
        )
        if days == 7
    )
    await eventually(lambda: store.list_audit(handle.id), lambda es: bool(es))
    await _skip_to(time_env, t7 - dt.timedelta(hours=1))
    await mailbox.stop()
    # 07:00 to 09:30: the T-7 reminder falls due at 08:00 with the relay away, and is
    # retried through the outage (the old bound, 12 attempts, gave up after ~25 minutes).
    await _skip_to(time_env, t7 + dt.timedelta(minutes=90))
    state = await handle.query(AssignmentWorkflow.state)
    assert [f"reminder/{last_day}/T-7"] == state.reminders_sent
    assert [] == _reminders(mailbox)
    await mailbox.start()
    await _skip_to(time_env, t7 + dt.timedelta(hours=2))

    async def reminders() -> list[str | None]:
        return _reminders(mailbox)

    sent = await eventually(reminders, bool)
    assert 1 == len(sent)
    assert [] == [e for e in await store.list_audit(handle.id) if e.action == "notice_failed"]


async def test_a_notice_given_up_after_its_patience_is_recorded_and_the_run_goes_on(
    time_env: WorkflowEnvironment, queue: str, mailbox: Mailbox, store: Store
) -> None:
    await mailbox.stop()
    last_day = CALENDAR.next_working_day(await _today(time_env) + dt.timedelta(days=60))
    handle = await _start(time_env, queue, last_day)
    await skip(time_env, NOTICE_PATIENCE + dt.timedelta(hours=1))

    audit = await eventually(
        lambda: store.list_audit(handle.id), lambda es: any(e.action == "notice_failed" for e in es)
    )
    failed = [e for e in audit if e.action == "notice_failed"]
    assert [("assignment", f"{handle.id}/assignment")] == [
        (e.detail["kind"], e.detail["notice_key"]) for e in failed
    ]
    assert "assigned" == (await handle.query(AssignmentWorkflow.state)).status
    assert [handle.id] == [
        f.subject for f in await store.list_notice_failures() if f.subject == handle.id
    ]


async def test_a_notice_that_cannot_go_out_holds_back_no_store_write(
    time_env: WorkflowEnvironment, queue: str, mailbox: Mailbox, store: Store
) -> None:
    await mailbox.stop()
    last_day = CALENDAR.next_working_day(await _today(time_env) + dt.timedelta(days=30))
    handle = await _start(time_env, queue, last_day)
    await handle.execute_update(
        AssignmentWorkflow.submit_report,
        SubmitReport(actor=actor("SNGV", "focal"), body="Báo cáo khi hộp thư còn gián đoạn."),
    )

    # The assignment notice is still being retried; the report and its event are stored.
    submissions = await eventually(lambda: store.list_submissions(handle.id), bool)
    assert ["Báo cáo khi hộp thư còn gián đoạn."] == [s.body for s in submissions]
    row = await eventually(
        lambda: store.get_assignment(handle.id), lambda r: r.status == "submitted"
    )
    assert "submitted" == row.status


async def test_the_coordinator_lists_notices_that_were_given_up(
    time_env: WorkflowEnvironment,
    queue: str,
    mailbox: Mailbox,
    store: Store,
    database_url: str,
) -> None:
    await mailbox.stop()
    last_day = CALENDAR.next_working_day(await _today(time_env) + dt.timedelta(days=60))
    handle = await _start(time_env, queue, last_day)
    await skip(time_env, NOTICE_PATIENCE + dt.timedelta(hours=1))
    await eventually(lambda: store.list_notice_failures(), bool)

    process = await asyncio.create_subprocess_exec(
        str(BIN / "kehoach"),
        "notices",
        "failed",
        "--json",
        env={**os.environ, "KEHOACH_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()

    assert 0 == process.returncode, stderr.decode()
    shown = json.loads(stdout)
    assert [(handle.id, "assignment")] == [(e["subject"], e["detail"]["kind"]) for e in shown]


async def test_notices_are_retried_for_hours_on_their_own_queue_with_a_heartbeat(
    time_env: WorkflowEnvironment, queue: str, mailbox: Mailbox
) -> None:
    last_day = CALENDAR.next_working_day(await _today(time_env) + dt.timedelta(days=30))
    handle = await _start(time_env, queue, last_day)
    await eventually(lambda: _async_len(mailbox), bool)

    history = await handle.fetch_history()
    [scheduled] = [
        e.activity_task_scheduled_event_attributes
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name
        == "send_notice_by_reference"
    ]
    smtp_timeout = dt.timedelta(seconds=30)
    assert f"{queue}-notices" == scheduled.task_queue.name
    assert scheduled.schedule_to_close_timeout.ToTimedelta() >= dt.timedelta(hours=4)
    assert 0 == scheduled.retry_policy.maximum_attempts
    # Two e-mails and a webhook fit in one attempt; a hung attempt is seen within minutes.
    assert scheduled.start_to_close_timeout.ToTimedelta() > 2 * smtp_timeout + dt.timedelta(
        seconds=20
    )
    assert dt.timedelta(0) < scheduled.heartbeat_timeout.ToTimedelta() <= dt.timedelta(minutes=5)


async def _async_len(mailbox: Mailbox) -> int:
    return len(mailbox.messages(to=SNGV_FOCAL))


class StoreLink:
    """A TCP path to the test's PostgreSQL (a Unix socket) that can be cut and restored:
    the worker's store goes through it, so cutting it is the store going away for the
    worker (connections dropped, new ones refused) while the test still reads the store."""

    def __init__(self, socket_path: str) -> None:
        self.socket_path = socket_path
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._open):
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_unix_connection(self.socket_path)
        self._open |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()
                self._open.discard(dst)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def linked_store(database_url: str, store: Store) -> AsyncIterator[tuple[Store, StoreLink]]:
    """The test's database reached through a StoreLink, for the worker."""
    parts = urlsplit(database_url)
    folder = parse_qs(parts.query)["host"][0]
    link = StoreLink(str(next(Path(folder).glob(".s.PGSQL.*"))))
    await link.restore()
    url = f"postgresql://{parts.username}@127.0.0.1:{link.port}{parts.path}"
    pool = await open_pool(url, max_size=4)
    try:
        yield Store(pool), link
    finally:
        pool.terminate()


async def test_a_mornings_reminders_through_an_hour_long_store_outage_arrive_once_after(
    time_env: WorkflowEnvironment,
    store: Store,
    mailbox: Mailbox,
    linked_store: tuple[Store, StoreLink],
) -> None:
    workers_store, link = linked_store
    async with running_worker(time_env.client, workers_store, mailbox) as queue:
        last_day = CALENDAR.next_working_day(await _today(time_env) + dt.timedelta(days=30))
        handles = [await _start(time_env, queue, last_day, period=f"2026-{n}") for n in "ABC"]
        t7 = next(
            at
            for days, at in CALENDAR.reminder_instants(
                CALENDAR.deadline_instant(last_day, move_off_non_working_days=True),
                assignment_input(assignment_id="x", last_day=last_day).reminders,
                not_before=await time_env.get_current_time(),
            )
            if days == 7
        )
        for handle in handles:
            await eventually(lambda h=handle: store.list_audit(h.id), bool)
        await _skip_to(time_env, t7 - dt.timedelta(hours=1))
        await link.cut()
        # 07:00 to 09:30 without the store: the three T-7 reminders fall due at 08:00 and
        # cannot be claimed in the outbox, so none is sent; they are retried throughout.
        await _skip_to(time_env, t7 + dt.timedelta(minutes=90))
        during = _reminders(mailbox)
        await link.restore()
        await _skip_to(time_env, t7 + dt.timedelta(hours=2))

        async def reminders() -> list[str | None]:
            return _reminders(mailbox)

        after = await eventually(reminders, lambda r: len(r) >= 3)

    assert [] == during
    assert 3 == len(after)
    assert 3 == len(set(after))  # each once: three distinct Message-IDs
    failed = [
        e for h in handles for e in await store.list_audit(h.id) if e.action == "notice_failed"
    ]
    assert [] == failed
