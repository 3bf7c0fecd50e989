"""Helpers for workflow tests (fixtures stay in conftest.py)."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from temporalio.client import Client

from adapters.mail import MailConfig
from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from workers.main import build_worker


@asynccontextmanager
async def running_worker(client: Client, store: Store, mailbox: Mailbox, *,
                         pass_through_own_modules: bool = False) -> AsyncIterator[str]:
    """A worker with kehoach's real workflows and activities on a task queue of its own
    (the full sandbox unless asked, so tests catch workflow code reaching a clock or I/O)."""
    queue = f"test-{uuid.uuid4()}"
    mail = MailConfig(host=mailbox.host, port=mailbox.port, sender="kehoach@stttt.test.example")
    async with httpx.AsyncClient(timeout=5) as http:
        worker = build_worker(client, task_queue=queue, store=store, http=http, mail=mail,
                              webhook_secret="s", public_base_url="http://portal.test",
                              pass_through_own_modules=pass_through_own_modules)
        async with worker:
            yield queue
