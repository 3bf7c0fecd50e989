"""The whole approval story in a real browser (Debian's Chromium, driven by Playwright), on the
portal served by uvicorn on a loopback port, each person in a browser of their own and
acting only on what the real SMTP mailbox and the pages give them:

the focal official signs in by the mailed link and submits → the agency leader approves from
the approval e-mail → the coordinator signs in and returns the report with a reason → the focal
official resubmits → the leader approves from the portal's approvals list → the coordinator
accepts; the coordinator's dashboard then counts what the store holds.

Every page visited is saved as tests/artifacts/browser-flow/NN-name.png for a person to look at.
"""

import re
import socket
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, ViewportSize, async_playwright
from temporalio.testing import WorkflowEnvironment

from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
from tests.web.helpers import BASE, mail_to, path_of, start_assignment, store_status
from web import progress
from web.portal import now
from web.serve import serving

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).parents[1] / "artifacts" / "browser-flow"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
DESK: ViewportSize = {"width": 1280, "height": 900}
FOCAL = "daumoi@sngv.example"
LEADER = "lanhdao@sngv.example"
COORDINATOR = "daumoi@stttt.example"
REASON = "Thiếu số liệu quý III"

pytestmark = [
    pytest.mark.devserver,
    pytest.mark.timeout(120),
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


class Album:
    """Numbered screenshots of every page visited, in the order the story visits them."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.png"):  # a shorter run must not leave an older tail
            stale.unlink()
        self.folder = folder
        self.taken: list[str] = []

    async def shot(self, page: Page, name: str) -> None:
        file = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        await page.screenshot(path=str(file), full_page=True)
        self.taken.append(file.name)


async def _person(browser: Browser, viewport: ViewportSize) -> Page:
    """A browser of one's own: cookies are not shared between people."""
    context = await browser.new_context(viewport=viewport, locale="vi-VN")
    return await context.new_page()


async def _sign_in(
    page: Page, base: str, mailbox: Mailbox, album: Album, email: str, who: str
) -> None:
    """Ask for a link on the sign-in page, open the one the mailbox received, confirm."""
    before = len(await mail_to(mailbox, email, subject="Liên kết đăng nhập", within=0))
    await page.goto(f"{base}/inbox")
    assert "/signin" in page.url, "an anonymous visitor is sent to the sign-in page"
    await page.fill("#email", email)
    await album.shot(page, f"{who}-signin")
    await page.click("button:has-text('Gửi liên kết đăng nhập')")
    await page.wait_for_selector("text=Hãy kiểm tra hộp thư")
    await album.shot(page, f"{who}-check-mailbox")
    mails = await mail_to(mailbox, email, subject="Liên kết đăng nhập", count=before + 1)
    assert before + 1 == len(mails), f"no sign-in mail reached {email}"
    link = re.search(rf"{re.escape(BASE)}(/signin/\S+)", mails[-1].text)
    assert link is not None, mails[-1].text
    await page.goto(base + link[1])
    await page.wait_for_selector(f"text={email}")
    await album.shot(page, f"{who}-signin-confirm")
    await page.click("button:has-text('Đăng nhập')")
    await page.wait_for_selector("h1:has-text('Việc của')")
    await album.shot(page, f"{who}-inbox")


def _approve_link(mail_text: str) -> str:
    found = re.search(rf"Duyệt báo cáo: {re.escape(BASE)}(/a/\S+)", mail_text)
    assert found is not None, mail_text
    return path_of(found[1])


async def _dashboard_number(page: Page, element: str) -> int:
    text = await page.inner_text(f"#{element}")
    found = re.match(r"\s*(\d+)", text)
    assert found is not None, f"#{element}: {text!r}"
    return int(found[1])


async def test_the_whole_story_submit_approve_return_resubmit_approve_accept_in_a_browser(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    await start_assignment(dev_env, store, queue, agency="UB_MTTQ", duty_id="III.1")
    page_url = f"/assignments/{quote(handle.id, safe='/')}"
    album = Album(SHOTS)
    async with serving(app, host="127.0.0.1", port=_free_port()) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            focal = await _person(browser, PHONE)
            leader = await _person(browser, PHONE)
            coordinator = await _person(browser, DESK)

            # 1. The focal official signs in from the mailed link and submits the report.
            await _sign_in(focal, base, mailbox, album, FOCAL, "focal")
            await focal.click("text=III.5.4")
            await focal.wait_for_selector("h2:has-text('Nộp báo cáo')")
            await focal.fill("#body", "Báo cáo lần 1: đã tổ chức 3 hội nghị.")
            await album.shot(focal, "focal-assignment")
            await focal.click("button:has-text('Nộp báo cáo')")
            await focal.wait_for_selector("text=Đã nộp báo cáo (phiên bản 1).")
            await album.shot(focal, "focal-submitted")
            await store_status(store, handle.id, "submitted")

            # 2. The leader opens the approval link in the e-mail, confirms, sees the outcome.
            [request] = await mail_to(mailbox, LEADER, subject="Đề nghị duyệt báo cáo")
            await leader.goto(base + _approve_link(request.text))
            await leader.wait_for_selector("h1:has-text('Duyệt báo cáo')")
            assert LEADER in await leader.inner_text("main")
            await album.shot(leader, "leader-mail-link")
            await leader.click("button:has-text('Xác nhận duyệt')")
            await leader.wait_for_selector("text=Đã duyệt; chuyển cơ quan đầu mối.")
            await album.shot(leader, "leader-approved")

            # 3. The coordinator signs in, finds it waiting, returns it with a reason.
            await _sign_in(coordinator, base, mailbox, album, COORDINATOR, "coordinator")
            await coordinator.click("nav >> text=Chờ duyệt")
            await coordinator.wait_for_selector("h1:has-text('Báo cáo chờ đồng chí duyệt')")
            assert "Sở Ngoại vụ" in await coordinator.inner_text("table.rows")
            await album.shot(coordinator, "coordinator-approvals")
            await coordinator.click("table.rows >> text=III.5.4")
            await coordinator.wait_for_selector("h2:has-text('Ý kiến của đồng chí')")
            await coordinator.fill("#reason", REASON)
            await album.shot(coordinator, "coordinator-assignment")
            await coordinator.click("button:has-text('Trả lại để chỉnh sửa')")
            await coordinator.wait_for_selector("text=Đã trả lại báo cáo để chỉnh sửa.")
            await album.shot(coordinator, "coordinator-returned")
            await store_status(store, handle.id, "returned")

            # 4. The focal official sees why and resubmits.
            await focal.goto(base + page_url)
            await focal.wait_for_selector(f"td:has-text('{REASON}')")
            assert "bị trả lại" in await focal.inner_text("main")
            # The reason stands above the form, not only in the history table.
            assert REASON in await focal.inner_text("#returned")
            await focal.fill("#body", "Báo cáo lần 2: bổ sung số liệu quý III.")
            await album.shot(focal, "focal-returned")
            await focal.click("button:has-text('Nộp báo cáo')")
            await focal.wait_for_selector("text=Đã nộp báo cáo (phiên bản 2).")
            await album.shot(focal, "focal-resubmitted")
            await store_status(store, handle.id, "submitted")

            # 5. The leader signs in and approves from the portal's approvals list.
            await _sign_in(leader, base, mailbox, album, LEADER, "leader")
            await leader.click("nav >> text=Chờ duyệt")
            await leader.wait_for_selector("table.rows >> text=III.5.4")
            await album.shot(leader, "leader-approvals")
            await leader.click("table.rows >> text=III.5.4")
            await leader.wait_for_selector("text=Phiên bản 2")
            await album.shot(leader, "leader-assignment")
            await leader.click("button:has-text('Duyệt báo cáo')")
            await leader.wait_for_selector("text=Đã duyệt; chuyển cơ quan đầu mối.")
            await album.shot(leader, "leader-approved-again")

            # 6. The coordinator accepts.
            await coordinator.goto(base + page_url)
            await coordinator.wait_for_selector("h2:has-text('Ý kiến của đồng chí')")
            await album.shot(coordinator, "coordinator-assignment-v2")
            await coordinator.click("button:has-text('Duyệt báo cáo')")
            await coordinator.wait_for_selector("text=Đã chấp nhận báo cáo.")
            await album.shot(coordinator, "coordinator-accepted")
            await store_status(store, handle.id, "accepted")
            await coordinator.click("text=Về trang phân công")
            await coordinator.wait_for_selector("text=đã chấp nhận")
            history = await coordinator.inner_text("main")
            for step in (
                "nộp báo cáo (phiên bản 1)",
                "trả lại để chỉnh sửa (phiên bản 1)",
                "nộp báo cáo (phiên bản 2)",
                "chấp nhận báo cáo (phiên bản 2)",
            ):
                assert step in history, step
            await album.shot(coordinator, "coordinator-history")

            # 7. The dashboard counts what the store holds.
            await coordinator.click("nav >> text=Tổng hợp")
            await coordinator.wait_for_selector("h1:has-text('Tổng hợp tiến độ')")
            await album.shot(coordinator, "coordinator-dashboard")
            rows = await store.list_assignments(plan_id="9/KH-UBND")
            assert {"accepted": 1, "assigned": 1} == Counter(r.status for r in rows)
            assert (
                f"Tổng hợp tiến độ — {len(rows)} phân công của 1 kế hoạch"
                == await coordinator.inner_text("h1")
            )
            for status, n in Counter(r.status for r in rows).items():
                assert n == await _dashboard_number(coordinator, f"status-{status}"), status
            at = now()
            labels = Counter(progress.label(r, now=at) for r in rows)
            assert {"on_time": 1, "in_term": 1} == labels
            for label in progress.LABELS:
                assert labels[label] == await _dashboard_number(coordinator, f"count-{label}"), (
                    label
                )
            width = await focal.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], "the focal official's page scrolls sideways"
        finally:
            await browser.close()
    assert 28 == len(album.taken)
    assert album.taken == sorted(file.name for file in SHOTS.glob("*.png"))
