"""A local SMTP server that keeps every message where a person can read it.

Each message is stored whole as `<data_dir>/mail/<UTC timestamp>-<seq>.eml` (any mail program
opens it) and summarised on one line of `<data_dir>/mail/index.jsonl`, with the subject
decoded from its MIME encoded-words so Vietnamese reads as Vietnamese.
"""

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from schemas.errors import RuntimeStartError

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ReceivedMail:
    """One message the mailbox kept: the envelope, the decoded headers and the whole message."""

    file: Path
    received_at: datetime
    mail_from: str
    to: tuple[str, ...]
    subject: str
    message_id: str | None
    message: EmailMessage

    @property
    def text(self) -> str:
        """The plain-text body, decoded from transfer encoding and charset, Unix line ends."""
        part = self.message.get_body(preferencelist=("plain",))
        content = None if part is None else part.get_content()
        return content.replace("\r\n", "\n") if isinstance(content, str) else ""


class _Keeper:
    """aiosmtpd handler: writes each message to disk, then appends its index line."""

    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = mail_dir
        self.index_file = mail_dir / "index.jsonl"
        self._seq = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""  # the bytes as sent, whatever their charset
        received_at = datetime.now(UTC)
        path = self._write(raw, received_at)
        parsed = _parse(raw)
        entry = {
            "received_at": received_at.isoformat(),
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": _header(parsed, "subject") or "",
            "message_id": _header(parsed, "message-id"),
            "file": path.name,
        }
        with self.index_file.open("a", encoding="utf-8") as index:
            index.write(json.dumps(entry, ensure_ascii=False) + "\n")
        log.info("mail_received", to=entry["to"], subject=entry["subject"], file=str(path))
        return "250 Message accepted for delivery"

    def _write(self, raw: bytes, received_at: datetime) -> Path:
        stamp = received_at.strftime("%Y%m%dT%H%M%S.%fZ")
        while True:
            self._seq += 1
            path = self.mail_dir / f"{stamp}-{self._seq:06d}.eml"
            try:
                with path.open("xb") as out:  # never overwrite mail kept by an earlier run
                    out.write(raw)
                return path
            except FileExistsError:
                continue


class Mailbox:
    """SMTP on `host:port` that keeps mail under `<data_dir>/mail`; `messages()` reads it back."""

    def __init__(self, *, data_dir: Path, port: int = 8025, host: str = "127.0.0.1") -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self._controller: Controller | None = None

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def index_file(self) -> Path:
        return self.mail_dir / "index.jsonl"

    async def start(self) -> None:
        """Listen for SMTP; returns once the server answers."""
        if self._controller is not None:
            return
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        controller = Controller(
            _Keeper(self.mail_dir),
            hostname=self.host,
            port=self.port,
            server_hostname="kehoach-mailbox",  # spares a slow getfqdn() on offline machines
            enable_SMTPUTF8=True,
        )
        try:
            await asyncio.to_thread(controller.start)
        except Exception as err:
            raise RuntimeStartError(
                f"local SMTP server could not listen on {self.host}:{self.port}: {err}",
                message_vi=f"Không mở được máy chủ thư nội bộ ở cổng {self.port}.",
            ) from err
        self._controller = controller
        log.info("mailbox_started", host=self.host, port=self.port, dir=str(self.mail_dir))

    async def stop(self) -> None:
        """Stop listening; kept mail stays on disk."""
        controller, self._controller = self._controller, None
        if controller is not None:
            await asyncio.to_thread(controller.stop)
            log.info("mailbox_stopped", port=self.port)

    async def __aenter__(self) -> "Mailbox":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def messages(self, *, to: str | None = None) -> list[ReceivedMail]:
        """Every kept message in arrival order, or only those delivered to `to`."""
        if not self.index_file.exists():
            return []
        kept = []
        for line in self.index_file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            entry: dict[str, Any] = json.loads(line)
            if to is not None and to not in entry["to"]:
                continue
            path = self.mail_dir / entry["file"]
            if not path.exists():  # a person tidied the folder; the index line stays as history
                continue
            kept.append(
                ReceivedMail(
                    file=path,
                    received_at=datetime.fromisoformat(entry["received_at"]),
                    mail_from=entry["from"],
                    to=tuple(entry["to"]),
                    subject=entry["subject"],
                    message_id=entry["message_id"],
                    message=_parse(path.read_bytes()),
                )
            )
        return kept


def _parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage
    return message


def _header(message: EmailMessage, name: str) -> str | None:
    """A header's decoded text; a malformed one is kept as sent rather than dropping the mail."""
    try:
        value = message.get(name)
    except Exception:
        value = next((v for k, v in message.raw_items() if k.lower() == name), None)
    return None if value is None else str(value).strip()
