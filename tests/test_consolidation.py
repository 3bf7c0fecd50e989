"""domain.report: the consolidated report, read back from the .docx it writes."""

import datetime as dt
import hashlib
import io
import re
import time
import types
import zipfile
from pathlib import Path
from typing import Any, Literal

import docx
import pytest
from docx.document import Document
from docx.shared import Length, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt
from pydantic import ValidationError

from domain.planfile import load_plan
from domain.report import facts, render_docx, render_markdown, summarize
from domain.report.issue import issue
from schemas.calendar import VN_TZ
from schemas.consolidation import (
    AgencyReport,
    ConsolidationInput,
    LateReport,
    MissingReport,
)

NGOAI_VU = "Sở Ngoại vụ tỉnh Gia Lai"
VAN_HOA = "Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai"
PLEIKU = "Ủy ban nhân dân thành phố Pleiku"
CHU_PAH = "Ủy ban nhân dân huyện Chư Păh"
KBANG = "Ủy ban nhân dân huyện Kbang"
ODD_BODY = "Kết quả: <script>alert('x')</script> & <b>đậm</b> &amp; 🇻🇳😀 — ổn."
LONG_LINE = "Tổ chức tuyên truyền về biên giới, biển đảo. " * 2_000


def vn(y: int, m: int, d: int, hh: int = 9) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=VN_TZ)


def accepted(
    code: str, name: str, *, outcome: Literal["on_time", "late"] = "on_time", body: str = ""
) -> AgencyReport:
    return AgencyReport(
        agency_code=code,
        agency_name=name,
        duty_id="KL.1",
        clause="KL",
        period="2023",
        submitted_at=vn(2023, 11, 8) if outcome == "on_time" else vn(2023, 11, 13),
        outcome=outcome,
        body=body or f"Năm 2023, {name} đã triển khai các nhiệm vụ thông tin đối ngoại.",
    )


def build(**changes: Any) -> ConsolidationInput:
    """Three accepted (one late), two missing, 17 assignments (12 cancelled or waived)."""
    fields: dict[str, Any] = dict(
        issuer_name="ỦY BAN NHÂN DÂN TỈNH GIA LAI",
        coordinator_name="SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        coordinator_short="STTTT",
        plan_number="516/KH-UBND",
        plan_title="Kế hoạch hoạt động thông tin đối ngoại năm 2023 trên địa bàn tỉnh Gia Lai",
        plan_issued_on=dt.date(2023, 3, 9),
        year=2023,
        place="Gia Lai",
        report_date=dt.date(2023, 11, 15),
        report_number=None,
        recipients=[
            "Ủy ban nhân dân tỉnh (báo cáo)",
            "Bộ Thông tin và Truyền thông (báo cáo)",
            "Lưu: VT",
        ],
        signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        signer_name="Nguyễn Văn Bình",
        accepted=[
            accepted("SNGV", NGOAI_VU, body="Xuất bản 02 số Tập san.\n\n- Đón 05 đoàn khách."),
            accepted("SVHTTDL", VAN_HOA, outcome="late"),
            accepted("UBND_PLEIKU", PLEIKU),
        ],
        late=[
            LateReport(
                agency_code="SVHTTDL",
                agency_name=VAN_HOA,
                clause="KL",
                period="2023",
                last_day=dt.date(2023, 11, 9),
                submitted_at=vn(2023, 11, 13),
            )
        ],
        missing=[
            MissingReport(
                agency_code="UBND_CHUPAH",
                agency_name=CHU_PAH,
                clause="KL",
                period="2023",
                last_day=dt.date(2023, 11, 9),
                status="overdue",
            ),
            MissingReport(
                agency_code="UBND_KBANG",
                agency_name=KBANG,
                clause="KL",
                period="2023",
                last_day=None,
                status="returned",
            ),
        ],
        total_assignments=17,
    )
    fields.update(changes)
    return ConsolidationInput(**fields)


def read(report: ConsolidationInput) -> Document:
    return docx.Document(io.BytesIO(render_docx(report)))


def blocks(document: Document) -> list[Paragraph | Table]:
    return list(document.iter_inner_content())


def main_part(document: Document) -> list[Paragraph]:
    """The body paragraphs before the annex, outside any table."""
    out: list[Paragraph] = []
    for block in blocks(document):
        if isinstance(block, Paragraph):
            if block.text.startswith("PHỤ LỤC"):
                break
            out.append(block)
    return out


def annex_tables(document: Document) -> dict[str, list[list[str]]]:
    """Each annex table's data rows, keyed by the heading paragraph just before it."""
    found: dict[str, list[list[str]]] = {}
    heading = ""
    in_annex = False
    for block in blocks(document):
        if isinstance(block, Paragraph):
            in_annex = in_annex or block.text.startswith("PHỤ LỤC")
            heading = block.text or heading
        elif in_annex:
            found[heading] = [[c.text for c in row.cells] for row in block.rows[1:]]
    return found


def section_two_agencies(document: Document) -> list[str]:
    """The numbered bold agency headings of Phụ lục III (the agencies' reports)."""
    texts = list(document.paragraphs)
    start = next(i for i, p in enumerate(texts) if p.text == "PHỤ LỤC III")
    return [
        re.sub(r"^\d+\. ", "", p.text)
        for p in texts[start + 1 :]
        if re.match(r"^\d+\. ", p.text) and all(r.bold for r in p.runs)
    ]


def mm(length: Length | None) -> float:
    assert length is not None
    return round(float(length.mm), 1)  # stored in twips: 210 mm reads back as 210.008


def cell_lines(table: Table, row: int, column: int) -> list[str]:
    return [p.text for p in table.cell(row, column).paragraphs if p.text.strip("\u200b")]


# --- the administrative layout -----------------------------------------------------------


def test_header_table_names_the_issuing_body_and_the_national_motto_without_borders() -> None:
    document = read(build())
    header = document.tables[0]
    assert ["UBND TỈNH GIA LAI", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"] == cell_lines(header, 0, 0)
    assert ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"] == cell_lines(
        header, 0, 1
    )
    body_name = header.cell(0, 0).paragraphs[1]
    assert [True] == [r.bold for r in body_name.runs]
    motto = header.cell(0, 1).paragraphs
    assert [True, True] == [motto[0].runs[0].bold, motto[1].runs[0].bold]
    borders = header._tbl.tblPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblBorders"
    )
    assert borders is not None and all(b.get(borders.tag[:-10] + "val") == "nil" for b in borders)
    # Each column carries a short rule: a paragraph whose bottom border is drawn.
    for column in (0, 1):
        assert 'w:bottom w:val="single"' in header.cell(0, column)._tc.xml


def test_a_draft_leaves_the_number_blank_and_a_numbered_report_prints_its_symbol() -> None:
    draft = read(build()).tables[0]
    assert ["Số:      /BC-STTTT"] == cell_lines(draft, 1, 0)
    numbered = read(build(report_number="125")).tables[0]
    assert ["Số: 125/BC-STTTT"] == cell_lines(numbered, 1, 0)
    full = read(build(report_number="7/BC-STTTT")).tables[0]
    assert ["Số: 7/BC-STTTT"] == cell_lines(full, 1, 0)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2023, 11, 15), "Gia Lai, ngày 15 tháng 11 năm 2023"),
        (dt.date(2024, 2, 5), "Gia Lai, ngày 05 tháng 02 năm 2024"),  # zero before 1, 2 only
        (dt.date(2023, 3, 9), "Gia Lai, ngày 09 tháng 3 năm 2023"),
    ],
)
def test_place_and_date_line_is_italic_and_follows_decree_30(day: dt.date, expected: str) -> None:
    header = read(build(report_date=day, report_number="125")).tables[0]
    assert [expected] == cell_lines(header, 1, 1)
    assert [True] == [r.italic for r in header.cell(1, 1).paragraphs[0].runs]


def test_a_draft_leaves_both_the_number_and_the_date_for_the_clerk() -> None:
    header = read(build()).tables[0]
    assert ["Gia Lai, ngày      tháng      năm 2023"] == cell_lines(header, 1, 1)


def test_document_kind_and_title_are_bold_and_centred_and_cite_the_plan() -> None:
    paragraphs = main_part(read(build()))
    kind = next(p for p in paragraphs if p.text == "BÁO CÁO")
    title = paragraphs[paragraphs.index(kind) + 1]
    assert title.text == (
        "Kết quả thực hiện Kế hoạch số 516/KH-UBND ngày 09/3/2023 của Ủy ban nhân dân tỉnh "
        "Gia Lai năm 2023"
    )
    assert "516/KH-UBND" in title.text
    for paragraph in (kind, title):
        assert 1 == paragraph.alignment  # WD_ALIGN_PARAGRAPH.CENTER
        assert all(r.bold for r in paragraph.runs)


def test_body_opens_with_the_plan_and_has_three_parts_in_order() -> None:
    texts = [p.text for p in main_part(read(build()))]
    opening = next(t for t in texts if t.startswith("Thực hiện Kế hoạch"))
    assert opening.startswith("Thực hiện Kế hoạch số 516/KH-UBND ngày 09/3/2023 của Ủy ban")
    assert "Sở Thông tin và Truyền thông báo cáo kết quả thực hiện năm 2023" in opening
    parts = [t for t in texts if re.match(r"^(I|II|III|IV|V)\. ", t)]
    assert [
        "I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI",
        "II. KẾT QUẢ THỰC HIỆN",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. PHƯƠNG HƯỚNG NHIỆM VỤ THỜI GIAN TỚI",
        "V. ĐỀ XUẤT, KIẾN NGHỊ",
    ] == parts
    summary = "\n".join(texts)
    assert (
        f"- 3/5 cơ quan, đơn vị đã gửi báo cáo (1 gửi chậm); chưa gửi: {CHU_PAH}, {KBANG}."
        in summary
    )
    assert texts[texts.index("V. ĐỀ XUẤT, KIẾN NGHỊ") + 1] == (
        "Các cơ quan, đơn vị không có đề xuất, kiến nghị."
    )
    assert [t for t in texts if t][-1].endswith("kính báo cáo Ủy ban nhân dân tỉnh Gia Lai./.")


def test_recipients_block_and_signature_block() -> None:
    document = read(build())
    sign = document.tables[1]
    recipients = sign.cell(0, 0).paragraphs
    assert [
        "Nơi nhận:",
        "- Ủy ban nhân dân tỉnh (báo cáo);",
        "- Bộ Thông tin và Truyền thông (báo cáo);",
        "- Lưu: VT.",
    ] == [p.text for p in recipients]
    label = recipients[0].runs[0]
    assert (True, True, Pt(12)) == (label.bold, label.italic, label.font.size)
    signer = [p for p in sign.cell(0, 1).paragraphs if p.text]
    assert ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Bình"] == [p.text for p in signer]
    assert all(r.bold for p in signer for r in p.runs)


def test_unsigned_report_keeps_the_title_and_prints_no_name() -> None:
    sign = read(build(signer_title="GIÁM ĐỐC", signer_name=None)).tables[1]
    assert ["GIÁM ĐỐC"] == [p.text for p in sign.cell(0, 1).paragraphs if p.text]


def test_page_is_a4_with_decree_30_margins_in_times_new_roman() -> None:
    document = read(build())
    section = document.sections[0]
    assert (210, 297) == (round(mm(section.page_width)), round(mm(section.page_height)))
    assert 20 <= mm(section.top_margin) <= 25
    assert 20 <= mm(section.bottom_margin) <= 25
    assert 30 <= mm(section.left_margin) <= 35
    assert 15 <= mm(section.right_margin) <= 20
    normal = document.styles["Normal"]
    assert ("Times New Roman", Pt(14)) == (normal.font.name, normal.font.size)
    fonts = normal.element.rPr.rFonts
    assert {"Times New Roman"} == {fonts.get(k) for k in fonts.keys()}
    runs = [r for p in main_part(document) for r in p.runs if r.text.strip("\u200b ")]
    body_sizes = {r.font.size for r in runs}
    assert body_sizes <= {Pt(13), Pt(14)}


# --- who is named where -----------------------------------------------------------------


def test_body_names_exactly_the_accepted_agencies() -> None:
    document = read(build())
    assert [NGOAI_VU, VAN_HOA, PLEIKU] == section_two_agencies(document)
    annex = "\n".join(p.text for p in document.paragraphs)
    assert "- Đón 05 đoàn khách." in annex.split("PHỤ LỤC III")[1]


def test_one_agency_with_two_reports_gets_one_subsection() -> None:
    second = accepted("SNGV", NGOAI_VU, body="Báo cáo thứ hai.").model_copy(
        update={"clause": "III.5", "duty_id": "III.5.1"}
    )
    document = read(build(accepted=[*build().accepted, second]))
    assert [NGOAI_VU, VAN_HOA, PLEIKU] == section_two_agencies(document)
    annex = "\n".join(p.text for p in document.paragraphs).split("PHỤ LỤC III")[1]
    assert "(Báo cáo năm 2023 gửi ngày 08/11/2023: hoàn thành đúng hạn.)" in annex
    assert "Báo cáo thứ hai." in annex


def test_annex_tables_list_exactly_the_late_and_the_missing_agencies() -> None:
    document = read(build())
    tables = annex_tables(document)
    assert [["1", VAN_HOA, "KL", "năm 2023", "09/11/2023", "13/11/2023"]] == tables[
        "1. Cơ quan, đơn vị gửi báo cáo chậm"
    ]
    assert [
        ["1", CHU_PAH, "KL", "năm 2023", "09/11/2023", "Quá hạn, chưa gửi"],
        ["2", KBANG, "KL", "năm 2023", "Chưa đặt hạn", "Bị trả lại, chờ gửi lại"],
    ] == tables["2. Cơ quan, đơn vị chưa gửi báo cáo"]
    # Each of the three annexes starts on a new page.
    breaks = document.element.body.xpath('.//w:br[@w:type="page"]')
    assert 3 == len(breaks)


def test_without_late_or_missing_reports_the_annex_says_so() -> None:
    document = read(build(late=[], missing=[]))
    assert {} == annex_tables(document)
    texts = [p.text for p in document.paragraphs]
    assert "Không có cơ quan, đơn vị gửi báo cáo chậm." in texts
    assert "Không có cơ quan, đơn vị chưa gửi báo cáo." in texts


def test_zero_accepted_reports_still_renders_and_says_so() -> None:
    report = build(accepted=[], late=[])
    document = read(report)
    assert [] == section_two_agencies(document)
    body = [p.text for p in main_part(document)]
    assert "Chưa có cơ quan, đơn vị nào có báo cáo được chấp nhận tại thời điểm báo cáo." in body
    assert f"- 0/2 cơ quan, đơn vị đã gửi báo cáo; chưa gửi: {CHU_PAH}, {KBANG}." in body
    assert [CHU_PAH, KBANG] == [
        row[1] for row in annex_tables(document)["2. Cơ quan, đơn vị chưa gửi báo cáo"]
    ]
    assert "Chưa có cơ quan, đơn vị nào" in render_markdown(report)


def test_counts_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(ValidationError, match="total_assignments=4"):
        build(total_assignments=4)


# --- text is text -----------------------------------------------------------------------


def test_markup_entities_emoji_and_very_long_text_are_kept_as_text() -> None:
    body = f"{ODD_BODY}\n# không phải tiêu đề\n{LONG_LINE.strip()}\nký tự\x07lạ"
    report = build(accepted=[accepted("SNGV", NGOAI_VU, body=body)], late=[])
    document = read(report)
    texts = [p.text for p in document.paragraphs]
    assert ODD_BODY in texts
    assert "# không phải tiêu đề" in texts
    assert LONG_LINE.strip() in texts
    assert "ký tự\ufffdlạ" in texts  # a control character XML cannot hold
    assert not document.element.body.xpath(".//w:hyperlink")

    html = MarkdownIt("commonmark").render(render_markdown(report))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;b&gt;đậm&lt;/b&gt; &amp;amp;" in html
    assert "<p># không phải tiêu đề</p>" in html
    assert "🇻🇳😀" in html and LONG_LINE.strip() in html


# --- the Markdown ------------------------------------------------------------------------


def markdown_sets(markdown: str) -> tuple[list[str], list[str], list[str]]:
    reports = markdown.split("**PHỤ LỤC III**")[1]
    agencies = re.findall(r"^### \d+\. (.+)$", reports, flags=re.M)
    late = markdown.split("### 1. Cơ quan, đơn vị gửi báo cáo chậm")[1].split("### 2. ")[0]
    missing = markdown.split("### 2. Cơ quan, đơn vị chưa gửi báo cáo")[1].split("**PHỤ LỤC III**")[
        0
    ]

    def rows(table: str) -> list[str]:
        return re.findall(r"^\| \d+ \| ([^|]+) \|", table, flags=re.M)

    return agencies, rows(late), rows(missing)


def test_markdown_lists_the_same_three_sets_as_the_docx() -> None:
    report = build()
    markdown = render_markdown(report)
    assert ([NGOAI_VU, VAN_HOA, PLEIKU], [VAN_HOA], [CHU_PAH, KBANG]) == markdown_sets(markdown)
    for line in (
        "**SỞ THÔNG TIN VÀ TRUYỀN THÔNG**",
        "# BÁO CÁO",
        "**PHỤ LỤC I**",
        "***Nơi nhận:***",
    ):
        assert line in markdown
    assert "Số: \u00a0\u00a0\u00a0\u00a0\u00a0/BC-STTTT" in markdown  # blanks a browser keeps


def test_summarize_names_agency_codes_and_hashes_the_docx() -> None:
    report = build()
    rendered = render_docx(report)
    result = summarize(report, rendered)
    assert hashlib.sha256(rendered).hexdigest() == result.docx_sha256
    assert ["SNGV", "SVHTTDL", "UBND_PLEIKU"] == result.accepted_agencies
    assert ["SVHTTDL"] == result.late_agencies
    assert ["UBND_CHUPAH", "UBND_KBANG"] == result.missing_agencies
    assert render_markdown(report) == result.markdown


# --- determinism -------------------------------------------------------------------------


def test_same_input_gives_the_same_bytes_even_a_day_later(monkeypatch: pytest.MonkeyPatch) -> None:
    report = build()
    first = render_docx(report)
    # python-docx stamps zip entries with the wall clock; move zipfile's clock a day on.
    later = time.time() + 86_400
    fake = types.SimpleNamespace(time=lambda: later, localtime=time.localtime)
    monkeypatch.setattr(zipfile, "time", fake)
    assert first == render_docx(report)
    assert render_markdown(report) == render_markdown(build())
    core = docx.Document(io.BytesIO(first)).core_properties
    assert ("kehoach", "kehoach") == (core.author, core.last_modified_by)
    assert dt.datetime(2023, 11, 15, 1, 0, tzinfo=dt.UTC) == core.created == core.modified
    stamps = {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert {(2023, 11, 15, 0, 0, 0)} == stamps


# --- every plan of the repository ---------------------------------------------------------

# Plan 516 is compiled with its form in tests/test_report_libreoffice.py.
PLANS = sorted((Path(__file__).parents[1] / "plans").glob("*-20[2-9][0-9]-*.yaml"))


@pytest.mark.parametrize(
    "path", [p for p in PLANS if not p.name.startswith("516-")], ids=lambda p: p.name
)
def test_every_corpus_plan_compiles_a_report_without_a_form(path: Path) -> None:
    plan = load_plan(path)
    final = plan.plan.final_report.duty or plan.duties[-1].id
    report = facts.consolidation_input(
        plan,
        duty_id=final,
        year=plan.plan.year,
        period=None,
        report_date=plan.plan.span.start + dt.timedelta(days=30),
        assignments=[],
        latest={},
    )
    document = read(report)
    texts = [p.text for p in document.paragraphs]
    assert "V. ĐỀ XUẤT, KIẾN NGHỊ" in texts and "PHỤ LỤC I" in texts
    assert len(plan.duties) - 1 == len(report.duties)
    assert plan.plan.report_form is None and "PHỤ LỤC IV" not in texts
    assert "chưa ấn định" not in render_markdown(report)


def test_the_committees_own_report_is_signed_for_it_by_the_vice_chairman() -> None:
    plan = load_plan(Path(__file__).parents[1] / "plans" / "516-KH-UBND-2023.yaml")
    final = plan.plan.final_report.model_copy(update={"author": "issuer"})
    plan = plan.model_copy(update={"plan": plan.plan.model_copy(update={"final_report": final})})
    sign = facts.signing(plan)
    assert ("issuer", "vice_chairman") == (sign.author, sign.approver)
    report = facts.consolidation_input(
        plan,
        duty_id="KL.1",
        year=2023,
        period=None,
        report_date=dt.date(2023, 11, 15),
        assignments=[],
        latest={},
    )
    document = read(report)
    header, signature = document.tables[0], document.tables[1]
    assert ["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI"] == cell_lines(header, 0, 0)
    assert ["Số:      /BC-UBND"] == cell_lines(header, 1, 0)
    assert ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Thị Thanh Lịch"] == [
        p.text for p in signature.cell(0, 1).paragraphs if p.text
    ]
    closing = [p.text for p in main_part(document) if p.text.startswith("Trên đây")]
    assert [
        "Trên đây là báo cáo kết quả thực hiện Kế hoạch số 516/KH-UBND ngày 09/3/2023 "
        "của Ủy ban nhân dân tỉnh Gia Lai năm 2023./."
    ] == closing


def test_issuing_fills_the_number_and_date_and_changes_nothing_else() -> None:
    report = build()
    draft = render_docx(report)
    docx_bytes, markdown = issue(
        draft, render_markdown(report), number="125", day=dt.date(2023, 11, 16)
    )
    issued = docx.Document(io.BytesIO(docx_bytes))
    numbered = read(build(report_number="125", report_date=dt.date(2023, 11, 16)))
    assert [p.text for p in numbered.paragraphs] == [p.text for p in issued.paragraphs]
    assert cell_lines(numbered.tables[0], 1, 0) == cell_lines(issued.tables[0], 1, 0)
    assert cell_lines(numbered.tables[0], 1, 1) == cell_lines(issued.tables[0], 1, 1)
    assert "Số: 125/BC-STTTT" in markdown and "ngày 16 tháng 11 năm 2023" in markdown
