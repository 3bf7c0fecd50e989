"""Agencies: subjects of duty sentences, headings, matching to a directory, proposals."""

from pathlib import Path

import pytest
import yaml

from domain.planimport.agencies import heading_subject, sentence_subject
from domain.planimport.matching import match_agency, propose_agency
from domain.planimport.names import name_key
from schemas.plan import AgencyDirectory

REPO = Path(__file__).parents[2]
DIRECTORY = AgencyDirectory.model_validate(
    yaml.safe_load((REPO / "plans" / "agencies-gia-lai-2023.yaml").read_text(encoding="utf-8"))
)


@pytest.mark.parametrize(
    ("text", "name", "requested"),
    [
        ("Sở Nội vụ chịu trách nhiệm về việc báo cáo", "Sở Nội vụ", False),
        (
            "Giao Công an tỉnh chủ trì, phối hợp với Văn phòng UBND tỉnh theo dõi",
            "Công an tỉnh",
            False,
        ),
        (
            "Căn cứ kế hoạch này, Giám đốc các Sở, Thủ trưởng các ngành, UBND các xã, phường "
            "xây dựng kế hoạch cụ thể",
            "Giám đốc các Sở, Thủ trưởng các ngành, UBND các xã, phường",
            False,
        ),
        (
            "Đề nghị Văn phòng Tỉnh ủy và các Ban Xây dựng Đảng tăng cường công tác bảo vệ",
            "Văn phòng Tỉnh ủy và các Ban Xây dựng Đảng",
            True,
        ),
        (
            "Tất cả lực lượng, phương tiện tham gia thực hiện Kế hoạch này phải tuân thủ quy định",
            "Tất cả lực lượng, phương tiện tham gia thực hiện Kế hoạch này",
            False,
        ),
        (
            "Các cơ quan, đơn vị được giao chủ trì có trách nhiệm hoàn thành nhiệm vụ",
            "Các cơ quan, đơn vị được giao chủ trì",
            False,
        ),
    ],
)
def test_the_subject_of_a_duty_sentence_is_the_agency(
    text: str, name: str, requested: bool
) -> None:
    subject = sentence_subject(text)
    assert subject is not None
    assert (name, requested) == (subject.name, subject.requested)


@pytest.mark.parametrize(
    "text",
    [
        "Tăng cường công tác giám sát, đánh giá độc lập",
        "Trường hợp chậm trễ, không gửi dữ liệu, đơn vị chịu trách nhiệm giải trình",
        "Các nhiệm vụ trọng tâm được triển khai như sau",
    ],
)
def test_a_sentence_that_opens_with_a_verb_or_a_situation_names_no_agency(text: str) -> None:
    assert sentence_subject(text) is None


def test_a_heading_keeps_a_colon_list_of_names_and_splits_off_an_inline_duty() -> None:
    listed = heading_subject("Ủy ban nhân dân các xã: Gia Thuận, Tân Điền, Gò Công Đông")
    inline = heading_subject(
        "Đề nghị Công ty Điện lực Đắk Lắk: Khẩn trương kiểm tra, khắc phục "
        "sự cố lưới điện tại khu vực bị ảnh hưởng"
    )
    assert listed is not None and inline is not None
    assert "Ủy ban nhân dân các xã: Gia Thuận, Tân Điền, Gò Công Đông" == listed.name
    assert ("Công ty Điện lực Đắk Lắk", True) == (inline.name, inline.requested)
    assert inline.rest.startswith("Khẩn trương kiểm tra")


def test_a_heading_that_announces_an_agency_s_duties_names_the_agency() -> None:
    read = [
        heading_subject(text)
        for text in (
            "Trách nhiệm của Sở Y tế",
            "Nhiệm vụ của Công an tỉnh:",
            "Giao nhiệm vụ cho Sở Tài chính",
        )
    ]
    assert ["Sở Y tế", "Công an tỉnh", "Sở Tài chính"] == [s.name if s else None for s in read]


def test_a_role_note_is_not_part_of_the_name() -> None:
    subject = heading_subject("Sở Tài chính (cơ quan chủ trì)")
    assert subject is not None and "Sở Tài chính" == subject.name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Sở TT&TT", "STTTT"),
        ("Sở Thông tin và Truyền thông", "STTTT"),
        ("UBND tỉnh", "UBND_TINH"),
        ("Văn phòng UBND tỉnh", "VP_UBND"),
        ("Uỷ ban nhân dân các huyện, thị xã, thành phố", "@ubnd_huyen"),
        ("Sở Văn hoá, Thể thao và Du lịch", "SVHTTDL"),
    ],
)
def test_abbreviations_and_spelling_variants_match_the_directory(name: str, code: str) -> None:
    match, confidence = match_agency(name, DIRECTORY)
    assert code == match.code
    assert confidence >= 0.9


def test_a_name_listing_several_bodies_matches_each_of_them() -> None:
    match, _ = match_agency("Báo Gia Lai, Đài Phát thanh – Truyền hình Gia Lai", DIRECTORY)
    assert ["BAO_GIA_LAI", "DAI_PTTH"] == match.members


def test_an_unknown_agency_is_not_invented_but_listed_with_its_closest_candidates() -> None:
    match, confidence = match_agency("Sở Nông nghiệp và Môi trường", DIRECTORY)
    assert match.code is None
    assert confidence < 0.5
    assert match.candidates and all(c.score < 90 for c in match.candidates)
    # The 2025 merger's predecessors are candidates for the new department's name.
    assert {"SNNPTNT", "STNMT"} <= {c.code for c in match.candidates}


def test_without_a_directory_an_agency_is_proposed_with_kind_and_short_code() -> None:
    taken: set[str] = set()
    department = propose_agency("Sở Nông nghiệp và Môi trường", taken)
    communes = propose_agency("UBND các xã, phường", taken)
    assert ("SNNMT", "so") == (department.code, department.kind)
    assert "ubnd_xa" == communes.kind
    assert "SNNMT_2" == propose_agency("Sở Nông nghiệp và Môi trường", taken).code


def test_name_keys_agree_across_tone_placement_and_abbreviation() -> None:
    assert name_key("Ủy ban nhân dân tỉnh") == name_key("UBND tỉnh")
    old, new = "Sở Văn hoá, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"
    assert name_key(old) == name_key(new)


def test_a_report_sent_to_a_department_names_it_as_the_consolidating_body() -> None:
    from domain.planimport.final_report import _routing

    assert (None, "Sở Nội vụ") == _routing(
        "các cơ quan gửi kết quả thực hiện về Sở Nội vụ trước ngày 15/12 hằng năm"
    )
    assert ("UBND tỉnh", "Sở Nội vụ") == _routing("báo cáo kết quả về UBND tỉnh (qua Sở Nội vụ)")
    # "(qua …)" after a department is the department's own unit, not the recipient's.
    assert (None, "Công an tỉnh (qua Phòng An ninh chính trị nội bộ)") == _routing(
        "kết quả báo cáo về Công an tỉnh (qua Phòng An ninh chính trị nội bộ)"
    )
