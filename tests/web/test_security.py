"""What the portal promises an attacker on the province's network and a careless user
(SECURITY.md): each numbered finding of the probe has its test here, on the same real parts
as the other portal tests (dev server, worker, PostgreSQL, mailbox)."""

import hashlib
import re
import secrets
import time
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest
import structlog
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from adapters import links
from adapters.logs import redact_links
from adapters.settings import Settings
from adapters.store import Store
from client.calls import Refused, update
from kehoach.embedded.mailbox import Mailbox
from schemas.assignment import Approve
from schemas.calls import APPROVE
from schemas.errors import RuntimeStartError
from tests.factories import tiny_plan
from tests.web.helpers import (
    BASE,
    SECRET,
    browser,
    csrf_of,
    mail_to,
    path_of,
    sign_in,
    start_assignment,
    store_status,
)
from web.app import create_app
from web.keys import check_secret_key
from web.serve import serving

pytestmark = pytest.mark.devserver

FOCAL = "daumoi@sngv.example"
LEADER = "lanhdao@sngv.example"
COORDINATOR = "daumoi@stttt.example"
DIRECTOR = "lanhdao@stttt.example"
OFFICE = "daumoi@vp-ubnd.example"
PDF = b"%PDF-1.4\n% kehoach test\n"
MIB = 1024 * 1024
STRONG_KEY = secrets.token_urlsafe(32)


def url(assignment_id: str, tail: str = "") -> str:
    return f"/assignments/{quote(assignment_id, safe='/')}{tail}"


def api(assignment_id: str, tail: str = "") -> str:
    return f"/api/v1/assignments/{quote(assignment_id, safe='/')}{tail}"


def app_with(
    settings: Settings, dev_env: WorkflowEnvironment, store: Store, **changes: object
) -> FastAPI:
    """The portal with some settings changed (limits made small enough to reach)."""
    return create_app(
        settings=settings.model_copy(update=changes),
        client=dev_env.client,
        store=store,
        plan=tiny_plan(),
    )


def approval_links(mail_text: str) -> dict[str, str]:
    found = dict(
        re.findall(rf"(Duyệt báo cáo|Trả lại \(kèm lý do\)): ({re.escape(BASE)}/a/\S+)", mail_text)
    )
    return {
        "approve": path_of(found["Duyệt báo cáo"]),
        "return": path_of(found["Trả lại (kèm lý do)"]),
    }


def assert_security_headers(response: httpx.Response) -> None:
    assert "nosniff" == response.headers["x-content-type-options"]
    assert "DENY" == response.headers["x-frame-options"]
    assert "no-referrer" == response.headers["referrer-policy"]
    if response.headers.get("content-type", "").startswith("text/html"):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def submit(
    client: httpx.AsyncClient,
    assignment_id: str,
    body: str,
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
) -> httpx.Response:
    page = await client.get(url(assignment_id))
    return await client.post(
        url(assignment_id, "/submit"), data={"body": body, "csrf": csrf_of(page.text)}, files=files
    )


# --- 1. Action links are bound to the version, and to the browser's own session ----------


async def test_a_stale_approve_link_is_refused_once_a_newer_version_exists(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    focal = await sign_in(app, mailbox, FOCAL)
    assert "phiên bản 1" in (await submit(focal, handle.id, "Báo cáo lần 1")).text
    [request] = await mail_to(mailbox, LEADER, subject="Đề nghị duyệt báo cáo")
    first = approval_links(request.text)

    # The leader returns v1 from the portal, leaving the mail's links unused.
    leader = await sign_in(app, mailbox, LEADER)
    page = await leader.get(url(handle.id))
    returned = await leader.post(
        url(handle.id, "/return"), data={"reason": "Bổ sung số liệu", "csrf": csrf_of(page.text)}
    )
    assert "Đã trả lại" in returned.text
    assert "phiên bản 2" in (await submit(focal, handle.id, "Báo cáo lần 2")).text

    # The v1 link, opened anywhere, no longer acts (on main it approved v2).
    stale = browser(app)
    confirm = await stale.get(first["approve"])
    assert 409 == confirm.status_code
    assert "Liên kết dành cho phiên bản cũ" in confirm.text
    assert_security_headers(confirm)
    csrf = csrf_of((await stale.get("/signin")).text)
    posted = await stale.post(first["approve"], data={"csrf": csrf})
    assert 409 == posted.status_code
    assert "submitted" == (await store.get_assignment(handle.id)).status
    assert 2 == len(await mail_to(mailbox, LEADER, subject="Đề nghị duyệt báo cáo", count=2))
    assert [] == [
        e
        for e in await store.list_audit(handle.id)
        if e.action == "approve" or e.action == "action_link_used"
    ]

    # A decision from a page that showed version 1 is refused as well.
    page = await leader.get(url(handle.id))
    from_page = await leader.post(
        url(handle.id, "/approve"), data={"version": "1", "csrf": csrf_of(page.text)}
    )
    assert 409 == from_page.status_code
    assert "dành cho phiên bản 1" in from_page.text

    # The workflow refuses a decision on the old version too (a race past the page's check).
    from domain.people import actor_for

    with pytest.raises(Refused, match="phiên bản 1"):
        await update(
            dev_env.client,
            handle.id,
            APPROVE,
            Approve(actor=actor_for(tiny_plan(), LEADER), version=1),
        )


async def test_a_link_opened_while_another_person_is_signed_in_is_refused(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    focal = await sign_in(app, mailbox, FOCAL)
    await submit(focal, handle.id, "Báo cáo")
    [request] = await mail_to(mailbox, LEADER, subject="Đề nghị duyệt báo cáo")
    link = approval_links(request.text)["approve"]

    # The focal official, signed in, holds the leader's mail: refused, link not used up.
    refused = await focal.get(link)
    assert 403 == refused.status_code
    assert "Liên kết dành cho người khác" in refused.text and LEADER in refused.text
    assert 403 == (await focal.post(link, data={"csrf": csrf_of(refused.text)})).status_code

    # The leader's own signed-in browser confirms; the audit log names the session.
    leader = await sign_in(app, mailbox, LEADER)
    confirm = await leader.get(link)
    assert 200 == confirm.status_code
    done = await leader.post(link, data={"csrf": csrf_of(confirm.text)})
    assert "Đã duyệt" in done.text
    [used] = [e for e in await store.list_audit(handle.id) if e.action == "action_link_used"]
    assert (LEADER, "web-link") == (used.actor, used.source)
    assert {"action": "approve", "version": 1, "link_owner": LEADER, "session": LEADER} == {
        k: used.detail[k] for k in ("action", "version", "link_owner", "session")
    }


# --- 2. Limits before work -----------------------------------------------------------------


class CountedBody:
    """A request body that records how much of it the server pulled."""

    def __init__(self, chunks: int, chunk: bytes) -> None:
        self.chunks, self.chunk, self.sent = chunks, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.sent += len(self.chunk)
            yield self.chunk


async def test_an_anonymous_post_is_answered_before_its_body_is_read(
    app: FastAPI, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    head = (
        b'--b0\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n"
    )
    body = CountedBody(64, head + b"x" * MIB)  # 64 MiB, never complete
    answer = await browser(app).post(
        url(handle.id, "/submit"),
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=b0"},
    )
    assert body.sent <= len(body.chunk), f"read {body.sent} bytes of an anonymous request"
    assert 303 == answer.status_code  # to the sign-in form


async def test_a_body_over_its_route_limit_gets_a_413_page(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    focal = await sign_in(app, mailbox, FOCAL)
    csrf = csrf_of((await focal.get(url(handle.id))).text)
    # The approve form takes 2 MiB at most; streamed (no Content-Length) or declared.
    streamed = CountedBody(16, b"&comment=" + b"x" * (MIB // 2))  # fields under 1 MiB each
    too_big = await focal.post(
        url(handle.id, "/approve"),
        content=streamed,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 413 == too_big.status_code
    assert "Dữ liệu gửi lên quá lớn" in too_big.text
    assert_security_headers(too_big)
    assert streamed.sent <= 2 * MIB + len(streamed.chunk)
    declared = await focal.post(
        url(handle.id, "/return"), data={"reason": "x" * (3 * MIB), "csrf": csrf}
    )
    assert 413 == declared.status_code
    api_too_big = await focal.post(
        api(handle.id, "/submit"), json={"body": "x" * (3 * MIB)}, headers={"X-CSRF-Token": csrf}
    )
    assert 413 == api_too_big.status_code and "detail" in api_too_big.json()


async def test_eleven_files_and_a_file_of_10_mib_and_1_byte_are_refused_10_mib_is_kept(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    focal = await sign_in(app, mailbox, FOCAL)
    eleven = [("files", (f"tep{i}.pdf", PDF + bytes([i]), "application/pdf")) for i in range(11)]
    refused = await submit(focal, handle.id, "Báo cáo", eleven)
    assert 400 == refused.status_code
    assert "Tối đa 10 tệp đính kèm; đã chọn 11 tệp." in refused.text
    big = PDF + b"x" * (10 * MIB - len(PDF))
    over = await submit(
        focal, handle.id, "Báo cáo", [("files", ("lon.pdf", big + b"x", "application/pdf"))]
    )
    assert 400 == over.status_code
    assert "Tệp lon.pdf lớn hơn 10 MB" in over.text
    kept = await submit(
        focal, handle.id, "Báo cáo", [("files", ("vua.pdf", big, "application/pdf"))]
    )
    assert 200 == kept.status_code, kept.text
    await store_status(store, handle.id, "submitted")
    [submission] = await store.list_submissions(handle.id)
    assert [10 * MIB] == [a.size for a in submission.attachments]


async def test_files_sent_to_a_report_that_cannot_be_accepted_are_not_kept(
    app: FastAPI,
    mailbox: Mailbox,
    dev_env: WorkflowEnvironment,
    store: Store,
    queue: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    focal = await sign_in(app, mailbox, FOCAL)
    first = ("files", ("dau.pdf", PDF + b"first", "application/pdf"))
    assert 200 == (await submit(focal, handle.id, "Báo cáo", [first])).status_code
    await store_status(store, handle.id, "submitted")
    [v1] = await store.list_submissions(handle.id)
    files = [first] + [
        ("files", (f"tep{i}.pdf", PDF + secrets.token_bytes(64), "application/pdf"))
        for i in range(3)
    ]

    def gone(content: bytes) -> bool:
        return hashlib.sha256(content).hexdigest() not in stored

    # Refused before anything is stored: the report is waiting for approval.
    refused = await submit(focal, handle.id, "Báo cáo khác", files)
    assert 409 == refused.status_code and "Không thể nộp lúc này" in refused.text
    stored = await _attachment_hashes(store)
    assert all(gone(f[1][1]) for f in files[1:])

    # Stored, then refused by the workflow (its state unknown to the page): deleted again,
    # except the file the kept version 1 refers to.
    async def unknown(*args: object) -> None:
        return None

    monkeypatch.setattr("web.views.live_state", unknown)
    refused = await submit(focal, handle.id, "Báo cáo khác", files)
    assert 409 == refused.status_code, refused.text
    stored = await _attachment_hashes(store)
    assert all(gone(f[1][1]) for f in files[1:])
    assert v1.attachments[0].sha256 in stored
    assert PDF + b"first" == await store.get_attachment(v1.attachments[0].sha256)


async def _attachment_hashes(store: Store) -> set[str]:
    rows = await store._pool.fetch("SELECT sha256 FROM attachments")
    return {r["sha256"] for r in rows}


async def test_sign_in_mails_are_limited_per_address_whatever_its_case_or_spaces(
    app: FastAPI, mailbox: Mailbox
) -> None:
    client = browser(app)
    csrf = csrf_of((await client.get("/signin")).text)
    pages = []
    for i in range(20):
        address = [FOCAL, FOCAL.upper(), f"  {FOCAL} "][i % 3]
        pages.append(await client.post("/signin", data={"email": address, "csrf": csrf}))
    assert {200} == {p.status_code for p in pages}
    assert 1 == len({p.text for p in pages})  # the same neutral page throughout
    await mail_to(mailbox, FOCAL, subject="Liên kết đăng nhập", count=4, within=2.0)
    assert 3 == len(mailbox.messages(to=FOCAL))


async def test_sign_in_requests_are_limited_per_client(
    settings: Settings, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store
) -> None:
    portal = app_with(settings, dev_env, store, signin_per_client=5)
    one = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=portal, client=("10.0.0.1", 1)), base_url=BASE
    )
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=portal, client=("10.0.0.2", 1)), base_url=BASE
    )
    csrf = csrf_of((await one.get("/signin")).text)
    answers = [
        await one.post("/signin", data={"email": f"x{i}@nowhere.example", "csrf": csrf})
        for i in range(6)
    ]
    assert [200] * 5 + [429] == [a.status_code for a in answers]
    assert "Quá nhiều yêu cầu" in answers[-1].text
    assert_security_headers(answers[-1])
    csrf = csrf_of((await other.get("/signin")).text)
    assert 200 == (await other.post("/signin", data={"email": FOCAL, "csrf": csrf})).status_code


async def test_uploads_per_hour_are_limited_per_person(
    settings: Settings,
    mailbox: Mailbox,
    dev_env: WorkflowEnvironment,
    store: Store,
    queue: str,
) -> None:
    portal = app_with(settings, dev_env, store, uploads_per_hour=2)
    handle = await start_assignment(dev_env, store, queue)
    focal = await sign_in(portal, mailbox, FOCAL)
    two = [("files", (f"tep{i}.pdf", PDF + bytes([i]), "application/pdf")) for i in range(2)]
    assert 200 == (await submit(focal, handle.id, "Báo cáo", two)).status_code
    leader = await sign_in(portal, mailbox, LEADER)
    page = await leader.get(url(handle.id))
    await leader.post(
        url(handle.id, "/return"), data={"reason": "Bổ sung số liệu", "csrf": csrf_of(page.text)}
    )
    over = await submit(focal, handle.id, "Báo cáo lần 2", two[:1])
    assert 429 == over.status_code
    assert "tối đa 2 tệp mỗi giờ" in over.text
    assert 200 == (await submit(focal, handle.id, "Báo cáo không kèm tệp")).status_code


# --- 3. Sign-out and revocation ------------------------------------------------------------


async def test_a_copied_session_cookie_stops_working_at_sign_out(
    app: FastAPI, mailbox: Mailbox
) -> None:
    client = await sign_in(app, mailbox, FOCAL)
    copy = browser(app)
    copy.cookies.set("kehoach_session", client.cookies["kehoach_session"])
    assert 200 == (await copy.get("/inbox")).status_code
    page = await client.get("/inbox")
    assert 303 == (await client.post("/signout", data={"csrf": csrf_of(page.text)})).status_code
    assert 303 == (await copy.get("/inbox")).status_code
    assert 401 == (await copy.get("/api/v1/me")).status_code


async def test_a_bearer_token_cannot_renew_itself_and_ends_with_its_session(
    app: FastAPI, mailbox: Mailbox
) -> None:
    client = await sign_in(app, mailbox, FOCAL)
    csrf = (await client.get("/api/v1/me")).json()["csrf_token"]
    token = (await client.post("/api/v1/token", headers={"X-CSRF-Token": csrf})).json()["token"]
    script = browser(app)
    bearer = {"Authorization": f"Bearer {token}"}
    assert 200 == (await script.get("/api/v1/me", headers=bearer)).status_code
    renewed = await script.post("/api/v1/token", headers=bearer)
    assert 403 == renewed.status_code
    assert "token" not in renewed.json()
    page = await client.get("/inbox")
    await client.post("/signout", data={"csrf": csrf_of(page.text)})
    assert 401 == (await script.get("/api/v1/me", headers=bearer)).status_code


async def test_an_administrator_revokes_every_session_and_token_of_a_person(
    app: FastAPI, mailbox: Mailbox, store: Store
) -> None:
    phone, laptop = await sign_in(app, mailbox, FOCAL), await sign_in(app, mailbox, FOCAL)
    csrf = (await laptop.get("/api/v1/me")).json()["csrf_token"]
    token = (await laptop.post("/api/v1/token", headers={"X-CSRF-Token": csrf})).json()["token"]
    leader = await sign_in(app, mailbox, LEADER)
    assert 3 == await store.revoke_sessions_of(FOCAL.upper())
    assert 303 == (await phone.get("/inbox")).status_code
    assert 303 == (await laptop.get("/inbox")).status_code
    assert (
        401
        == (
            await browser(app).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        ).status_code
    )
    assert 200 == (await leader.get("/inbox")).status_code


# --- 4. No secret at rest ------------------------------------------------------------------


async def test_link_tokens_are_not_logged(app: FastAPI, mailbox: Mailbox) -> None:
    client = browser(app)
    await client.post(
        "/signin", data={"email": FOCAL, "csrf": csrf_of((await client.get("/signin")).text)}
    )
    [mail] = await mail_to(mailbox, FOCAL, subject="Liên kết đăng nhập")
    found = re.search(rf"{re.escape(BASE)}/signin/(\S+)", mail.text)
    assert found is not None
    token = found[1]
    with structlog.testing.capture_logs() as logged:
        for path in (f"/signin/{token}", f"/a/{token}"):
            assert 403 == (await browser(app).post(path, data={"csrf": "wrong"})).status_code
    refused = [e for e in logged if e["event"] == "csrf_refused"]
    assert 2 == len(refused)
    assert [token not in str(e) for e in refused] == [True, True]
    assert ["/signin/[đã ẩn]", "/a/[đã ẩn]"] == [e["path"] for e in refused]
    # Whatever else logs a link (an error's text, a traceback) goes through this processor.
    event = redact_links(None, "error", {"event": "x", "error": f"bad url {BASE}/a/{token}"})
    assert f"bad url {BASE}/a/[đã ẩn]" == event["error"]


async def test_stored_notices_keep_no_working_action_link(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    focal = await sign_in(app, mailbox, FOCAL)
    await submit(focal, handle.id, "Báo cáo")
    [request] = await mail_to(mailbox, LEADER, subject="Đề nghị duyệt báo cáo")
    sent = approval_links(request.text)
    rows = await store._pool.fetch(  # no reader of bodies exists
        "SELECT body FROM notice_outbox WHERE kind = 'approval_requested' AND recipient = $1",
        LEADER,
    )
    [body] = [r["body"] for r in rows]
    assert "/a/[đã ẩn]" in body
    assert not any(path.removeprefix("/a/") in body for path in sent.values())
    assert 200 == (await browser(app).get(sent["approve"])).status_code  # the mail's works


# --- 5. Secret-key strength ----------------------------------------------------------------


async def test_a_weak_secret_key_is_refused_beyond_loopback_and_a_strong_one_serves(
    settings: Settings, dev_env: WorkflowEnvironment, store: Store
) -> None:
    for weak in ("dev-only-change-me-portal", SECRET, "a" * 64, "0123456789" * 4):
        portal = app_with(settings, dev_env, store, secret_key=SecretStr(weak))
        with pytest.raises(RuntimeStartError, match="too weak"):
            async with serving(portal, host="0.0.0.0", port=0):
                pass
    async with serving(app_with(settings, dev_env, store), host="127.0.0.1", port=0) as local:
        assert local.startswith("http://127.0.0.1:")
    strong = app_with(settings, dev_env, store, secret_key=SecretStr(STRONG_KEY))
    async with serving(strong, host="0.0.0.0", port=0) as served:
        assert served.startswith("http://0.0.0.0:")
    check_secret_key(STRONG_KEY)


# --- 6. Friendly refusals ------------------------------------------------------------------


async def test_over_long_text_gets_a_400_page_and_nothing_is_sent(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    focal = await sign_in(app, mailbox, FOCAL)
    refused = await submit(focal, handle.id, "x" * 100_001)
    assert 400 == refused.status_code
    assert "tối đa 100.000 ký tự" in refused.text
    assert_security_headers(refused)
    assert [] == await store.list_submissions(handle.id)
    page = await focal.get(url(handle.id))
    for tail, field in (("/approve", "comment"), ("/return", "reason")):
        long = await focal.post(
            url(handle.id, tail), data={field: "y" * 2001, "csrf": csrf_of(page.text)}
        )
        assert 400 == long.status_code and "dài quá 2000 ký tự" in long.text, tail


async def test_unknown_pages_and_server_errors_are_pages_with_the_security_headers(
    app: FastAPI, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = browser(app)
    missing = await client.get("/khong-co-trang-nay")
    assert 404 == missing.status_code and "Không tìm thấy" in missing.text
    assert_security_headers(missing)
    wrong = await client.put("/signin")
    assert 405 == wrong.status_code and "<html" in wrong.text
    assert_security_headers(wrong)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store broke")

    monkeypatch.setattr(store, "live_session", broken)
    failing = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=BASE
    )
    failing.cookies.set("kehoach_session", "x" * 43)
    failed = await failing.get("/inbox")
    assert 500 == failed.status_code and "Lỗi hệ thống" in failed.text
    assert "the store broke" not in failed.text
    assert_security_headers(failed)


# --- 7. Found on the way -------------------------------------------------------------------


async def test_the_coordinator_and_the_office_submit_their_own_assignments(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    for agency, email in (("STTTT", COORDINATOR), ("VP_UBND", OFFICE)):
        handle = await start_assignment(dev_env, store, queue, agency=agency)
        client = await sign_in(app, mailbox, email)
        page = await client.get(url(handle.id))
        assert 'action="' + url(handle.id, "/submit") in page.text, agency
        sent = await submit(client, handle.id, f"Báo cáo của {agency}")
        assert 200 == sent.status_code, (agency, sent.text)
        assert "Đã nộp báo cáo (phiên bản 1)" in sent.text
    # The coordinator's director decides the agency leader's step of the coordinator's own.
    [request] = await mail_to(mailbox, DIRECTOR, subject="Đề nghị duyệt báo cáo")
    director = browser(app)
    link = approval_links(request.text)["approve"]
    confirm = await director.get(link)
    assert "Đã duyệt" in (await director.post(link, data={"csrf": csrf_of(confirm.text)})).text


async def test_file_names_are_cleaned_for_display_and_stripped_of_paths(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    focal = await sign_in(app, mailbox, FOCAL)
    files = [
        ("files", ("x\u202efdp.txt", b"van ban", "application/pdf")),
        ("files", ("../../etc/passwd.txt", b"mat khau", "text/plain")),
        ("files", ("..\\..\\boot\u2066.pdf", PDF, "application/pdf")),
    ]
    assert 200 == (await submit(focal, handle.id, "Báo cáo", files)).status_code
    await store_status(store, handle.id, "submitted")
    [kept] = await store.list_submissions(handle.id)
    assert ["xfdp.txt", "passwd.txt", "boot.pdf"] == [a.name for a in kept.attachments]
    page = await focal.get(url(handle.id))
    assert "\u202e" not in page.text and "xfdp.txt" in page.text
    download = await focal.get(url(handle.id, f"/attachments/{kept.attachments[0].sha256}"))
    assert b"van ban" == download.content
    assert "attachment; filename*=UTF-8''xfdp.txt" == download.headers["content-disposition"]
    assert "text/plain; charset=utf-8" == download.headers["content-type"]
    assert_security_headers(download)


# --- What the probe found untested ---------------------------------------------------------


async def test_a_sign_in_link_expires_and_has_one_spelling(app: FastAPI) -> None:
    old = links.sign(
        SECRET,
        "signin",
        {"email": FOCAL, "nonce": "abcdefghijkl", "next": "/"},
        now=time.time() - 16 * 60,
    )
    page = await browser(app).get(f"/signin/{quote(old, safe='')}")
    assert 410 == page.status_code and "Liên kết đã hết hạn" in page.text
    fresh = links.sign(SECRET, "signin", {"email": FOCAL, "nonce": "abcdefghijkm", "next": "/"})
    assert 200 == (await browser(app).get(f"/signin/{fresh}")).status_code
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    others = [fresh[:-1] + c for c in alphabet if c != fresh[-1]]
    answers = {(await browser(app).get(f"/signin/{t}")).status_code for t in others}
    assert {400} == answers


async def test_the_session_cookie_is_httponly_samesite_lax_and_secure_over_https(
    settings: Settings, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store
) -> None:
    for base, secure in (("http://portal.test", False), ("https://portal.test", True)):
        portal = app_with(settings, dev_env, store, public_base_url=base)
        answer = await httpx.AsyncClient(
            transport=httpx.ASGITransport(app=portal), base_url=base
        ).get("/signin")
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        assert secure == ("; secure" in cookie)
        assert_security_headers(answer)


async def test_kehoach_sessions_revoke_ends_every_session_of_a_person() -> None:
    """The administrator's command, on a database of its own."""
    import asyncio
    import datetime as dt

    from typer.testing import CliRunner

    from adapters.store import migrate, open_pool
    from kehoach.cli import app as cli
    from tests.pgserver import fresh_database, shared_server_uri
    from web.sessions import token_hash

    async with fresh_database(shared_server_uri()) as database_url:
        pool = await open_pool(database_url, max_size=2)
        try:
            await migrate(pool)
            store = Store(pool)
            until = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
            for token, email in (("a" * 43, FOCAL), ("b" * 43, FOCAL), ("c" * 43, LEADER)):
                await store.put_session(
                    token_hash(token), kind="session", email=email, csrf="x" * 32, expires_at=until
                )
            result = await asyncio.to_thread(
                CliRunner().invoke,
                cli,
                ["sessions", "revoke", f" {FOCAL.upper()} "],
                env={"KEHOACH_DATABASE_URL": database_url},
            )
            assert 0 == result.exit_code, result.output
            assert f"Đã thu hồi 2 phiên/mã truy cập của {FOCAL.upper()}." in result.output
            assert [None, None] == [
                await store.live_session(token_hash(t)) for t in ("a" * 43, "b" * 43)
            ]
            assert await store.live_session(token_hash("c" * 43)) is not None
        finally:
            await pool.close()
