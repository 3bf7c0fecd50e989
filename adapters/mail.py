"""Sending e-mail over SMTP: one configuration, one message builder, one sender.

Every mail kehoach sends (notices from the worker, sign-in links from the portal) goes
through `SmtpSender`, so both read the same settings, EHLO name included. A failure is
sorted once: `MailTransient` (a later attempt may succeed) or `MailPermanent` (5xx replies,
unsupported features, a malformed address).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import socket
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

import aiosmtplib
from pydantic import Field, SecretStr

from adapters.settings import Settings
from schemas.base import Model

SENDER_NAME = "Hệ thống theo dõi thực hiện kế hoạch"
ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # the contacts table's own check


class MailTransient(Exception):
    """Sending failed in a way a later attempt may not."""


class MailPermanent(Exception):
    """Sending failed in a way no retry can fix."""


class MailConfig(Model):
    """How to reach the SMTP server; built once per process from the settings."""

    host: str
    port: int = Field(ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    sender: str = Field(pattern=ADDRESS.pattern)
    timeout: float = Field(default=30.0, gt=0)
    helo_name: str = Field(default_factory=socket.getfqdn, min_length=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> MailConfig:
        """The mail part of the process settings (the EHLO name is looked up once, here)."""
        helo = {"helo_name": settings.smtp_helo_name} if settings.smtp_helo_name else {}
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            sender=settings.mail_from,
            **helo,
        )


def message_id(key: str, sender: str) -> str:
    """A Message-ID that only `key` decides, so a resent copy is recognisable."""
    domain = sender.rpartition("@")[2] or "kehoach.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}.kehoach@{domain}>"


def build_message(
    *,
    sender: str,
    to_name: str,
    to_address: str,
    subject: str,
    text: str,
    html: str | None = None,
    key: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes]] | None = None,
) -> MIMEMultipart | MIMEText:
    """A UTF-8 message from kehoach: plain text, or multipart/alternative with `html`.

    Built with the compat32 classes on purpose: Python 3.11's modern header folder drops
    the space between two encoded-words ("Kế hoạch số" arrives as "Kế hoạchsố"), while
    `Header` keeps every space inside the encoded text. `key` gives a stable Message-ID.
    `attachments` (file name, bytes) make it multipart/mixed: the text, then the files.
    """
    message: MIMEMultipart | MIMEText
    if attachments:
        message = MIMEMultipart("mixed")
    elif html is None:
        message = MIMEText(text, "plain", "utf-8")
    else:
        message = MIMEMultipart("alternative")
    message["From"] = formataddr((SENDER_NAME, sender), charset="utf-8")
    message["To"] = formataddr((to_name, to_address), charset="utf-8")
    # compat32 takes a Header here; typeshed's Message admits only str.
    message["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    if key is not None:
        message["Message-ID"] = message_id(key, sender)
    for name, value in (headers or {}).items():
        message[name] = value
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    if attachments:
        if html is None:
            message.attach(MIMEText(text, "plain", "utf-8"))
        else:
            alternative = MIMEMultipart("alternative")
            alternative.attach(MIMEText(text, "plain", "utf-8"))
            alternative.attach(MIMEText(html, "html", "utf-8"))
            message.attach(alternative)
        for name, content in attachments:
            part = MIMEApplication(content, Name=name)
            part["Content-Disposition"] = f'attachment; filename="{name}"'
            message.attach(part)
    elif html is not None:
        message.attach(MIMEText(text, "plain", "utf-8"))
        message.attach(MIMEText(html, "html", "utf-8"))
    return message


def smtp_failure(err: Exception) -> MailTransient | MailPermanent:
    """Sort an aiosmtplib error: 5xx replies and unsupported features are permanent."""
    if isinstance(err, aiosmtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{r.code} {r.message} ({r.recipient})" for r in err.recipients)
        permanent = all(r.code >= 500 for r in err.recipients)
        return MailPermanent(detail) if permanent else MailTransient(detail)
    if isinstance(err, aiosmtplib.SMTPResponseException):
        detail = f"{type(err).__name__}: {err.code} {err.message}"
        return MailPermanent(detail) if err.code >= 500 else MailTransient(detail)
    if isinstance(err, aiosmtplib.SMTPNotSupported):
        return MailPermanent(f"SMTPNotSupported: {err.message}")
    return MailTransient(f"{type(err).__name__}: {err}")


async def _quit(client: aiosmtplib.SMTP) -> None:
    """End an SMTP session whose message has been accepted; failing here changes nothing."""
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()


class SmtpSender:
    """Hands messages to the configured SMTP server, one session per message."""

    def __init__(self, config: MailConfig) -> None:
        self.config = config
        self._closing: set[asyncio.Task[None]] = set()  # SMTP sessions being ended

    async def send(self, message: MIMEMultipart | MIMEText) -> None:
        """Returns as soon as the server has accepted the message; raises `MailTransient`
        or `MailPermanent` otherwise.

        The QUIT that ends the session runs after this returns, so a caller can record the
        send without waiting for it: a worker killed in that round trip would otherwise send
        the message again on retry."""
        mail = self.config
        client = aiosmtplib.SMTP(
            hostname=mail.host,
            port=mail.port,
            start_tls=mail.starttls,
            timeout=mail.timeout,
            local_hostname=mail.helo_name,
        )
        try:
            await client.connect()
            if mail.username is not None and mail.password is not None:
                await client.login(mail.username, mail.password.get_secret_value())
            await client.send_message(message, sender=mail.sender)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            client.close()
            raise smtp_failure(err) from err
        quit_task = asyncio.create_task(_quit(client))
        self._closing.add(quit_task)
        quit_task.add_done_callback(self._closing.discard)
