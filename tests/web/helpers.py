"""Helpers of the portal's tests: signing in through the mailbox, starting assignments,
waiting for the store (fixtures are in conftest.py)."""

import asyncio
import datetime as dt
import re
import uuid
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from client.starts import search_attributes
from kehoach.embedded.mailbox import Mailbox, ReceivedMail
from schemas.assignment import AssignmentState
from schemas.calendar import VN_TZ
from schemas.plan import Mode
from tests.factories import assignment_input
from workflows.assignment import AssignmentWorkflow

SECRET = "test-portal-secret"


BASE = "http://portal.test"


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found[1]


def browser(app: FastAPI) -> httpx.AsyncClient:
    """A client keeping cookies, as a browser would, talking to the app in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def mail_to(
    mailbox: Mailbox, address: str, *, subject: str, count: int = 1, within: float = 15.0
) -> list[ReceivedMail]:
    """The messages to `address` whose subject contains `subject`, once `count` arrived."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        found = [m for m in mailbox.messages(to=address) if subject in m.subject]
        if len(found) >= count or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.1)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def sign_in(app: FastAPI, mailbox: Mailbox, email: str) -> httpx.AsyncClient:
    """A browser signed in as `email` through the link the portal mailed."""
    client = browser(app)
    before = len([m for m in mailbox.messages(to=email) if "Liên kết đăng nhập" in m.subject])
    form = await client.get("/signin")
    sent = await client.post("/signin", data={"email": email, "csrf": csrf_of(form.text)})
    assert 200 == sent.status_code
    mails = await mail_to(mailbox, email, subject="Liên kết đăng nhập", count=before + 1)
    assert before + 1 == len(mails), f"no sign-in mail reached {email}"
    link = re.search(rf"{re.escape(BASE)}/signin/\S+", mails[-1].text)
    assert link is not None
    confirm = await client.get(path_of(link[0]))
    assert 200 == confirm.status_code
    done = await client.post(path_of(link[0]), data={"csrf": csrf_of(confirm.text)})
    assert 303 == done.status_code, done.text
    return client


async def start_assignment(
    dev_env: WorkflowEnvironment,
    store: Store,
    queue: str,
    *,
    agency: str = "SNGV",
    duty_id: str = "III.5.4",
    days: int = 30,
) -> WorkflowHandle[AssignmentWorkflow, AssignmentState]:
    """Start one assignment of the tiny plan and wait until the store mirrors it."""
    wid = f"web/{uuid.uuid4()}/{agency}/2026"
    last_day = dt.datetime.now(VN_TZ).date() + dt.timedelta(days=days)
    mode: Mode = "requested" if agency == "UB_MTTQ" else "assigned"
    input = assignment_input(
        assignment_id=wid, last_day=last_day, agency=agency, duty_id=duty_id, mode=mode
    )
    handle = await dev_env.client.start_workflow(
        AssignmentWorkflow.run,
        input,
        id=wid,
        task_queue=queue,
        search_attributes=search_attributes(input),
    )
    await store_status(store, wid, "assigned")
    return handle


async def store_status(store: Store, assignment_id: str, status: str, within: float = 15.0) -> None:
    """Wait until the store's mirror shows `status` (the workflow records it right after)."""
    from schemas.errors import NotFound

    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            if (await store.get_assignment(assignment_id)).status == status:
                return
        except NotFound:
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{assignment_id} never reached {status} in the store")
        await asyncio.sleep(0.1)
