"""Per-task blocks ("Cơ quan chủ trì: …", "Thời gian thực hiện: …") anywhere in the body."""

from domain.planimport import import_plan

PLAN = """ỦY BAN NHÂN DÂN
THÀNH PHỐ HỒ CHÍ MINH

Số: 172/KH-UBND

Thành phố Hồ Chí Minh, ngày 18 tháng 11 năm 2025

KẾ HOẠCH

TRIỂN KHAI THI HÀNH LUẬT VIỆC LÀM

II. NỘI DUNG

1. Phổ biến, giáo dục Luật Việc làm

- Nội dung thực hiện: Tổ chức phổ biến, giáo dục Luật Việc làm.

- Cơ quan thực hiện: Sở Nội vụ chủ trì tham mưu Ủy ban nhân dân Thành phố ban hành Kế
hoạch; Sở Tư pháp, Đài Phát thanh và Truyền hình Thành phố chủ động tổ chức triển khai.

- Thời gian thực hiện: Năm 2025 và các năm tiếp theo.

2. Tổ chức tập huấn

- Cơ quan chủ trì: Sở Nội vụ, Sở Giáo dục và Đào tạo.

- Cơ quan phối hợp: Bảo hiểm xã hội Thành phố; Ủy ban nhân dân xã, phường, đặc khu.

- Thời gian hoàn thành: Quý IV/2026.

III. TỔ CHỨC THỰC HIỆN

1. Sở Nội vụ chịu trách nhiệm theo dõi, đôn đốc thực hiện Kế hoạch./.
"""


def test_each_block_gives_its_lead_partners_and_time() -> None:
    draft = import_plan(PLAN, source="blocks.txt")
    rows = [
        (
            t.section,
            t.lead,
            t.coordinating,
            [(d.kind, d.quarter, d.period_start) for d in t.deadlines],
        )
        for t in draft.table_tasks
    ]
    assert [
        (
            "II.1",
            "Sở Nội vụ",
            ["Sở Tư pháp", "Đài Phát thanh và Truyền hình Thành phố"],
            [("continuous", None, 2025)],
        ),
        (
            "II.2",
            "Sở Nội vụ, Sở Giáo dục và Đào tạo",
            ["Bảo hiểm xã hội Thành phố", "Ủy ban nhân dân xã, phường, đặc khu"],
            [("quarter", "2026-Q4", None)],
        ),
    ] == rows
    span = draft.table_tasks[0].lines
    assert span is not None
    assert (14, 21) == (span.first_line, span.last_line)  # the heading to the time line
