"""Real parts for the notice activity's tests: a freshly migrated embedded PostgreSQL database
per test holding a small agency directory, kehoach's own SMTP mailbox on a loopback port (able
to refuse chosen addresses and to be stopped and restarted), and a webhook receiver speaking
minimal HTTP/1.1 on loopback."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from activities.notices import NoticeActivities
from adapters.store import Store, migrate, open_pool
from schemas.assignment import DutyBrief, NoticeRequest
from tests.activities.helpers import (
    AGENCY_NAMES,
    DEADLINE,
    PLAN_ID,
    PUBLIC_BASE_URL,
    WEBHOOK_SECRET,
    MailServer,
    MakeNotice,
    WebhookReceiver,
    _free_port,
    assignment_id,
    directory_plan,
    mail_config,
)
from tests.pgserver import fresh_database, shared_server_uri


@pytest.fixture(scope="session")
def pg_server_uri() -> str:
    return shared_server_uri()


@pytest.fixture
async def pool(pg_server_uri: str) -> AsyncIterator[asyncpg.Pool[asyncpg.Record]]:
    """A pool on a freshly migrated database of this test's own."""
    async with fresh_database(pg_server_uri) as url:
        pool = await open_pool(url, max_size=4)
        try:
            await migrate(pool)
            yield pool
        finally:
            await pool.close()


@pytest.fixture
async def store(pool: asyncpg.Pool[asyncpg.Record], webhook: WebhookReceiver) -> Store:
    """The store with the directory loaded and an assignment row for each assignee."""
    store = Store(pool)
    await store.load_plan(directory_plan(webhook.url))
    for agency in ("SNGV", "STC", "SXD"):
        await store.upsert_assignment(
            id=assignment_id(agency),
            plan_id=PLAN_ID,
            duty_id="III.5.4",
            agency_code=agency,
            period="2023",
            status="assigned",
            due_at=DEADLINE,
        )
    return store


# --- SMTP ------------------------------------------------------------------------------


@pytest.fixture
async def mail_server(tmp_path: Path) -> AsyncIterator[MailServer]:
    server = MailServer(tmp_path, _free_port())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


# --- Webhooks --------------------------------------------------------------------------


@pytest.fixture
async def webhook() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """One client, as the worker keeps one; a short timeout so 'hang' fails fast."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(1.0)) as client:
        yield client


# --- The activity ----------------------------------------------------------------------


@pytest.fixture
def notices(store: Store, mail_server: MailServer, http: httpx.AsyncClient) -> NoticeActivities:
    return NoticeActivities(
        store=store,
        mail=mail_config(mail_server.port),
        http=http,
        webhook_secret=WEBHOOK_SECRET,
        public_base_url=PUBLIC_BASE_URL,
    )


@pytest.fixture
def make_notice() -> MakeNotice:
    """A NoticeRequest about an assignee's III.5.4 assignment, with a key unique to the call."""

    def make(
        kind: str = "reminder",
        recipients: tuple[str, ...] = ("focal",),
        agency: str = "SNGV",
        **extra: Any,
    ) -> NoticeRequest:
        fields: dict[str, Any] = dict(
            idempotency_key=f"{assignment_id(agency)}/{kind}/{uuid.uuid4().hex[:8]}",
            kind=kind,
            assignment_id=assignment_id(agency),
            plan_id=PLAN_ID,
            plan_title="Kế hoạch thông tin đối ngoại năm 2023",
            duty=DutyBrief(
                id="III.5.4",
                clause="III.5",
                heading="Thông tin đối ngoại",
                text="Tổ chức thông tin đối ngoại về tiềm năng của tỉnh.",
            ),
            agency=agency,
            agency_name=AGENCY_NAMES[agency],
            issuer="UBND_TINH",
            coordinator="STTTT",
            office="VP_UBND",
            recipients=list(recipients),
            deadline=DEADLINE,
            status="assigned",
        )
        return NoticeRequest.model_validate(fields | extra)

    return make
