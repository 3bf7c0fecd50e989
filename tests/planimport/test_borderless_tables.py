"""Task tables in a PDF's text layer, where no mark separates the cells: each cell's lines
follow the cell before, the header's cells wrapped too."""

from bench.textpdf import text_pdf
from domain.planimport.readers import read_document
from domain.planimport.task_tables import read_task_tables

LINES = [
    "Kế hoạch này thay thế các văn bản trước đây của Ủy ban nhân dân tỉnh về cùng nội dung,",
    "các cơ quan, đơn vị có nhiệm vụ theo Phụ lục chủ động triển khai thực hiện.",
    "PHỤ LỤC",
    "DANH MỤC NHIỆM VỤ THỰC HIỆN KẾ HOẠCH",
    "TT",
    "Nhiệm vụ",
    "Cơ quan chủ",
    "trì",
    "Cơ quan phối",
    "hợp",
    "Thời gian",
    "hoàn thành",
    "Sản phẩm",
    "I",
    "NHÓM NHIỆM VỤ VỀ THỂ CHẾ",
    "1",
    "Rà soát, sửa đổi quy chế quản lý",
    "dữ liệu dùng chung của tỉnh.",
    "Sở Khoa học và Công nghệ",
    "Sở Tư pháp, Văn phòng",
    "UBND tỉnh",
    "Quý IV/2026",
    "Quyết định của UBND tỉnh",
    "2",
    "Hướng dẫn các xã, phường cập nhật 15",
    "nhóm dữ liệu chuyên ngành",
    "Sở Nội vụ",
    "Thường xuyên",
    "Văn bản hướng dẫn",
    "II",
    "NHÓM NHIỆM VỤ VỀ HẠ TẦNG",
    "1",
    "Nâng cấp mạng truyền số liệu chuyên dùng",
    "Trung tâm Chuyển đổi số tỉnh",
    "Sở Khoa học và Công nghệ",
    "Năm 2025 - 2027",
    "Hạ tầng mạng",
]


def test_a_borderless_table_gives_each_row_its_columns() -> None:
    rows = read_task_tables("\n".join(LINES))
    assert [
        (
            "PL.I.1",
            "Sở Khoa học và Công nghệ",
            ["Sở Tư pháp", "Văn phòng UBND tỉnh"],
            "Quý IV/2026",
        ),
        ("PL.I.2", "Sở Nội vụ", [], "Thường xuyên"),
        (
            "PL.II.1",
            "Trung tâm Chuyển đổi số tỉnh",
            ["Sở Khoa học và Công nghệ"],
            "Năm 2025 - 2027",
        ),
    ] == [(r.section, r.lead.text, r.coordinating, r.time.text) for r in rows]
    first = rows[0]
    assert "Rà soát, sửa đổi quy chế quản lý dữ liệu dùng chung của tỉnh." == first.task.text
    assert (17, 18, 22) == (first.task.first_line, first.task.last_line, first.time.first_line)
    # A number inside a wrapped task line ("… cập nhật 15") is not a row of its own.
    assert "Hướng dẫn các xã, phường cập nhật 15 nhóm dữ liệu chuyên ngành" == rows[1].task.text


def test_a_borderless_table_is_read_from_a_pdf_text_layer() -> None:
    text = read_document(text_pdf("\n".join(LINES)), ".pdf")
    assert ["PL.I.1", "PL.I.2", "PL.II.1"] == [r.section for r in read_task_tables(text)]


def test_prose_with_the_words_of_a_header_is_not_a_table() -> None:
    prose = [
        "Nội dung",
        "Sở Tài chính chủ trì",
        "phối hợp các sở",
        "Thời gian",
        "thực hiện trong năm 2026 và báo cáo kết quả.",
        "1",
        "Sở Nội vụ",
    ]
    assert [] == read_task_tables("\n".join(prose))
