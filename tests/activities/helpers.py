"""Helpers of the notice activity's tests: the agency directory, a mailbox that can refuse
addresses, a webhook receiver, and notice factories (fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from adapters.mail import MailConfig
from kehoach.embedded.mailbox import Mailbox, ReceivedMail, _Keeper
from schemas.assignment import NoticeRequest
from schemas.plan import (
    Agency,
    AgencyKind,
    ApprovalChain,
    Contact,
    DateDeadline,
    EscalationLadder,
    FinalReport,
    NormalizedDuty,
    NormalizedPlan,
    Plan,
    ReminderPolicy,
    Signer,
)

WEBHOOK_SECRET = "bí-mật-thử-nghiệm"


PUBLIC_BASE_URL = "https://kehoach.gialai.example"


PLAN_ID = "516/KH-UBND"
# The end instant of Friday 15/12/2023 in Vietnam: 00:00 on the 16th, +07:00.


DEADLINE = dt.datetime(2023, 12, 15, 17, 0, tzinfo=dt.UTC)


LAST_DAY_VI = "15/12/2023"


AGENCY_NAMES = {
    "UBND_TINH": "Ủy ban nhân dân tỉnh Gia Lai",
    "VP_UBND": "Văn phòng UBND tỉnh",
    "STTTT": "Sở Thông tin và Truyền thông",
    "SNGV": "Sở Ngoại vụ",
    "STC": "Sở Tài chính",
    "SXD": "Sở Xây dựng",
}


def address(role: str, agency: str) -> str:
    """The test directory's address of an agency's 'focal' or 'leader' contact."""
    return f"{role}@{agency.lower().replace('_', '-')}.example"


def assignment_id(agency: str) -> str:
    return f"kh/516-KH-UBND/III.5.4/{agency}/2023"


# --- PostgreSQL ------------------------------------------------------------------------


def _agency(
    code: str, kind: AgencyKind, *, webhook_url: str | None = None, one_address: bool = False
) -> Agency:
    def contact(role: str, who: str, title: str) -> Contact:
        email = address("focal" if one_address else role, code)
        return Contact(name=f"{who} {code}", title=title, email=email)

    return Agency(
        code=code,
        name=AGENCY_NAMES[code],
        kind=kind,
        webhook_url=webhook_url,
        leader=contact("leader", "Trần Thị Lãnh Đạo", "Phó Giám đốc"),
        focal=contact("focal", "Nguyễn Văn Đầu Mối", "Chuyên viên"),
    )


def directory_plan(webhook_url: str) -> NormalizedPlan:
    """Six agencies: issuer, office, coordinator, and three assignees; STC has a webhook
    and SXD's leader and focal official share one address."""
    due = DateDeadline(due=dt.date(2023, 12, 15), text="trước ngày 15/12/2023")
    return NormalizedPlan(
        plan=Plan(
            number=PLAN_ID,
            title="Kế hoạch thông tin đối ngoại năm 2023",
            issuer="UBND_TINH",
            issued_on=dt.date(2023, 3, 9),
            place="Gia Lai",
            signer=Signer(name="Nguyễn Văn A", title="Phó Chủ tịch"),
            year=2023,
            coordinator="STTTT",
            office="VP_UBND",
            final_report=FinalReport(recipient="UBND_TINH", via="STTTT", deadline=due),
        ),
        agencies=[
            _agency("UBND_TINH", "ubnd_tinh"),
            _agency("VP_UBND", "van_phong_ubnd"),
            _agency("STTTT", "so"),
            _agency("SNGV", "so"),
            _agency("STC", "so", webhook_url=webhook_url),
            _agency("SXD", "so", one_address=True),
        ],
        groups=[],
        duties=[
            NormalizedDuty(
                id="III.5.4",
                clause="III.5",
                section="III",
                heading=None,
                text="Thông tin đối ngoại.",
                lead=["SNGV"],
                coordinating=[],
                assignees=["SNGV", "STC", "SXD"],
                mode="assigned",
                deliverable="report",
                deadline=due,
                reminders=ReminderPolicy(),
                escalation=EscalationLadder(),
                approval=ApprovalChain(),
                basis=None,
            )
        ],
    )


class _RefusingKeeper(_Keeper):
    """The mailbox's own handler, refusing the addresses in `refused` with 550."""

    def __init__(self, mail_dir: Path, refused: set[str]) -> None:
        super().__init__(mail_dir)
        self.refused = refused

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class MailServer:
    """kehoach's mailbox on a free loopback port; it can stop, restart and refuse addresses."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.mailbox = Mailbox(data_dir=data_dir, port=port)
        self.refused: set[str] = set()
        self._controller: Controller | None = None

    @property
    def port(self) -> int:
        return self.mailbox.port

    async def start(self) -> None:
        self.mailbox.mail_dir.mkdir(parents=True, exist_ok=True)
        controller = Controller(
            _RefusingKeeper(self.mailbox.mail_dir, self.refused),
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="kehoach-mailbox",
            enable_SMTPUTF8=True,
        )
        await asyncio.to_thread(controller.start)
        self._controller = controller

    async def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            await asyncio.to_thread(controller.stop)

    def messages(self, *, to: str | None = None) -> list[ReceivedMail]:
        return self.mailbox.messages(to=to)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class WebhookCall:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Minimal HTTP/1.1 on loopback: records every request, answers `answer` (a status code,
    or "hang": never answer, so the client times out)."""

    answer: int | Literal["hang"] = 200
    calls: list[WebhookCall] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/kehoach"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            method, path, _ = (await reader.readline()).decode("latin-1").split(" ", 2)
            headers: dict[str, str] = {}
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.calls.append(WebhookCall(method, path, headers, body))
            if self.answer == "hang":
                await self._release.wait()
                return
            phrase = HTTPStatus(self.answer).phrase
            writer.write(
                f"HTTP/1.1 {self.answer} {phrase}\r\nContent-Length: 0\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


def mail_config(port: int) -> MailConfig:
    return MailConfig(
        host="127.0.0.1", port=port, sender="kehoach@stttt.gialai.example", timeout=5.0
    )


MakeNotice = Callable[..., NoticeRequest]
