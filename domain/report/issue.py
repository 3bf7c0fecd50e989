"""Issuing the approved draft: the clerk's number and date written into the blanks the draft
left for them, and nothing else changed (the text the signer approved is the text issued).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from domain.report.docx import stable_zip
from domain.vocabulary import date_vi

BLANK = "[ \u00a0]"
NUMBER = re.compile(rf"Số:{BLANK}{BLANK}{{5}}/BC-")
ANNEX = re.compile(
    rf"Báo cáo số{BLANK}{BLANK}{{5}}/BC-(\S+?){BLANK}ngày{BLANK}{{6}}/{BLANK}{{6}}/(\d{{4}})"
)
DAY = re.compile(rf"ngày{BLANK}{{6}}tháng{BLANK}{{6}}năm{BLANK}(\d{{4}})")


def _fill(text: str, *, number: str, day: dt.date) -> str:
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = NUMBER.sub(f"Số: {number}/BC-", text)
    text = ANNEX.sub(lambda m: f"Báo cáo số {number}/BC-{m[1]} ngày {date_vi(day)}", text)
    return DAY.sub(f"ngày {day.day:02d} tháng {month} năm {day.year}", text)


def issue(docx: bytes, markdown: str, *, number: str, day: dt.date) -> tuple[bytes, str]:
    """The draft's .docx and Markdown with its number (125) and date filled in."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "word/document.xml":
                content = _fill(content.decode("utf-8"), number=number, day=day).encode("utf-8")
            target.writestr(entry.filename, content)
    return stable_zip(out.getvalue(), day), _fill(markdown, number=number, day=day)
