"""Importing a plan in the portal, in a real browser (Debian's Chromium, as the approval story
of test_browser_flow): the coordinator uploads a corpus document, watches it being read,
corrects one agency and one deadline in the draft, and publishes; the plan's workflows run in
Temporal, the store holds its assignments and the agencies' mailboxes receive them.

The portal serves the HCM directory (through plan 2820/QĐ-UBND); the document is plan
172/KH-UBND of the shared corpus (skipped without it).
"""

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from temporalio.testing import WorkflowEnvironment

from adapters.settings import Settings
from adapters.store import Store
from domain.ids import plan_workflow_id
from domain.planfile import load_plan
from kehoach.embedded.mailbox import Mailbox
from schemas import search_attributes as sa
from schemas.store import Assignment
from tests.planimport.test_corpus import CORPUS
from tests.web.helpers import mail_to
from tests.web.test_browser_flow import ARGS, CHROMIUM, DESK, Album, _free_port, _person, _sign_in
from web.app import create_app
from web.serve import serving

DOCUMENT = CORPUS / "01_hcm-172-luat-viec-lam.txt"
PORTAL_PLAN = Path(__file__).parents[2] / "plans" / "2820-QD-UBND-2025-hcm.yaml"
SHOTS = Path(__file__).parents[1] / "artifacts" / "browser-import"
COORDINATOR = "daumoi@stc.hcm.example"  # STC coordinates plan 2820: its focal official
PLAN = "172/KH-UBND"
WRONG_AGENCY = "Thủ trưởng các sở, ban, ngành và Ủy ban nhân dân phường, xã, đặc khu"

pytestmark = [
    pytest.mark.devserver,
    pytest.mark.timeout(120),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
    pytest.mark.skipif(not DOCUMENT.exists(), reason=f"no corpus document {DOCUMENT}"),
]


async def test_coordinator_imports_corrects_and_publishes_a_plan_in_the_browser(
    settings: Settings, dev_env: WorkflowEnvironment, store: Store, mailbox: Mailbox, queue: str
) -> None:
    app = create_app(
        settings=settings.model_copy(update={"task_queue": queue}),
        client=dev_env.client,
        store=store,
        plan=load_plan(PORTAL_PLAN),
    )
    album = Album(SHOTS)
    async with serving(app, host="127.0.0.1", port=_free_port()) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = await _person(browser, DESK)
        await _sign_in(page, base, mailbox, album, COORDINATOR, "coordinator")

        await page.click("a:has-text('Nhập kế hoạch')")
        await page.set_input_files("#document", str(DOCUMENT))
        await album.shot(page, "upload")
        await page.click("button:has-text('Tải lên và đọc văn bản')")
        await page.wait_for_selector("#kiem-tra", timeout=30_000)  # the page refreshes until read
        await album.shot(page, "draft")
        assert PLAN == await page.input_value("#field-number")
        named = page.locator("td[data-label='Tên trong văn bản']", has_text=WRONG_AGENCY)
        wrong = page.locator("tr.unsure").filter(has=named)
        assert 1 == await wrong.count(), "the name the directory lacks is marked for review"
        assert "đề xuất mới" in await wrong.inner_text()

        await wrong.locator("select").select_option("STP")
        # The same duty's deadline: the text sets none, the coordinator sets 15/12/2025.
        duty = page.locator("div.duty", has_text="chịu trách nhiệm triển khai, thực hiện").first
        await duty.locator("input[type=date]").fill("2025-12-15")
        await page.click("button:has-text('Lưu chỉnh sửa')")
        await page.wait_for_selector("#kiem-tra")
        assert "đã sửa" in await page.locator("tr").filter(has=named).inner_text()
        assert "ngày 15/12/2025" in await duty.inner_text()
        assert "STP" == await duty.locator(".lead").inner_text()
        await album.shot(page, "corrected")

        await page.click("#publish")
        await page.wait_for_selector("h1:has-text('Đã ban hành kế hoạch')")
        await album.shot(page, "published")
        await browser.close()

    described = await dev_env.client.get_workflow_handle(plan_workflow_id(PLAN)).describe()
    assert "Plan" == described.workflow_type
    rows = await _assignments(store)
    stp = [r for r in rows if r.agency_code == "STP"]
    assert 1 == len(stp), rows
    assert stp[0].due_at is not None
    # 24:00 of 15/12 in Viet Nam is 17:00 UTC that day
    assert "2025-12-15" == stp[0].due_at.date().isoformat()
    assert {r.id for r in rows} <= await _workflows_of_plan(dev_env)
    mails = await mail_to(
        mailbox, "daumoi@stp.hcm.example", subject="Thông báo nhiệm vụ", within=30
    )
    assert 1 == len(mails)
    assert f"Kế hoạch số {PLAN}" in mails[0].subject and "(mục IV.3" in mails[0].subject


async def _assignments(store: Store) -> list[Assignment]:
    """The plan's assignments once STP's is mirrored in the store."""
    for _ in range(300):
        rows = await store.list_assignments(plan_id=PLAN)
        if "STP" in {r.agency_code for r in rows}:
            return rows
        await asyncio.sleep(0.1)
    return await store.list_assignments(plan_id=PLAN)


async def _workflows_of_plan(dev_env: WorkflowEnvironment) -> set[str]:
    """Ids of the workflows Temporal lists under the plan's search attribute (visibility
    lags the starts a little)."""
    query = f"{sa.PLAN.name} = '{PLAN}'"
    found: set[str] = set()
    for _ in range(50):
        found = {w.id async for w in dev_env.client.list_workflows(query)}
        if found:
            return found
        await asyncio.sleep(0.2)
    return found
