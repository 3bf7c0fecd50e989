"""The consolidated report as Markdown: every report body printed as text, never markup."""

from __future__ import annotations

import re
from collections.abc import Sequence

from domain.report.words import (
    LATE_HEADINGS,
    MISSING_HEADINGS,
    NONE_ACCEPTED,
    NONE_LATE,
    NONE_MISSING,
    annex_reference,
    by_agency,
    clean,
    closing,
    coordinator_header,
    issuer_header,
    late_rows,
    missing_rows,
    number_line,
    opening,
    place_and_date,
    proposals_placeholder,
    recipient_lines,
    signer_lines,
    summary,
    title,
)
from schemas.consolidation import (
    ConsolidationInput,
)

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


def render_markdown(report: ConsolidationInput) -> str:
    """The consolidated report as Markdown, for the web portal, e-mail and review."""
    out: list[str] = [
        f"{_md(issuer_header(report))}  ",
        f"**{_md(coordinator_header(report))}**  ",
        _md(number_line(report, blank="\u00a0")),  # blanks HTML would not collapse
        "",
        "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**  ",
        "**Độc lập - Tự do - Hạnh phúc**  ",
        f"*{_md(place_and_date(report))}*",
        "",
        "# BÁO CÁO",
        "",
        f"**{_md(title(report))}**",
        "",
        _md(opening(report)),
        "",
        "## I. TỔNG HỢP CHUNG",
        "",
    ]
    out += [f"- {_md(line)}" for line in summary(report)]
    out += ["", "## II. KẾT QUẢ THỰC HIỆN CỦA CÁC CƠ QUAN, ĐƠN VỊ", ""]
    sections = by_agency(report.accepted)
    if not sections:
        out += [_md(NONE_ACCEPTED), ""]
    for number, section in enumerate(sections, start=1):
        out += [f"### {number}. {_md(section.name)}", ""]
        for line, paragraphs in section.reports:
            out += [f"*{_md(line)}*", ""]
            for paragraph in paragraphs:
                out += [_md(paragraph), ""]
    out += ["## III. ĐỀ XUẤT, KIẾN NGHỊ", "", _md(proposals_placeholder(report)), ""]
    out += [_md(closing(report)), "", "***Nơi nhận:***", ""]
    out += [f"- {_md(line.removeprefix('- '))}" for line in recipient_lines(report)]
    out += [""]
    out += [f"**{_md(line)}**  " for line in signer_lines(report)]
    out += ["", f"**{_md(report.signer_name)}**" if report.signer_name else "*(chưa ký)*", ""]
    out += ["---", "", "# PHỤ LỤC", "", f"*{_md(annex_reference(report))}*", ""]
    out += ["## 1. Cơ quan, đơn vị nộp báo cáo quá hạn", ""]
    out += _md_table(LATE_HEADINGS, late_rows(report.late)) if report.late else [_md(NONE_LATE)]
    out += ["", "## 2. Cơ quan, đơn vị chưa nộp báo cáo", ""]
    missing = missing_rows(report.missing)
    out += _md_table(MISSING_HEADINGS, missing) if missing else [_md(NONE_MISSING)]
    out.append("")
    return "\n".join(out)
