"""The Temporal dev server kehoach embeds: attributes, clean stop, state across restarts."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import pytest
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from kehoach.embedded import TemporalDevServer
from schemas import search_attributes as sa
from schemas.errors import RuntimeStartError

Ports = Callable[[], int]


def _dev_server(data_dir: Path, free_port: Ports, **options: object) -> TemporalDevServer:
    return TemporalDevServer(
        data_dir=data_dir,
        port=free_port(),
        ui_port=free_port(),
        namespace="kehoach-test",
        **options,  # type: ignore[arg-type]
    )


async def _registered(server: TemporalDevServer) -> dict[str, int]:
    client = await Client.connect(server.address, namespace=server.namespace)
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=server.namespace)
    )
    return {name: int(kind) for name, kind in listed.custom_attributes.items()}


def _expected(keys: tuple[SearchAttributeKey[Any], ...] = sa.SEARCH_ATTRIBUTES) -> dict[str, int]:
    return {key.name: int(key.indexed_value_type) for key in keys}


async def test_dev_server_starts_with_every_search_attribute_registered(
    tmp_path: Path, free_port: Ports
) -> None:
    server = _dev_server(tmp_path, free_port)
    async with server:
        assert _expected() == await _registered(server)
        assert server.log_file.exists()
        assert server.db_file.exists()


async def test_stop_leaves_neither_the_server_nor_its_process_group(
    tmp_path: Path, free_port: Ports, live_processes_in_group: Callable[[int], list[int]]
) -> None:
    server = _dev_server(tmp_path, free_port)
    await server.start()
    pid = server.pid
    assert pid is not None
    assert [pid] == live_processes_in_group(pid)  # its own group, led by the server

    await server.stop()

    assert server.pid is None
    assert not psutil.pid_exists(pid)
    assert [] == live_processes_in_group(pid)
    assert not server.pid_file.exists()


async def test_restart_on_the_same_db_keeps_workflows_and_search_attributes(
    tmp_path: Path, free_port: Ports
) -> None:
    workflow_id = f"probe-{uuid.uuid4()}"
    plan = f"516-KH-UBND-{uuid.uuid4().hex[:8]}"
    deadline = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    server = _dev_server(tmp_path, free_port)
    async with server:
        client = await Client.connect(server.address, namespace=server.namespace)
        # No worker polls this queue: the workflow stays Running, which is all we need.
        await client.start_workflow(
            "KehoachProbe",
            id=workflow_id,
            task_queue=f"tq-{uuid.uuid4()}",
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.PLAN, plan),
                    SearchAttributePair(sa.DEADLINE, deadline),
                    SearchAttributePair(sa.ESCALATION_LEVEL, 2),
                ]
            ),
        )

    async with server:  # same ports, same db file
        assert _expected() == await _registered(server)
        client = await Client.connect(server.address, namespace=server.namespace)
        described = await client.get_workflow_handle(workflow_id).describe()
        assert WorkflowExecutionStatus.RUNNING == described.status
        assert plan == described.typed_search_attributes.get(sa.PLAN)
        assert deadline == described.typed_search_attributes.get(sa.DEADLINE)
        assert 2 == described.typed_search_attributes.get(sa.ESCALATION_LEVEL)
        found = [wf.id async for wf in client.list_workflows(f"KehoachPlan = '{plan}'")]
        assert [workflow_id] == found


async def test_restart_registers_search_attributes_added_since_the_db_was_made(
    tmp_path: Path, free_port: Ports
) -> None:
    older = sa.SEARCH_ATTRIBUTES[:2]
    async with _dev_server(tmp_path, free_port, search_attributes=older) as first:
        assert _expected(older) == await _registered(first)

    async with _dev_server(tmp_path, free_port) as second:
        assert _expected() == await _registered(second)


async def test_start_failure_raises_runtime_start_error_with_the_log_tail(
    tmp_path: Path, free_port: Ports
) -> None:
    broken = tmp_path / "temporal"
    broken.write_text("#!/bin/sh\necho 'fatal: cannot open the db file' >&2\nexit 3\n")
    broken.chmod(0o755)
    server = _dev_server(tmp_path, free_port, binary=broken, start_timeout=10.0)

    with pytest.raises(RuntimeStartError) as raised:
        await server.start()

    assert "exited with code 3" in raised.value.message
    assert "fatal: cannot open the db file" in raised.value.message
    assert server.pid is None


async def test_start_refuses_a_port_already_in_use(tmp_path: Path, free_port: Ports) -> None:
    async with _dev_server(tmp_path / "a", free_port) as running:
        clash = TemporalDevServer(data_dir=tmp_path / "b", port=running.port, ui_port=free_port())
        with pytest.raises(RuntimeStartError, match=f"port 127.0.0.1:{running.port}"):
            await clash.start()
