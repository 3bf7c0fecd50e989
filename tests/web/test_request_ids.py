"""A request sent twice applies once: the page's forms and API clients choose the update id
(client.calls.person_update_id), so a form posted again or an API call retried after a lost
answer gets the first answer back instead of acting a second time."""

import uuid
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from client.calls import person_update_id
from kehoach.embedded.mailbox import Mailbox
from schemas.calls import APPROVE, SUBMIT_REPORT
from tests.web.helpers import csrf_of, sign_in, start_assignment
from workflows.assignment import AssignmentWorkflow

FOCAL = "daumoi@sngv.example"
LEADER = "lanhdao@sngv.example"


def test_the_chosen_id_is_scoped_to_the_action_and_the_person_and_a_bad_one_is_replaced() -> None:
    chosen = str(uuid.uuid4())

    same = person_update_id(chosen, call=APPROVE, actor="LanhDao@sngv.example")

    assert same == person_update_id(f" {chosen} ", call=APPROVE, actor="lanhdao@sngv.example")
    assert same != person_update_id(chosen, call=SUBMIT_REPORT, actor="lanhdao@sngv.example")
    assert same != person_update_id(chosen, call=APPROVE, actor="daumoi@sngv.example")
    fresh = {person_update_id(g, call=APPROVE, actor="a@b.vn") for g in (None, "", "x", "x")}
    assert 4 == len(fresh)


@pytest.mark.devserver
async def test_a_submission_and_an_approval_sent_twice_apply_once_by_api_and_by_form(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    path = quote(handle.id, safe="/")
    focal = await sign_in(app, mailbox, FOCAL)
    csrf = (await focal.get("/api/v1/me")).json()["csrf_token"]
    key = str(uuid.uuid4())

    sent = [
        await focal.post(
            f"/api/v1/assignments/{path}/submit",
            json={"body": "Báo cáo kết quả."},
            headers={"X-CSRF-Token": csrf, "Idempotency-Key": key},
        )
        for _ in range(2)
    ]

    assert [200, 200] == [r.status_code for r in sent], sent[1].text
    assert sent[0].json() == sent[1].json()
    assert 1 == sent[1].json()["version"]

    leader = await sign_in(app, mailbox, LEADER)
    page = await leader.get(f"/assignments/{path}")
    form = {
        "csrf": csrf_of(page.text),
        "request_id": _request_id(page.text),
        "version": "1",
    }

    approved = [await leader.post(f"/assignments/{path}/approve", data=form) for _ in range(2)]

    assert [200, 200] == [r.status_code for r in approved], approved[1].text
    assert all("Đã thực hiện" in r.text for r in approved)
    state = await handle.query(AssignmentWorkflow.state)
    assert (1, 1) == (len(state.submissions), len(state.decisions))
    assert ("submitted", "coordinator") == (state.status, state.pending_step)


def _request_id(html: str) -> str:
    marker = 'name="request_id" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
