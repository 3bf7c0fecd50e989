"""The JSON API, property-based: every operation of /openapi.json, fed what schemathesis
generates from the document (valid and invalid requests, real and made-up assignment ids),
signed in with the bearer tokens of real people, answers with no 5xx and only with the
status codes, content types and bodies the document promises.

A 2xx answer is a promise: after the run, the store's mirror of each assignment comes to
agree with its workflow (status and report versions), so nothing the API accepted is stuck
between Temporal and PostgreSQL.

The app runs in-process on the session's event loop (the store's pool and the Temporal
client live there): Hypothesis runs in a worker thread and hands each request to that loop.
"""

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate as validate_openapi
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from temporalio.testing import WorkflowEnvironment

from adapters import links
from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from tests.web.helpers import (
    BASE,
    SECRET,
    browser,
    csrf_of,
    sign_in,
    start_assignment,
    store_status,
)
from workflows.assignment import AssignmentWorkflow

pytestmark = [
    pytest.mark.devserver,
    # schemathesis' own strategies draw from `random`; Hypothesis frowns on it, harmlessly.
    pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies"),
]

EXAMPLES = 30
"""Per operation and kind of caller; the seven operations take about 10 s in all."""
PEOPLE = ("daumoi@sngv.example", "lanhdao@sngv.example", "daumoi@stttt.example")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
OPERATIONS = {
    "GET /api/v1/me",
    "POST /api/v1/token",
    "GET /api/v1/assignments",
    "GET /api/v1/assignments/{assignment_id}",
    "POST /api/v1/assignments/{assignment_id}/submit",
    "POST /api/v1/assignments/{assignment_id}/approve",
    "POST /api/v1/assignments/{assignment_id}/return",
}
T = TypeVar("T")


async def _document(app: FastAPI) -> dict[str, Any]:
    async with browser(app) as client:
        answer = await client.get("/openapi.json")
    assert 200 == answer.status_code
    document: dict[str, Any] = answer.json()
    return document


async def test_the_openapi_document_is_valid_openapi(app: FastAPI) -> None:
    document = await _document(app)
    validate_openapi(document)  # raises OpenAPIValidationError, naming the place
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]  # raises if broken
    assert OPERATIONS == {op.label for op in operations}


async def _token(app: FastAPI, mailbox: Mailbox, email: str) -> str:
    """A bearer token got as a person would: sign in by the mailed link, ask the API."""
    client = await sign_in(app, mailbox, email)
    try:
        csrf = (await client.get("/api/v1/me")).json()["csrf_token"]
        answer = await client.post("/api/v1/token", headers={"X-CSRF-Token": csrf})
    finally:
        await client.aclose()
    assert 200 == answer.status_code, answer.text
    token: str = answer.json()["token"]
    return token


async def test_every_api_operation_answers_only_as_its_document_says(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    own = await start_assignment(dev_env, store, queue)
    other = await start_assignment(dev_env, store, queue, agency="UB_MTTQ", duty_id="III.1")
    tokens = [await _token(app, mailbox, email) for email in PEOPLE]
    schema = schemathesis.openapi.from_dict(await _document(app))
    operations = [result.ok() for result in schema.get_all_operations()]
    ids = [own.id, other.id]
    loop = asyncio.get_running_loop()

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE, timeout=60
    ) as client:

        def on_loop(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
            """Run a coroutine on the test's loop from Hypothesis' thread, and wait for it."""
            return asyncio.run_coroutine_threadsafe(make(), loop).result(timeout=60)

        def send(case: Any) -> httpx.Response:
            kwargs = case.as_transport_kwargs(base_url=BASE)
            request: dict[str, Any] = {
                "headers": kwargs["headers"],
                "params": kwargs.get("params") or None,
            }
            if "json" in kwargs:
                request["content"] = json.dumps(kwargs["json"]).encode()
            elif kwargs.get("data") is not None:
                data = kwargs["data"]
                request["content"] = data.encode() if isinstance(data, str) else data
            client.cookies.clear()  # the bearer token alone says who is calling
            return on_loop(lambda: client.request(kwargs["method"], kwargs["url"], **request))

        def explore(operation: Any) -> None:
            has_id = "{assignment_id}" in operation.path

            def cases(token: str, mode: GenerationMode, real_id: str | None) -> Any:
                return operation.as_strategy(
                    mode,
                    headers={"authorization": f"Bearer {token}"},
                    path_parameters={"assignment_id": real_id} if has_id and real_id else None,
                )

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                print_blob=True,
                phases=[Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )
            @given(
                st.tuples(
                    st.sampled_from(tokens),
                    st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]),
                    st.sampled_from([None, *ids]),
                ).flatmap(lambda t: cases(*t))
            )
            def answers_as_documented(case: Any) -> None:
                response = send(case)
                case.validate_response(response, checks=CHECKS)

            answers_as_documented()

        failures: list[str] = []
        for operation in operations:
            try:
                await asyncio.to_thread(explore, operation)
            except (Exception, BaseExceptionGroup) as failure:  # every operation's, not one
                failures.append(f"{operation.label}: {failure}")
        assert not failures, "\n\n".join(failures)

    for handle in (own, other):  # what the API accepted reached the store
        state = await handle.query(AssignmentWorkflow.state)
        await store_status(store, handle.id, state.status)
        stored = [s.version for s in await store.list_submissions(handle.id)]
        assert [s.version for s in state.submissions] == stored, handle.id


async def test_text_postgresql_cannot_keep_is_refused_at_the_door(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    """A NUL character: the workflow would accept the report or reason and then never get it
    into the store (retrying for ever); an id with one made PostgreSQL fail the request."""
    handle = await start_assignment(dev_env, store, queue)
    token = await _token(app, mailbox, "daumoi@sngv.example")
    api = f"/api/v1/assignments/{quote(handle.id, safe='')}"
    bearer = {"Authorization": f"Bearer {token}"}
    async with browser(app) as script:
        assert 404 == (await script.get("/api/v1/assignments/a%00b", headers=bearer)).status_code
        assert (
            404
            == (
                await script.post(
                    "/api/v1/assignments/a%00b/submit", headers=bearer, json={"body": "x"}
                )
            ).status_code
        )
        for tail, body in (
            ("/submit", {"body": "Báo cáo\x00"}),
            ("/return", {"reason": "Lý do\x00 đủ dài"}),
            ("/approve", {"comment": "\x00"}),
        ):
            refused = await script.post(api + tail, headers=bearer, json=body)
            assert 422 == refused.status_code, (tail, refused.text)
            assert "ký tự NUL" in refused.json()["detail"][0]["msg"]
    focal = await sign_in(app, mailbox, "daumoi@sngv.example")
    try:
        assert 404 == (await focal.get("/assignments/a%00b")).status_code
        page = f"/assignments/{quote(handle.id, safe='/')}"
        csrf = csrf_of((await focal.get(page)).text)
        for tail, form in (
            ("/submit", {"body": "Báo cáo\x00"}),
            ("/return", {"reason": "Lý do\x00 đủ dài"}),
            ("/approve", {"comment": "\x00"}),
        ):
            refused = await focal.post(page + tail, data={**form, "csrf": csrf})
            assert 400 == refused.status_code, (tail, refused.text)
            assert "ký tự NUL" in refused.text
        parts = (
            f'--b0\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            '--b0\r\nContent-Disposition: form-data; name="body"\r\n\r\nBáo cáo\r\n'
            '--b0\r\nContent-Disposition: form-data; name="files"; filename="a\x00.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n\r\n--b0--\r\n"
        )
        named = await focal.post(
            page + "/submit",
            content=parts.encode(),
            headers={"Content-Type": "multipart/form-data; boundary=b0"},
        )
        assert 400 == named.status_code and "ký tự NUL" in named.text, named.text
        fine = await focal.post(page + "/submit", data={"body": "Báo cáo", "csrf": csrf})
        assert "Đã nộp báo cáo (phiên bản 1)" in fine.text
    finally:
        await focal.aclose()
    await store_status(store, handle.id, "submitted")
    assert [1] == [s.version for s in await store.list_submissions(handle.id)]

    # From the e-mail's return link: asked again, and the link is not used up.
    link = "/a/" + quote(
        links.action_token(
            SECRET,
            email="lanhdao@sngv.example",
            assignment_id=handle.id,
            action="return",
            nonce="z" * 22,
            version=1,
        ),
        safe="",
    )
    async with browser(app) as leader:
        confirm = await leader.get(link)
        refused = await leader.post(
            link, data={"reason": "Lý do\x00 đủ dài", "csrf": csrf_of(confirm.text)}
        )
        assert 400 == refused.status_code and "ký tự NUL" in refused.text
        assert "\x00" not in refused.text
        assert 200 == (await leader.get(link)).status_code
