"""The notice activity against real parts: PostgreSQL, an SMTP server and a webhook receiver.

Each test runs `send_notice` through Temporal's ActivityEnvironment; a second run with the
same NoticeRequest is what Temporal's retry policy would do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import asyncpg
import httpx
import pytest
import structlog
from structlog.testing import capture_logs
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notices import NoticeActivities
from adapters.mail import MailConfig
from adapters.settings import Settings
from adapters.store import Store
from domain.notices import deadline_day, shorten
from schemas.assignment import DutyBrief, NoticeRequest, NoticeResult
from schemas.calendar import VN_TZ
from tests.activities.helpers import (
    DEADLINE,
    LAST_DAY_VI,
    PLAN_ID,
    PUBLIC_BASE_URL,
    WEBHOOK_SECRET,
    MailServer,
    MakeNotice,
    WebhookReceiver,
    address,
    assignment_id,
    mail_config,
)

SNGV_FOCAL = address("focal", "SNGV")
COORDINATOR_FOCAL = address("focal", "STTTT")


async def run(
    notices: NoticeActivities,
    notice: NoticeRequest,
    *,
    attempt: int = 1,
    max_attempts: int = 0,
    dying: bool = False,
) -> NoticeResult:
    """Run the activity as one attempt that has just started (60 s to run), or, `dying`, as
    one already past its time: a store error then ends it at once, as a dying worker's."""
    env = ActivityEnvironment()
    timing: dict[str, Any] = (
        {}
        if dying
        else {
            "started_time": dt.datetime.now(dt.UTC),
            "start_to_close_timeout": dt.timedelta(seconds=60),
        }
    )
    env.info = dataclasses.replace(
        env.info,
        attempt=attempt,
        workflow_id=notice.assignment_id,
        retry_policy=RetryPolicy(maximum_attempts=max_attempts),
        **timing,
    )
    result: NoticeResult = await env.run(notices.send_notice, notice)
    return result


async def outbox(pool: asyncpg.Pool[asyncpg.Record]) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT * FROM notice_outbox ORDER BY id")
    return [dict(r) for r in rows]


# --- rendering ---------------------------------------------------------------------------

PLAN_CLAUSE = "mục III.5, Kế hoạch số 516/KH-UBND"
SUBJECTS = {
    "assignment": "Thông báo nhiệm vụ theo Kế hoạch số 516/KH-UBND ngày 09/3/2023 của Ủy ban "
    "nhân dân tỉnh Gia Lai (mục III.5)",
    "reminder": f"Nhắc hạn: còn 3 ngày – {PLAN_CLAUSE}",
    "escalation": "Quá hạn báo cáo (cấp 2): mục III.5 – Sở Ngoại vụ",
    "report_received": "Đã nhận báo cáo: mục III.5 – Sở Ngoại vụ",
    "approval_requested": "Đề nghị duyệt báo cáo: mục III.5 – Sở Ngoại vụ",
    "approved": "Báo cáo đã được phê duyệt: mục III.5 – Sở Ngoại vụ",
    "returned": f"Báo cáo bị trả lại: {PLAN_CLAUSE}",
    "accepted": f"Báo cáo đã được chấp nhận: {PLAN_CLAUSE}",
    "extension_granted": f"Gia hạn báo cáo đến hết ngày {LAST_DAY_VI}: {PLAN_CLAUSE}",
    "deadline_set": f"Thông báo hạn báo cáo (hết ngày {LAST_DAY_VI}): {PLAN_CLAUSE}",
    "cancelled": f"Hủy nhiệm vụ: {PLAN_CLAUSE}",
}
REASON = "Số liệu quý III chưa đầy đủ."


@pytest.mark.parametrize("kind", sorted(SUBJECTS))
async def test_each_kind_arrives_with_a_decoded_vietnamese_subject_the_facts_and_the_link(
    kind: str, notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice
) -> None:
    notice = make_notice(
        kind, days_before=3, escalation_level=2, reason=REASON, actor="lanhdao@sttttt.example"
    )

    result = await run(notices, notice)

    assert NoticeResult(sent=1) == result
    [mail] = mail_server.messages()
    assert (SNGV_FOCAL,) == mail.to
    assert SUBJECTS[kind] == mail.subject  # every space survives the encoded-words
    link = f"{PUBLIC_BASE_URL}/assignments/{assignment_id('SNGV')}"
    for fact in (
        "516/KH-UBND",
        "Kế hoạch thông tin đối ngoại năm 2023",
        "III.5",
        "Tổ chức thông tin đối ngoại về tiềm năng của tỉnh.",
        "Sở Ngoại vụ",
        f"hết ngày {LAST_DAY_VI}",
        link,
        "Kính gửi: Đồng chí Nguyễn Văn Đầu Mối SNGV, Chuyên viên Sở Ngoại vụ.",
    ):
        assert fact in mail.text, fact
    if kind in ("returned", "cancelled", "extension_granted", "approved"):
        assert REASON in mail.text
    html = mail.message.get_body(preferencelist=("html",))
    assert html is not None and f'href="{link}"' in html.get_content()
    assert "multipart/alternative" == mail.message.get_content_type()
    # A long key is folded onto the next line; unfolding leaves the leading space.
    assert notice.idempotency_key == str(mail.message["X-Kehoach-Notice-Key"]).strip()


async def test_the_html_part_escapes_the_duty_text_and_both_parts_shorten_it(
    notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice
) -> None:
    text = "Phối hợp <b>tuyên truyền</b> & quảng bá hình ảnh. " + "Nội dung dài. " * 60
    notice = make_notice(duty=DutyBrief(id="III.5.4", clause="III.5", text=text))

    await run(notices, notice)

    [mail] = mail_server.messages()
    html = mail.message.get_body(preferencelist=("html",))
    assert html is not None
    assert "Phối hợp &lt;b&gt;tuyên truyền&lt;/b&gt; &amp; quảng bá" in html.get_content()
    assert shorten(text) in mail.text
    assert text.strip() not in mail.text
    assert 301 >= len(shorten(text))


def test_the_deadline_shown_is_the_last_day_in_vietnam_not_the_instant_it_ends() -> None:
    assert LAST_DAY_VI == deadline_day(DEADLINE)  # 16/12 00:00 +07 ends 15/12
    assert "31/12/2023" == deadline_day(dt.datetime(2023, 12, 31, 17, 0, tzinfo=dt.UTC))
    assert None is deadline_day(None)


def test_mail_config_comes_from_the_settings() -> None:
    settings = Settings.model_validate(
        {
            "KEHOACH_SMTP_HOST": "smtp.gialai.example",
            "KEHOACH_SMTP_PORT": 587,
            "KEHOACH_SMTP_USERNAME": "kehoach",
            "KEHOACH_SMTP_PASSWORD": "s3cret",
            "KEHOACH_SMTP_STARTTLS": True,
            "KEHOACH_MAIL_FROM": "kehoach@stttt.gialai.example",
        }
    )

    mail = MailConfig.from_settings(settings)

    assert ("smtp.gialai.example", 587, "kehoach", True, "kehoach@stttt.gialai.example") == (
        mail.host,
        mail.port,
        mail.username,
        mail.starttls,
        mail.sender,
    )
    assert mail.password is not None and "s3cret" == mail.password.get_secret_value()
    assert "s3cret" not in repr(mail)


# --- recipients --------------------------------------------------------------------------


async def test_office_reaches_both_the_office_focal_official_and_its_leader(
    notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice
) -> None:
    result = await run(notices, make_notice("escalation", ("office",), escalation_level=3))

    assert NoticeResult(sent=2) == result
    assert {address("focal", "VP_UBND"), address("leader", "VP_UBND")} == {
        to for mail in mail_server.messages() for to in mail.to
    }
    [to_leader] = mail_server.messages(to=address("leader", "VP_UBND"))
    assert "Kính báo cáo để đồng chí biết, chỉ đạo đôn đốc" in to_leader.text


async def test_vice_chairman_reaches_the_issuer_leader_only(
    notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice
) -> None:
    result = await run(notices, make_notice("approval_requested", ("vice_chairman",)))

    assert NoticeResult(sent=1) == result
    assert [(address("leader", "UBND_TINH"),)] == [m.to for m in mail_server.messages()]


async def test_coordinator_roles_reach_the_coordinator_focal_and_its_director(
    notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice
) -> None:
    await run(notices, make_notice("report_received", ("coordinator", "coordinator_director")))

    assert [(COORDINATOR_FOCAL,), (address("leader", "STTTT"),)] == [
        m.to for m in mail_server.messages()
    ]


async def test_an_address_named_by_two_roles_receives_one_message(
    notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice
) -> None:
    result = await run(
        notices, make_notice("assignment", ("focal", "leader", "focal"), agency="SXD")
    )

    assert NoticeResult(sent=1) == result
    assert [(address("focal", "SXD"),)] == [m.to for m in mail_server.messages()]


async def test_a_role_the_directory_cannot_resolve_is_recorded_failed_and_reported(
    notices: NoticeActivities,
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    notice = make_notice("escalation", ("office",), office="VP_KHONG_CO", escalation_level=3)

    result = await run(notices, notice)

    assert NoticeResult(failed=2) == result
    assert ["failed", "failed", "sent", "sent"] == sorted(r["state"] for r in await outbox(pool))
    reports = mail_server.messages(to=COORDINATOR_FOCAL)
    assert 2 == len(reports)
    assert all("VP_KHONG_CO" in r.text for r in reports)


# --- once, and where not -----------------------------------------------------------------


async def test_the_same_notice_sent_twice_arrives_once_and_is_audited_once(
    notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice, store: Store
) -> None:
    notice = make_notice()

    first = await run(notices, notice)
    second = await run(notices, notice, attempt=2)

    assert (NoticeResult(sent=1), NoticeResult(skipped=1)) == (first, second)
    assert 1 == len(mail_server.messages())
    audit = await store.list_audit(notice.assignment_id)
    assert [("system", "notice_sent", SNGV_FOCAL)] == [
        (a.actor, a.action, a.detail["recipient"]) for a in audit
    ]


class CrashingStore(Store):
    """A Store whose worker 'dies' once around `outbox_mark_sent`: right after the row says
    'sent' (`after=True`), or just before it is written (`after=False`)."""

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record], *, after: bool) -> None:
        super().__init__(pool)
        self.after = after
        self.armed = True

    async def outbox_mark_sent(self, idempotency_key: str) -> Any:
        if self.armed and not self.after:
            self.armed = False
            raise ConnectionResetError("worker lost before recording the send")
        entry = await super().outbox_mark_sent(idempotency_key)
        if self.armed:
            self.armed = False
            raise ConnectionResetError("worker lost after recording the send")
        return entry


def _on_store(store: Store, mail_server: MailServer, http: httpx.AsyncClient) -> NoticeActivities:
    return NoticeActivities(
        store=store,
        mail=mail_config(mail_server.port),
        http=http,
        webhook_secret=WEBHOOK_SECRET,
        public_base_url=PUBLIC_BASE_URL,
    )


@pytest.mark.usefixtures("store")  # the directory loaded
async def test_a_retry_after_a_crash_that_followed_the_outbox_record_does_not_send_again(
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
    http: httpx.AsyncClient,
) -> None:
    crashing = _on_store(CrashingStore(pool, after=True), mail_server, http)
    notice = make_notice()

    with pytest.raises(ConnectionResetError):
        await run(crashing, notice, dying=True)
    retried = await run(crashing, notice, attempt=2)

    assert NoticeResult(skipped=1) == retried
    assert 1 == len(mail_server.messages())


@pytest.mark.usefixtures("store")  # the directory loaded
async def test_a_crash_between_smtp_acceptance_and_the_outbox_record_sends_a_second_copy_with_the_same_message_id(  # noqa: E501
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
    http: httpx.AsyncClient,
) -> None:
    crashing = _on_store(CrashingStore(pool, after=False), mail_server, http)
    notice = make_notice()

    with pytest.raises(ConnectionResetError):
        await run(crashing, notice, dying=True)
    retried = await run(crashing, notice, attempt=2)

    assert NoticeResult(sent=1) == retried
    first, second = mail_server.messages()
    assert first.message_id is not None
    assert first.message_id == second.message_id
    assert [("sent", 1)] == [(r["state"], r["attempts"]) for r in await outbox(pool)]


# --- SMTP failures -----------------------------------------------------------------------


async def test_smtp_down_raises_retryable_and_counts_attempts_until_a_retry_delivers(
    notices: NoticeActivities,
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    notice = make_notice()
    await mail_server.stop()

    for attempt in (1, 2):
        with pytest.raises(ApplicationError) as raised:
            await run(notices, notice, attempt=attempt, max_attempts=12)
        assert not raised.value.non_retryable
    [pending] = await outbox(pool)
    await mail_server.start()
    delivered = await run(notices, notice, attempt=3, max_attempts=12)

    assert ("pending", 2) == (pending["state"], pending["attempts"])
    assert "SMTPConnectError" in pending["last_error"]
    assert NoticeResult(sent=1) == delivered
    assert [("sent", 3)] == [(r["state"], r["attempts"]) for r in await outbox(pool)]
    assert 1 == len(mail_server.messages())


async def test_a_refused_recipient_fails_for_good_and_the_coordinator_is_told_by_email(
    notices: NoticeActivities,
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
    store: Store,
) -> None:
    mail_server.refused.add(SNGV_FOCAL)
    notice = make_notice(days_before=3)

    result = await run(notices, notice)
    again = await run(notices, notice, attempt=2)

    assert (NoticeResult(failed=1), NoticeResult(failed=1)) == (result, again)
    rows = {r["recipient"]: r for r in await outbox(pool)}
    assert ("failed", 1) == (rows[SNGV_FOCAL]["state"], rows[SNGV_FOCAL]["attempts"])
    assert "550" in rows[SNGV_FOCAL]["last_error"]
    [report] = mail_server.messages()
    assert (COORDINATOR_FOCAL,) == report.to
    assert report.subject.startswith("Không gửi được thông báo: Nhắc hạn: còn 3 ngày")
    # Named without the address or the server's words: the log and the outbox keep those.
    assert "Đồng chí Nguyễn Văn Đầu Mối SNGV, Chuyên viên Sở Ngoại vụ" in report.text
    assert "máy chủ thư của người nhận từ chối thư" in report.text
    assert SNGV_FOCAL not in report.text and "550" not in report.text
    audit = await store.list_audit(notice.assignment_id)
    assert [("notice_failed", SNGV_FOCAL), ("notice_sent", COORDINATOR_FOCAL)] == [
        (a.action, a.detail["recipient"]) for a in audit
    ]


async def test_when_the_coordinator_focal_itself_is_refused_it_is_logged_loudly_not_raised(
    notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice
) -> None:
    mail_server.refused.add(COORDINATOR_FOCAL)

    with capture_logs() as logs:
        result = await run(notices, make_notice("report_received", ("coordinator",)))

    assert NoticeResult(failed=1) == result
    assert [] == mail_server.messages()
    assert ["notice_failure_unreported"] == [
        e["event"] for e in logs if e["log_level"] == "critical"
    ]


async def test_a_delivery_is_logged_with_the_workflow_assignment_agency_and_notice_key(
    notices: NoticeActivities, make_notice: MakeNotice
) -> None:
    notice = make_notice()

    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        await run(notices, notice)

    [sent] = [e for e in logs if e["event"] == "notice_sent"]
    assert (notice.assignment_id, notice.assignment_id, "SNGV", notice.idempotency_key) == (
        sent["workflow_id"],
        sent["assignment_id"],
        sent["agency"],
        sent["notice_key"],
    )
    assert {} == structlog.contextvars.get_contextvars()


async def test_a_notice_for_an_assignment_not_yet_in_the_store_is_still_sent_once(
    notices: NoticeActivities,
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    notice = make_notice("assignment", assignment_id="kh/516-KH-UBND/III.5.4/SNGV/2024")

    results = [await run(notices, notice), await run(notices, notice, attempt=2)]

    assert [NoticeResult(sent=1), NoticeResult(skipped=1)] == results
    assert 1 == len(mail_server.messages())
    assert [None] == [r["assignment_id"] for r in await outbox(pool)]


# --- webhooks ----------------------------------------------------------------------------


async def test_the_webhook_is_signed_with_an_hmac_of_its_raw_body(
    notices: NoticeActivities,
    webhook: WebhookReceiver,
    mail_server: MailServer,
    make_notice: MakeNotice,
) -> None:
    notice = make_notice("assignment", agency="STC")

    result = await run(notices, notice)

    assert NoticeResult(sent=2) == result  # the focal official's email and the webhook
    [call] = webhook.calls
    expected = hmac.new(WEBHOOK_SECRET.encode(), call.body, hashlib.sha256).hexdigest()
    assert ("POST", "/hooks/kehoach") == (call.method, call.path)
    assert f"sha256={expected}" == call.headers["x-kehoach-signature"]
    assert notice.idempotency_key == call.headers["x-kehoach-idempotency-key"]
    payload = json.loads(call.body)
    assert (notice.idempotency_key, "assignment", "STC") == (
        payload["idempotency_key"],
        payload["kind"],
        payload["agency"],
    )
    assert payload["subject"].startswith("Thông báo nhiệm vụ theo Kế hoạch số 516/KH-UBND")
    assert "Kính gửi: Sở Tài chính." in payload["text"]
    assert 1 == len(mail_server.messages())


async def test_a_webhook_answering_500_raises_retryable_and_a_retry_delivers_it_once(
    notices: NoticeActivities,
    webhook: WebhookReceiver,
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    notice = make_notice("reminder", agency="STC", days_before=7)
    webhook.answer = 500

    with pytest.raises(ApplicationError) as raised:
        await run(notices, notice, max_attempts=12)
    hook_row = next(r for r in await outbox(pool) if r["channel"] == "webhook")
    webhook.answer = 200
    retried = await run(notices, notice, attempt=2, max_attempts=12)

    assert not raised.value.non_retryable
    assert ("pending", 1, "HTTP 500 Internal Server Error") == (
        hook_row["state"],
        hook_row["attempts"],
        hook_row["last_error"],
    )
    assert NoticeResult(sent=1, skipped=1) == retried
    assert 2 == len(webhook.calls)
    assert 1 == len(mail_server.messages())


async def test_a_webhook_that_never_answers_raises_retryable(
    notices: NoticeActivities,
    webhook: WebhookReceiver,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    webhook.answer = "hang"

    with pytest.raises(ApplicationError) as raised:
        await run(notices, make_notice(agency="STC"), max_attempts=12)

    assert not raised.value.non_retryable
    hook_row = next(r for r in await outbox(pool) if r["channel"] == "webhook")
    assert "pending" == hook_row["state"] and "ReadTimeout" in hook_row["last_error"]


async def test_a_webhook_answering_400_fails_for_good_and_the_coordinator_is_told(
    notices: NoticeActivities,
    webhook: WebhookReceiver,
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    webhook.answer = 400

    result = await run(notices, make_notice("deadline_set", agency="STC"), max_attempts=12)

    assert NoticeResult(sent=1, failed=1) == result
    hook_row = next(r for r in await outbox(pool) if r["channel"] == "webhook")
    assert ("failed", "HTTP 400 Bad Request") == (hook_row["state"], hook_row["last_error"])
    [report] = mail_server.messages(to=COORDINATOR_FOCAL)
    assert "hệ thống của cơ quan nhận từ chối thông báo" in report.text
    assert webhook.url not in report.text and "HTTP 400" not in report.text


async def test_a_transient_failure_on_the_last_allowed_attempt_is_final_and_reported(
    notices: NoticeActivities,
    webhook: WebhookReceiver,
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    webhook.answer = 503

    result = await run(notices, make_notice(agency="STC"), attempt=3, max_attempts=3)

    assert NoticeResult(sent=1, failed=1) == result
    hook_row = next(r for r in await outbox(pool) if r["channel"] == "webhook")
    assert "failed" == hook_row["state"]
    assert 1 == len(mail_server.messages(to=COORDINATOR_FOCAL))


async def test_the_same_webhook_notice_twice_is_delivered_once(
    notices: NoticeActivities, webhook: WebhookReceiver, make_notice: MakeNotice
) -> None:
    notice = make_notice("accepted", agency="STC")

    results = [await run(notices, notice), await run(notices, notice, attempt=2)]

    assert [NoticeResult(sent=2), NoticeResult(skipped=2)] == results
    assert 1 == len(webhook.calls)


async def test_a_notice_for_coordinators_only_does_not_go_to_the_agency_webhook(
    notices: NoticeActivities, webhook: WebhookReceiver, make_notice: MakeNotice
) -> None:
    result = await run(notices, make_notice("report_received", ("coordinator",), agency="STC"))

    assert NoticeResult(sent=1) == result
    assert [] == webhook.calls


@pytest.mark.usefixtures("store")  # the directory loaded
async def test_an_attempt_too_near_its_timeout_leaves_the_send_to_the_next_one(
    notices: NoticeActivities,
    mail_server: MailServer,
    make_notice: MakeNotice,
    pool: asyncpg.Pool[asyncpg.Record],
) -> None:
    """Two attempts never send at once: an attempt that could still be sending when its
    start-to-close timeout lets the next one begin does not start a send."""
    notice = make_notice()
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info,
        workflow_id=notice.assignment_id,
        start_to_close_timeout=dt.timedelta(seconds=60),
        started_time=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=57),
    )
    with pytest.raises(ApplicationError) as raised:
        await env.run(notices.send_notice, notice)
    delivered = await run(notices, notice, attempt=2)

    assert not raised.value.non_retryable
    assert NoticeResult(sent=1) == delivered
    assert 1 == len(mail_server.messages())
    assert [("sent", 1)] == [(r["state"], r["attempts"]) for r in await outbox(pool)]


async def test_the_issued_report_reaches_its_recipients_in_the_plans_words_with_the_docx(
    notices: NoticeActivities, mail_server: MailServer, make_notice: MakeNotice, store: Store
) -> None:
    document_id = f"{PLAN_ID.replace('/', '-')}/consolidated/2023/v1"
    docx = b"PK\x03\x04 the consolidated report"
    await store.put_document(
        id=document_id, plan_id=PLAN_ID, kind="consolidated_report", markdown="# BÁO CÁO", docx=docx
    )
    notice = make_notice(
        "report_issued",
        assignment_id=document_id,
        period="2023",
        deadline=dt.datetime(2023, 11, 10, tzinfo=VN_TZ),
    )

    assert NoticeResult(sent=1) == await run(notices, notice)

    [mail] = mail_server.messages()
    assert mail.subject.startswith("Báo cáo kết quả thực hiện Kế hoạch số 516/KH-UBND ngày")
    assert mail.subject.endswith(", năm 2023")
    assert "hết ngày 09/11/2023" in mail.text
    for internal in (document_id, "consolidated", "chưa ấn định", "/assignments/"):
        assert internal not in mail.text + mail.subject
    [attached] = [p for p in mail.message.iter_attachments()]
    assert "Bao-cao-ket-qua-516-KH-UBND-2023.docx" == attached.get_filename()
    assert docx == attached.get_content()
