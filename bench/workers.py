"""The processes a benchmark run starts besides itself: one worker per flavor, the mailbox.

    python -m bench.workers worker --flavor bare|bare_notify|noop|kehoach|passthrough
    python -m bench.workers mailbox --dir DIR --port PORT

Each worker runs in its own process so its RSS and CPU are its own. `kehoach` is the
production worker (`workers.main.run_worker`: the store pool, SMTP, every workflow and
activity); `noop` runs kehoach's AssignmentWorkflow with activities of the same names that do
nothing, which separates what the workflow code costs from what its side effects cost;
`bare` and `bare_notify` run bench.bare; `passthrough` is the production worker with one
tuning under test: kehoach's own modules passed through the workflow sandbox (imported once
per process, not once per workflow run). All log "worker_running" once polling, which the
driver waits for.
"""

import argparse
import asyncio
import logging
import signal
from pathlib import Path

import structlog
from temporalio import activity
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.plugin import SimplePlugin
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from adapters.logs import configure_logging
from adapters.settings import load_settings
from bench.bare import BareAssignment, bare_notice
from bench.one_queue import NoticesOnWorkflowQueue
from client.connection import connect
from domain.ids import notice_task_queue
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import (
    AssignmentEvent,
    NoticeRef,
    NoticeRequest,
    NoticeResult,
    StepWrites,
    StoreSubmission,
)
from workers.main import run_worker
from workflows.assignment import AssignmentWorkflow

log = structlog.get_logger(__name__)
FLAVORS = ("bare", "bare_notify", "noop", "kehoach", "kehoach_one_queue", "passthrough")
# Modules without mutable global state that every assignment run would otherwise re-import.
KEHOACH_MODULES = ("workflows", "schemas", "kehoach", "activities")


class PassKehoachThrough(SimplePlugin):
    """A client plugin (so workers made with the client get it too) setting the sandbox."""

    def __init__(self) -> None:
        restrictions = SandboxRestrictions.default.with_passthrough_modules(*KEHOACH_MODULES)
        super().__init__(
            "bench.pass-kehoach-through",
            workflow_runner=SandboxedWorkflowRunner(restrictions=restrictions),
        )


@activity.defn(name="send_notice")
async def noop_send_notice(notice: NoticeRequest) -> NoticeResult:
    """kehoach's send_notice contract, sending nothing."""
    return NoticeResult()


@activity.defn(name="send_notice_by_reference")
async def noop_send_notice_by_reference(notice: NoticeRef) -> NoticeResult:
    """kehoach's send_notice_by_reference contract, sending nothing."""
    return NoticeResult()


@activity.defn(name="record_event")
async def noop_record_event(event: AssignmentEvent) -> None:
    """kehoach's record_event contract, storing nothing."""


@activity.defn(name="store_submission")
async def noop_store_submission(submission: StoreSubmission) -> None:
    """kehoach's store_submission contract, storing nothing."""


@activity.defn(name="record_step")
async def noop_record_step(step: StepWrites) -> None:
    """kehoach's record_step contract, storing nothing."""


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run(flavor: str) -> None:
    """Run one flavor's worker until SIGTERM."""
    settings = load_settings()
    configure_logging(settings)
    stop = _stop_on_signals()
    client = await connect(settings)
    if flavor == "passthrough":
        client = await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
            plugins=[PassKehoachThrough()],
        )
    if flavor == "kehoach_one_queue":
        client = await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
            interceptors=[NoticesOnWorkflowQueue()],
        )
    if flavor in ("kehoach", "kehoach_one_queue", "passthrough"):
        if settings.database_url is None:
            raise SystemExit("KEHOACH_DATABASE_URL is not set")
        await run_worker(
            client,
            settings=settings,
            database_url=settings.database_url.get_secret_value(),
            stop=stop,
        )
        return
    if flavor == "noop":
        notices = Worker(  # kehoach sends notices on a queue of their own
            client,
            task_queue=notice_task_queue(settings.task_queue),
            activities=[noop_send_notice, noop_send_notice_by_reference],
        )
        worker = Worker(
            client,
            task_queue=settings.task_queue,
            workflows=[AssignmentWorkflow],
            activities=[
                noop_send_notice,
                noop_record_event,
                noop_store_submission,
                noop_record_step,
            ],
        )
        async with notices, worker:
            log.info("worker_running", task_queue=settings.task_queue, flavor=flavor)
            await stop.wait()
        return
    else:
        worker = Worker(
            client,
            task_queue=settings.task_queue,
            workflows=[BareAssignment],
            activities=[bare_notice],
        )
    async with worker:
        log.info("worker_running", task_queue=settings.task_queue, flavor=flavor)
        await stop.wait()


async def mailbox(folder: Path, port: int) -> None:
    """The local SMTP server in a process of its own, until SIGTERM."""
    # It stands in for the province's mail server: its own logging is not what is measured.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    stop = _stop_on_signals()
    async with Mailbox(data_dir=folder, port=port):
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.workers")
    roles = parser.add_subparsers(dest="role", required=True)
    worker = roles.add_parser("worker")
    worker.add_argument("--flavor", choices=FLAVORS, required=True)
    box = roles.add_parser("mailbox")
    box.add_argument("--dir", type=Path, required=True)
    box.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if args.role == "worker":
        asyncio.run(run(args.flavor))
    else:
        asyncio.run(mailbox(args.dir, args.port))


if __name__ == "__main__":
    main()
