"""A document's text as lines and paragraphs, with a map back to the source lines.

Plans copied from the legal-document portals are hard-wrapped in the middle of phrases and
carry markdown emphasis (`**`, `*`) and table pipes. Every rule downstream reads
*paragraphs* (runs of non-blank lines, joined with one space, emphasis removed) and must
still point at the source lines, so each paragraph keeps the offset where each line starts.
"""

import bisect
import re
import unicodedata
from dataclasses import dataclass

# Same-length repairs of characters that PDF and portal conversions garble; applied to the
# copy the rules read, never to the verbatim text, so offsets stay valid.
# Capital letters of Vietnamese: a range like "À-Ỹ" would take lower-case letters too.
UPPER = "A-ZĐÀÁẠẢÃÂẦẤẬẨẪĂẰẮẶẲẴÈÉẸẺẼÊỀẾỆỂỄÌÍỊỈĨÒÓỌỎÕÔỒỐỘỔỖƠỜỚỢỞỠÙÚỤỦŨƯỪỨỰỬỮỲÝỴỶỸ"
PARAGRAPH_START = "\x1e"  # set by a reader that found a paragraph break without a blank line
_GARBLED = str.maketrans({"Ƕ": "ỳ", "ǜ": "ũ", "\u00a0": " ", "’": "'", "‘": "'"})
_EMPHASIS = re.compile(r"\*+")
_SPACES = re.compile(r"\s+")
_RULE = re.compile(r"^[-_=–—]{3,}$")


def normalise_document(raw: str) -> str:
    """NFC, Unix line ends, no BOM: the form every line number refers to."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_BULLET = re.compile(r"^(\s*)[*+]\s+(?=\S)")


def clean_line(line: str) -> str:
    """A line without emphasis markers, table pipes at its ends and repeated spaces; a
    Markdown heading mark ("## ") is dropped and a "* " bullet read as "- "."""
    line = _MD_BULLET.sub(r"\1- ", _MD_HEADING.sub("", line))
    line = _EMPHASIS.sub("", line).strip()
    if line in {"|", ""}:
        return ""
    return _SPACES.sub(" ", line).strip()


def searchable(text: str) -> str:
    """The same text with garbled characters repaired; same length, so offsets agree."""
    return text.translate(_GARBLED)


@dataclass(frozen=True)
class Paragraph:
    """Consecutive non-blank source lines read as one paragraph."""

    text: str
    first_line: int
    line_starts: tuple[int, ...]  # offset in `text` where each source line begins

    @property
    def last_line(self) -> int:
        """The paragraph's last source line (1-based)."""
        return self.first_line + len(self.line_starts) - 1

    def line_at(self, offset: int) -> int:
        """The source line (1-based) that holds the character at `offset` of `text`."""
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return self.first_line + max(index, 0)

    @property
    def lines(self) -> tuple[str, ...]:
        """The cleaned source lines of the paragraph."""
        ends = [*self.line_starts[1:], len(self.text) + 1]
        return tuple(self.text[s : e - 1] for s, e in zip(self.line_starts, ends, strict=True))


def paragraphs(text: str) -> list[Paragraph]:
    """Split the document into paragraphs at blank lines, table pipes and horizontal rules."""
    result: list[Paragraph] = []
    parts: list[str] = []
    starts: list[int] = []
    first = 0
    length = 0

    def flush() -> None:
        """Close the paragraph being built, if any."""
        nonlocal parts, starts, length
        if parts:
            result.append(Paragraph(" ".join(parts), first, tuple(starts)))
        parts, starts, length = [], [], 0

    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.startswith(PARAGRAPH_START):
            flush()
            raw = raw[1:]
        if raw.strip() and not raw.replace("*", "").strip():
            continue  # a stray emphasis marker, not a paragraph break
        line = clean_line(raw)
        if not line or _RULE.match(line):
            flush()
            continue
        if not parts:
            first = number
        starts.append(length + (1 if parts else 0))
        length = starts[-1] + len(line)
        parts.append(line)
    flush()
    return result


def collapse(text: str) -> str:
    """Whitespace runs to one space, emphasis removed: how phrases are compared."""
    return _SPACES.sub(" ", _EMPHASIS.sub("", text)).strip()
