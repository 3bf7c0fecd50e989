"""The deadline reader on phrases: what each wording means, and what is not a deadline."""

from typing import Any

import pytest

from domain.planimport.citations import cited_phrases
from domain.planimport.deadlines import find_deadlines
from domain.planimport.task_tables import time_cell_deadlines


def _read(text: str) -> list[tuple[str, str | None, dict[str, Any]]]:
    return [(f.kind, f.recurrence, f.values) for f in find_deadlines(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "báo cáo UBND tỉnh trước ngày 10/11/2023 (qua Sở)",
            [("date", "once", {"date": "2023-11-10"})],
        ),
        ("hoàn thành trước ngày 31 tháng 12 năm 2025", [("date", "once", {"date": "2025-12-31"})]),
        ("hoàn thành trong tháng 11/2025", [("month", "once", {"month_only": "2025-11"})]),
        ("triển khai xong trong Quý IV/2025", [("quarter", "once", {"quarter": "2025-Q4"})]),
        ("Báo cáo giữa kỳ (năm 2030)", [("year", "once", {"year_only": 2030})]),
        ("trước ngày 20/11 hằng năm", [("recurring", "annual", {"month_day": ["11-20"]})]),
        ("chậm nhất ngày 17 tháng 12", [("recurring", "annual", {"month_day": ["12-17"]})]),
        ("trước ngày 16 hàng tháng", [("recurring", "monthly", {"day_of_month": [16]})]),
        ("6 tháng (trước ngày 16/6)", [("recurring", "semiannual", {"month_day": ["06-16"]})]),
        ("định kỳ hằng quý tổng hợp báo cáo", [("recurring", "quarterly", {})]),
        ("xuất bản Tập san, định kỳ 02 số/năm", [("recurring", "semiannual", {})]),
        (
            "báo cáo trước ngày 10 và ngày 25 hằng tháng",
            [("recurring", "monthly", {"day_of_month": [10, 25]})],
        ),
        ("báo cáo hằng tháng (trước ngày 20)", [("recurring", "monthly", {"day_of_month": [20]})]),
        (
            "báo cáo 6 tháng và năm trước ngày 15/6 và 15/12",
            [("recurring", "semiannual", {"month_day": ["06-15", "12-15"]})],
        ),
        (
            "báo cáo quý trước các ngày 15/3, 15/6, 15/9 và 15/12",
            [("recurring", "quarterly", {"month_day": ["03-15", "06-15", "09-15", "12-15"]})],
        ),
        ("tổng hợp trước 16 giờ hằng ngày", [("recurring", "daily", {"times_of_day": ["16:00"]})]),
        (
            "báo cáo trước ngày 15 của tháng cuối quý",
            [("recurring", "quarterly", {"month_day": ["03-15"]})],
        ),
        ("Thời gian thực hiện: năm 2026.", [("year", "once", {"year_only": 2026})]),
        (
            "Thời gian: 2025 - 2030.",
            [("continuous", "continuous", {"period_start": 2025, "period_end": 2030})],
        ),
        ("diễn tập tối thiểu một lần/năm", [("recurring", "annual", {})]),
        (
            "báo cáo UBND tỉnh trước 19h00’ hằng ngày",
            [("recurring", "daily", {"times_of_day": ["19:00"]})],
        ),
        (
            "báo cáo 02 lần/ngày (trước 9h00’ và 16h00’)",
            [("recurring", "daily", {"times_of_day": ["09:00", "16:00"]})],
        ),
        ("hoặc báo cáo đột xuất khi có yêu cầu", [("adhoc", "adhoc", {})]),
        ("Thường xuyên cập nhật dữ liệu vào Hệ thống", [("continuous", "continuous", {})]),
        ("định kỳ báo cáo kết quả về Bộ Công an theo quy định", [("periodic", None, {})]),
        (
            "(khi Bộ Y tế có văn bản triển khai)",
            [("event", "adhoc", {"trigger": "Bộ Y tế có văn bản triển khai"})],
        ),
        (
            "trong thời hạn 10 ngày làm việc kể từ ngày nhận được văn bản đề nghị",
            [
                (
                    "relative",
                    "once",
                    {
                        "relative_days": 10,
                        "working_days": True,
                        "relative_to": "nhận được văn bản đề nghị",
                    },
                )
            ],
        ),
        (
            "trong thời hạn 30 ngày kể từ ngày Kế hoạch được ban hành",
            [
                (
                    "relative",
                    "once",
                    {
                        "relative_days": 30,
                        "working_days": False,
                        "relative_to": "Kế hoạch được ban hành",
                    },
                )
            ],
        ),
    ],
)
def test_a_deadline_phrase_reads_as_its_kind_and_values(
    text: str, expected: list[tuple[str, str | None, dict[str, Any]]]
) -> None:
    assert expected == _read(text)


def test_several_deadlines_of_one_duty_are_all_read() -> None:
    text = (
        "Định kỳ hàng tháng (trước ngày 16 hàng tháng), 6 tháng (trước ngày 16/6), tổng kết "
        "năm (trước ngày 20/11 hàng năm) hoặc khi có yêu cầu báo cáo tình hình thực hiện"
    )
    assert [
        ("recurring", "monthly", {"day_of_month": [16]}),
        ("recurring", "semiannual", {"month_day": ["06-16"]}),
        ("recurring", "annual", {"month_day": ["11-20"]}),
        ("adhoc", "adhoc", {}),
    ] == _read(text)


@pytest.mark.parametrize(
    "text",
    [
        "Căn cứ Quyết định số 596/QĐ-UBND ngày 02/11/2020 của Ủy ban nhân dân tỉnh",
        "theo Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
        "thực hiện Chỉ thị số 32/CT-TTg ngày 21/10/2025 của Thủ tướng Chính phủ",
        "chăm sóc trẻ từ 06 tháng đến 36 tháng tuổi",
        "phấn đấu đạt mục tiêu 20% xã, phường không ma túy ngay trong năm 2025",
        "chi trả trợ cấp hàng tháng qua tài khoản ngân hàng",
        "tham mưu bố trí kinh phí chi thường xuyên hằng năm theo quy định",
        "thực hiện trực ban phòng chống thiên tai 24/24",
        "tuyên truyền thường xuyên, định kỳ, sâu rộng về nội dung Kế hoạch",
        "lấy mẫu 2 đợt/tháng (18 đợt/năm)",
        "Quyết định này có hiệu lực kể từ ngày ký ban hành",
        "kịp thời bổ sung cho các trạm y tế xã khi có yêu cầu",
    ],
)
def test_dates_of_cited_documents_ages_targets_and_cadences_are_not_deadlines(text: str) -> None:
    assert [] == _read(text)


def test_a_cited_document_is_recognised_and_the_real_deadline_kept() -> None:
    text = "Căn cứ Quyết định số 596/QĐ-UBND ngày 02/11/2020, báo cáo trước ngày 10/11/2023"
    assert ["Quyết định số 596/QĐ-UBND ngày 02/11/2020"] == cited_phrases(text)
    assert [("date", "once", {"date": "2023-11-10"})] == _read(text)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Quý IV/2025", [("quarter", "once", {"quarter": "2025-Q4"})]),
        ("2026", [("year", "once", {"year_only": 2026})]),
        ("ĐẾN NĂM 2030", [("year", "once", {"year_only": 2030})]),
        ("2025 - 2035", [("continuous", "continuous", {"period_start": 2025, "period_end": 2035})]),
        ("Năm 2026 và các năm tiếp theo.", [("continuous", "continuous", {"period_start": 2026})]),
        ("Thường xuyên", [("continuous", "continuous", {})]),
        ("Hằng năm.", [("recurring", "annual", {})]),
        ("Khi có phát sinh.", [("adhoc", "adhoc", {})]),
    ],
)
def test_a_task_table_time_cell_reads_as_its_deadline(
    cell: str, expected: list[tuple[str, str | None, dict[str, Any]]]
) -> None:
    assert expected == [(f.kind, f.recurrence, f.values) for f in time_cell_deadlines(cell)]
