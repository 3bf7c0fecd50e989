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
from domain.planimport.names import name_key
from domain.planimport.text import UPPER, Paragraph

_I = re.IGNORECASE
_TOP = r"(?:Ủy|Uỷ|UBND|Bộ|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|HĐND|Hội đồng|Chính phủ|Thủ tướng)"
_DEPT = r"(?:Sở|Công an|Ban|Văn phòng|Phòng|Bộ Chỉ huy|Trung tâm|Cơ quan)"
_VIA_PAREN = re.compile(r"\(\s*(?:thông\s+)?qua\s+([^()]+?)(?:\s+(?:để\s+)?tổng hợp)?\s*\)", _I)
_BEFORE_PAREN = re.compile(rf"(?:về|gửi)\s+(?:về\s+)?((?:{_DEPT}|{_TOP})[^()]{{2,220}}?)\s*$")
_VIA_SEND = re.compile(
    rf"(?:gửi|về|của|cho)\s+(?:về\s+)?({_DEPT}[^,;.()]{{2,80}}?)\s+(?:để\s+)?(?:tổng\s+hợp"
    r"|xem\s+xét|theo\s+dõi)"
)
_VIA_ABOUT = re.compile(
    rf"(?:báo\s+cáo|gửi)[^;()]{{0,80}}?\svề\s+({_DEPT}[^,;.()]{{2,80}}?)"
    r"(?=\s+(?:chậm nhất|trước|trong|định kỳ|hằng|hàng|để)\b|\s*[,;.(]|$)"
)
_TO_ADVISE = re.compile(rf"tổng\s+hợp,?\s+tham\s+mưu\s+({_TOP}[^,;.]{{2,60}}?)\s+báo\s+cáo")
_TO_AFTER_VIA = re.compile(
    rf"tổng\s+hợp,?\s+(?:báo\s+cáo\s+)({_TOP}[^.;]+?)"
    r"(?=\s+(?:về|theo|trước|để|định kỳ|chậm nhất)\b|[.;]|$)"
)
_TO_ABOUT = re.compile(
    rf"(?:báo\s+cáo|gửi)(?:\s+[^;()]{{0,60}}?)??\s+(?:về\s+)?"
    rf"({_TOP}[^(;.]{{2,120}}?)\s*(?=\(|$|[;.]|để\b|xem xét|theo quy định"
    r"|trước|chậm nhất)"
)
_RESULTS = re.compile(r"kết quả|tình hình thực hiện|báo cáo định kỳ|chế độ báo cáo", _I)
_TROUBLE = re.compile(r"khó khăn,?\s+vướng mắc", _I)
_GROUP = re.compile(r"^(các|Các|Thủ trưởng|Giám đốc|UBND các|Ủy ban nhân dân các|Mọi)", _I)
_TAIL = re.compile(r"\s+(?:theo quy định|xem xét|để|về việc|về tình hình|theo dõi)\b.*$|[\s,]+$")


def _tidy(name: str | None) -> str | None:
    """A recipient without the purpose that follows it ("… xem xét, quyết định")."""
    if name is None:
        return None
    return _TAIL.sub("", name).strip(" ,") or None


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
    for match in re.finditer(rf"[;]|\.(?=\s+[{UPPER}])|\./\.$", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e - s > 10]


def _routing(clause: str) -> tuple[str | None, str | None]:
    """(recipient, consolidating body) of a reporting clause."""
    to: str | None = None
    via: str | None = None
    paren = _VIA_PAREN.search(clause)
    if paren:
        via = paren.group(1).strip()
        before = _BEFORE_PAREN.search(clause[: paren.start()])
        if before:
            named = before.group(1).strip(" ,")
            if re.match(_DEPT, named) and "," not in named:
                via = f"{named} (qua {via})"  # the department, through its own unit
            else:
                to = named
    else:
        send = _VIA_SEND.search(clause) or _VIA_ABOUT.search(clause)
        via = send.group(1).strip() if send else None
    if to is None:
        found = (
            _TO_ADVISE.search(clause)
            or (_TO_AFTER_VIA.search(clause) if via else None)
            or _TO_ABOUT.search(clause)
        )
        to = found.group(1) if found else None
    return _tidy(to), via


def _reporter_in(clause: str) -> str | None:
    """ "…, các cơ quan, đơn vị, địa phương báo cáo về …": who reports, named in the clause."""
    match = re.search(
        r"(?:^|,\s)((?:các|Các|Thủ trưởng)\s[^;.]{3,100}?)\s+(?:kịp\s+thời\s+)?"
        r"(?:báo\s+cáo|phản\s+ánh)",
        clause,
    )
    return match.group(1).strip(" ,") if match else None


def _read_clause(
    text: str, paragraph: Paragraph, span: tuple[int, int], reporters: str | None, offset: int
) -> ReportClause | None:
    clause = text[span[0] : span[1]]
    if not re.search(r"báo\s+cáo|gửi", clause, _I):
        return None
    to, via = _routing(clause)
    if not via and not to:
        return None
    trouble = bool(_TROUBLE.search(text[max(0, span[0] - 200) : span[1]]))
    results = bool(_RESULTS.search(clause))
    deadlines = find_deadlines(clause)
    reporters = _reporter_in(clause) or reporters
    score = (2.0 if results else 0.0) + (1.5 if via else 0.0) + (1.0 if deadlines else 0.0)
    # The final report is everyone's: a clause addressed to all agencies outweighs one
    # department's own report.
    score += 2.5 if reporters and _GROUP.match(reporters) else 0.0
    score -= 3.0 if trouble else 0.0
    return ReportClause(
        paragraph,
        offset + span[0],
        offset + span[1],
        "escalation" if trouble else "results",
        reporters,
        to,
        via,
        deadlines,
        score,
    )


def _onward(reading: DutyReading, via: str) -> str | None:
    """Where the consolidating body sends the report on: its own "báo cáo X" duty."""
    hub = re.sub(r"\s*\(qua .*\)$", "", via)
    key = name_key(hub)
    found: list[tuple[float, str]] = []
    for block in reading.blocks:
        if name_key(block.name) != key and not name_key(block.name).startswith(key):
            continue
        for unit in block.units:
            for start, end in _clauses(unit.text):
                clause = unit.text[start:end]
                if not re.search(r"báo\s+cáo", clause, _I):
                    continue
                match = (
                    _TO_ADVISE.search(clause)
                    or _TO_AFTER_VIA.search(clause)
                    or _TO_ABOUT.search(clause)
                )
                if match:
                    # The hub's own periodic report ("tổng hợp, báo cáo … trước ngày …").
                    weight = (2.0 if find_deadlines(clause) else 0.0) + (
                        1.0 if re.search(r"tổng\s+hợp", clause, _I) else 0.0
                    )
                    found.append((weight, match.group(1)))
    if not found:
        return None
    return _tidy(max(found, key=lambda item: item[0])[1])


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
    best = max(candidates, key=lambda c: c.score)
    if best.to is None and best.via is not None:
        best.to = _onward(reading, best.via)
    return best


def _closing_subject(text: str) -> str | None:
    """Who a closing paragraph speaks to: "…, đề nghị các sở, ban, ngành … kịp thời …"."""
    match = re.search(
        r"(?:đề nghị|yêu cầu)\s+((?:các|Thủ trưởng)[^;.]{3,120}?)\s+(?:kịp thời|"
        r"phản ánh|báo cáo|chủ động|căn cứ|tổ chức|triển khai|thực hiện)",
        text,
        _I,
    )
    if match:
        return match.group(1).strip(" ,")
    match = re.match(
        r"^((?:Các|Thủ trưởng)[^;.]{3,120}?)\s+(?:căn cứ|khẩn trương|có trách nhiệm"
        r"|chịu trách nhiệm|kịp thời)",
        text,
    )
    return match.group(1).strip(" ,") if match else None
