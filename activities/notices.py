"""Send one notice about one assignment: an email to each person it names and, when the
agency has one, a signed webhook to its chat gateway.

Exactly once, as far as a mail server allows. Each delivery (one address, one webhook) is
claimed in the store's outbox under `{notice key}/{channel}/{recipient}` before it is
attempted and marked 'sent' after; a retried activity finds 'sent' and skips it. The gap: if
the worker dies after the SMTP server (or the webhook) accepted the message but before the
outbox says 'sent', the retry sends it again. The copy carries the same Message-ID (derived
from the outbox key) and the webhook the same X-Kehoach-Idempotency-Key, so a receiver can
recognise it. Two attempts never send at once: an attempt does not start a delivery unless
enough of its start-to-close remains for the channel's own timeout and the outbox mark, so a
timed-out attempt has stopped sending before Temporal starts the next. It heartbeats after
each delivery, so a worker that hangs is noticed within the heartbeat timeout.

Failures. Transient ones (connection, timeout, SMTP 4xx, HTTP 5xx/408/429) are counted in the
outbox and raised, so Temporal's retry policy tries again; deliveries already sent are
skipped then. The workflow bounds the retries by time (hours); when they run out, it records
the notice as `notice_failed` in the audit. Under an older retry policy with a count of
attempts, a transient failure on the last attempt is final and handled as a permanent one.
Permanent ones (SMTP 5xx, HTTP 4xx, no usable address) are recorded as failed, reported by
email to the coordinator's focal official, and counted in the result, never raised: a
notice that cannot be delivered must not fail the assignment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Literal
from urllib.parse import quote

import asyncpg
import httpx
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters import webhook
from adapters.links import action_links, redact
from adapters.mail import (
    ADDRESS,
    MailConfig,
    MailPermanent,
    MailTransient,
    SmtpSender,
    build_message,
)
from adapters.store import Store
from domain.addressing import AGENCY_ROLES, Addressee, resolve
from domain.digest import Routing, default_delivery, escalation_step_vi, hold_reason
from domain.notices import (
    Rendered,
    contact_line,
    deadline_day,
    failure_vi,
    greeting,
    plan_citation,
    render,
    shorten,
    who,
)
from domain.vocabulary import period_vi
from schemas.assignment import NoticeRef, NoticeRequest, NoticeResult, NoticeSubject
from schemas.calendar import VN_TZ, WorkingCalendar
from schemas.errors import NotFound
from schemas.plan import NormalizedPlan
from schemas.store import AgencyContacts, Channel, OutboxEntry, Person

log = structlog.get_logger(__name__)

MAX_KEY_CHARS = 512  # notice_outbox.idempotency_key's CHECK
CHANNEL_VI: dict[str, str] = {"email": "thư điện tử", "webhook": "webhook"}
REPORT_KINDS = frozenset({"report_issued", "report_sign_off"})
CONTACT_VI: dict[str, str] = {"focal": "công chức đầu mối", "leader": "lãnh đạo"}


@functools.cache
def _calendar(year: int) -> WorkingCalendar:
    return WorkingCalendar.for_years(year - 1, year + 1)


def calendar_around(at: dt.datetime) -> WorkingCalendar:
    """Vietnam's working days around `at` (built once per year per process)."""
    return _calendar(at.astimezone(VN_TZ).year)


# --- Deliveries ----------------------------------------------------------------------


class _Transient(Exception):
    """A delivery failed in a way a later attempt may not."""


class _Permanent(Exception):
    """A delivery failed in a way no retry can fix."""


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
    recipient_vi: str = ""  # who it was for, as the failure report names them (no address)


Outcome = Literal["sent", "skipped", "failed"]


def outbox_key(*parts: str) -> str:
    """Join key parts; a key longer than the outbox allows keeps its start and a digest."""
    key = "/".join(parts)
    if len(key) <= MAX_KEY_CHARS:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{key[: MAX_KEY_CHARS - len(digest) - 1]}#{digest}"


MARK_SENT_MARGIN_S = 2.0


def _time_left() -> float | None:
    """Seconds until this activity attempt's start-to-close timeout, if it has one."""
    info = activity.info()
    if info.start_to_close_timeout is None:
        return None
    spent = dt.datetime.now(dt.UTC) - info.started_time
    return (info.start_to_close_timeout - spent).total_seconds()


def _count(metric: str, channel: str) -> None:
    """One more on a counter of the worker's Prometheus metrics (docs/OPERATIONS.md)."""
    activity.metric_meter().create_counter(metric).add(1, {"channel": channel})


def _long_enough(reserve_s: float) -> bool:
    """Whether a whole attempt is longer than `reserve_s` (one that is not could never send
    if it waited for that much time to be left)."""
    timeout = activity.info().start_to_close_timeout
    return timeout is not None and timeout.total_seconds() > reserve_s


def by_reference(ref: NoticeRef, subject: NoticeSubject) -> NoticeRequest:
    """The whole notice: the workflow's reference completed with what the store holds."""
    return NoticeRequest(
        idempotency_key=ref.idempotency_key,
        **ref.model_dump(exclude={"key"}),
        **subject.model_dump(),
    )


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
        routing: Routing | None = None,
    ) -> None:
        self._store = store
        self._routing = routing  # None: every notice goes out at once (no digest)
        self._smtp = SmtpSender(mail)
        self._http = http
        self._webhook_secret = webhook_secret.encode()
        self._public_base_url = public_base_url.rstrip("/")
        self._action_link_secret = action_link_secret  # None: no action links in notices
        # The longest a delivery may take (SMTP's own timeout; webhooks time out sooner),
        # plus the outbox mark after it.
        self._send_reserve_s = mail.timeout + MARK_SENT_MARGIN_S + 3.0
        # What notices quote from a plan (its date, the coordinator's phone), by plan id:
        # loading and validating a whole plan for every notice of a year would cost more
        # than the mail. A plan's number and date never change under it.
        self._plan_words: dict[str, tuple[dt.date | None, str | None]] = {}

    @activity.defn
    async def send_notice(self, notice: NoticeRequest) -> NoticeResult:
        """Deliver the notice once to each person it names (and the agency's webhook).

        Raises only for transient failures, after recording them; see the module docstring.
        """
        with structlog.contextvars.bound_contextvars(
            workflow_id=activity.info().workflow_id,
            assignment_id=notice.assignment_id,
            agency=notice.agency,
            notice_key=notice.idempotency_key,
        ):
            return await self._send(notice)

    @activity.defn
    async def send_notice_by_reference(self, ref: NoticeRef) -> NoticeResult:
        """The same notice, named by reference: the plan, the duty, the agencies and the
        deadline are read from the store when it is sent (each attempt reads them afresh).

        An assignment the store does not have is a notice nobody can word: it fails for good,
        and the workflow records it as `notice_failed`."""
        with structlog.contextvars.bound_contextvars(
            workflow_id=activity.info().workflow_id,
            assignment_id=ref.assignment_id,
            notice_key=ref.idempotency_key,
        ):
            try:
                subject = await self._store.notice_subject(ref.assignment_id)
            except NotFound as err:
                log.error("notice_subject_missing", error=err.message)
                raise ApplicationError(
                    err.message, type="NoticeSubjectMissing", non_retryable=True
                ) from err
            with structlog.contextvars.bound_contextvars(agency=subject.agency):
                return await self._send(by_reference(ref, subject))

    async def _send(self, notice: NoticeRequest) -> NoticeResult:
        directory = await self._store.agencies_with_contacts(
            notice.plan_id, {notice.agency, notice.coordinator, notice.office, notice.issuer}
        )
        facts = {**self._facts(notice), **(await self._plan_facts(notice, directory))}
        attachment = await self._report_file(notice)
        addressees = resolve(notice, directory)
        counts: Counter[Outcome] = Counter()
        if self._routing is not None:
            addressees = await self._hold_for_digest(notice, addressees, facts, counts)
        deliveries = [
            self._email(notice, who, facts, attachment=attachment) for who in addressees
        ] + self._webhooks(notice, directory, facts)
        deferred: list[str] = []
        for delivery in deliveries:
            try:
                outcome, error = await self._deliver(delivery, notice)
                counts[outcome] += 1
                if outcome == "failed":
                    await self._report_failure(notice, delivery, error, directory, facts)
            except _Transient as err:
                deferred.append(f"{delivery.channel} {delivery.recipient}: {err}")
            activity.heartbeat(delivery.key)  # alive: the next delivery may take a while
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

    async def _hold_for_digest(
        self,
        notice: NoticeRequest,
        addressees: list[Addressee],
        facts: dict[str, object],
        counts: Counter[Outcome],
    ) -> list[Addressee]:
        """Keep for the morning digest what `domain.digest.hold_reason` says can wait; the
        addressees to send to now."""
        assert self._routing is not None
        at = notice.at or activity.info().current_attempt_scheduled_time
        chosen = await self._store.delivery_preferences(
            a.address for a in addressees if a.address is not None
        )
        calendar = calendar_around(at).with_announced(await self._store.announced_days())
        now: list[Addressee] = []
        for person in addressees:
            if person.address is None:
                now.append(person)
                continue
            reason = hold_reason(
                kind=notice.kind,
                delivery=chosen.get(person.address.lower(), default_delivery(person.role)),
                at=at,
                calendar=calendar,
                hours=self._routing.hours,
                deadline=notice.deadline,
                planned_at=notice.planned_at,
                escalation_level=notice.escalation_level,
                ladder_levels=notice.ladder_levels,
                catch_up_after=self._routing.catch_up_after,
            )
            if reason is None:
                now.append(person)
                continue
            delivery = self._email(notice, person, facts)
            held = await self._store.outbox_hold(
                delivery.key,
                kind=delivery.kind,
                recipient=delivery.recipient,
                subject=delivery.subject,
                body=delivery.body,
                reason=reason,
            )
            counts["skipped"] += 1
            log.info("notice_held_for_digest", outbox_key=delivery.key, reason=reason, new=held)
        return now

    # --- one delivery, once ------------------------------------------------------------

    async def _deliver(self, delivery: _Delivery, notice: NoticeRequest) -> tuple[Outcome, str]:
        """Claim, send, record. Returns the outcome and, when failed, why; raises _Transient."""
        entry = await self._claim(delivery, notice.assignment_id)
        where = {"channel": delivery.channel, "recipient": delivery.recipient}
        if entry.state == "sent":
            log.info("notice_already_sent", outbox_key=delivery.key, **where)
            return "skipped", ""
        if entry.state == "held":  # kept for the digest by an earlier attempt
            return "skipped", ""
        if entry.state == "failed":  # failed for good on an earlier attempt
            return "failed", entry.last_error or ""
        left = _time_left()
        if left is not None and left < self._send_reserve_s and _long_enough(self._send_reserve_s):
            # Not enough of this attempt is left for a send to finish inside it: leave it to
            # the next attempt, so two attempts never send at once (the timed-out one would
            # still be sending when its successor starts).
            log.info(
                "notice_send_left_to_next_attempt",
                outbox_key=delivery.key,
                seconds_left=round(left, 1),
                **where,
            )
            raise _Transient(f"{left:.0f} s left in this attempt; sent by the next")
        error: str | None = None
        try:
            await delivery.send()
        except _Transient as err:
            if not _last_attempt():
                _count("kehoach_notice_deliveries_deferred", delivery.channel)
                await self._store.outbox_mark_failed(delivery.key, str(err), permanent=False)
                log.warning("notice_deferred", outbox_key=delivery.key, error=str(err), **where)
                raise
            error = f"{err} (gave up at attempt {activity.info().attempt})"
        except _Permanent as err:
            error = str(err)
        if error is not None:
            _count("kehoach_notice_deliveries_failed", delivery.channel)
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
            except (
                OSError,
                asyncpg.PostgresConnectionError,
                asyncpg.InterfaceError,
                asyncpg.OperatorInterventionError,
            ) as err:
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
                delivery.key,
                kind=delivery.kind,
                channel=delivery.channel,
                recipient=delivery.recipient,
                subject=delivery.subject,
                body=delivery.body,
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
            actor="system",
            action=action,
            subject=notice.assignment_id,
            source="worker",
            detail={
                "notice_key": notice.idempotency_key,
                "outbox_key": delivery.key,
                "kind": delivery.kind,
                "channel": delivery.channel,
                "recipient": delivery.recipient,
                "error": error,
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
            "outbox_key": failed.key,
            "channel": failed.channel,
            "recipient": failed.recipient,
            "error": error,
        }
        if coordinator is None or focal is None:
            log.critical(
                "notice_failure_unreported", reason="coordinator has no focal contact", **unreported
            )
            return
        if failed.channel == "email" and failed.recipient.lower() == focal.email.lower():
            log.critical(
                "notice_failure_unreported",
                reason="the failed address is the coordinator's own",
                **unreported,
            )
            return
        report = self._email(
            notice,
            Addressee(role="coordinator", contact="focal", agency=coordinator, person=focal),
            {
                **facts,
                "failed_subject": failed.subject,
                "failed_recipient": failed.recipient_vi,
                "failed_channel": CHANNEL_VI[failed.channel],
                "failed_error": failure_vi(error),
            },
            template="failure_report",
            key=outbox_key(failed.key, "failure-report"),
        )
        outcome, report_error = await self._deliver(report, notice)
        if outcome == "failed":
            log.critical("notice_failure_unreported", reason=report_error, **unreported)

    # --- building deliveries -----------------------------------------------------------

    async def _report_file(self, notice: NoticeRequest) -> tuple[str, bytes] | None:
        """The consolidated report itself (.docx), for the notices that carry it: the draft
        to its signer, the issued report to its recipients."""
        if notice.kind not in REPORT_KINDS:
            return None
        try:
            document = await self._store.get_document(notice.assignment_id)
        except NotFound:
            log.warning("report_document_missing", document=notice.assignment_id)
            return None
        stem = "-".join(notice.assignment_id.split("/")[::2])  # plan and period, no version
        return (f"Bao-cao-ket-qua-{stem}.docx", document.docx)

    async def _plan_words_of(self, notice: NoticeRequest) -> tuple[dt.date | None, str | None]:
        """The plan's issue date and the coordinator's focal phone, looked up once a plan."""
        if notice.plan_id not in self._plan_words:
            try:
                plan: NormalizedPlan = await self._store.get_plan(notice.plan_id)
            except NotFound:
                return None, None  # not stored (yet): say less, and look again next time
            try:
                phone = plan.agency(notice.coordinator).focal.phone
            except KeyError:
                phone = None
            self._plan_words[notice.plan_id] = (plan.plan.issued_on, phone)
        return self._plan_words[notice.plan_id]

    async def _plan_facts(
        self, notice: NoticeRequest, directory: dict[str, AgencyContacts]
    ) -> dict[str, object]:
        """What the plan and the directory say that the notice does not: the plan's date and
        issuer, who coordinates and how to reach them, the actor's name."""
        issued_on, phone = await self._plan_words_of(notice)
        issuer = directory.get(notice.issuer)
        coordinator = directory.get(notice.coordinator)
        people = [
            (agency.name, person)
            for agency in directory.values()
            for person in (agency.leader, agency.focal)
            if person is not None
        ]
        return {
            "plan_citation": plan_citation(
                number=notice.plan_id,
                issued_on=issued_on,
                issuer_name=issuer.name if issuer else None,
            ),
            "coordinator_name": coordinator.name if coordinator else None,
            "coordinator_contact": contact_line(coordinator.focal if coordinator else None, phone),
            "actor": who(notice.actor, people),
        }

    def _facts(self, notice: NoticeRequest) -> dict[str, object]:
        """What every template may say about the notice."""
        return {
            "kind": notice.kind,
            "plan_id": notice.plan_id,
            "plan_title": notice.plan_title,
            "clause": notice.duty.clause,
            "heading": notice.duty.heading,
            "duty_text": shorten(notice.duty.text),
            "agency": notice.agency,
            "agency_name": notice.agency_name,
            "deadline": deadline_day(notice.deadline),
            "link": f"{self._public_base_url}/assignments/{quote(notice.assignment_id, safe='/')}",
            "days_before": notice.days_before if notice.days_left is None else notice.days_left,
            "escalation_level": notice.escalation_level,
            "escalation_step": escalation_step_vi(notice.escalation_level, notice.ladder_levels),
            "reason": notice.reason,
            "actor": notice.actor,
            "status": notice.status,
            "period_words": period_vi(notice.period) if notice.period else None,
        }

    def _email(
        self,
        notice: NoticeRequest,
        to: Addressee,
        facts: dict[str, object],
        *,
        template: str | None = None,
        key: str | None = None,
        attachment: tuple[str, bytes] | None = None,
    ) -> _Delivery:
        person = to.person
        rendered = render(
            template or notice.kind,
            {
                **facts,
                "greeting": greeting(to.agency.name, person),
                "to_agency": to.role in AGENCY_ROLES,
                "to_leader": to.contact == "leader",
                "action_links": self._action_links(notice, person, template),
            },
        )
        missing = f"(chưa có địa chỉ thư: {CONTACT_VI[to.contact]} {to.agency.code})"
        recipient = to.address or missing
        key = key or outbox_key(notice.idempotency_key, "email", recipient)

        async def send() -> None:
            if person is None:
                raise _Permanent(f"the directory has no {to.contact} contact for {to.agency.code}")
            if not ADDRESS.match(person.email):
                raise _Permanent(f"invalid address {person.email!r}")
            await self._smtp_send(self._message(key, notice, person, rendered, attachment))

        return _Delivery(
            key=key,
            kind=template or notice.kind,
            channel="email",
            recipient=recipient,
            recipient_vi=greeting(to.agency.name, person)
            if person is not None and not person.placeholder
            else f"{CONTACT_VI[to.contact]} {to.agency.name}",
            # The stored copy keeps no working link: whoever reads the table must not act.
            subject=rendered.subject,
            body=redact(rendered.text),
            send=send,
        )

    def _action_links(
        self, notice: NoticeRequest, person: Person | None, template: str | None
    ) -> dict[str, str]:
        """Signed approve/return links for the person an approval request is addressed to,
        so they can act from the e-mail (adapters.links); none for any other notice."""
        if (
            self._action_link_secret is None
            or person is None
            or template is not None
            or notice.kind != "approval_requested"
            or notice.version is None
        ):
            return {}
        return action_links(
            secret=self._action_link_secret,
            public_base_url=self._public_base_url,
            notice_key=notice.idempotency_key,
            email=person.email,
            assignment_id=notice.assignment_id,
            version=notice.version,
        )

    def _message(
        self,
        key: str,
        notice: NoticeRequest,
        person: Person,
        rendered: Rendered,
        attachment: tuple[str, bytes] | None = None,
    ) -> MIMEMultipart | MIMEText:
        """multipart/alternative, UTF-8, with a Message-ID only the outbox key decides."""
        return build_message(
            sender=self._smtp.config.sender,
            to_name=person.name,
            to_address=person.email,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            key=key,
            headers={"X-Kehoach-Notice-Key": notice.idempotency_key},
            attachments=[attachment] if attachment else None,
        )

    async def _smtp_send(self, message: MIMEMultipart | MIMEText) -> None:
        try:
            await self._smtp.send(message)
        except MailPermanent as err:
            raise _Permanent(str(err)) from err
        except MailTransient as err:
            raise _Transient(str(err)) from err

    def _webhooks(
        self,
        notice: NoticeRequest,
        directory: dict[str, AgencyContacts],
        facts: dict[str, object],
    ) -> list[_Delivery]:
        """The agency's webhook, for notices meant for the agency itself."""
        agency = directory.get(notice.agency)
        if agency is None or agency.webhook_url is None:
            return []
        if not AGENCY_ROLES.intersection(notice.recipients):
            return []
        url = agency.webhook_url
        rendered = render(
            notice.kind, {**facts, "greeting": agency.name, "to_agency": True, "to_leader": False}
        )
        body = json.dumps(
            {
                **notice.model_dump(mode="json"),
                "subject": rendered.subject,
                "text": rendered.text,
                "link": facts["link"],
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        raw = body.encode()

        async def send() -> None:
            try:
                await webhook.post(
                    self._http,
                    url,
                    raw,
                    secret=self._webhook_secret,
                    idempotency_key=notice.idempotency_key,
                )
            except webhook.WebhookPermanent as err:
                raise _Permanent(str(err)) from err
            except webhook.WebhookTransient as err:
                raise _Transient(str(err)) from err

        return [
            _Delivery(
                key=outbox_key(notice.idempotency_key, "webhook", url),
                kind=notice.kind,
                channel="webhook",
                recipient=url,
                recipient_vi=agency.name,
                subject=rendered.subject,
                body=body,
                send=send,
            )
        ]
