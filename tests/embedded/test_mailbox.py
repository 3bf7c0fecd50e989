"""The local mailbox keeps what it receives where a person (and a test) can read it."""

import json
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import aiosmtplib

from kehoach.embedded import Mailbox

SUBJECT = "Nhắc hạn: báo cáo chuyển đổi số quý III — Sở Thông tin và Truyền thông"
BODY = "Kính gửi Sở Nội vụ,\nĐề nghị gửi báo cáo trước ngày 15/10/2026.\nTrân trọng.\n"


def _notice(*, to: str, subject: str = SUBJECT, body: str = BODY) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Kế hoạch 516 <kehoach@stttt.gialai.example>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="stttt.gialai.example")
    message.set_content(body)  # UTF-8, so non-ASCII text goes out base64 or 8bit
    return message


async def test_mailbox_keeps_a_vietnamese_message_and_reads_it_back_decoded(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    notice = _notice(to="snv@gialai.example")
    async with Mailbox(data_dir=tmp_path, port=free_port()) as mailbox:
        await aiosmtplib.send(notice, hostname=mailbox.host, port=mailbox.port)
        kept = mailbox.messages()

    assert 1 == len(kept)
    mail = kept[0]
    assert SUBJECT == mail.subject
    assert BODY == mail.text
    assert ("snv@gialai.example",) == mail.to
    assert "kehoach@stttt.gialai.example" == mail.mail_from
    assert notice["Message-ID"] == mail.message_id
    assert mail.file.parent == tmp_path / "mail" and mail.file.suffix == ".eml"
    # On the wire the subject travels as MIME encoded-words; the index holds it readable.
    assert SUBJECT.encode() not in mail.file.read_bytes()
    index_line = (tmp_path / "mail" / "index.jsonl").read_text(encoding="utf-8").strip()
    assert SUBJECT in index_line
    assert {"to", "from", "subject", "message_id", "file", "received_at"} == set(
        json.loads(index_line)
    )


async def test_mail_kept_before_a_restart_is_still_there_and_never_overwritten(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    port = free_port()
    async with Mailbox(data_dir=tmp_path, port=port) as mailbox:
        for agency in ("snv", "stc"):
            await aiosmtplib.send(
                _notice(to=f"{agency}@gialai.example"), hostname=mailbox.host, port=port
            )
    async with Mailbox(data_dir=tmp_path, port=port) as mailbox:
        await aiosmtplib.send(_notice(to="snv@gialai.example"), hostname=mailbox.host, port=port)
        kept = mailbox.messages()
        to_snv = mailbox.messages(to="snv@gialai.example")

    assert 3 == len({mail.file for mail in kept})
    assert [("snv@gialai.example",), ("stc@gialai.example",), ("snv@gialai.example",)] == [
        mail.to for mail in kept
    ]
    assert 2 == len(to_snv)
