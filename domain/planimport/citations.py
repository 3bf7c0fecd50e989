"""Dates that are not deadlines: those of cited documents, effective dates, data periods.

"Quyết định số 596/QĐ-UBND ngày 02/11/2020", "Luật … ngày 16 tháng 6 năm 2025", "có hiệu
lực từ ngày …" name a past or legal date. They are blanked (same length, so offsets hold)
before the deadline rules read a sentence.
"""

import re

_DATE = r"ngày\s+\d{1,2}(?:\s*/\s*\d{1,2}(?:\s*/\s*\d{2,4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
_CITED = re.compile(
    # a document number, optionally its issuer, then its date
    rf"\d+[\w./-]*/[\w.&-]+(?:\s+của\s+[^,;()]{{1,60}}?)?\s+{_DATE}"
    # a law or other instrument named by type, then its date
    rf"|\b(?:Nghị quyết|Nghị định|Quyết định|Chỉ thị|Thông tư|Kế hoạch|Công văn|Công điện"
    rf"|Chương trình|Đề án|Kết luận|Thông báo|Hướng dẫn|Văn bản|Phương án|Quy chế|Tờ trình)"
    rf"\s+(?:số\s+)?\d[^\s,;]*(?:\s+của\s+[^,;()]{{1,60}}?)?\s+{_DATE}"
    rf"|\b(?:Luật|Bộ luật|Hiến pháp)\b(?:(?!trước|chậm nhất|hoàn thành|báo cáo)[^;:()]){{0,100}}?"
    rf"{_DATE}"
    # effective dates and data periods
    rf"|hiệu lực(?:\s+thi\s+hành)?\s+(?:kể\s+)?từ\s+{_DATE}"
    rf"|(?:số\s+liệu|dữ\s+liệu|kỳ\s+báo\s+cáo)[^;.]{{0,40}}?từ\s+(?:ngày\s+)?\d{{1,2}}/\d{{1,2}}"
    rf"[^;.]{{0,60}}?đến\s+(?:ngày\s+)?\d{{1,2}}/\d{{1,2}}(?:/\d{{4}})?",
    re.IGNORECASE,
)


def blank_citations(text: str) -> str:
    """`text` with every cited-document date replaced by spaces of the same length."""
    return _CITED.sub(lambda m: " " * len(m.group(0)), text)


def cited_phrases(text: str) -> list[str]:
    """The cited-document phrases in `text`, for the review report and tests."""
    return [m.group(0) for m in _CITED.finditer(text)]
