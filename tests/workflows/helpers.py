"""Helpers for workflow tests (fixtures stay in conftest.py)."""

import asyncio
import datetime as dt
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from adapters.mail import MailConfig
from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from workers.main import build_worker

SKIP_PATIENCE = dt.timedelta(minutes=10)
"""How long one skip of the test server's clock may take in real time. The server moves its
clock only while no workflow task or activity is in flight, so skipping days of a plan with
hundreds of assignments takes real seconds, more on a loaded machine; the client's default
deadline for the call (30 s) then cancels it with "Timeout expired"."""


async def skip(env: WorkflowEnvironment, duration: dt.timedelta) -> None:
    """`env.sleep(duration)` on the time-skipping server, patient while it works through the
    timers that fall inside `duration`."""
    request = SleepRequest()
    request.duration.FromTimedelta(duration)
    await env.client.test_service.unlock_time_skipping_with_sleep(request, timeout=SKIP_PATIENCE)


@asynccontextmanager
async def running_worker(
    client: Client, store: Store, mailbox: Mailbox, *, pass_through_own_modules: bool = False
) -> AsyncIterator[str]:
    """A worker with kehoach's real workflows and activities on a task queue of its own
    (the full sandbox unless asked, so tests catch workflow code reaching a clock or I/O)."""
    queue = f"test-{uuid.uuid4()}"
    mail = MailConfig(host=mailbox.host, port=mailbox.port, sender="kehoach@stttt.test.example")
    async with httpx.AsyncClient(timeout=5) as http:
        worker = build_worker(
            client,
            task_queue=queue,
            store=store,
            http=http,
            mail=mail,
            webhook_secret="s",
            public_base_url="http://portal.test",
            pass_through_own_modules=pass_through_own_modules,
        )
        async with worker:
            yield queue


FIXTURES = Path(__file__).parent / "fixtures"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Ran:
    exit_code: int
    stdout: str
    stderr: str


async def run_kehoach(env: WorkflowEnvironment, *args: str, database_url: str | None = None) -> Ran:
    """`kehoach …` as a person runs it, a process of its own (the worker of the test runs
    in this one and logs to its stdout), against the dev server and the fixture plan (and
    the test's database, for the commands that read the store)."""
    environment = {k: v for k, v in os.environ.items() if k != "KEHOACH_CONTACTS_FILE"}
    environment |= {
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": env.client.namespace,
        "KEHOACH_PLAN_FILE": str(FIXTURES / "plan.yaml"),
        "COLUMNS": "200",
    }
    if database_url is not None:
        environment["KEHOACH_DATABASE_URL"] = database_url
    process = await asyncio.create_subprocess_exec(
        str(BIN / "kehoach"),
        *args,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Ran(process.returncode, stdout.decode(), stderr.decode())
