"""The worker's Prometheus metrics: the SDK's and kehoach's own, under the names
docs/OPERATIONS.md tells operators to watch."""

import datetime as dt
import re
import socket
import uuid
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from client.connection import metrics_runtime
from kehoach.embedded.mailbox import Mailbox
from tests.factories import assignment_input, eventually
from tests.workflows.helpers import running_worker
from workflows.assignment import AssignmentWorkflow

pytestmark = pytest.mark.devserver
GUIDE = Path(__file__).resolve().parents[2] / "docs" / "OPERATIONS.md"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_worker_serves_the_metrics_the_operations_guide_names(
    dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox
) -> None:
    bind = f"127.0.0.1:{_free_port()}"
    client = await Client.connect(
        dev_env.client.service_client.config.target_host,
        namespace=dev_env.client.namespace,
        data_converter=pydantic_data_converter,
        runtime=metrics_runtime(bind),
    )
    async with running_worker(client, store, mailbox) as queue, httpx.AsyncClient() as http:
        wid = f"t/{uuid.uuid4()}"
        # Due yesterday: it becomes overdue at once.
        await client.start_workflow(
            AssignmentWorkflow.run,
            assignment_input(assignment_id=wid, last_day=dt.date.today() - dt.timedelta(days=1)),
            id=wid,
            task_queue=queue,
        )

        async def scrape() -> str:
            return (await http.get(f"http://{bind}/metrics")).text

        text = await eventually(
            scrape,
            lambda t: (
                "kehoach_assignments_overdue" in t
                and "temporal_activity_schedule_to_start_latency" in t
            ),
        )

    served = set(re.findall(r"^([a-z_]+?)(?:_bucket|_sum|_count)?(?:\{| )", text, re.M))
    named = {
        m.removesuffix("_bucket")
        for m in re.findall(r"\b((?:temporal|kehoach)_[a-z_]+)", GUIDE.read_text())
    }
    worker_metrics = {
        m
        for m in named
        if m.startswith(("temporal_workflow_task", "temporal_activity", "kehoach_"))
    }
    # Counters of failures appear with the first failure; the rest are served at once.
    at_once = {m for m in worker_metrics if "failed" not in m and "notice" not in m}
    assert {
        "temporal_workflow_task_schedule_to_start_latency",
        "temporal_activity_schedule_to_start_latency",
        "kehoach_assignments_overdue_total",
    } <= at_once
    assert set() == at_once - served
