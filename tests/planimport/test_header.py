"""The header: issuer, number, date, place, title and signer, as printed."""

from pathlib import Path

from domain.planimport.header import normalised_issuer, read_header
from domain.planimport.text import normalise_document, paragraphs

REPO = Path(__file__).parents[2]
SEED = REPO / "plans" / "sources" / "516-KH-UBND-2023.txt"

PORTAL_HEADER = """|
**ỦY BAN NHÂN DÂN
**
TỈNH ĐẮK LẮK
-------
|
**CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
---------------
|
|
Số: 0129/KH-UBND
|
*Đắk Lắk, ngày 21
tháng 11 năm 2025*
|

**KẾ HOẠCH**

V/V HỖ TRỢ NHU YẾU PHẨM KHẨN CẤP
CHO NHÂN DÂN

Căn cứ Nghị định số 200/2023/NĐ-CP ngày 28/12/2023 của Chính phủ;

|
Nơi nhận:
- Như trên;
- Lưu: VT.
|
**TM. ỦY BAN NHÂN
DÂN**
**KT. CHỦ TỊCH **
PHÓ CHỦ TỊCH
**Hồ Thị Nguyên Thảo**
|
"""


def test_a_portal_header_wrapped_across_lines_and_table_cells_is_read_whole() -> None:
    paras = paragraphs(normalise_document(PORTAL_HEADER))
    header = read_header(paras, body_limit=len(paras))
    assert "0129/KH-UBND" == header.number.value
    assert "UBND tỉnh Đắk Lắk" == header.issuer.value
    assert "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK" == header.issuer_as_written.value
    assert "2025-11-21" == header.issued_on.value
    assert "Đắk Lắk" == header.place.value
    assert "V/V HỖ TRỢ NHU YẾU PHẨM KHẨN CẤP CHO NHÂN DÂN" == header.title.value
    assert "Kế hoạch" == header.doc_type.value
    assert "Hồ Thị Nguyên Thảo" == header.signer_name.value
    assert "TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH" == header.signer_title.value


def test_every_header_field_points_at_its_source_lines() -> None:
    paras = paragraphs(normalise_document(PORTAL_HEADER))
    header = read_header(paras, body_limit=len(paras))
    assert header.number.lines is not None and 13 == header.number.lines.first_line
    assert header.issued_on.lines is not None
    assert (15, 16) == (header.issued_on.lines.first_line, header.issued_on.lines.last_line)


def test_the_seed_plan_header_with_a_spaced_number_and_a_set_apart_signature() -> None:
    paras = paragraphs(normalise_document(SEED.read_text(encoding="utf-8")))
    header = read_header(paras, body_limit=len(paras))
    assert "516/KH-UBND" == header.number.value
    assert "2023-03-09" == header.issued_on.value
    assert "UBND tỉnh Gia Lai" == header.issuer.value
    assert "Nguyễn Thị Thanh Lịch" == header.signer_name.value
    assert "TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH" == header.signer_title.value


def test_a_city_issuer_is_normalised_with_its_name_in_title_case() -> None:
    assert "UBND thành phố Hồ Chí Minh" == normalised_issuer(
        "ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"
    )
