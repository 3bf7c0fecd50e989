"""The consolidated report as Markdown: every report body printed as text, never markup."""

from __future__ import annotations

import re
from collections.abc import Sequence

from domain.report.words import (
    Block,
    Centred,
    Grid,
    Heading,
    PageBreak,
    Para,
    annexes,
    body,
    clean,
    header_lines,
    number_line,
    place_and_date,
    recipient_lines,
    signer_lines,
    title,
)
from schemas.consolidation import ConsolidationInput

_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
_MD_BLOCK_START = re.compile(r"^(#|[-+=]|\d+[.)])")


def _md(text: str) -> str:
    """Text that a CommonMark renderer shows exactly as written, never as markup or HTML."""
    escaped = _MD_INLINE.sub(r"\\\1", clean(text))
    match = _MD_BLOCK_START.match(escaped)
    if match:  # a line that would open a heading, list or rule: escape its marker
        cut = match.end() - 1
        escaped = escaped[:cut] + "\\" + escaped[cut:]
    return escaped


def _md_table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows]
    return out


NBSP = "\u00a0"


def _blocks(blocks: Sequence[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            # After "## " nothing opens a block, so only inline markup is escaped.
            inline = _MD_INLINE.sub(r"\\\1", clean(block.text))
            out += [f"{'#' * (block.level + 1)} {inline}", ""]
        elif isinstance(block, Para):
            out += [f"*{_md(block.text)}*" if block.italic else _md(block.text), ""]
        elif isinstance(block, Centred):
            mark = "**" if block.bold else "*" if block.italic else ""
            out += [f"{mark}{_md(block.text)}{mark}", ""]
        elif isinstance(block, Grid):
            out += [*_md_table(block.headings, block.rows), ""]
        elif isinstance(block, PageBreak):
            out += ["---", ""]
    return out


def render_markdown(report: ConsolidationInput) -> str:
    """The consolidated report as Markdown, for the web portal, e-mail and review."""
    out: list[str] = [
        f"**{_md(text)}**  " if bold else f"{_md(text)}  " for text, bold in header_lines(report)
    ]
    out += [
        _md(number_line(report, blank="\u00a0")),  # blanks HTML would not collapse
        "",
        "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**  ",
        "**Độc lập - Tự do - Hạnh phúc**  ",
        f"*{_md(place_and_date(report)).replace(' ', NBSP)}*",
        "",
        "# BÁO CÁO",
        "",
        f"**{_md(title(report))}**",
        "",
    ]
    out += _blocks(body(report))
    out += ["***Nơi nhận:***", ""]
    out += [f"- {_md(line.removeprefix('- '))}" for line in recipient_lines(report)]
    out += [""]
    out += [f"**{_md(line)}**  " for line in signer_lines(report)]
    out += ["", f"**{_md(report.signer_name)}**" if report.signer_name else "*(chưa ký)*", ""]
    out += _blocks(annexes(report))
    return "\n".join(out)
