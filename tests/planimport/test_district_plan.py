"""A district People's Committee's plan (a layout and vocabulary the 2025 provincial plans
do not use: "Phòng …", "UBND các xã, thị trấn", relative and several-day deadlines)."""

from pathlib import Path

from domain.planimport import import_plan, read_document

FIXTURE = Path(__file__).parent / "fixtures" / "district-plan.txt"
DRAFT = import_plan(read_document(FIXTURE.read_bytes(), ".txt"), source=FIXTURE.name)


def _deadlines(name: str) -> list[tuple[str, str | None, dict[str, object]]]:
    agency = next(a for a in DRAFT.agencies if a.name == name)
    return [
        (
            d.kind,
            d.recurrence,
            d.model_dump(
                include={"date", "quarter", "month_day", "relative_days", "relative_to"},
                exclude_defaults=True,
            ),
        )
        for duty in agency.duties
        for d in duty.deadlines
    ]


def test_every_agency_block_is_read_with_its_units_and_mode() -> None:
    read = [(a.name, len(a.duties), a.mode) for a in DRAFT.agencies]
    assert [
        ("Phòng Văn hóa và Thông tin", 2, "assigned"),
        ("Phòng Tài chính - Kế hoạch", 1, "assigned"),
        ("Văn phòng HĐND và UBND huyện", 1, "assigned"),
        ("UBND các xã, thị trấn", 2, "assigned"),
        ("Ủy ban MTTQ Việt Nam huyện và các đoàn thể", 1, "requested"),
    ] == read


def test_deadlines_of_every_kind_are_read_where_they_are_written() -> None:
    assert [("recurring", "semiannual", {"month_day": ["06-15", "12-15"]})] == _deadlines(
        "Phòng Văn hóa và Thông tin"
    )
    assert [("date", "once", {"date": "2024-06-30"})] == _deadlines("Phòng Tài chính - Kế hoạch")
    assert [("quarter", "once", {"quarter": "2024-Q3"})] == _deadlines(
        "Văn phòng HĐND và UBND huyện"
    )
    assert [
        ("relative", "once", {"relative_days": 15, "relative_to": "Kế hoạch này được ban hành"}),
        ("continuous", "continuous", {}),
    ] == _deadlines("UBND các xã, thị trấn")


def test_the_closing_report_is_routed_through_the_district_office() -> None:
    report = DRAFT.final_report
    assert report is not None
    assert ("các cơ quan, đơn vị", "UBND huyện", "Phòng Văn hóa và Thông tin") == (
        report.reporters,
        report.to,
        report.via,
    )
    assert [("semiannual", ["06-10"]), ("annual", ["12-10"])] == [
        (d.recurrence, d.month_day) for d in report.deadlines
    ]


def test_coordination_and_the_header_are_read() -> None:
    office = next(a for a in DRAFT.agencies if a.name.startswith("Văn phòng"))
    assert ["Phòng Văn hóa và Thông tin"] == office.duties[0].coordinating
    assert ("85/KH-UBND", "2024-03-15", "Nguyễn Văn An") == (
        DRAFT.header.number.value,
        DRAFT.header.issued_on.value,
        DRAFT.header.signer_name.value,
    )
    assert "ỦY BAN NHÂN DÂN HUYỆN CHƯ SÊ" == DRAFT.header.issuer_as_written.value
