"""Appendix task tables, as the portals' text lays them out (a "|" line after each cell)."""

from domain.planimport.task_tables import read_task_tables

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
