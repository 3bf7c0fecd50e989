"""Send one morning's digests: one mail per person listing what they should look at across
every plan, built from the store's state at send time.

Exactly once per person per day: each digest is claimed in the notice outbox under
`digest/{day}/{address}` before it is sent and marked 'sent' after, like every notice
(activities.notices), so a retried activity or a second worker finds 'sent' and skips it.
Who gets what is `domain.digest`'s rule: a person who chose the digest (or has the default
of their role) gets everything due soon, overdue, waiting for them and returned; a person who
chose immediate delivery gets a digest only when something of theirs was held for it (quiet
hours, a catch-up, a repeat past the top of the ladder), listing only that, so nothing they
already received comes twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.links import redact
from adapters.mail import MailConfig, MailPermanent, MailTransient, SmtpSender, build_message
from adapters.store import Store
from domain.digest import items_for, reader_delivery, render_digest
from domain.notices import Rendered
from schemas.calendar import WorkingCalendar
from schemas.digest import CalendarRequest, DigestRow, DigestRun, DigestRunResult, Reader

log = structlog.get_logger(__name__)


def digest_key(day: dt.date, email: str) -> str:
    """The outbox key that makes a person's digest of `day` once-only."""
    return f"digest/{day.isoformat()}/{email.lower()}"


def assignment_of(key: str, assignment_ids: set[str]) -> str | None:
    """The assignment a held delivery's key is about (keys start with its id and '/')."""
    head = key
    while "/" in head:
        head = head.rsplit("/", 1)[0]
        if head in assignment_ids:
            return head
    return None


class DigestActivities:
    """Morning digests by email, with the store and SMTP settings given."""

    def __init__(
        self, *, store: Store, mail: MailConfig, public_base_url: str, due_soon: dt.timedelta
    ) -> None:
        self._store = store
        self._smtp = SmtpSender(mail)
        self._base = public_base_url.rstrip("/")
        self._due_soon = due_soon

    @activity.defn
    async def digest_calendar(self, request: CalendarRequest) -> WorkingCalendar:
        """Vietnam's working days for the years asked (the holidays package), with the days
        the government announced since (the store's announcements)."""
        calendar = WorkingCalendar.for_years(*request.years)
        return calendar.with_announced(await self._store.announced_days())

    @activity.defn
    async def send_digests(self, run: DigestRun) -> DigestRunResult:
        """Every reader's digest of `run.day`; raises (to be retried) only for transient
        failures, after sending the others."""
        with structlog.contextvars.bound_contextvars(digest_day=run.day.isoformat()):
            rows = await self._store.digest_rows()
            readers = await self._store.digest_readers()
            chosen = await self._store.delivery_preferences(r.email for r in readers)
            counts: Counter[str] = Counter()
            deferred: list[str] = []
            for reader in readers:
                delivery = chosen.get(reader.email.lower(), reader_delivery(reader, rows))
                try:
                    counts[
                        await self._one(reader, rows, run, only_held=delivery == "immediate")
                    ] += 1
                    counts["readers"] += 1
                except MailTransient as err:
                    deferred.append(f"{reader.email}: {err}")
                activity.heartbeat(reader.email)
            if deferred:
                raise ApplicationError(
                    f"{len(deferred)} digests will be retried: " + "; ".join(deferred[:5]),
                    type="DigestDeliveryDeferred",
                )
            result = DigestRunResult(**counts)
            log.info("digests_done", **result.model_dump())
            return result

    async def _one(
        self, reader: Reader, rows: list[DigestRow], run: DigestRun, *, only_held: bool
    ) -> str:
        """Send `reader`'s digest once; the outcome's name for the counts."""
        key = digest_key(run.day, reader.email)
        only: frozenset[str] | None = None
        if only_held:
            since = await self._store.last_digest_at(reader.email, excluding=key)
            ids = {r.assignment_id for r in rows}
            held = await self._store.held_since(reader.email, since)
            only = frozenset(a for k in held if (a := assignment_of(k, ids)) is not None)
            if not only:
                return "empty"
        items = items_for(reader, rows, at=run.at, due_soon=self._due_soon, only=only)
        if not items:
            return "empty"
        rendered = render_digest(reader, items, day=run.day, link_base=self._base)
        async with self._store.outbox_lease(key) as leased:
            if not leased:  # another worker is sending it right now
                log.info("digest_sent_elsewhere", outbox_key=key)
                return "skipped"
            return await self._send(reader, key, rendered, len(items))

    async def _send(self, reader: Reader, key: str, rendered: Rendered, items: int) -> str:
        """Claim, send and mark the digest, under the key's lease."""
        entry = await self._store.outbox_claim(
            key,
            kind="digest",
            channel="email",
            recipient=reader.email,
            subject=rendered.subject,
            body=redact(rendered.text),
        )
        if entry.state != "pending":
            log.info("digest_already_done", outbox_key=key, state=entry.state)
            return "skipped"
        message = build_message(
            sender=self._smtp.config.sender,
            to_name=reader.name,
            to_address=reader.email,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            key=key,
            headers={"X-Kehoach-Notice-Key": key},
        )
        try:
            await self._smtp.send(message)
        except MailPermanent as err:
            await self._store.outbox_mark_failed(key, str(err), permanent=True)
            log.error("digest_failed", outbox_key=key, error=str(err))
            return "failed"
        except MailTransient as err:
            await self._store.outbox_mark_failed(key, str(err), permanent=False)
            raise
        await self._store.outbox_mark_sent(key)
        log.info("digest_sent", outbox_key=key, items=items)
        return "sent"
