"""The kehoach worker process: open resources, connect, run, shut down gracefully."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
import httpx
import structlog
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.assignments import AssignmentActivities
from activities.digests import DigestActivities
from activities.notices import NoticeActivities
from activities.plans import PlanActivities
from activities.reports import ReportActivities
from adapters.mail import MailConfig
from adapters.settings import Settings
from adapters.store import Store, migrate, open_pool
from client.starts import start_morning_digest
from domain.digest import Routing, WorkingHours
from domain.ids import notice_task_queue
from workflows.assignment import AssignmentWorkflow
from workflows.consolidation import ConsolidationWorkflow
from workflows.digest import MorningDigestWorkflow
from workflows.directory import DirectoryChangeWorkflow
from workflows.plan import PlanWorkflow

log = structlog.get_logger(__name__)

HTTP_TIMEOUT = httpx.Timeout(20.0, connect=5.0)


STARTUP_WAIT_S = 120.0
"""How long a starting worker waits for PostgreSQL (starting with it, or restarting)."""


_NOT_READY = (
    OSError,
    asyncpg.CannotConnectNowError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
)


async def _migrated_pool(
    database_url: str, *, max_size: int, wait: float
) -> asyncpg.Pool[asyncpg.Record]:
    """A pool on a migrated database, once PostgreSQL accepts connections and for as long
    as `wait` seconds: a worker starting beside the database, or while it restarts, waits
    for it rather than exiting."""
    loop = asyncio.get_running_loop()
    give_up, delay = loop.time() + wait, 0.5
    while True:
        pool: asyncpg.Pool[asyncpg.Record] | None = None
        try:
            pool = await open_pool(database_url, max_size=max_size)
            applied = await migrate(pool)
            if applied:
                log.info("migrations_applied", applied=applied)
            return pool
        except _NOT_READY as err:
            if pool is not None:
                pool.terminate()
            if loop.time() + delay > give_up:
                raise
            log.warning("database_not_ready", error=str(err), retry_in_s=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


@asynccontextmanager
async def open_store(
    database_url: str, *, max_size: int, wait: float = STARTUP_WAIT_S
) -> AsyncIterator[Store]:
    """A migrated store on its own pool, closed on exit; waits for PostgreSQL to be ready."""
    pool = await _migrated_pool(database_url, max_size=max_size, wait=wait)
    try:
        yield Store(pool)
    finally:
        await pool.close()


class Workers:
    """kehoach's workers in one process, entered and left together: the main one (every
    workflow and activity but notices) and the notices' own, rate-limited to spare the
    mail relay (`domain.ids.notice_task_queue`)."""

    def __init__(self, *workers: Worker) -> None:
        self.workers = workers
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> Workers:
        for worker in self.workers:
            await self._stack.enter_async_context(worker)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()


def build_worker(
    client: Client,
    *,
    task_queue: str,
    store: Store,
    http: httpx.AsyncClient,
    mail: MailConfig,
    webhook_secret: str,
    public_base_url: str,
    action_link_secret: str | None = None,
    max_cached_workflows: int = 1000,
    pass_through_own_modules: bool = False,
    activity_slots: int | None = None,
    notices_per_second: float | None = None,
    graceful_shutdown: dt.timedelta = dt.timedelta(0),
    routing: Routing | None = None,
    digest_due_soon: dt.timedelta = dt.timedelta(days=5),
) -> Workers:
    """The workers with every workflow and activity kehoach has, bound to their resources.

    `activity_slots` bounds the activities (and, separately, the local activities) each
    worker runs at once, to what the store's pool can serve; `notices_per_second` is the
    notice queue's rate across all workers (the server enforces it); `graceful_shutdown`
    is how long activities in flight may finish when the worker stops."""
    assignments = AssignmentActivities(store=store)
    notices = NoticeActivities(
        store=store,
        mail=mail,
        http=http,
        webhook_secret=webhook_secret,
        public_base_url=public_base_url,
        action_link_secret=action_link_secret,
        routing=routing,
    )
    digests = DigestActivities(
        store=store, mail=mail, public_base_url=public_base_url, due_soon=digest_due_soon
    )
    reports = ReportActivities(store=store, http=http)
    plans = PlanActivities(store=store, client=client, task_queue=task_queue, notices=notices)
    main = Worker(
        client,
        task_queue=task_queue,
        workflows=[
            AssignmentWorkflow,
            PlanWorkflow,
            ConsolidationWorkflow,
            MorningDigestWorkflow,
            DirectoryChangeWorkflow,
        ],
        # send_notice stays here too: runs started before the notices' own queue send
        # their notices on this one (and bench/one_queue.py puts every notice here).
        activities=[
            assignments.store_submission,
            assignments.record_event,
            assignments.record_step,
            notices.send_notice,
            digests.digest_calendar,
            notices.send_notice_by_reference,
            reports.fetch_report,
            plans.plan_schedule,
            plans.start_batch,
            plans.plan_progress,
            plans.apply_duty_change,
            plans.amend_calendars,
            plans.extend_calendar,
            plans.compile_consolidation,
            plans.notify_consolidation,
            plans.start_consolidation,
            plans.consolidation_notices,
            plans.issue_consolidation,
            plans.reroute_successor,
        ],
        max_cached_workflows=max_cached_workflows,
        workflow_runner=sandbox(pass_through_own_modules=pass_through_own_modules),
        graceful_shutdown_timeout=graceful_shutdown,
        max_concurrent_activities=activity_slots,
        max_concurrent_local_activities=activity_slots,
    )
    notice_worker = Worker(
        client,
        task_queue=notice_task_queue(task_queue),
        activities=[notices.send_notice, notices.send_notice_by_reference, digests.send_digests],
        max_task_queue_activities_per_second=notices_per_second,
        graceful_shutdown_timeout=graceful_shutdown,
        max_concurrent_activities=activity_slots,
    )
    return Workers(main, notice_worker)


OWN_MODULES = ("workflows", "schemas", "domain", "activities", "adapters", "client")


def sandbox(*, pass_through_own_modules: bool) -> SandboxedWorkflowRunner:
    """The workflow sandbox. By default it imports the workflow modules afresh for every
    workflow run and watches what their code reaches (a clock, randomness, I/O). Passing
    kehoach's own modules through imports them once per process instead: less memory per
    cached run and less CPU per new run (bench/RESULTS.md), at the price of that watch over
    our own code, which the replay tests (run with the full sandbox) still keep."""
    restrictions = SandboxRestrictions.default
    if pass_through_own_modules:
        restrictions = restrictions.with_passthrough_modules(*OWN_MODULES)
    return SandboxedWorkflowRunner(restrictions=restrictions)


def routing_of(settings: Settings) -> Routing | None:
    """The digest rule's settings; None when the digest is off (every notice at once)."""
    if not settings.digest_enabled:
        return None
    end = (
        dt.time(23, 59, 59)
        if settings.working_hours_end == 24
        else dt.time(settings.working_hours_end)
    )
    return Routing(
        hours=WorkingHours(start=dt.time(settings.digest_hour), end=end),
        catch_up_after=dt.timedelta(minutes=settings.notice_catch_up_minutes),
    )


async def run_worker(
    client: Client, *, settings: Settings, database_url: str, stop: asyncio.Event
) -> None:
    """Run until `stop` is set; in-flight activities get the worker's graceful shutdown."""
    async with (
        open_store(database_url, max_size=settings.database_pool_max) as store,
        httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http,
    ):
        worker = build_worker(
            client,
            task_queue=settings.task_queue,
            store=store,
            http=http,
            mail=MailConfig.from_settings(settings),
            webhook_secret=settings.webhook_secret.get_secret_value(),
            public_base_url=settings.public_base_url,
            action_link_secret=settings.secret_key.get_secret_value(),
            max_cached_workflows=settings.worker_max_cached_workflows,
            pass_through_own_modules=settings.worker_pass_through_own_modules,
            activity_slots=settings.database_pool_max,
            notices_per_second=settings.notices_per_second,
            graceful_shutdown=settings.worker_graceful_shutdown,
            routing=routing_of(settings),
            digest_due_soon=dt.timedelta(days=settings.digest_due_soon_days),
        )
        async with worker:
            if settings.digest_enabled:
                await start_morning_digest(
                    client,
                    task_queue=settings.task_queue,
                    notices_queue=notice_task_queue(settings.task_queue),
                    hour=settings.digest_hour,
                )
            log.info(
                "worker_running",
                task_queue=settings.task_queue,
                namespace=settings.temporal_namespace,
                max_cached_workflows=settings.worker_max_cached_workflows,
                pass_through_own_modules=settings.worker_pass_through_own_modules,
                activity_slots=settings.database_pool_max,
                notices_per_second=settings.notices_per_second,
                graceful_shutdown_s=settings.worker_graceful_shutdown.total_seconds(),
            )
            await stop.wait()
            log.info("worker_stopping")
        log.info("worker_stopped")
