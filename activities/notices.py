"""Send one notice about one assignment: an email to each person it names and, when the
agency has one, a signed webhook to its chat gateway.

Exactly once, as far as a mail server allows. Each delivery (one address, one webhook) is
claimed in the store's outbox under `{notice key}/{channel}/{recipient}` before it is
attempted and marked 'sent' after; a retried activity finds 'sent' and skips it. The gap: if
the worker dies after the SMTP server (or the webhook) accepted the message but before the
outbox says 'sent', the retry sends it again. The copy carries the same Message-ID (derived
from the outbox key) and the webhook the same X-Kehoach-Idempotency-Key, so a receiver can
recognise it; two attempts running at once (a timed-out attempt still alive) can both send.

Failures. Transient ones (connection, timeout, SMTP 4xx, HTTP 5xx/408/429) are counted in the
outbox and raised, so Temporal's retry policy tries again; deliveries already sent are
skipped then. On the last attempt the retry policy allows, a transient failure is final and
handled as a permanent one. Permanent ones (SMTP 5xx, HTTP 4xx, no usable address) are
recorded as failed, reported by email to the coordinator's focal official, and counted in
the result, never raised: a notice that cannot be delivered must not fail the assignment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import re
import socket
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import aiosmtplib
import asyncpg
import httpx
import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from pydantic import Field, SecretStr
from temporalio import activity
from temporalio.exceptions import ApplicationError

from kehoach.errors import NotFound
from kehoach.settings import Settings
from kehoach.store import Store
from schemas.assignment import NoticeRequest, NoticeResult, Recipient
from schemas.base import Model
from schemas.store import AgencyContacts, Channel, OutboxEntry, Person
from web.links import action_links, redact

log = structlog.get_logger(__name__)

SENDER_NAME = "Hệ thống theo dõi thực hiện kế hoạch"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DUTY_TEXT_CHARS = 300
MAX_KEY_CHARS = 512  # notice_outbox.idempotency_key's CHECK
RETRYABLE_HTTP = frozenset({408, 429})
CHANNEL_VI: dict[str, str] = {"email": "thư điện tử", "webhook": "webhook"}
CONTACT_VI: dict[str, str] = {"focal": "công chức đầu mối", "leader": "lãnh đạo"}
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # the contacts table's own check

# Which contact of which agency each role means. The agency is named by a NoticeRequest field.
AgencyField = Literal["agency", "coordinator", "office", "issuer"]
ContactRole = Literal["focal", "leader"]
RECIPIENT_CONTACTS: dict[Recipient, tuple[tuple[AgencyField, ContactRole], ...]] = {
    "focal": (("agency", "focal"),),
    "leader": (("agency", "leader"),),
    "coordinator": (("coordinator", "focal"),),
    "coordinator_director": (("coordinator", "leader"),),
    "office": (("office", "focal"), ("office", "leader")),
    "vice_chairman": (("issuer", "leader"),),
}
AGENCY_ROLES: frozenset[Recipient] = frozenset({"focal", "leader"})


class MailConfig(Model):
    """How to reach the SMTP server; built once by the worker from the settings."""

    host: str
    port: int = Field(ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    sender: str = Field(pattern=_ADDRESS.pattern)
    timeout: float = Field(default=30.0, gt=0)
    helo_name: str = Field(default_factory=socket.getfqdn, min_length=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> MailConfig:
        """The mail part of the process settings."""
        helo = {"helo_name": settings.smtp_helo_name} if settings.smtp_helo_name else {}
        return cls(
            host=settings.smtp_host, port=settings.smtp_port, username=settings.smtp_username,
            password=settings.smtp_password, starttls=settings.smtp_starttls,
            sender=settings.mail_from, **helo,
        )


# --- Rendering -----------------------------------------------------------------------

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=lambda name: name is not None and name.endswith(".html.j2"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _block(template: Template, name: str, context: dict[str, object]) -> str:
    return "".join(template.blocks[name](template.new_context(context)))


def render(template_name: str, context: dict[str, object]) -> Rendered:
    """Render `<template_name>.j2`'s subject and lead into the text and HTML layouts.

    The kind templates are plain text; the HTML layout escapes what they produce.
    """
    template = _TEMPLATES.get_template(f"{template_name}.j2")
    subject = " ".join(_block(template, "subject", context).split())
    lead = _block(template, "lead", context)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", lead) if p.strip()]
    full = {**context, "subject": subject, "paragraphs": paragraphs}
    return Rendered(
        subject=subject,
        text=_TEMPLATES.get_template("_layout.txt.j2").render(full),
        html=_TEMPLATES.get_template("_layout.html.j2").render(full),
    )


def last_day_vi(deadline: dt.datetime | None) -> str | None:
    """The last day on time, dd/mm/YYYY in Vietnam: the deadline is the instant it ends."""
    if deadline is None:
        return None
    if deadline.utcoffset() is None:
        deadline = deadline.replace(tzinfo=dt.UTC)
    return (deadline - dt.timedelta(seconds=1)).astimezone(VIETNAM).strftime("%d/%m/%Y")


def shorten(text: str, limit: int = DUTY_TEXT_CHARS) -> str:
    """`text` on one line, cut at a word boundary to about `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return f"{cut.rstrip(',;:')}…"


# --- Deliveries ----------------------------------------------------------------------


class _Transient(Exception):
    """A delivery failed in a way a later attempt may not."""


class _Permanent(Exception):
    """A delivery failed in a way no retry can fix."""


@dataclass(frozen=True)
class _Addressee:
    """One address a notice goes to, and who is behind it."""

    role: Recipient
    contact: ContactRole
    agency: AgencyContacts
    person: Person | None  # None: the directory has no such agency or contact

    @property
    def address(self) -> str | None:
        return None if self.person is None else self.person.email


@dataclass(frozen=True)
class _Delivery:
    """One message on one channel to one recipient, under its own outbox key."""

    key: str
    kind: str
    channel: Channel
    recipient: str
    subject: str
    body: str
    send: Callable[[], Awaitable[None]]


Outcome = Literal["sent", "skipped", "failed"]


def outbox_key(*parts: str) -> str:
    """Join key parts; a key longer than the outbox allows keeps its start and a digest."""
    key = "/".join(parts)
    if len(key) <= MAX_KEY_CHARS:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: MAX_KEY_CHARS - len(digest) - 1]}#{digest}"


def message_id(key: str, sender: str) -> str:
    """A Message-ID that only the outbox key decides, so a resent copy is recognisable."""
    domain = sender.rpartition("@")[2] or "kehoach.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}.kehoach@{domain}>"


def _smtp_failure(err: Exception) -> _Transient | _Permanent:
    """Sort an aiosmtplib error: 5xx replies and unsupported features are permanent."""
    if isinstance(err, aiosmtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{r.code} {r.message} ({r.recipient})" for r in err.recipients)
        permanent = all(r.code >= 500 for r in err.recipients)
        return _Permanent(detail) if permanent else _Transient(detail)
    if isinstance(err, aiosmtplib.SMTPResponseException):
        detail = f"{type(err).__name__}: {err.code} {err.message}"
        return _Permanent(detail) if err.code >= 500 else _Transient(detail)
    if isinstance(err, aiosmtplib.SMTPNotSupported):
        return _Permanent(f"SMTPNotSupported: {err.message}")
    return _Transient(f"{type(err).__name__}: {err}")


def _http_failure(status: int, reason: str) -> _Transient | _Permanent:
    detail = f"HTTP {status} {reason}".strip()
    return _Transient(detail) if status >= 500 or status in RETRYABLE_HTTP else _Permanent(detail)


MARK_SENT_MARGIN_S = 2.0


def _time_left() -> float | None:
    """Seconds until this activity attempt's start-to-close timeout, if it has one."""
    info = activity.info()
    if info.start_to_close_timeout is None:
        return None
    spent = dt.datetime.now(dt.UTC) - info.started_time
    return (info.start_to_close_timeout - spent).total_seconds()


async def _quit(client: aiosmtplib.SMTP) -> None:
    """End an SMTP session whose message has been accepted; failing here changes nothing."""
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()


def _last_attempt() -> bool:
    """Whether the retry policy allows no further attempt: then a transient failure is final."""
    info = activity.info()
    limit = 0 if info.retry_policy is None else info.retry_policy.maximum_attempts
    return 0 < limit <= info.attempt


class NoticeActivities:
    """Notices by email and webhook, with the store, SMTP settings and HTTP client given."""

    def __init__(
        self,
        *,
        store: Store,
        mail: MailConfig,
        http: httpx.AsyncClient,
        webhook_secret: str,
        public_base_url: str,
        action_link_secret: str | None = None,
    ) -> None:
        self._store = store
        self._mail = mail
        self._http = http
        self._webhook_secret = webhook_secret.encode()
        self._public_base_url = public_base_url.rstrip("/")
        self._action_link_secret = action_link_secret  # None: no action links in notices
        self._closing: set[asyncio.Task[None]] = set()  # SMTP sessions being ended

    @activity.defn
    async def send_notice(self, notice: NoticeRequest) -> NoticeResult:
        """Deliver the notice once to each person it names (and the agency's webhook).

        Raises only for transient failures, after recording them; see the module docstring.
        """
        with structlog.contextvars.bound_contextvars(
            workflow_id=activity.info().workflow_id, assignment_id=notice.assignment_id,
            agency=notice.agency, notice_key=notice.idempotency_key,
        ):
            return await self._send(notice)

    async def _send(self, notice: NoticeRequest) -> NoticeResult:
        directory = await self._store.agencies_with_contacts(
            {notice.agency, notice.coordinator, notice.office, notice.issuer}
        )
        facts = self._facts(notice)
        deliveries = [
            self._email(notice, who, facts) for who in resolve(notice, directory)
        ] + self._webhooks(notice, directory, facts)
        counts: Counter[Outcome] = Counter()
        deferred: list[str] = []
        for delivery in deliveries:
            try:
                outcome, error = await self._deliver(delivery, notice)
                counts[outcome] += 1
                if outcome == "failed":
                    await self._report_failure(notice, delivery, error, directory, facts)
            except _Transient as err:
                deferred.append(f"{delivery.channel} {delivery.recipient}: {err}")
        if deferred:
            raise ApplicationError(
                f"{len(deferred)} of {len(deliveries)} deliveries will be retried: "
                + "; ".join(deferred),
                type="NoticeDeliveryDeferred",
                non_retryable=False,
            )
        result = NoticeResult(
            sent=counts["sent"], skipped=counts["skipped"], failed=counts["failed"]
        )
        log.info("notice_done", kind=notice.kind, **result.model_dump())
        return result

    # --- one delivery, once ------------------------------------------------------------

    async def _deliver(self, delivery: _Delivery, notice: NoticeRequest) -> tuple[Outcome, str]:
        """Claim, send, record. Returns the outcome and, when failed, why; raises _Transient."""
        entry = await self._claim(delivery, notice.assignment_id)
        where = {"channel": delivery.channel, "recipient": delivery.recipient}
        if entry.state == "sent":
            log.info("notice_already_sent", outbox_key=delivery.key, **where)
            return "skipped", ""
        if entry.state == "failed":  # failed for good on an earlier attempt
            return "failed", entry.last_error or ""
        error: str | None = None
        try:
            await delivery.send()
        except _Transient as err:
            if not _last_attempt():
                await self._store.outbox_mark_failed(delivery.key, str(err), permanent=False)
                log.warning("notice_deferred", outbox_key=delivery.key, error=str(err), **where)
                raise
            error = f"{err} (gave up at attempt {activity.info().attempt})"
        except _Permanent as err:
            error = str(err)
        if error is not None:
            await self._store.outbox_mark_failed(delivery.key, error, permanent=True)
            log.error("notice_failed", outbox_key=delivery.key, error=error, **where)
            await self._audit("notice_failed", delivery, notice, error=error)
            return "failed", error
        await self._mark_sent(delivery.key)
        log.info("notice_sent", outbox_key=delivery.key, **where)
        await self._audit("notice_sent", delivery, notice)
        return "sent", ""

    async def _mark_sent(self, key: str) -> None:
        """Record a delivery that has happened, holding on through a store outage.

        Failing here would make Temporal retry the whole activity and send the message again,
        so the mark itself is retried for as long as the activity may run (heartbeating),
        and only then given up to the retry policy."""
        delay = 0.2
        while True:
            try:
                await self._store.outbox_mark_sent(key)
                return
            except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                    asyncpg.OperatorInterventionError) as err:
                left = _time_left()
                if left is not None and left < delay + MARK_SENT_MARGIN_S:
                    raise
                log.warning("notice_mark_sent_retry", outbox_key=key, error=str(err))
                activity.heartbeat(key)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _claim(self, delivery: _Delivery, assignment_id: str) -> OutboxEntry:
        async def claim(assignment: str | None) -> OutboxEntry:
            return await self._store.outbox_claim(
                delivery.key, kind=delivery.kind, channel=delivery.channel,
                recipient=delivery.recipient, subject=delivery.subject, body=delivery.body,
                assignment_id=assignment,
            )

        try:
            return await claim(assignment_id)
        except NotFound:
            # The assignment notice goes out before the workflow's first event records the
            # assignment row; the key, not the reference, is what makes the send once-only.
            return await claim(None)

    async def _audit(
        self, action: str, delivery: _Delivery, notice: NoticeRequest, *, error: str | None = None
    ) -> None:
        await self._store.append_audit(
            actor="system", action=action, subject=notice.assignment_id, source="worker",
            detail={
                "notice_key": notice.idempotency_key, "outbox_key": delivery.key,
                "kind": delivery.kind, "channel": delivery.channel,
                "recipient": delivery.recipient, "error": error,
            },
        )

    async def _report_failure(
        self,
        notice: NoticeRequest,
        failed: _Delivery,
        error: str,
        directory: dict[str, AgencyContacts],
        facts: dict[str, object],
    ) -> None:
        """Tell the coordinator's focal official, by email, that a delivery failed for good."""
        coordinator = directory.get(notice.coordinator)
        focal = None if coordinator is None else coordinator.focal
        unreported = {
            "outbox_key": failed.key, "channel": failed.channel,
            "recipient": failed.recipient, "error": error,
        }
        if coordinator is None or focal is None:
            log.critical("notice_failure_unreported", reason="coordinator has no focal contact",
                         **unreported)
            return
        if failed.channel == "email" and failed.recipient.lower() == focal.email.lower():
            log.critical("notice_failure_unreported",
                         reason="the failed address is the coordinator's own", **unreported)
            return
        report = self._email(
            notice,
            _Addressee(role="coordinator", contact="focal", agency=coordinator, person=focal),
            {**facts, "failed_subject": failed.subject, "failed_recipient": failed.recipient,
             "failed_channel": CHANNEL_VI[failed.channel], "failed_error": error},
            template="failure_report", key=outbox_key(failed.key, "failure-report"),
        )
        outcome, report_error = await self._deliver(report, notice)
        if outcome == "failed":
            log.critical("notice_failure_unreported", reason=report_error, **unreported)

    # --- building deliveries -----------------------------------------------------------

    def _facts(self, notice: NoticeRequest) -> dict[str, object]:
        """What every template may say about the notice."""
        return {
            "kind": notice.kind, "plan_id": notice.plan_id, "plan_title": notice.plan_title,
            "clause": notice.duty.clause, "heading": notice.duty.heading,
            "duty_text": shorten(notice.duty.text), "agency": notice.agency,
            "agency_name": notice.agency_name, "deadline": last_day_vi(notice.deadline),
            "link": f"{self._public_base_url}/assignments/{quote(notice.assignment_id, safe='/')}",
            "days_before": notice.days_before, "escalation_level": notice.escalation_level,
            "reason": notice.reason, "actor": notice.actor, "status": notice.status,
        }

    def _email(
        self,
        notice: NoticeRequest,
        to: _Addressee,
        facts: dict[str, object],
        *,
        template: str | None = None,
        key: str | None = None,
    ) -> _Delivery:
        person = to.person
        greeting = to.agency.name
        if person is not None:
            greeting = f"{person.name} – {person.title}, {greeting}"
        rendered = render(
            template or notice.kind,
            {**facts, "greeting": greeting, "to_agency": to.role in AGENCY_ROLES,
             "action_links": self._action_links(notice, person, template)},
        )
        missing = f"(chưa có địa chỉ thư: {CONTACT_VI[to.contact]} {to.agency.code})"
        recipient = to.address or missing
        key = key or outbox_key(notice.idempotency_key, "email", recipient)

        async def send() -> None:
            if person is None:
                raise _Permanent(f"the directory has no {to.contact} contact for {to.agency.code}")
            if not _ADDRESS.match(person.email):
                raise _Permanent(f"invalid address {person.email!r}")
            await self._smtp_send(self._message(key, notice, person, rendered))

        return _Delivery(
            key=key, kind=template or notice.kind, channel="email", recipient=recipient,
            # The stored copy keeps no working link: whoever reads the table must not act.
            subject=rendered.subject, body=redact(rendered.text), send=send,
        )

    def _action_links(
        self, notice: NoticeRequest, person: Person | None, template: str | None
    ) -> dict[str, str]:
        """Signed approve/return links for the person an approval request is addressed to,
        so they can act from the e-mail (web.links); none for any other notice."""
        if (self._action_link_secret is None or person is None or template is not None
                or notice.kind != "approval_requested" or notice.version is None):
            return {}
        return action_links(
            secret=self._action_link_secret, public_base_url=self._public_base_url,
            notice_key=notice.idempotency_key, email=person.email,
            assignment_id=notice.assignment_id, version=notice.version,
        )

    def _message(
        self, key: str, notice: NoticeRequest, person: Person, rendered: Rendered
    ) -> MIMEMultipart:
        """multipart/alternative, UTF-8, base64 bodies.

        Built with the compat32 classes on purpose: Python 3.11's modern header folder drops
        the space between two encoded-words ("Kế hoạch số" arrives as "Kế hoạchsố"), while
        `Header` keeps every space inside the encoded text.
        """
        message = MIMEMultipart("alternative")
        message["From"] = formataddr((SENDER_NAME, self._mail.sender), charset="utf-8")
        message["To"] = formataddr((person.name, person.email), charset="utf-8")
        # compat32 takes a Header here; typeshed's Message admits only str.
        message["Subject"] = Header(rendered.subject, "utf-8")  # type: ignore[assignment]
        message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        message["Message-ID"] = message_id(key, self._mail.sender)
        message["X-Kehoach-Notice-Key"] = notice.idempotency_key
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
        message.attach(MIMEText(rendered.text, "plain", "utf-8"))
        message.attach(MIMEText(rendered.html, "html", "utf-8"))
        return message

    async def _smtp_send(self, message: MIMEMultipart) -> None:
        """Hand the message to the SMTP server; returns as soon as the server has accepted it.

        The QUIT that ends the session runs after this returns, so the outbox records the
        send without waiting for it: a worker killed in that round trip would otherwise send
        the message again on retry."""
        mail = self._mail
        client = aiosmtplib.SMTP(
            hostname=mail.host, port=mail.port, start_tls=mail.starttls, timeout=mail.timeout,
            local_hostname=mail.helo_name,
        )
        try:
            await client.connect()
            if mail.username is not None and mail.password is not None:
                await client.login(mail.username, mail.password.get_secret_value())
            await client.send_message(message, sender=mail.sender)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            client.close()
            raise _smtp_failure(err) from err
        quit_task = asyncio.create_task(_quit(client))
        self._closing.add(quit_task)
        quit_task.add_done_callback(self._closing.discard)

    def _webhooks(
        self, notice: NoticeRequest, directory: dict[str, AgencyContacts],
        facts: dict[str, object],
    ) -> list[_Delivery]:
        """The agency's webhook, for notices meant for the agency itself."""
        agency = directory.get(notice.agency)
        if agency is None or agency.webhook_url is None:
            return []
        if not AGENCY_ROLES.intersection(notice.recipients):
            return []
        url = agency.webhook_url
        rendered = render(notice.kind, {**facts, "greeting": agency.name, "to_agency": True})
        body = json.dumps(
            {**notice.model_dump(mode="json"), "subject": rendered.subject,
             "text": rendered.text, "link": facts["link"]},
            ensure_ascii=False, sort_keys=True, separators=(",", ":"),
        )
        raw = body.encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Kehoach-Signature": "sha256="
            + hmac.new(self._webhook_secret, raw, hashlib.sha256).hexdigest(),
            "X-Kehoach-Idempotency-Key": notice.idempotency_key,
        }

        async def send() -> None:
            try:
                response = await self._http.post(url, content=raw, headers=headers)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as err:
                raise _Permanent(f"{type(err).__name__}: {err}") from err
            except httpx.TransportError as err:
                raise _Transient(f"{type(err).__name__}: {err}") from err
            if not response.is_success:
                raise _http_failure(response.status_code, response.reason_phrase)

        return [_Delivery(
            key=outbox_key(notice.idempotency_key, "webhook", url), kind=notice.kind,
            channel="webhook", recipient=url, subject=rendered.subject, body=body, send=send,
        )]


def resolve(notice: NoticeRequest, directory: dict[str, AgencyContacts]) -> list[_Addressee]:
    """Who the notice's roles mean, one entry per distinct address, in the order named.

    A role whose agency or contact the directory lacks stays in the list without a person,
    so it is recorded and reported as a failed delivery instead of vanishing.
    """
    found: list[_Addressee] = []
    seen: set[str] = set()
    for role in notice.recipients:
        for agency_field, contact in RECIPIENT_CONTACTS[role]:
            code: str = getattr(notice, agency_field)
            agency = directory.get(code) or AgencyContacts(code=code, name=code)
            person = agency.focal if contact == "focal" else agency.leader
            marker = person.email.lower() if person else f"{code}/{contact}"
            if marker not in seen:
                seen.add(marker)
                found.append(
                    _Addressee(role=role, contact=contact, agency=agency, person=person)
                )
    return found
