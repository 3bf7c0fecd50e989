"""The header block of a Vietnamese administrative document (Decree 30/2020, Appendix I).

Issuer name in capitals top left, "Số: N/KH-UBND", "Place, ngày D tháng M năm Y", the
document type in bold capitals ("KẾ HOẠCH") and its title; the signature block after
"Nơi nhận": the authority lines (TM., KT. CHỦ TỊCH, PHÓ CHỦ TỊCH) and the signer's name.
"""

import datetime as dt
import re

from domain.planimport.sourced import field_from
from domain.planimport.text import UPPER, Paragraph
from schemas.plan_draft import DraftField, DraftHeader

_NUMBER = re.compile(r"Số\s*:\s*([0-9]+[0-9A-Za-z.]*)\s*(/[0-9A-ZĐa-zđ.&-]+)")
_PLACE_DATE = re.compile(
    r"^(?P<place>[^,\d]{2,60}),\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
)
_ISSUER_START = re.compile(
    r"(?:^|(?<=\s))(?:(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN|SỞ|VĂN PHÒNG)\s+[A-ZĐ]"
    r"|^BAN\s+[A-ZĐ]"
)
_DOC_TYPES = ("KẾ HOẠCH", "QUYẾT ĐỊNH", "CÔNG VĂN", "THÔNG BÁO", "CHỈ THỊ", "BÁO CÁO", "TỜ TRÌNH")


def _title_case(words: str) -> str:
    """ "ĐẮK LẮK" → "Đắk Lắk", the way a province's name is written in running text."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in words.split())


def normalised_issuer(as_written: str) -> str:
    """ "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK" → "UBND tỉnh Đắk Lắk"."""
    match = re.match(r"^(?:ỦY|UỶ)\s+BAN\s+NHÂN\s+DÂN\s+(TỈNH|THÀNH PHỐ)\s+(.+)$", as_written)
    if match:
        return f"UBND {match.group(1).lower()} {_title_case(match.group(2))}"
    return as_written


def _issuer(paragraphs: list[Paragraph]) -> tuple[DraftField, DraftField]:
    for paragraph in paragraphs[:12]:
        found = _ISSUER_START.search(paragraph.text)
        if not found:
            continue
        # In a flattened layout the motto follows on the same paragraph.
        end = paragraph.text.find("CỘNG HÒA", found.start())
        written = paragraph.text[found.start() : end if end > 0 else None].strip(" -—–")
        if not written:
            continue
        start = found.start()
        return (
            field_from(
                normalised_issuer(written),
                paragraph,
                start=start,
                end=start + len(written),
                confidence=0.9,
            ),
            field_from(written, paragraph, start=start, end=start + len(written), confidence=0.95),
        )
    missing = field_from(None, None, confidence=0)
    return missing, missing


def _number(paragraphs: list[Paragraph]) -> DraftField:
    for paragraph in paragraphs[:12]:
        if match := _NUMBER.search(paragraph.text):
            # "Số: 516 /KH-UBND": the space is a typing slip, not part of the number.
            return field_from(
                match.group(1) + match.group(2),
                paragraph,
                start=match.start(1),
                end=match.end(2),
                confidence=0.95,
            )
    return field_from(None, None, confidence=0)


def _place_and_date(paragraphs: list[Paragraph]) -> tuple[DraftField, DraftField]:
    for paragraph in paragraphs[:14]:
        match = _PLACE_DATE.match(paragraph.text)
        if not match:
            continue
        try:
            day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
        return (
            field_from(match["place"].strip(), paragraph, end=match.end("place"), confidence=0.9),
            field_from(day.isoformat(), paragraph, confidence=0.95),
        )
    missing = field_from(None, None, confidence=0)
    return missing, missing


def doc_type_index(paragraphs: list[Paragraph], limit: int) -> tuple[str, int] | None:
    """The last document-type line ("KẾ HOẠCH") before `limit`, with its index.

    A decision that promulgates a plan carries the plan after its own signature, under its
    own "KẾ HOẠCH"; the plan's title is the one under that last heading.
    """
    found: tuple[str, int] | None = None
    for index, paragraph in enumerate(paragraphs[:limit]):
        text = paragraph.text.strip().rstrip(":").strip()
        if text in _DOC_TYPES:
            if found is None or text == "KẾ HOẠCH":
                found = (text, index)
    return found


def _title(paragraphs: list[Paragraph], plan_index: int | None) -> DraftField:
    if plan_index is None or plan_index + 1 >= len(paragraphs):
        return field_from(None, None, confidence=0)
    paragraph = paragraphs[plan_index + 1]
    return field_from(paragraph.text, paragraph, confidence=0.85)


_AUTHORITY_START = re.compile(
    r"^(TM\.|KT\.|Q\.|TL\.|TUQ\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|GIÁM ĐỐC|PHÓ GIÁM ĐỐC|CHÁNH VĂN PHÒNG)"
)


def _signature_lines(lines: tuple[str, ...]) -> tuple[list[str], str | None]:
    """Authority lines (a wrapped one joined back) and the signer's name after them."""
    authority: list[str] = []
    for line in lines:
        if _AUTHORITY_START.match(line):
            authority.append(line.strip())
        elif authority and line.isupper():
            authority[-1] = f"{authority[-1]} {line.strip()}"  # "TM. ỦY BAN NHÂN" + "DÂN"
        elif authority and re.match(rf"^[{UPPER}]\w*(\s+[{UPPER}]\w*){{1,5}}$", line):
            return authority, line.strip()
    return authority, None


def _signer(paragraphs: list[Paragraph]) -> tuple[DraftField, DraftField]:
    """The first signature block: authority lines in capitals, then the signer's name."""
    for index, paragraph in enumerate(paragraphs):
        lines = paragraph.lines
        if not lines or not _AUTHORITY_START.match(lines[0]):
            continue
        authority, name = _signature_lines(lines)
        if authority and name is None and index + 1 < len(paragraphs):
            # The name set apart by the blank space left for the signature.
            following = paragraphs[index + 1]
            _, name = _signature_lines((authority[0], *following.lines[:1]))
            paragraph = following if name else paragraph
        if name and authority:
            title = ", ".join(authority)
            start = paragraph.text.find(name)
            return (
                field_from(name, paragraph, start=start, end=start + len(name), confidence=0.9),
                field_from(title, paragraph, end=max(start, 1), confidence=0.9),
            )
    missing = field_from(None, None, confidence=0)
    return missing, missing


def read_header(paragraphs: list[Paragraph], *, body_limit: int) -> DraftHeader:
    """Every header field the document states; a field not found has confidence 0."""
    issuer, issuer_as_written = _issuer(paragraphs)
    place, issued_on = _place_and_date(paragraphs)
    number = _number(paragraphs)
    found = doc_type_index(paragraphs, body_limit)
    plan_index = found[1] if found and found[0] == "KẾ HOẠCH" else None
    value = number.value or ""
    if "/QĐ-" in value.upper() and plan_index is not None:
        doc_type = "Quyết định ban hành Kế hoạch"
    elif plan_index is not None:
        doc_type = "Kế hoạch"
    else:
        doc_type = None
    doc_type_paragraph = paragraphs[plan_index] if plan_index is not None else None
    signer_name, signer_title = _signer(paragraphs)
    return DraftHeader(
        doc_type=field_from(doc_type, doc_type_paragraph, confidence=0.95),
        number=number,
        issuer=issuer,
        issuer_as_written=issuer_as_written,
        issued_on=issued_on,
        place=place,
        title=_title(paragraphs, plan_index),
        signer_name=signer_name,
        signer_title=signer_title,
    )
