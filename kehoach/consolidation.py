"""The consolidated report (báo cáo tổng hợp) the coordinator compiles, as Markdown and .docx.

Pure: the functions read only their input and build text or bytes in memory, so an activity
can render, hash and store the result, and a retry renders the same bytes.

Layout of the .docx follows Decree 30/2020/NĐ-CP (công tác văn thư), Appendix I: A4,
margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman; a borderless two-column
header (the superior and issuing body, then the number, on the left; the national motto,
then place and date in italics, on the right), the document kind and its summary centred in
bold, the body, "Nơi nhận" and the signature block, and an annex on its own page listing the
late and the missing reports. Page numbers sit centred at the top from page 2.

The same sentences feed both renderers, so the Markdown and the .docx never disagree.
Report bodies are printed as text: nothing in them is markup in either format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from kehoach.calendar import VN_TZ
from schemas.consolidation import (
    AgencyReport,
    ConsolidatedReport,
    ConsolidationInput,
    LateReport,
    MissingReport,
)

__all__ = ["render_docx", "render_markdown", "summarize"]

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 12  # Decree 30 allows 12-13; at 12 the two header lines each fit on one line
NUMBER_PT = 13
TABLE_PT = 13
SIGNATURE_SPACE_LINES = 4

STATUS_VI: dict[str, str] = {
    "assigned": "Chưa nộp",
    "in_term": "Chưa nộp, còn trong hạn",
    "overdue": "Quá hạn, chưa nộp",
    "submitted": "Đã nộp, đang chờ duyệt",
    "returned": "Bị trả lại, chờ nộp lại",
    "cancelled": "Đã hủy",
    "waived": "Được miễn",
}
"""Assignment statuses as the annex prints them; any other status is printed as given."""

# Characters XML 1.0 cannot carry (C0 controls but tab, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --- the words, shared by both formats -------------------------------------------------


def _clean(text: str) -> str:
    """The text with characters no .docx can hold replaced by U+FFFD, the rest untouched."""
    return _NOT_XML.sub("\ufffd", text)


def _lines(body: str) -> list[str]:
    """A report body as paragraphs: one per non-blank line, trimmed."""
    return [line.strip() for line in _clean(body).splitlines() if line.strip()]


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VN_TZ).date()


def _place_and_date(report: ConsolidationInput) -> str:
    """Decree 30, Appendix I: a zero before days under 10 and months 1 and 2 only."""
    day = report.report_date
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{report.place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _symbol(report: ConsolidationInput, *, blank: str = " ") -> str:
    """The number and symbol, 125/BC-STTTT; a draft leaves blanks for the clerk's number."""
    suffix = f"/BC-{report.coordinator_short}"
    if report.report_number is None:
        return blank * 5 + suffix
    number = report.report_number.strip()
    return number if "/" in number else f"{number}{suffix}"


def _number_line(report: ConsolidationInput, *, blank: str = " ") -> str:
    return f"Số: {_symbol(report, blank=blank)}"


def _running_name(name: str, place: str) -> str:
    """An upper-case body name as running text: Sở Thông tin và Truyền thông.

    Vietnamese capitalises a name's first word, each part after "và", a comma or a dash,
    the word after "Sở", and the place. Unusual names should be passed in explicitly.
    """
    text = name.lower()
    text = re.sub(r"(?:^|(?<=^sở )|(?<=\svà )|(?<=, )|(?<= - ))(\w)", lambda m: m[1].upper(), text)
    return text.replace(place.lower(), place)


def _issuer_text(report: ConsolidationInput) -> str:
    return report.issuer_text or _running_name(report.issuer_name, report.place)


def _coordinator_text(report: ConsolidationInput) -> str:
    return report.coordinator_text or _running_name(report.coordinator_name, report.place)


def _issuer_header(report: ConsolidationInput) -> str:
    return report.issuer_header or report.issuer_name.replace("ỦY BAN NHÂN DÂN", "UBND")


def _coordinator_header(report: ConsolidationInput) -> str:
    """The issuing body under its superior; "TỈNH GIA LAI" is not said twice."""
    province = f" TỈNH {report.place.upper()}"
    name = report.coordinator_name
    if name.endswith(province) and _issuer_header(report).endswith(province):
        return name.removesuffix(province)
    return name


def _title(report: ConsolidationInput) -> str:
    return f"Kết quả thực hiện {report.plan_title} (Kế hoạch số {report.plan_number})"


def _opening(report: ConsolidationInput) -> str:
    about = report.plan_title
    if about.startswith("Kế hoạch "):
        about = about.removeprefix("Kế hoạch ")
    return (
        f"Thực hiện Kế hoạch số {report.plan_number} ngày {_dmy(report.plan_issued_on)} "
        f"của {_issuer_text(report)} về {about}; trên cơ sở báo cáo của các cơ quan, đơn vị, "
        f"{_coordinator_text(report)} tổng hợp, báo cáo kết quả thực hiện {_when(report)} "
        "như sau:"
    )


def _when(report: ConsolidationInput) -> str:
    """"năm 2023" for a yearly report; "kỳ 2026-05" for one period of a recurring one."""
    if report.period is None or report.period == str(report.year):
        return f"năm {report.year}"
    return f"kỳ {report.period}"


def _summary(report: ConsolidationInput) -> list[str]:
    on_time = sum(1 for r in report.accepted if r.outcome == "on_time")
    late = len(report.accepted) - on_time
    agencies = len(_by_agency(report.accepted))
    others = report.total_assignments - len(report.accepted) - len(report.missing)
    accepted = f"Số báo cáo đã được chấp nhận: {len(report.accepted)}"
    if report.accepted:
        accepted += (
            f" của {agencies} cơ quan, đơn vị; trong đó đúng hạn: {on_time}, nộp quá hạn: {late}"
        )
    lines = [
        f"Tổng số nhiệm vụ phải báo cáo: {report.total_assignments}.",
        f"{accepted}.",
        f"Số báo cáo chưa có hoặc chưa được chấp nhận: {len(report.missing)}.",
    ]
    if others:
        lines.append(f"Số nhiệm vụ đã hủy hoặc được miễn báo cáo: {others}.")
    if report.late or report.missing:
        lines.append(
            "Danh sách cơ quan, đơn vị nộp báo cáo quá hạn và chưa nộp báo cáo tại Phụ lục "
            "kèm theo."
        )
    return lines


@dataclass(frozen=True)
class _AgencySection:
    """One agency's subsection of part II: its name, then each report's line and text."""

    name: str
    reports: list[tuple[str, list[str]]]


def _by_agency(accepted: Sequence[AgencyReport]) -> list[_AgencySection]:
    """Accepted reports grouped by agency, agencies in the order they first appear."""
    groups: dict[str, list[AgencyReport]] = {}
    for item in accepted:
        groups.setdefault(item.agency_code, []).append(item)
    return [
        _AgencySection(
            name=_clean(items[0].agency_name),
            reports=[(_report_line(r), _lines(r.body) or [NO_TEXT]) for r in items],
        )
        for items in groups.values()
    ]


NO_TEXT = "(Báo cáo không có nội dung văn bản.)"
NONE_ACCEPTED = "Chưa có cơ quan, đơn vị nào có báo cáo được chấp nhận tại thời điểm báo cáo."
NONE_LATE = "Không có cơ quan, đơn vị nộp báo cáo quá hạn."
NONE_MISSING = "Không có cơ quan, đơn vị chưa nộp báo cáo."


def _report_line(item: AgencyReport) -> str:
    when = "đúng hạn" if item.outcome == "on_time" else "quá hạn"
    return (
        f"Nhiệm vụ mục {_clean(item.clause)}, kỳ {_clean(item.period)}: báo cáo nộp ngày "
        f"{_dmy(_local_day(item.submitted_at))} ({when})."
    )


def _proposals_placeholder(report: ConsolidationInput) -> str:
    return f"({_coordinator_text(report)} bổ sung nội dung đề xuất, kiến nghị.)"


def _closing(report: ConsolidationInput) -> str:
    return (
        f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {report.plan_number} "
        f"{_when(report)} của {_coordinator_text(report)}./."
    )


def _recipient_lines(report: ConsolidationInput) -> list[str]:
    """Each recipient on its own dash line, ending ";" and the last one "."."""
    names = [_clean(r).strip().rstrip(";.") for r in report.recipients if r.strip()]
    return [f"- {n}{'.' if i == len(names) - 1 else ';'}" for i, n in enumerate(names)]


def _signer_lines(report: ConsolidationInput) -> list[str]:
    return [line.strip() for line in _clean(report.signer_title).splitlines() if line.strip()]


def _annex_reference(report: ConsolidationInput) -> str:
    return (
        f"(Kèm theo Báo cáo số {_symbol(report)} ngày {_dmy(report.report_date)} "
        f"của {_coordinator_text(report)})"
    )


LATE_HEADINGS = ("STT", "Cơ quan, đơn vị", "Nhiệm vụ (mục)", "Kỳ", "Hạn nộp", "Ngày nộp")
MISSING_HEADINGS = ("STT", "Cơ quan, đơn vị", "Nhiệm vụ (mục)", "Kỳ", "Hạn nộp", "Tình trạng")
ANNEX_WIDTHS_MM = (14, 55, 24, 17, 27, 28)


def _late_rows(late: Iterable[LateReport]) -> list[tuple[str, ...]]:
    return [
        (
            str(i),
            _clean(r.agency_name),
            _clean(r.clause),
            _clean(r.period),
            _dmy(r.last_day),
            _dmy(_local_day(r.submitted_at)),
        )
        for i, r in enumerate(late, start=1)
    ]


def _missing_rows(missing: Iterable[MissingReport]) -> list[tuple[str, ...]]:
    return [
        (
            str(i),
            _clean(r.agency_name),
            _clean(r.clause),
            _clean(r.period),
            _dmy(r.last_day) if r.last_day else "Chưa đặt hạn",
            STATUS_VI.get(r.status, _clean(r.status)),
        )
        for i, r in enumerate(missing, start=1)
    ]


# --- Markdown ------------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>&|~])")
_MD_BLOCK_START = re.compile(r"^(#|[-+=]|\d+[.)])")


def _md(text: str) -> str:
    """Text that a CommonMark renderer shows exactly as written, never as markup or HTML."""
    escaped = _MD_INLINE.sub(r"\\\1", _clean(text))
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
        f"{_md(_issuer_header(report))}  ",
        f"**{_md(_coordinator_header(report))}**  ",
        _md(_number_line(report, blank="\u00a0")),  # blanks HTML would not collapse
        "",
        "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**  ",
        "**Độc lập - Tự do - Hạnh phúc**  ",
        f"*{_md(_place_and_date(report))}*",
        "",
        "# BÁO CÁO",
        "",
        f"**{_md(_title(report))}**",
        "",
        _md(_opening(report)),
        "",
        "## I. TỔNG HỢP CHUNG",
        "",
    ]
    out += [f"- {_md(line)}" for line in _summary(report)]
    out += ["", "## II. KẾT QUẢ THỰC HIỆN CỦA CÁC CƠ QUAN, ĐƠN VỊ", ""]
    sections = _by_agency(report.accepted)
    if not sections:
        out += [_md(NONE_ACCEPTED), ""]
    for number, section in enumerate(sections, start=1):
        out += [f"### {number}. {_md(section.name)}", ""]
        for line, paragraphs in section.reports:
            out += [f"*{_md(line)}*", ""]
            for paragraph in paragraphs:
                out += [_md(paragraph), ""]
    out += ["## III. ĐỀ XUẤT, KIẾN NGHỊ", "", _md(_proposals_placeholder(report)), ""]
    out += [_md(_closing(report)), "", "***Nơi nhận:***", ""]
    out += [f"- {_md(line.removeprefix('- '))}" for line in _recipient_lines(report)]
    out += [""]
    out += [f"**{_md(line)}**  " for line in _signer_lines(report)]
    out += ["", f"**{_md(report.signer_name)}**" if report.signer_name else "*(chưa ký)*", ""]
    out += ["---", "", "# PHỤ LỤC", "", f"*{_md(_annex_reference(report))}*", ""]
    out += ["## 1. Cơ quan, đơn vị nộp báo cáo quá hạn", ""]
    out += _md_table(LATE_HEADINGS, _late_rows(report.late)) if report.late else [_md(NONE_LATE)]
    out += ["", "## 2. Cơ quan, đơn vị chưa nộp báo cáo", ""]
    missing = _missing_rows(report.missing)
    out += _md_table(MISSING_HEADINGS, missing) if missing else [_md(NONE_MISSING)]
    out.append("")
    return "\n".join(out)


# --- .docx ---------------------------------------------------------------------------


def _set_fonts(rpr: Any, size_pt: int) -> None:
    """Times New Roman for every script, explicitly, so no theme font can win."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for tag in ("w:sz", "w:szCs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            rpr.append(element)
        element.set(qn("w:val"), str(size_pt * 2))
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")


def _prepare(document: Any, report: ConsolidationInput) -> None:
    """Page, fonts and metadata of a new document."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)

    styles = document.styles.element
    _set_fonts(styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")), BODY_PT)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr(), BODY_PT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    # Page numbers centred at the top from page 2 (Decree 30, Appendix I).
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number._p.append(field)

    # Stable metadata: dates from the report date, no machine or person in it.
    opening_hour = dt.datetime.combine(report.report_date, dt.time(8, 0), VN_TZ)
    utc = opening_hour.astimezone(dt.UTC).replace(tzinfo=None)
    core = document.core_properties
    core.author = core.last_modified_by = "kehoach"
    core.created = core.modified = utc
    core.revision = 1
    core.title = _clean(_title(report))[:255]
    core.subject = _clean(report.plan_number)[:255]
    core.language = "vi-VN"
    core.comments = ""
    # The template's python-docx thumbnail would stand for this report in file browsers.
    package_rels = document.part.package.rels
    for rel_id in [k for k, rel in package_rels.items() if rel.reltype == RT.THUMBNAIL]:
        del package_rels[rel_id]


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
) -> None:
    run = paragraph.add_run(_clean(text))
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None


def _para(
    container: Any,
    text: str = "",
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    before: int = 0,
    first_indent_mm: float | None = None,
) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(before)
    if first_indent_mm is not None:
        paragraph.paragraph_format.first_line_indent = Mm(first_indent_mm)
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _body(container: Any, text: str, **kwargs: Any) -> Paragraph:
    """A body paragraph: justified, first line indented 12.7 mm, 6 pt before, 1.15 lines."""
    paragraph = _para(
        container, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6, first_indent_mm=12.7, **kwargs
    )
    paragraph.paragraph_format.line_spacing = 1.15
    return paragraph


def _rule(container: Any, *, width_mm: float, within_mm: float) -> None:
    """A short solid line, centred: a tiny paragraph's bottom border, indented from both sides."""
    paragraph: Paragraph = container.add_paragraph()
    side = Mm(max(0.0, (within_mm - width_mm) / 2))
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    paragraph.paragraph_format.line_spacing = Pt(2)
    paragraph.paragraph_format.space_before = Pt(0)
    borders = OxmlElement("w:pBdr")
    line = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        line.set(qn(key), value)
    borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)
    _run(paragraph, "\u200b", size=2)


def _layout_only(table: Table) -> None:
    """A table that only places text: no borders, no cell padding."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(borders)
    table._tbl.tblPr.append(margins)


def _fixed_table(container: Any, rows: int, widths_mm: Sequence[float], style: str | None) -> Table:
    table: Table = container.add_table(rows=rows, cols=len(widths_mm))
    if style:
        table.style = style
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    return table


def _first(cell: _Cell) -> Paragraph:
    """The cell's empty first paragraph, to write in before adding more."""
    paragraph: Paragraph = cell.paragraphs[0]
    return paragraph


def _write(
    paragraph: Paragraph,
    text: str,
    *,
    size: int = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
) -> None:
    """Write into an existing paragraph, such as a cell's first one."""
    paragraph.alignment = align
    _run(paragraph, text, size=size, bold=bold, italic=italic)


TEXT_WIDTH_MM = 165.0  # A4 210 mm less 30 mm left and 15 mm right
HEADER_WIDTHS_MM = (76.0, 92.0)  # 3 mm wider than the text, so each line stays whole


def _header(document: Any, report: ConsolidationInput) -> None:
    table = _fixed_table(document, 2, HEADER_WIDTHS_MM, None)
    _layout_only(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _write(_first(left), _issuer_header(report), size=HEADER_PT)
    _write(left.add_paragraph(), _coordinator_header(report), size=HEADER_PT, bold=True)
    _rule(left, width_mm=30, within_mm=HEADER_WIDTHS_MM[0])
    _write(_first(right), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=HEADER_PT, bold=True)
    _write(right.add_paragraph(), "Độc lập - Tự do - Hạnh phúc", size=BODY_PT, bold=True)
    _rule(right, width_mm=62, within_mm=HEADER_WIDTHS_MM[1])
    number, place = table.rows[1].cells
    _write(_first(number), _number_line(report), size=NUMBER_PT)
    _write(_first(place), _place_and_date(report), size=BODY_PT, italic=True)
    for cell in (number, place):
        _first(cell).paragraph_format.space_before = Pt(6)


def _title_block(document: Any, report: ConsolidationInput) -> None:
    _para(document, "BÁO CÁO", bold=True, before=18)
    _para(document, _title(report), bold=True)
    # The rule under the summary (Decree 30, Appendix I): a third of the line, centred.
    _rule(document, width_mm=55, within_mm=TEXT_WIDTH_MM)


def _heading(document: Any, text: str) -> None:
    paragraph = _para(document, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6)
    paragraph.paragraph_format.first_line_indent = Mm(12.7)
    paragraph.paragraph_format.keep_with_next = True


def _body_sections(document: Any, report: ConsolidationInput) -> None:
    _body(document, _opening(report))
    _heading(document, "I. TỔNG HỢP CHUNG")
    for line in _summary(report):
        _body(document, f"- {line}")
    _heading(document, "II. KẾT QUẢ THỰC HIỆN CỦA CÁC CƠ QUAN, ĐƠN VỊ")
    sections = _by_agency(report.accepted)
    if not sections:
        _body(document, NONE_ACCEPTED)
    for number, section in enumerate(sections, start=1):
        _heading(document, f"{number}. {section.name}")
        for line, paragraphs in section.reports:
            _body(document, line, italic=True)
            for paragraph in paragraphs:
                _body(document, paragraph)
    _heading(document, "III. ĐỀ XUẤT, KIẾN NGHỊ")
    _body(document, _proposals_placeholder(report))
    _body(document, _closing(report))


SIGN_WIDTHS_MM = (80.0, 85.0)


def _sign_off(document: Any, report: ConsolidationInput) -> None:
    _para(document, "", before=6)
    table = _fixed_table(document, 1, SIGN_WIDTHS_MM, None)
    _layout_only(table)
    recipients, signer = table.rows[0].cells
    _write(
        _first(recipients),
        "Nơi nhận:",
        size=12,
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    for line in _recipient_lines(report):
        _write(recipients.add_paragraph(), line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    titles = _signer_lines(report)
    _write(_first(signer), titles[0] if titles else "", bold=True)
    for line in titles[1:]:
        _write(signer.add_paragraph(), line, bold=True)
    for _ in range(SIGNATURE_SPACE_LINES):
        signer.add_paragraph()
    if report.signer_name:
        _write(signer.add_paragraph(), report.signer_name, bold=True)
    for cell in (recipients, signer):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _grid(document: Any, headings: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = _fixed_table(document, len(rows) + 1, ANNEX_WIDTHS_MM, "Table Grid")
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeats on each page
    for cell, text in zip(header.cells, headings, strict=True):
        _write(_first(cell), text, size=TABLE_PT, bold=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for row, values in zip(table.rows[1:], rows, strict=True):
        for column, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if column == 1 else WD_ALIGN_PARAGRAPH.CENTER
            _write(_first(cell), text, size=TABLE_PT, align=align)
            _first(cell).paragraph_format.space_before = Pt(2)
            _first(cell).paragraph_format.space_after = Pt(2)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _annex(document: Any, report: ConsolidationInput) -> None:
    breaker = document.add_paragraph()
    breaker.add_run().add_break(WD_BREAK.PAGE)
    _para(document, "PHỤ LỤC", bold=True)
    _para(document, "DANH SÁCH CƠ QUAN, ĐƠN VỊ NỘP BÁO CÁO QUÁ HẠN VÀ CHƯA NỘP BÁO CÁO", bold=True)
    _para(document, _annex_reference(report), italic=True)
    _para(
        document,
        "1. Cơ quan, đơn vị nộp báo cáo quá hạn",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        before=12,
    )
    if report.late:
        _grid(document, LATE_HEADINGS, _late_rows(report.late))
    else:
        _body(document, NONE_LATE)
    _para(
        document,
        "2. Cơ quan, đơn vị chưa nộp báo cáo",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        before=12,
    )
    if report.missing:
        _grid(document, MISSING_HEADINGS, _missing_rows(report.missing))
    else:
        _body(document, NONE_MISSING)


def _stable_zip(data: bytes, day: dt.date) -> bytes:
    """The same package with every entry stamped `day` 00:00, so equal input gives equal bytes.

    python-docx stamps each zip entry with the wall clock; nothing else in it varies.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(
                entry.filename, date_time=(day.year, day.month, day.day, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def render_docx(report: ConsolidationInput) -> bytes:
    """The consolidated report as a Word document laid out per Decree 30/2020/NĐ-CP."""
    document = docx.Document()
    _prepare(document, report)
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):  # the template's empty paragraph
        body.remove(paragraph)
    _header(document, report)
    _title_block(document, report)
    _body_sections(document, report)
    _sign_off(document, report)
    _annex(document, report)
    raw = io.BytesIO()
    document.save(raw)
    return _stable_zip(raw.getvalue(), report.report_date)


def _codes(items: Iterable[AgencyReport | LateReport | MissingReport]) -> list[str]:
    return list(dict.fromkeys(item.agency_code for item in items))


def summarize(report: ConsolidationInput, docx: bytes) -> ConsolidatedReport:
    """What an activity stores: the Markdown, the .docx's SHA-256, and who is in each list."""
    return ConsolidatedReport(
        markdown=render_markdown(report),
        docx_sha256=hashlib.sha256(docx).hexdigest(),
        accepted_agencies=_codes(report.accepted),
        late_agencies=_codes(report.late),
        missing_agencies=_codes(report.missing),
    )
