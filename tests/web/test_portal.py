"""The portal on the dev server with a real worker, store and mailbox: signing in, rights,
escaping, CSRF, action links from notices, and the whole approval flow."""

import re
import time
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from openpyxl import load_workbook
from temporalio.testing import WorkflowEnvironment

from adapters import links
from adapters.store import Store
from kehoach.embedded.mailbox import Mailbox
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
from web import actionpages, dashboard, pages, signin

pytestmark = pytest.mark.devserver

FOCAL = "daumoi@sngv.example"
LEADER = "lanhdao@sngv.example"
COORDINATOR = "daumoi@stttt.example"
OTHER_FOCAL = "daumoi@ub-mttq.example"
OFFICE = "daumoi@vp-ubnd.example"


def url(assignment_id: str, tail: str = "") -> str:
    return f"/assignments/{quote(assignment_id, safe='/')}{tail}"


def api(assignment_id: str, tail: str = "") -> str:
    return f"/api/v1/assignments/{quote(assignment_id, safe='/')}{tail}"


async def test_sign_in_by_the_link_mailed_and_unknown_addresses_get_the_same_page(
    app: FastAPI, mailbox: Mailbox
) -> None:
    client = await sign_in(app, mailbox, FOCAL)
    inbox = await client.get("/inbox")
    assert 200 == inbox.status_code
    assert "Việc của Sở Ngoại vụ" in inbox.text
    cookie = next(c for c in client.cookies.jar if c.name == "kehoach_session")
    assert cookie.has_nonstandard_attr("HttpOnly")

    # The same neutral page for an address the directory does not know, and no mail.
    known, unknown = browser(app), browser(app)
    pages = []
    for who, address in ((known, OFFICE), (unknown, "nobody@nowhere.example")):
        form = await who.get("/signin")
        pages.append(await who.post("/signin", data={"email": address, "csrf": csrf_of(form.text)}))
    assert [200, 200] == [p.status_code for p in pages]
    assert pages[0].text == pages[1].text
    assert 1 == len(await mail_to(mailbox, OFFICE, subject="Liên kết đăng nhập"))
    assert [] == mailbox.messages(to="nobody@nowhere.example")

    # Without a session, pages send people to the sign-in form.
    anonymous = await browser(app).get("/inbox")
    assert 303 == anonymous.status_code
    assert anonymous.headers["location"].startswith("/signin")


async def test_a_sign_in_link_works_once(app: FastAPI, mailbox: Mailbox) -> None:
    client = await sign_in(app, mailbox, FOCAL)
    link = re.search(
        rf"{re.escape(BASE)}/signin/\S+",
        (await mail_to(mailbox, FOCAL, subject="Liên kết đăng nhập"))[-1].text,
    )
    assert link is not None
    again = await browser(app).get(path_of(link[0]))
    assert 410 == again.status_code
    assert "đã được dùng" in again.text
    assert 200 == (await client.get("/inbox")).status_code


async def test_an_agency_gets_403_on_another_agencys_assignment_by_page_and_by_api(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    own = await start_assignment(dev_env, store, queue, agency="SNGV")
    other = await start_assignment(dev_env, store, queue, agency="UB_MTTQ", duty_id="III.1")
    sngv = await sign_in(app, mailbox, FOCAL)
    assert 200 == (await sngv.get(url(own.id))).status_code
    refused = await sngv.get(url(other.id))
    assert 403 == refused.status_code
    assert "Không có quyền" in refused.text
    assert 403 == (await sngv.get(api(other.id))).status_code
    me = (await sngv.get("/api/v1/me")).json()
    posted = await sngv.post(
        api(other.id, "/submit"),
        json={"body": "Báo cáo"},
        headers={"X-CSRF-Token": me["csrf_token"]},
    )
    assert 403 == posted.status_code
    assert [own.id] == [a["id"] for a in (await sngv.get("/api/v1/assignments")).json()]
    inbox = await sngv.get("/inbox")
    assert quote(own.id, safe="/") in inbox.text and quote(other.id, safe="/") not in inbox.text

    coordinator = await sign_in(app, mailbox, COORDINATOR)
    for handle in (own, other):
        assert 200 == (await coordinator.get(url(handle.id))).status_code
    office = await sign_in(app, mailbox, OFFICE)
    assert 200 == (await office.get(url(other.id))).status_code
    assert 200 == (await office.get("/dashboard")).status_code
    assert 403 == (await sngv.get("/dashboard")).status_code


async def test_a_report_containing_a_script_is_shown_inert(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    client = await sign_in(app, mailbox, FOCAL)
    page = await client.get(url(handle.id))
    body = "Kết quả <script>alert('x')</script> & <b>đậm</b>"
    sent = await client.post(
        url(handle.id, "/submit"), data={"body": body, "csrf": csrf_of(page.text)}
    )
    assert 200 == sent.status_code, sent.text
    assert "Đã nộp báo cáo (phiên bản 1)" in sent.text
    await store_status(store, handle.id, "submitted")  # the report is stored just before
    shown = await client.get(url(handle.id))
    escaped = "Kết quả &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;đậm&lt;/b&gt;"
    assert escaped in shown.text
    assert "<script>" not in shown.text
    assert "script-src" not in shown.headers["content-security-policy"]  # no script at all


async def test_every_form_post_without_its_csrf_token_is_refused(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    client = await sign_in(app, mailbox, FOCAL)
    page = await client.get(url(handle.id))
    token = links.sign(SECRET, "signin", {"email": FOCAL, "nonce": "abcdefghijkl"})
    posts = [
        r.path
        for router in (pages.router, signin.router, actionpages.router, dashboard.router)
        for r in router.routes
        if isinstance(r, APIRoute) and "POST" in (r.methods or set())
    ]
    assert len(posts) >= 7  # signin, signin/{token}, signout, submit, approve, return, /a/
    for path in posts:
        concrete = path.replace("{assignment_id:path}", quote(handle.id, safe="/")).replace(
            "{token}", token
        )
        for data in (
            {"body": "x", "reason": "lý do đủ dài"},
            {"csrf": "not-the-token", "body": "x", "reason": "lý do đủ dài"},
        ):
            refused = await client.post(concrete, data=data)
            assert 403 == refused.status_code, f"{path}: {refused.status_code}"
            assert "Yêu cầu bị từ chối" in refused.text
    # The API with the session cookie needs the token in a header.
    bare = await client.post(api(handle.id, "/submit"), json={"body": "Báo cáo"})
    assert 403 == bare.status_code
    assert [] == await store.list_submissions(handle.id)  # nothing got through
    assert 200 == (await client.get(url(handle.id))).status_code
    assert csrf_of(page.text)  # the page did carry one


async def test_forged_and_expired_action_links_are_refused(
    app: FastAPI, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    good = links.action_token(
        SECRET, email=LEADER, assignment_id=handle.id, action="approve", nonce="n" * 22, version=1
    )
    payload, stamp, mac = good.rsplit(".", 2)
    forged = {
        "other key": links.action_token(
            "someone-elses",
            email=LEADER,
            assignment_id=handle.id,
            action="approve",
            nonce="n" * 22,
            version=1,
        ),
        "edited payload": links.sign(SECRET, "signin", {"email": LEADER}).rsplit(".", 2)[0]
        + f".{stamp}.{mac}",
        "cut short": f"{payload}.{stamp}",
        "sign-in token": links.sign(
            SECRET,
            "signin",
            {
                "email": LEADER,
                "nonce": "n" * 22,
                "assignment": handle.id,
                "action": "approve",
                "version": 1,
            },
        ),
    }
    client = browser(app)
    for why, token in forged.items():
        page = await client.get(f"/a/{quote(token, safe='')}")
        assert 400 == page.status_code, why
        assert "Liên kết không hợp lệ" in page.text
    expired = links.action_token(
        SECRET,
        email=LEADER,
        assignment_id=handle.id,
        action="approve",
        nonce="e" * 22,
        version=1,
        now=time.time() - 15 * 24 * 3600,
    )
    page = await client.get(f"/a/{quote(expired, safe='')}")
    assert 410 == page.status_code
    assert "Liên kết đã hết hạn" in page.text
    assert 200 == (await client.get(f"/a/{quote(good, safe='')}")).status_code


async def test_a_forbidden_attachment_type_is_refused_and_an_allowed_one_is_kept(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    client = await sign_in(app, mailbox, FOCAL)
    csrf = csrf_of((await client.get(url(handle.id))).text)
    bad = await client.post(
        url(handle.id, "/submit"),
        data={"body": "Báo cáo", "csrf": csrf},
        files={"files": ("virus.exe", b"MZ\x90\x00", "application/pdf")},
    )
    assert 400 == bad.status_code
    assert "virus.exe" in bad.text and "loại tệp không được nhận" in bad.text
    fake = await client.post(
        url(handle.id, "/submit"),
        data={"body": "Báo cáo", "csrf": csrf},
        files={"files": ("baocao.pdf", b"<html>", "application/pdf")},
    )
    assert 400 == fake.status_code
    pdf = b"%PDF-1.4\n% kehoach test\n"
    ok = await client.post(
        url(handle.id, "/submit"),
        data={"body": "Báo cáo", "csrf": csrf},
        files={"files": ("báo cáo.pdf", pdf, "application/octet-stream")},
    )
    assert 200 == ok.status_code, ok.text
    await store_status(store, handle.id, "submitted")
    [kept] = await store.list_submissions(handle.id)
    assert ["báo cáo.pdf"] == [a.name for a in kept.attachments]
    assert "application/pdf" == kept.attachments[0].content_type
    download = await client.get(url(handle.id, f"/attachments/{kept.attachments[0].sha256}"))
    assert pdf == download.content


def _actions(mail_text: str) -> dict[str, str]:
    found = dict(
        re.findall(rf"(Duyệt báo cáo|Trả lại \(kèm lý do\)): ({re.escape(BASE)}/a/\S+)", mail_text)
    )
    assert {"Duyệt báo cáo", "Trả lại (kèm lý do)"} == set(found), mail_text
    return {
        "approve": path_of(found["Duyệt báo cáo"]),
        "return": path_of(found["Trả lại (kèm lý do)"]),
    }


async def test_submit_leader_approves_from_the_mail_coordinator_returns_resubmit_accept(
    app: FastAPI, mailbox: Mailbox, dev_env: WorkflowEnvironment, store: Store, queue: str
) -> None:
    handle = await start_assignment(dev_env, store, queue)
    await start_assignment(dev_env, store, queue, agency="UB_MTTQ", duty_id="III.1")
    focal = await sign_in(app, mailbox, FOCAL)
    page = await focal.get(url(handle.id))
    sent = await focal.post(
        url(handle.id, "/submit"), data={"body": "Báo cáo lần 1", "csrf": csrf_of(page.text)}
    )
    assert "Đã nộp báo cáo (phiên bản 1)" in sent.text

    # The leader acts from the e-mail, without signing in.
    [request] = await mail_to(mailbox, LEADER, subject="Đề nghị duyệt báo cáo")
    first = _actions(request.text)
    html = request.message.get_body(preferencelist=("html",))
    assert html is not None and f'href="{BASE}{first["approve"]}"' in html.get_content()
    leader = browser(app)
    confirm = await leader.get(first["approve"])
    assert 200 == confirm.status_code
    assert "Xác nhận duyệt" in confirm.text and LEADER in confirm.text
    done = await leader.post(first["approve"], data={"csrf": csrf_of(confirm.text)})
    assert 200 == done.status_code, done.text
    assert "Đã duyệt; chuyển cơ quan đầu mối." in done.text
    for used in (first["approve"], first["return"]):  # one e-mail, one use
        again = await browser(app).get(used)
        assert 410 == again.status_code
        assert "Liên kết đã được dùng" in again.text

    # The coordinator finds it waiting and returns it with a reason.
    coordinator = await sign_in(app, mailbox, COORDINATOR)
    waiting = await coordinator.get("/approvals")
    assert quote(handle.id, safe="/") in waiting.text
    assert quote(handle.id, safe="/") not in (await focal.get("/approvals")).text
    page = await coordinator.get(url(handle.id))
    assert "Trả lại để chỉnh sửa" in page.text
    no_reason = await coordinator.post(
        url(handle.id, "/return"), data={"reason": " ", "csrf": csrf_of(page.text)}
    )
    assert 400 == no_reason.status_code
    returned = await coordinator.post(
        url(handle.id, "/return"),
        data={"reason": "Thiếu số liệu quý III", "csrf": csrf_of(page.text)},
    )
    assert "Đã trả lại báo cáo để chỉnh sửa." in returned.text
    twice = await coordinator.post(
        url(handle.id, "/return"),
        data={"reason": "Thiếu số liệu quý III", "csrf": csrf_of(page.text)},
    )
    assert 409 == twice.status_code
    assert "Chưa có báo cáo chờ duyệt (trạng thái: bị trả lại)." in twice.text

    # The agency reads why, on the page and through the API, then resubmits with a token.
    assert "Lý do: Thiếu số liệu quý III" in (await focal.get(url(handle.id))).text
    assert "Thiếu số liệu quý III" == (await focal.get(api(handle.id))).json()["return_reason"]
    me = (await focal.get("/api/v1/me")).json()
    token = (await focal.post("/api/v1/token", headers={"X-CSRF-Token": me["csrf_token"]})).json()[
        "token"
    ]
    script = browser(app)
    resubmitted = await script.post(
        api(handle.id, "/submit"),
        json={"body": "Báo cáo lần 2"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert 200 == resubmitted.status_code, resubmitted.text
    assert 2 == resubmitted.json()["version"]

    # The second request mail has links of its own; the leader approves again.
    second = _actions(
        (await mail_to(mailbox, LEADER, subject="Đề nghị duyệt báo cáo", count=2))[-1].text
    )
    assert second["approve"] != first["approve"]
    confirm = await leader.get(second["approve"])
    assert (
        "Đã duyệt"
        in (await leader.post(second["approve"], data={"csrf": csrf_of(confirm.text)})).text
    )

    # The coordinator accepts through the API (cookie, CSRF header).
    csrf = (await coordinator.get("/api/v1/me")).json()["csrf_token"]
    refused = await coordinator.post(api(handle.id, "/approve"), json={})
    assert 403 == refused.status_code
    accepted = await coordinator.post(
        api(handle.id, "/approve"), json={}, headers={"X-CSRF-Token": csrf}
    )
    assert 200 == accepted.status_code, accepted.text
    assert "Đã chấp nhận báo cáo." == accepted.json()["message_vi"]
    await store_status(store, handle.id, "accepted")

    # The history tells the story; the dashboard's counts are the store's.
    shown = (await coordinator.get(api(handle.id))).json()
    assert shown["return_reason"] is None
    assert ["assign", "submit", "approve", "return", "submit", "approve", "accept"] == [
        h["action"] for h in shown["history"]
    ]
    assert "Thiếu số liệu quý III" == shown["history"][3]["note"]
    assert [1, 2] == [s["version"] for s in shown["submissions"]]
    rows = await store.list_assignments(plan_id="9/KH-UBND")
    assert {"accepted": 1, "assigned": 1} == {
        s: sum(1 for r in rows if r.status == s) for s in {r.status for r in rows}
    }
    board = await coordinator.get("/dashboard")
    assert 200 == board.status_code

    def count(element: str) -> int:
        found = re.search(rf'id="{element}"><b>(\d+)</b>|id="{element}">(\d+)<', board.text)
        assert found is not None, element
        return int(found[1] or found[2])

    assert 1 == count("count-on_time")
    assert 1 == count("count-in_term")
    assert 0 == count("count-overdue")
    assert 1 == count("status-accepted") and 1 == count("status-assigned")
    assert len(rows) == sum(
        count(f"count-{k}")
        for k in ("on_time", "in_term", "due_soon", "overdue", "late", "cancelled", "waived")
    )
    csv_text = (await coordinator.get("/dashboard.csv")).text
    assert 1 + len(rows) == len(csv_text.strip().splitlines())
    assert f"{handle.id},9/KH-UBND,SNGV,Sở Ngoại vụ,III.5.4,2026" in csv_text
    assert "đã chấp nhận,Hoàn thành đúng hạn" in csv_text
    from io import BytesIO

    book = load_workbook(BytesIO((await coordinator.get("/dashboard.xlsx")).content))
    ids = [row[0].value for row in book["Phân công"].iter_rows(min_row=2)]
    assert sorted(r.id for r in rows) == sorted(ids)
    assert 403 == (await focal.get("/dashboard.csv")).status_code


async def test_the_api_is_described_at_openapi_json(app: FastAPI) -> None:
    document = (await browser(app).get("/openapi.json")).json()
    assert {
        "/api/v1/assignments",
        "/api/v1/assignments/{assignment_id}",
        "/api/v1/assignments/{assignment_id}/submit",
        "/api/v1/assignments/{assignment_id}/approve",
        "/api/v1/assignments/{assignment_id}/return",
    } <= set(document["paths"])
    assert not any(p.startswith("/assignments") for p in document["paths"])
    assert 401 == (await browser(app).get("/api/v1/assignments")).status_code
