"""A small cluster on loopback for fault tests: a Temporal dev server, PostgreSQL and a
mailbox of its own, and `kehoach worker` processes that can be killed with SIGKILL."""

import asyncio
import datetime as dt
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError

from adapters.mail import message_id
from adapters.settings import Settings
from adapters.store import Store, migrate, open_pool
from kehoach.embedded import EmbeddedPostgres, Mailbox, TemporalDevServer
from schemas.assignment import Approve, AssignmentState, SubmitReport
from tests.factories import actor, assignment_input, tiny_plan
from workflows.assignment import AssignmentWorkflow

KEHOACH = Path(sys.executable).parent / "kehoach"
UPDATE_RPC_TIMEOUT = dt.timedelta(seconds=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """Everything one fault test runs on; workers are separate processes."""

    folder: Path
    temporal: TemporalDevServer
    postgres: EmbeddedPostgres
    mailbox: Mailbox
    client: Client
    store: Store
    queue: str
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    kills: int = 0

    def worker_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TEMPORAL_ADDRESS": self.temporal.address,
            "KEHOACH_DATABASE_URL": self.postgres.url,
            "KEHOACH_SMTP_HOST": self.mailbox.host,
            "KEHOACH_SMTP_PORT": str(self.mailbox.port),
            "KEHOACH_TASK_QUEUE": self.queue,
            "KEHOACH_LOG_FORMAT": "json",
            "KEHOACH_LOG_LEVEL": "WARNING",
            # Every notice at once, whatever the hour: the suite counts deliveries, and in
            # the evening or at a weekend the digest would rightly hold them till morning.
            "KEHOACH_DIGEST_ENABLED": "false",
        }

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.folder / f"worker-{len(self.workers)}.log").open("ab")
        process = subprocess.Popen(
            [str(KEHOACH), "worker"], env=self.worker_env(), stdout=log, stderr=subprocess.STDOUT
        )
        self.workers.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL: no graceful shutdown, activities cut wherever they are."""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        self.kills += 1

    def stop_workers(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                with suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=15)
            if process.poll() is None:
                process.kill()
                process.wait()


@asynccontextmanager
async def cluster() -> AsyncIterator[Cluster]:
    """Start the parts on free loopback ports; stop and remove everything afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="kehoach-faults-"))
    folder.chmod(0o755)  # the embedded PostgreSQL runs as its own user when tests run as root
    temporal = TemporalDevServer(data_dir=folder, port=free_port(), ui_port=free_port())
    postgres = EmbeddedPostgres(data_dir=folder)
    mailbox = Mailbox(data_dir=folder, port=free_port())
    await postgres.start()
    await temporal.start()
    await mailbox.start()
    pool = await open_pool(postgres.url, max_size=4)
    made: Cluster | None = None
    try:
        await migrate(pool)
        store = Store(pool)
        await store.load_plan(tiny_plan())
        client = await Client.connect(temporal.address, data_converter=pydantic_data_converter)
        made = Cluster(
            folder=folder,
            temporal=temporal,
            postgres=postgres,
            mailbox=mailbox,
            client=client,
            store=store,
            queue=f"faults-{uuid.uuid4()}",
        )
        yield made
    finally:
        if made is not None:
            made.stop_workers()
        await pool.close()
        await mailbox.stop()
        await temporal.stop()
        await postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _stop_if_cancelled() -> None:
    """The client reports a cancelled call as an RPC error; a retry loop must not swallow
    the cancellation of its own task."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def _update(
    cluster: Cluster, workflow_id: str, update: object, message: object, update_id: str
) -> None:
    """Send an update until it is answered; the fixed id makes a repeat the same update."""
    handle = cluster.client.get_workflow_handle_for(AssignmentWorkflow.run, workflow_id)
    while True:
        try:
            await handle.execute_update(
                update,
                message,
                id=update_id,  # type: ignore[call-overload]
                rpc_timeout=UPDATE_RPC_TIMEOUT,
            )
            return
        except (WorkflowUpdateRPCTimeoutOrCancelledError, RPCError):
            _stop_if_cancelled()
            await asyncio.sleep(0.5)  # no worker right now, or the server restarting


async def lifecycle(cluster: Cluster, workflow_id: str, *, last_day: dt.date, period: str) -> None:
    """Start one assignment and take it through submission and both approvals."""
    await cluster.client.start_workflow(
        AssignmentWorkflow.run,
        assignment_input(assignment_id=workflow_id, last_day=last_day, period=period),
        id=workflow_id,
        task_queue=cluster.queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    steps = [
        (
            AssignmentWorkflow.submit_report,
            SubmitReport(actor=actor("SNGV", "focal"), body=f"Báo cáo {workflow_id}."),
        ),
        (AssignmentWorkflow.approve, Approve(actor=actor("SNGV", "leader"))),
        (AssignmentWorkflow.approve, Approve(actor=actor("STTTT", "coordinator"))),
    ]
    for index, (update, message) in enumerate(steps):
        try:
            await _update(cluster, workflow_id, update, message, f"{workflow_id}/step-{index}")
        except WorkflowUpdateFailedError as exc:  # a repeat after the step already applied
            if "WrongState" not in str(exc.cause.type if exc.cause else ""):  # type: ignore[attr-defined]
                raise


async def results(cluster: Cluster, ids: list[str], *, within: float) -> list[AssignmentState]:
    """Every workflow's result; fail if they do not all finish in time."""

    async def one(workflow_id: str) -> AssignmentState:
        handle = cluster.client.get_workflow_handle_for(AssignmentWorkflow.run, workflow_id)
        while True:
            try:
                return await handle.result()
            except RPCError:
                _stop_if_cancelled()
                await asyncio.sleep(0.5)

    finished = asyncio.ensure_future(asyncio.gather(*(one(i) for i in ids)))
    watcher = asyncio.ensure_future(_no_worker_left(cluster))
    try:
        done, _ = await asyncio.wait(
            {finished, watcher}, timeout=within, return_when=asyncio.FIRST_COMPLETED
        )
        if finished in done:
            return finished.result()
        if watcher in done:
            watcher.result()  # raises: every worker is dead
        raise TimeoutError(f"{len(ids)} lifecycles did not finish within {within} s")
    finally:
        for task in (finished, watcher):
            task.cancel()


DEAD_WORKERS_GRACE_S = 20.0


async def _no_worker_left(cluster: Cluster) -> None:
    """Fail as soon as no worker has been alive for DEAD_WORKERS_GRACE_S (a worker that
    exited on start would otherwise leave the test waiting for its whole timeout)."""
    dead_since: float | None = None
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(1.0)
        if any(w.poll() is None for w in cluster.workers):
            dead_since = None
            continue
        dead_since = dead_since if dead_since is not None else loop.time()
        if loop.time() - dead_since >= DEAD_WORKERS_GRACE_S:
            logs = sorted(cluster.folder.glob("worker-*.log"))
            tail = logs[-1].read_text(errors="replace")[-2000:] if logs else "(no log)"
            raise AssertionError(
                f"no worker alive for {DEAD_WORKERS_GRACE_S} s; last worker log:\n{tail}"
            )


@dataclass
class Delivery:
    """What the outbox says went out, against what the SMTP server received."""

    sent: int
    other_states: Counter[str]
    received: int
    distinct_received: int
    missing: list[str]
    duplicates: int


async def delivery(cluster: Cluster) -> Delivery:
    """Compare the outbox with the mailbox through Message-IDs, which the outbox key decides."""
    rows = await cluster.store._pool.fetch(  # the test reads the table itself
        "SELECT idempotency_key, state FROM notice_outbox WHERE channel = 'email'"
    )
    states = Counter(r["state"] for r in rows)
    sender = cluster.worker_env().get("KEHOACH_MAIL_FROM", Settings().mail_from)
    expected = {
        message_id(r["idempotency_key"], sender): r["idempotency_key"]
        for r in rows
        if r["state"] == "sent"
    }
    received = Counter(mail.message_id for mail in cluster.mailbox.messages())
    return Delivery(
        sent=states.pop("sent", 0),
        other_states=states,
        received=sum(received.values()),
        distinct_received=len(received),
        missing=sorted(key for mid, key in expected.items() if mid not in received),
        duplicates=sum(n - 1 for n in received.values()),
    )


async def chaos(cluster: Cluster, *, kills: int, seed: int, stop: asyncio.Event) -> None:
    """Kill the running worker with SIGKILL at random moments, restarting it each time."""
    rng = random.Random(seed)
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(0.5, 2.5))
        if stop.is_set():
            return
        alive = [w for w in cluster.workers if w.poll() is None]
        if alive:
            cluster.kill(rng.choice(alive))
        await asyncio.sleep(rng.uniform(0.2, 1.0))
        cluster.start_worker()
