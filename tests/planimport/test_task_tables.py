"""Appendix task tables as the text gives them: the portals' and .docx's "|" lines, Markdown
pipe tables; groups, merged cells, numbering, indicator tables."""

import io

from docx import Document

from domain.planimport.readers import read_document
from domain.planimport.task_tables import TableRow, read_task_tables, time_cell_deadlines

TABLE = "\n".join(
    [
        "**PHỤ LỤC**",
        "",
        "NHIỆM VỤ VÀ GIẢI PHÁP THỰC HIỆN",
        "",
        "|",
        "**STT**",
        "|",
        "**NHIỆM VỤ**",
        "|",
        "**CHỦ TRÌ**",
        "|",
        "**PHỐI HỢP**",
        "|",
        "**THỜI GIAN**",
        "|",
        "|",
        "**I**",
        "|",
        "**NHÓM GIẢI PHÁP VỀ CƠ CHẾ**",
        "|",
        "|",
        "1",
        "|",
        "Rà soát cơ chế, chính sách khuyến khích",
        "đầu tư.",
        "|",
        "Sở Tài chính",
        "|",
        "Sở Công Thương; Ban Quản lý khu Kinh tế tỉnh",
        "|",
        "2026",
        "|",
        "|",
        "2",
        "|",
        "Công bố dữ liệu mở",
        "|",
        "Sở KH&CN chủ trì hướng dẫn; Các sở, ngành thực hiện công bố",
        "|",
        "",
        "|",
        "Quý IV/2025",
        "|",
        "|",
    ]
)


def test_each_row_gives_task_lead_partners_and_time_with_its_lines() -> None:
    rows = read_task_tables(TABLE)
    assert ["PL.I.1", "PL.I.2"] == [r.section for r in rows]
    first, second = rows
    assert "Rà soát cơ chế, chính sách khuyến khích đầu tư." == first.task.text
    assert (24, 25) == (first.task.first_line, first.task.last_line)
    assert "Sở Tài chính" == first.lead.text
    assert ["Sở Công Thương", "Ban Quản lý khu Kinh tế tỉnh"] == first.coordinating
    assert "2026" == first.time.text
    # A lead cell that gives roles: its first body leads, the others take part.
    assert ("Sở KH&CN", ["Các sở, ngành"]) == (second.lead.text, second.coordinating)


def test_a_table_without_a_lead_column_is_not_a_task_table() -> None:
    text = "|\n**TT**\n|\n**Chỉ tiêu**\n|\n**Năm 2026**\n|\n|\n1\n|\nGRDP\n|\n8%\n|\n|"
    assert [] == read_task_tables(text)


def _times(rows: list[TableRow]) -> list[str]:
    return [r.time.text for r in rows]


MARKDOWN = """**PHỤ LỤC**

DANH MỤC NHIỆM VỤ TRIỂN KHAI

| STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Sản phẩm |
|:---:|---|---|---|---|---|
| **I** | **Hoàn thiện thể chế** | | | | |
| 1 | Lập quy chế<br>dùng dữ liệu | Sở Tư pháp | Sở Nội vụ, Công an tỉnh | Quý II/2026 | Quy chế |
| 2 | Rà soát thủ tục | Văn phòng UBND tỉnh | | Tháng 12/2026 | Báo cáo |
| | Công khai kết quả rà soát | Sở Tư pháp | | | Văn bản |
| II. Hạ tầng số | II. Hạ tầng số | II. Hạ tầng số | II. Hạ tầng số | II. Hạ tầng số | |
| 1 | Nâng cấp trung tâm dữ liệu | Sở Khoa học và Công nghệ | Các sở | Năm 2027 | Hệ thống |
"""


def test_a_markdown_table_gives_its_rows_under_their_groups() -> None:
    rows = read_task_tables(MARKDOWN)
    assert ["PL.I.1", "PL.I.2", "PL.I.2", "PL.II.1"] == [r.section for r in rows]
    first = rows[0]
    assert "Lập quy chế dùng dữ liệu" == first.task.text
    assert ("Sở Tư pháp", ["Sở Nội vụ", "Công an tỉnh"]) == (first.lead.text, first.coordinating)
    assert (8, 8) == (first.task.first_line, first.time.last_line)
    # The "Sản phẩm" column is not the time, nor the task.
    assert ["Quý II/2026", "Tháng 12/2026", "Tháng 12/2026", "Năm 2027"] == _times(rows)


def test_a_row_whose_number_cell_was_merged_is_a_task_with_the_time_above() -> None:
    continued = read_task_tables(MARKDOWN)[2]
    assert "Công khai kết quả rà soát" == continued.task.text
    assert ("Sở Tư pháp", "Tháng 12/2026") == (continued.lead.text, continued.time.text)
    assert 10 == continued.task.first_line


def test_a_merged_number_row_with_only_its_task_and_lead_is_not_a_group() -> None:
    text = MARKDOWN.replace(
        "| | Công khai kết quả rà soát | Sở Tư pháp | | | Văn bản |",
        "| | Công khai kết quả rà soát | Sở Tư pháp | | | |",
    )
    assert "Công khai kết quả rà soát" == read_task_tables(text)[2].task.text


def test_a_markdown_row_wrapped_over_lines_is_read_whole() -> None:
    wrapped = MARKDOWN.replace(
        "| 2 | Rà soát thủ tục | Văn phòng UBND tỉnh |",
        "| 2 | Rà soát thủ tục | Văn phòng\nUBND tỉnh |",
    )
    second = read_task_tables(wrapped)[1]
    assert ("Văn phòng UBND tỉnh", "Tháng 12/2026") == (second.lead.text, second.time.text)
    assert (9, 10) == (second.lead.first_line, second.time.last_line)


INDICATORS = "\n".join(
    [
        "PHỤ LỤC",
        "PHÂN CÔNG CÁC CHỈ TIÊU PHÁT TRIỂN ĐÔ THỊ THÔNG MINH ĐẾN",
        "NĂM 2030",
        "",
        *["|", "TT", "|", "Chỉ tiêu", "|", "Đơn vị chủ trì", "|", "|"],
        *["|", "I. Chính quyền số", "|", "|"],
        *["|", "1", "|", "Tỷ lệ hồ sơ trực tuyến đạt 90%.", "|", "Văn phòng UBND tỉnh", "|", "|"],
        "|",
        "2",
        "|",
        "Tỷ lệ giáo viên có kỹ năng số đạt 100%.",
        "|",
        "Sở Giáo dục và Đào tạo; Sở Nội vụ; Sở Khoa học và Công nghệ theo dõi, báo cáo",
        "|",
        "|",
    ]
)


def test_an_indicator_table_takes_its_year_from_its_title_and_groups_from_merged_rows() -> None:
    rows = read_task_tables(INDICATORS)
    assert ["PL.I.1", "PL.I.2"] == [r.section for r in rows]
    assert ["đến NĂM 2030", "đến NĂM 2030"] == [r.time.text.replace("ĐẾN", "đến") for r in rows]
    assert [{"year_only": 2030}] == [f.values for f in time_cell_deadlines(rows[0].time.text)]
    # Bare names before a role all lead; the body with a role (follow, report) takes part.
    second = rows[1]
    assert "Sở Giáo dục và Đào tạo; Sở Nội vụ" == second.lead.text
    assert ["Sở Khoa học và Công nghệ"] == second.coordinating


def test_an_indicator_table_takes_its_year_from_a_target_column() -> None:
    text = (
        "| TT | Chỉ tiêu | Năm 2026 | Năm 2030 | Đơn vị chủ trì |\n"
        "|---|---|---|---|---|\n"
        "| 1 | Tỷ lệ xã có điểm phục vụ số | 50% | 100% | Sở Khoa học và Công nghệ |\n"
    )
    (row,) = read_task_tables(text)
    assert ("Sở Khoa học và Công nghệ", "Năm 2030") == (row.lead.text, row.time.text)


def test_numbered_headings_number_their_lettered_and_dotted_rows() -> None:
    text = (
        "| STT | Nội dung công việc | Đơn vị chủ trì | Tiến độ |\n"
        "|---|---|---|---|\n"
        "| 1 | Nhóm nhiệm vụ về dữ liệu | | |\n"
        "| a) | Lập danh mục dữ liệu | Sở Tài chính | Quý I/2026 |\n"
        "| b) | Chuẩn hóa dữ liệu | Sở Tài chính | Quý III/2026 |\n"
        "| 2.1 | Kết nối dữ liệu | Công an tỉnh | Năm 2026 |\n"
    )
    assert ["PL.1.a", "PL.1.b", "PL.2.1"] == [r.section for r in read_task_tables(text)]


def test_a_table_without_a_number_column_gives_every_row_with_a_lead() -> None:
    text = (
        "| Nhiệm vụ | Cơ quan chủ trì | Thời gian thực hiện |\n"
        "|---|---|---|\n"
        "| Tuyên truyền | Sở Văn hóa, Thể thao và Du lịch | Hằng năm |\n"
        "| Kiểm tra | Sở Nội vụ | Quý IV/2026 |\n"
    )
    rows = read_task_tables(text)
    assert ["Tuyên truyền", "Kiểm tra"] == [r.task.text for r in rows]
    assert ["Hằng năm", "Quý IV/2026"] == _times(rows)


STACKED = "\n".join(
    [
        *["|", "STT", "|", "Nhiệm vụ", "|", "Chủ trì", "|", "Phối hợp", "|", "Thời gian", "|", "|"],
        "|",
        "3",
        "|",
        "Bố trí cán bộ đủ năng lực để",
        "thu thập dữ liệu.",
        "Bố trí cán bộ đủ năng lực để",
        "vận hành hệ thống.",
        "|",
        "Các sở, ngành",
        "Sở Tài chính",
        "|",
        "Sở Tài chính",
        "Các sở, ngành",
        "|",
        "Năm 2026",
        "|",
        "|",
    ]
)


def test_a_row_that_stacks_two_tasks_in_its_cells_gives_both() -> None:
    rows = read_task_tables(STACKED)
    assert [
        ("Bố trí cán bộ đủ năng lực để thu thập dữ liệu.", "Các sở, ngành", ["Sở Tài chính"]),
        ("Bố trí cán bộ đủ năng lực để vận hành hệ thống.", "Sở Tài chính", ["Các sở, ngành"]),
    ] == [(r.task.text, r.lead.text, r.coordinating) for r in rows]
    assert [(16, 17), (18, 19)] == [(r.task.first_line, r.task.last_line) for r in rows]
    assert ["Năm 2026", "Năm 2026"] == _times(rows)


def test_a_lead_name_wrapped_over_two_lines_is_one_lead() -> None:
    text = STACKED.replace("Các sở, ngành\nSở Tài chính\n|", "Sở Tài chính, các\nSở Nội vụ\n|")
    (row,) = read_task_tables(text)
    assert "Sở Tài chính, các Sở Nội vụ" == row.lead.text


def test_a_docx_table_with_merged_cells_gives_its_rows_under_the_merged_group() -> None:
    document = Document()
    document.add_paragraph("PHỤ LỤC")
    table = document.add_table(rows=5, cols=5)
    rows = [
        ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"],
        ["", "", "", "", ""],
        ["1", "Xây dựng quy chế", "Sở Tư pháp", "", "Quý II/2026"],
        ["2", "Rà soát thủ tục", "Văn phòng UBND tỉnh", "Sở Nội vụ", "Tháng 12/2026"],
        ["3", "Công khai kết quả", "", "", ""],
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(1, 4)).text = "II. NHÓM NHIỆM VỤ VỀ THỂ CHẾ"
    table.cell(3, 2).merge(table.cell(4, 2))  # one lead for rows 2 and 3
    table.cell(3, 4).merge(table.cell(4, 4))
    data = io.BytesIO()
    document.save(data)
    read = read_task_tables(read_document(data.getvalue(), ".docx"))
    assert [
        ("PL.II.1", "Xây dựng quy chế", "Sở Tư pháp", "Quý II/2026"),
        ("PL.II.2", "Rà soát thủ tục", "Văn phòng UBND tỉnh", "Tháng 12/2026"),
        ("PL.II.3", "Công khai kết quả", "Văn phòng UBND tỉnh", "Tháng 12/2026"),
    ] == [(r.section, r.task.text, r.lead.text, r.time.text) for r in read]
