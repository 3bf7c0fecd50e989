"""A .docx as the text a plan's rules read: body order, tables as cells, list numbers shown.

Word keeps automatic list numbers ("1.", "a)", "-") out of a paragraph's text, in the
numbering part; the outline of a plan depends on them, so each numbered paragraph gets its
marker back, counted per list and level as Word would display it.
"""

import io
import zipfile
from collections import defaultdict
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from domain.planimport.refusal import NotAPlan

_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out, number = out + letters, number - value
    return out


def _formats(document: Any) -> dict[tuple[str, int], tuple[str, str]]:
    """(numId, level) → (number format, level text such as "%1." or "%2)")."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return {}
    abstract: dict[str, dict[int, tuple[str, str]]] = {}
    for node in numbering.findall(qn("w:abstractNum")):
        levels: dict[int, tuple[str, str]] = {}
        for lvl in node.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            text = lvl.find(qn("w:lvlText"))
            levels[int(lvl.get(qn("w:ilvl")))] = (
                fmt.get(qn("w:val")) if fmt is not None else "decimal",
                text.get(qn("w:val")) if text is not None else "%1.",
            )
        abstract[node.get(qn("w:abstractNumId"))] = levels
    formats: dict[tuple[str, int], tuple[str, str]] = {}
    for num in numbering.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        if ref is None:
            continue
        for level, value in abstract.get(ref.get(qn("w:val")), {}).items():
            formats[(num.get(qn("w:numId")), level)] = value
    return formats


def _marker(fmt: str, pattern: str, count: int) -> str:
    if fmt == "bullet":
        return "-"
    if fmt == "lowerLetter":
        shown = "abcdđeghiklmnopqrstuvxy"[(count - 1) % 23]
    elif fmt == "upperRoman":
        shown = _roman(count)
    elif fmt == "upperLetter":
        shown = "ABCDĐEGHIKLMNOPQRSTUVXY"[(count - 1) % 23]
    else:
        shown = str(count)
    for n in range(1, 10):
        pattern = pattern.replace(f"%{n}", shown if n == pattern.count("%") else "")
    return pattern.strip() or f"{shown}."


def _num_pr(paragraph: Paragraph) -> Any:
    """The paragraph's list properties: its own, or those of its style ("List Number")."""
    props = paragraph._p.find(qn("w:pPr"))
    num = props.find(qn("w:numPr")) if props is not None else None
    style = paragraph.style
    while num is None and style is not None:
        style_props = style.element.find(qn("w:pPr"))
        num = style_props.find(qn("w:numPr")) if style_props is not None else None
        style = style.base_style
    return num


class _Numbering:
    """Counts list items per list and level, restarting deeper levels."""

    def __init__(self, document: Any) -> None:
        self.formats = _formats(document)
        self.counts: dict[str, dict[int, int]] = defaultdict(dict)

    def marker(self, paragraph: Paragraph) -> str:
        """The list marker Word would show before this paragraph, or "" if none."""
        num = _num_pr(paragraph)
        num_ref = num.find(qn("w:numId")) if num is not None else None
        if num is None or num_ref is None:
            return ""
        num_id = str(num_ref.get(qn("w:val")))
        ilvl = num.find(qn("w:ilvl"))
        level = int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
        counts = self.counts[num_id]
        counts[level] = counts.get(level, 0) + 1
        for deeper in [lvl for lvl in counts if lvl > level]:
            del counts[deeper]
        fmt, pattern = self.formats.get((num_id, level), ("decimal", f"%{level + 1}."))
        return _marker(fmt, pattern, counts[level])


def docx_text(data: bytes) -> str:
    """The document's text in body order; blank lines between paragraphs, a "|" line before
    each table cell and two after each row (the cell's end, then the row's), as the portals'
    text lays tables out (`table_cells`)."""
    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise NotAPlan("not a valid .docx", "Tệp .docx hỏng hoặc không phải .docx.") from None
    numbering = _Numbering(document)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    lines.extend(["|", *cell.text.split("\n")])
                lines.extend(["|", "|"])
            continue
        marker = numbering.marker(block)
        lines.extend([f"{marker} {block.text}".strip(), ""])
    return "\n".join(lines)
