"""The plan's final report: who reports results, to whom, through whom, and when.

Plans route results through a consolidating department: "báo cáo kết quả … về UBND tỉnh
(qua Sở X)", "gửi Sở X tổng hợp, báo cáo …", "về Sở X để tổng hợp". The clause is looked
for in the duty sections and their closing paragraphs; a clause about results beats one
about difficulties ("nếu có khó khăn, vướng mắc", an escalation), which is kept only when
the plan has no results clause.
"""

import re
from dataclasses import dataclass

from domain.planimport.deadlines import Found, find_deadlines
from domain.planimport.duties import DutyReading
from domain.planimport.text import Paragraph

_I = re.IGNORECASE
_VIA_PAREN = re.compile(r"\(\s*(?:thông\s+)?qua\s+([^()]+?)(?:\s+(?:để\s+)?tổng hợp)?\s*\)", _I)
_VIA_SEND = re.compile(
    r"(?:gửi|về)\s+(?:về\s+)?((?:Sở|Công an|Ban|Văn phòng|Phòng)[^,;.()]{2,80}?)\s+(?:để\s+)?"
    r"tổng\s+hợp", _I)
_TO_AFTER_VIA = re.compile(r"tổng\s+hợp,?\s+(?:tham mưu\s+)?báo\s+cáo\s+([^.;]+?)(?:\s+(?:về|theo|"
                           r"trước|để|định kỳ)\b|[.;]|$)", _I)
_TO_ABOUT = re.compile(r"báo\s+cáo(?:\s+kết\s+quả(?:\s+thực\s+hiện)?)?\s+(?:về\s+)?"
                       r"((?:Ủy|Uỷ|UBND|Bộ|Tỉnh|Thành|HĐND)[^(;.]{2,120}?)\s*(?:\(|$|[;.]|để)", _I)
_RESULTS = re.compile(r"kết quả|tình hình thực hiện|báo cáo định kỳ|chế độ báo cáo", _I)
_TROUBLE = re.compile(r"khó khăn,?\s+vướng mắc", _I)
_GROUP = re.compile(r"^(các|Các|Thủ trưởng|Giám đốc|UBND các|Ủy ban nhân dân các|Mọi)", _I)


@dataclass
class ReportClause:
    """A reporting clause and what it says."""

    paragraph: Paragraph
    start: int
    end: int
    kind: str
    reporters: str | None
    to: str | None
    via: str | None
    deadlines: list[Found]
    score: float


def _clauses(text: str) -> list[tuple[int, int]]:
    """Sentence spans: a plan's reporting clause ends at ";" or at a full stop."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"[;]|\.(?=\s+[A-ZĐÀ-Ỹ])|\./\.$", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e - s > 10]


def _read_clause(text: str, paragraph: Paragraph, span: tuple[int, int],
                 reporters: str | None, offset: int) -> ReportClause | None:
    clause = text[span[0] : span[1]]
    if not re.search(r"báo\s+cáo|gửi", clause, _I):
        return None
    via_match = _VIA_PAREN.search(clause) or _VIA_SEND.search(clause)
    via = via_match.group(1).strip() if via_match else None
    to_match = _TO_AFTER_VIA.search(clause) if via_match is not None else None
    to_match = to_match or _TO_ABOUT.search(clause)
    to = to_match.group(1).strip(" ,") if to_match else None
    trouble = bool(_TROUBLE.search(text[max(0, span[0] - 200) : span[1]]))
    results = bool(_RESULTS.search(clause))
    deadlines = find_deadlines(clause)
    score = (2.0 if results else 0.0) + (1.5 if via else 0.0) + (1.0 if deadlines else 0.0)
    score += 0.5 if reporters and _GROUP.match(reporters) else 0.0
    score -= 3.0 if trouble else 0.0
    if not via and not to:
        return None
    return ReportClause(paragraph, offset + span[0], offset + span[1],
                        "escalation" if trouble else "results", reporters, to, via,
                        deadlines, score)


def find_final_report(reading: DutyReading) -> ReportClause | None:
    """The most likely final-report clause of the plan, or None."""
    candidates: list[ReportClause] = []
    for block in reading.blocks:
        for unit in block.units:
            for span in _clauses(unit.text):
                found = _read_clause(unit.text, unit.paragraph, span, block.name, unit.start)
                if found:
                    candidates.append(found)
    for paragraph in reading.closing:
        subject = _closing_subject(paragraph.text)
        for span in _clauses(paragraph.text):
            found = _read_clause(paragraph.text, paragraph, span, subject, 0)
            if found:
                candidates.append(found)
    if not candidates:
        return None
    return max(candidates, key=lambda c: c.score)


def _closing_subject(text: str) -> str | None:
    """Who a closing paragraph speaks to: "…, đề nghị các sở, ban, ngành … kịp thời …"."""
    match = re.search(r"(?:đề nghị|yêu cầu)\s+((?:các|Thủ trưởng)[^;.]{3,120}?)\s+(?:kịp thời|"
                      r"phản ánh|báo cáo|chủ động|căn cứ)", text, _I)
    if match:
        return match.group(1).strip(" ,")
    match = re.match(r"^((?:Các|Thủ trưởng)[^;.]{3,120}?)\s+(?:căn cứ|khẩn trương|có trách nhiệm"
                     r"|chịu trách nhiệm|kịp thời)", text)
    return match.group(1).strip(" ,") if match else None
