"""The portal in a real browser (Debian's Chromium, driven by Playwright) on a phone-sized
screen: sign in from the mailed link, submit a report, see it listed. Screenshots go to
tests/artifacts/ for a person to look at."""

import re
import socket
from pathlib import Path

import pytest
from fastapi import FastAPI
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from tests.web.helpers import mail_to, start_assignment, store_status
from web.serve import serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.devserver,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium "
        "(apt-get install -y chromium; ./dev test installs it as root)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_focal_official_signs_in_and_submits_a_report_on_a_phone(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    handle = await start_assignment(dev_env, store, queue)
    ARTIFACTS.mkdir(exist_ok=True)
    async with (
        serving(app, host="127.0.0.1", port=_free_port()) as base,
        playwright_api.async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await page.goto(f"{base}/inbox")
            assert "/signin" in page.url
            await page.fill("#email", "daumoi@sngv.example")
            await page.click("button[type=submit]")
            await page.wait_for_selector("text=Hãy kiểm tra hộp thư")
            [mail] = await mail_to(mailbox, "daumoi@sngv.example", subject="Liên kết đăng nhập")
            link = re.search(r"http://portal\.test(/signin/\S+)", mail.text)
            assert link is not None
            await page.goto(base + link[1])
            await page.click("button:has-text('Đăng nhập')")
            await page.wait_for_selector("text=Việc của Sở Ngoại vụ")
            await page.screenshot(path=str(ARTIFACTS / "portal-inbox-phone.png"), full_page=True)
            await page.click("text=III.5.4")
            await page.fill("#body", "Báo cáo <i>thử</i> từ trình duyệt")
            await page.click("button:has-text('Nộp báo cáo')")
            await page.wait_for_selector("text=Đã nộp báo cáo (phiên bản 1)")
            await store_status(store, handle.id, "submitted")
            await page.click("text=Về trang phân công")
            await page.wait_for_selector("text=Báo cáo <i>thử</i> từ trình duyệt")
            await page.screenshot(
                path=str(ARTIFACTS / "portal-assignment-phone.png"), full_page=True
            )
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, "the page scrolls sideways on a phone"
        finally:
            await browser.close()
