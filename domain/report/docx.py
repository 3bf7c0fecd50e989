"""The consolidated report as .docx, in the layout of Decree 30/2020/NĐ-CP, Appendix I."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterable, Sequence
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

from domain.report.markdown import render_markdown
from domain.report.words import (
    BODY_PT,
    FONT,
    HEADER_PT,
    NUMBER_PT,
    SIGNATURE_SPACE_LINES,
    TABLE_PT,
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
from schemas.calendar import VN_TZ
from schemas.consolidation import (
    AgencyReport,
    ConsolidatedReport,
    ConsolidationInput,
    LateReport,
    MissingReport,
)


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
    core.title = clean(title(report))[:255]
    core.subject = clean(report.plan_number)[:255]
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
    run = paragraph.add_run(clean(text))
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
    for index, (text, bold) in enumerate(header_lines(report)):
        paragraph = _first(left) if index == 0 else left.add_paragraph()
        _write(paragraph, text, size=HEADER_PT, bold=bold)
    _rule(left, width_mm=30, within_mm=HEADER_WIDTHS_MM[0])
    _write(_first(right), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=HEADER_PT, bold=True)
    _write(right.add_paragraph(), "Độc lập - Tự do - Hạnh phúc", size=BODY_PT, bold=True)
    _rule(right, width_mm=62, within_mm=HEADER_WIDTHS_MM[1])
    number, place = table.rows[1].cells
    _write(_first(number), number_line(report), size=NUMBER_PT)
    _write(_first(place), place_and_date(report), size=BODY_PT, italic=True)
    for cell in (number, place):
        _first(cell).paragraph_format.space_before = Pt(6)


def _title_block(document: Any, report: ConsolidationInput) -> None:
    _para(document, "BÁO CÁO", bold=True, before=18)
    _para(document, title(report), bold=True)
    # The rule under the summary (Decree 30, Appendix I): a third of the line, centred.
    _rule(document, width_mm=55, within_mm=TEXT_WIDTH_MM)


def _heading(document: Any, text: str) -> None:
    paragraph = _para(document, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=6)
    paragraph.paragraph_format.first_line_indent = Mm(12.7)
    paragraph.paragraph_format.keep_with_next = True


def _blocks(document: Any, blocks: Sequence[Block]) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            _heading(document, block.text)
        elif isinstance(block, Para):
            _body(document, block.text, italic=block.italic)
        elif isinstance(block, Centred):
            _para(document, block.text, bold=block.bold, italic=block.italic)
        elif isinstance(block, Grid):
            _para(document, "", before=6)
            _grid(document, block)
        elif isinstance(block, PageBreak):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


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
    for line in recipient_lines(report):
        _write(recipients.add_paragraph(), line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    titles = signer_lines(report)
    _write(_first(signer), titles[0] if titles else "", bold=True)
    for line in titles[1:]:
        _write(signer.add_paragraph(), line, bold=True)
    for _ in range(SIGNATURE_SPACE_LINES):
        signer.add_paragraph()
    if report.signer_name:
        _write(signer.add_paragraph(), report.signer_name, bold=True)
    for cell in (recipients, signer):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _grid(document: Any, grid: Grid) -> None:
    table = _fixed_table(document, len(grid.rows) + 1, grid.widths_mm, "Table Grid")
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeats on each page
    for cell, text in zip(header.cells, grid.headings, strict=True):
        _write(_first(cell), text, size=TABLE_PT, bold=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for row, values in zip(table.rows[1:], grid.rows, strict=True):
        for column, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            left = column in grid.left
            align = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
            _write(_first(cell), text, size=TABLE_PT, align=align)
            _first(cell).paragraph_format.space_before = Pt(2)
            _first(cell).paragraph_format.space_after = Pt(2)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def stable_zip(data: bytes, day: dt.date) -> bytes:
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
    element = document.element.body
    for paragraph in list(element.iterchildren(qn("w:p"))):  # the template's empty paragraph
        element.remove(paragraph)
    _header(document, report)
    _title_block(document, report)
    _blocks(document, body(report))
    _sign_off(document, report)
    _blocks(document, annexes(report))
    raw = io.BytesIO()
    document.save(raw)
    return stable_zip(raw.getvalue(), report.report_date)


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
