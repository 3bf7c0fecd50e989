"""An assignment moved to its agency's successor (a merger): the successor's people open it on
the portal, which names the agency it was taken over from and tells the move in its history;
the merged agency's people no longer open it. Dev server, real worker and store."""

import datetime as dt
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from client import calls
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import Actor, Reroute
from schemas.calls import REROUTE
from tests.factories import eventually
from tests.web.helpers import sign_in, start_assignment

pytestmark = pytest.mark.devserver


async def test_the_successor_opens_a_rerouted_assignment_and_the_merged_agency_no_longer_does(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue, agency="SNGV")
    moved = await calls.update(
        dev_env.client,
        handle.id,
        REROUTE,
        Reroute(
            actor=Actor(email="danh-ba", role="system", agency="UB_MTTQ", source="directory"),
            from_agency="SNGV",
            to_agency="UB_MTTQ",
            to_agency_name="Ủy ban MTTQ Việt Nam tỉnh",
            effective=dt.date(2026, 1, 1),
        ),
    )
    assert "Đã chuyển nhiệm vụ từ SNGV sang Ủy ban MTTQ Việt Nam tỉnh." == moved.message_vi
    await eventually(lambda: store.get_assignment(handle.id), lambda a: a.agency_code == "UB_MTTQ")
    page = f"/assignments/{quote(handle.id, safe='/')}"

    successor = await sign_in(app, mailbox, "daumoi@ub-mttq.example")
    shown = await successor.get(page)
    assert 200 == shown.status_code
    assert "<th>Tiếp nhận từ</th><td>Sở Ngoại vụ (sáp nhập, đổi tên)</td>" in shown.text
    assert "chuyển cho cơ quan tiếp nhận (sáp nhập, đổi tên)" in shown.text
    assert "SNGV → UB_MTTQ" in shown.text
    merged = await sign_in(app, mailbox, "daumoi@sngv.example")
    assert 403 == (await merged.get(page)).status_code
