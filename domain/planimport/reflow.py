"""Paragraph breaks for text that has none: a PDF's text layer, a copy pasted line by line.

Wrapped text with blank lines between paragraphs is left as it is (there a line may start
with "1." in the middle of a sentence). Without blank lines, a paragraph starts where the
layout of an administrative document starts one: an outline marker ("II.", "2.1.", "a)",
"-"), the header's own lines ("Số:", the place and date, "KẾ HOẠCH"), the signature block,
after a sentence's end, and after a capitalised title. Breaks are marked at the start of a
line (`PARAGRAPH_START`), never by adding lines, so line numbers stay the source's.
"""

import itertools
import re

from domain.planimport.agencies import names_a_body
from domain.planimport.text import PARAGRAPH_START
from domain.planimport.verbs import opens_with_verb

_MARKER = re.compile(r"^\s*(?:[IVX]{1,5}\.|\d{1,2}(?:\.\d{1,2}){0,3}\.|[a-zđ]\)|[-–•+])(?:\s|$)")
_HEADING = re.compile(r"^\s*(?:[IVX]{1,5}\.|\d{1,2}(?:\.\d{1,2}){0,3}\.)\s")
_BARE_MARKER = re.compile(r"\s*(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2}){0,3})\.\s*")
# A colon at a line's end may be a wrapped label ("Nhóm 1:" + its text): not an end here.
_SENTENCE_END = re.compile(r"[.;!?]\s*$")
_STARTS = re.compile(
    r"^\s*(?:Số\s*:|Nơi nhận|KẾ HOẠCH\s*$|QUYẾT ĐỊNH\s*$|CỘNG HÒA|Căn cứ|PHỤ LỤC"
    r"|[^,\d]{2,40}, ngày \d)"
)
_WHOLE = re.compile(r"^\s*(?:Số\s*:\s*\S+.*|KẾ HOẠCH|QUYẾT ĐỊNH|.*\bnăm \d{4}\)?\*?)\s*$")
_AUTHORITY = re.compile(
    r"^\s*(?:TM\.|KT\.|Q\.|TL\.|TUQ\.|CHỦ TỊCH|PHÓ CHỦ TỊCH|GIÁM ĐỐC"
    r"|PHÓ GIÁM ĐỐC)"
)
# A line ending like this goes on: "13. Báo và" + "Phát thanh, Truyền hình tỉnh".
_OPEN_END = re.compile(r"(?:\bvà|\bcác|\bcủa|\bcho|\bvới|\bvề|[,\-–])\s*$")
_MIN_LINES = 30
_AFTER_BLANK_SHARE = 0.2


def _full_width(lines: list[str]) -> float:
    """The length of a full printed line: the typical length of the long lines (table
    cells and headings are short and do not count)."""
    long = sorted(len(line.rstrip()) for line in lines if len(line.rstrip()) >= 40)
    return long[len(long) // 2] * 0.9 if long else float("inf")


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _no_lower(line: str) -> bool:
    """A line of capitals, digits and signs ("GIAI ĐOẠN 2026 -", "2030")."""
    return any(c.isalnum() for c in line) and not any(c.islower() for c in line)


def starts_paragraph(previous: str, line: str, full: float, current: str = "") -> bool:
    """Whether `line` opens a new paragraph after `previous` in text without blank lines;
    `current` is the paragraph so far (a heading may wrap over several lines)."""
    if _BARE_MARKER.fullmatch(previous):
        return False  # "IV." then its title
    if _AUTHORITY.match(previous):
        return False  # the signature block stays together
    if _AUTHORITY.match(line):
        return not _is_caps(previous)  # "TM. ỦY BAN NHÂN" "DÂN" "KT. CHỦ TỊCH" is one block
    wrapped = len(previous.rstrip()) >= full and not _SENTENCE_END.search(previous)
    if _MARKER.match(line) and (not wrapped or re.match(r"^\s*[IVX]{1,5}\.\s", line)):
        return True  # not "kết nối cung" + "– cầu": a dash inside a wrapped sentence
    if _STARTS.match(line) or _WHOLE.match(previous):
        return True
    heading = _HEADING.match(current)
    if (
        heading is not None
        and len(current) < 120
        and len(previous.rstrip()) < full
        and len(current[heading.end() :].split()) >= 2
        and line[:1].isupper()
        and not _is_caps(line)
        and not _OPEN_END.search(current)
        and (opens_with_verb(line) or names_a_body(line))
    ):
        # "3. Sở Nông nghiệp và / Môi trường" then "Chủ trì, phối hợp …", or a heading
        # naming two bodies then "Sở Khoa học và Công nghệ chủ trì …"; not "6. Ban" +
        # "Quản lý khu Kinh tế" nor a full line that wraps a long heading.
        return True
    if _no_lower(previous) and not _is_caps(line) and (line[:1].isupper() or line[:1] == "("):
        return True  # a title in capitals, then the text under it
    return bool(_SENTENCE_END.search(previous))


def _has_paragraph_breaks(lines: list[str]) -> bool:
    """Whether the text already separates paragraphs: in a portal's or a word processor's
    text most outline markers follow a blank line; in a PDF's text layer almost none do."""
    markers = [i for i, line in enumerate(lines) if _MARKER.match(line.replace("*", ""))]
    if not markers:
        return sum(1 for line in lines if not line.strip()) / max(len(lines), 1) >= 0.05
    after_blank = sum(1 for i in markers if i > 0 and not lines[i - 1].replace("*", "").strip())
    return after_blank / len(markers) >= _AFTER_BLANK_SHARE


def reflow(text: str) -> str:
    """The text with paragraph starts marked, if it has no paragraph breaks of its own."""
    lines = text.split("\n")
    if len(lines) < _MIN_LINES or _has_paragraph_breaks(lines):
        return text
    full = _full_width(lines)
    out = [lines[0]]
    current = lines[0]
    for previous, line in itertools.pairwise(lines):
        if starts_paragraph(previous, line, full, current):
            out.append(PARAGRAPH_START + line)
            current = line
        else:
            out.append(line)
            current = f"{current} {line}".strip()
    return "\n".join(out)
