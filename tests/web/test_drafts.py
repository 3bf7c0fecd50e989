"""The portal's plan import, over HTTP: only the coordinator imports, a document that is
not a plan is refused in Vietnamese, and a correction naming an unknown agency or a date
that is not one is refused with the field named, nothing stored."""

import asyncio
import re
from pathlib import Path

import httpx
from fastapi import FastAPI

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from tests.web.helpers import csrf_of, sign_in

COORDINATOR = "daumoi@stttt.example"
FOCAL = "daumoi@sngv.example"
PLAN_TEXT = (
    Path(__file__).parents[1] / "planimport" / "fixtures" / "district-plan.txt"
).read_bytes()
LETTER = "Kính gửi: Sở Tài chính.\n\nĐề nghị báo cáo trước ngày 10/6/2024.\n".encode() * 20


async def _upload(client: httpx.AsyncClient, name: str, content: bytes) -> str:
    """Upload a document; the draft's page once its reading is over."""
    form = await client.get("/plans/drafts")
    sent = await client.post(
        "/plans/drafts", data={"csrf": csrf_of(form.text)}, files={"document": (name, content)}
    )
    assert 303 == sent.status_code, sent.text
    for _ in range(100):
        page = await client.get(sent.headers["location"])
        if 'http-equiv="refresh"' not in page.text:
            return page.text
        await asyncio.sleep(0.1)
    raise AssertionError("the draft was never read")


async def test_only_the_coordinator_imports_plans(app: FastAPI, mailbox: Mailbox) -> None:
    focal = await sign_in(app, mailbox, FOCAL)
    listed = await focal.get("/plans/drafts")
    inbox = await focal.get("/inbox")
    sent = await focal.post(
        "/plans/drafts", data={"csrf": csrf_of(inbox.text)}, files={"document": ("a.txt", b"x")}
    )
    assert (403, 403) == (listed.status_code, sent.status_code)
    assert "Nhập kế hoạch" not in inbox.text


async def test_a_document_that_is_not_a_plan_is_refused_in_vietnamese(
    app: FastAPI, mailbox: Mailbox
) -> None:
    coordinator = await sign_in(app, mailbox, COORDINATOR)
    page = await _upload(coordinator, "thu.txt", LETTER)
    assert 'id="refused"' in page and "không phải một kế hoạch" in page


async def test_a_correction_naming_no_agency_or_no_date_is_refused_and_not_kept(
    app: FastAPI, mailbox: Mailbox, store: Store
) -> None:
    coordinator = await sign_in(app, mailbox, COORDINATOR)
    page = await _upload(coordinator, "85.txt", PLAN_TEXT)
    action = re.search(r'form method="post" action="(/plans/drafts/[0-9a-f]+)"', page)
    assert action is not None, page
    csrf = csrf_of(page)
    agency = await coordinator.post(action[1], data={"csrf": csrf, "agency-0": "KHONG_CO"})
    due = await coordinator.post(action[1], data={"csrf": csrf, "due-0": "31/12"})
    no_csrf = await coordinator.post(action[1], data={"due-0": "2024-12-31"})
    draft = await store.get_draft(action[1].rsplit("/", 1)[1])
    assert (400, 400, 403) == (agency.status_code, due.status_code, no_csrf.status_code)
    assert "«KHONG_CO»" in agency.text and "«31/12»" in due.text
    assert draft.plan is not None
    assert "date" != draft.plan["duties"][0].get("deadline", {}).get("kind")
    assert all(not a.get("corrected") for a in (draft.notes or {})["agencies"])
