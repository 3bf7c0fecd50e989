"""The portal on real parts: the Temporal dev server, a real worker, an embedded PostgreSQL
store and the SMTP mailbox; requests go through httpx's ASGI transport into the real app."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from adapters.mail import MailConfig
from adapters.settings import Settings
from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from tests.factories import tiny_plan
from tests.web.helpers import (
    BASE,
    SECRET,
)
from web.app import create_app
from workers.main import build_worker


@pytest.fixture
def settings(mailbox: Mailbox) -> Settings:
    return Settings().model_copy(
        update={
            "secret_key": SecretStr(SECRET),
            "public_base_url": BASE,
            "smtp_host": mailbox.host,
            "smtp_port": mailbox.port,
            "mail_from": "kehoach@stttt.test.example",
        }
    )


@pytest.fixture
def app(settings: Settings, dev_env: WorkflowEnvironment, store: Store) -> FastAPI:
    return create_app(settings=settings, client=dev_env.client, store=store, plan=tiny_plan())


@pytest.fixture
async def queue(dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox) -> AsyncIterator[str]:
    """A real worker whose notices carry action links signed with the portal's secret."""
    queue = f"web-{uuid.uuid4()}"
    mail = MailConfig(host=mailbox.host, port=mailbox.port, sender="kehoach@stttt.test.example")
    async with httpx.AsyncClient(timeout=5) as http:
        worker = build_worker(
            dev_env.client,
            task_queue=queue,
            store=store,
            http=http,
            mail=mail,
            webhook_secret="s",
            public_base_url=BASE,
            action_link_secret=SECRET,
        )
        async with worker:
            yield queue
