"""Who a duty is given to: agency headings and the subjects of duty sentences.

An agency block opens either with a heading that names it ("**3. Sở Y tế:**", "2.1. Sở
Tài chính", "9. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh") or with a sentence whose
subject it is ("Sở Nội vụ chịu trách nhiệm …", "Giao Công an tỉnh chủ trì …"). Both start
with a word that names a kind of body; the subject ends where the first predicate begins.
"""

import re
from dataclasses import dataclass

_BODY_WORDS = (
    r"sở|các sở|ủy ban|uỷ ban|ubnd|hđnd|hội đồng|công an|bộ chỉ huy|bộ tư lệnh|bộ đội|ban|báo"
    r"|đài|liên đoàn|liên hiệp|liên minh|hội|hiệp hội|tỉnh đoàn|thành đoàn|đoàn|ngân hàng"
    r"|chi cục|cục|trung tâm|viện|tòa án|toà án|mặt trận|công ty|tổng công ty|doanh nghiệp"
    r"|thủ trưởng|giám đốc|chủ tịch|văn phòng|kho bạc|thuế|kiểm toán|cổng|trường|bảo hiểm"
    r"|thanh tra|tất cả|cơ quan|đơn vị|phòng|lực lượng|hải quan|điện lực|đảng ủy|đảng uỷ"
    r"|tỉnh ủy|tỉnh uỷ|thành ủy|thành uỷ|người đứng đầu|chi nhánh|học viện|đại học|bệnh viện"
    r"|quỹ|tổ công tác|bưu điện|vnpt|viettel|các|những|mọi"
)
_BODY_START = re.compile(rf"^(?:{_BODY_WORDS})\b", re.IGNORECASE)
_NOT_BODIES = re.compile(
    r"^(các|những|mọi)\s+(nhiệm vụ|giải pháp|chỉ tiêu|hoạt động|nội dung|chương trình|dự án"
    r"|đề án|kế hoạch|văn bản|quy định|chính sách|mục tiêu|biện pháp|trường hợp|sản phẩm"
    r"|công trình|địa phương có|năm|tháng|ngày)\b|^trường hợp\b"
    r"|^(ban hành|hội nghị|báo cáo|cổng thông tin điện tử (tỉnh|thành phố)? ?có)\b",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^(?:(?P<request>đề nghị)|giao(?:\s+nhiệm\s+vụ\s+cho)?|yêu cầu"
    r"|(?:trách nhiệm|nhiệm vụ)\s+(?:của|cho)|căn cứ[^,]{0,120},|trên cơ sở[^,]{0,120},)\s*",
    re.IGNORECASE,
)
# Where a subject ends: the predicates that open a duty sentence. They are matched in lower
# case only: "Ban Xây dựng Đảng" is a name, "xây dựng kế hoạch" a duty.
_STRONG = re.compile(
    r"\s(?:có trách nhiệm|chịu trách nhiệm|là cơ quan|là đầu mối|phải|căn cứ|theo chức năng"
    r"|trong phạm vi)\b|:"
)
_STRONG_WINDOW = 8  # words: "… tham gia thực hiện Kế hoạch này phải tuân thủ"
_PREDICATES = (
    "chủ trì|phối hợp|tổ chức|tham mưu|triển khai|thực hiện|xây dựng|định kỳ|tăng cường"
    "|hướng dẫn|theo dõi|chỉ đạo|khẩn trương|quan tâm|rà soát|nghiên cứu|tiếp tục|bố trí"
    "|cung cấp|đẩy mạnh|phát huy|nâng cao|kiểm tra|tổng hợp|báo cáo|đảm bảo|bảo đảm|chủ động"
    "|phổ biến|lồng ghép|vận động|cập nhật|thường xuyên|tích cực|giám sát|sử dụng|ưu tiên"
    "|hỗ trợ|đề xuất|tuyên truyền|quán triệt|gửi|ban hành|đầu tư|huy động|tham gia|duy trì"
    "|thông tin|đôn đốc|xác định|lập|trình|phát triển|áp dụng|cử|ứng dụng|hoàn thành|tập trung"
    "|bằng|thông qua|thúc đẩy"
)
_PREDICATE = re.compile(rf"\s(?:{_PREDICATES})\b")
_NOT_AFTER = re.compile(r"(được giao|được|đã được|cơ quan|đơn vị|lực lượng)\s*$", re.IGNORECASE)
_MAX_SUBJECT_WORDS = 80


@dataclass(frozen=True)
class Subject:
    """An agency named at the start of a heading or sentence."""

    name: str
    start: int  # offset of the name in the text it was read from
    end: int
    requested: bool  # "Đề nghị …": the issuer asks, it cannot order
    rest: str  # the text after the name (the duty, if any)
    rest_start: int


def names_a_body(text: str) -> bool:
    """Whether `text` starts with a word that names a kind of body."""
    return bool(_BODY_START.match(text)) and not _NOT_BODIES.match(text)


def _strip_prefix(text: str) -> tuple[int, bool]:
    match = _PREFIX.match(text)
    if not match:
        return 0, False
    return match.end(), match.group("request") is not None


def _first(pattern: re.Pattern[str], text: str) -> int | None:
    """The first place `pattern` can end a subject in `text`."""
    for match in pattern.finditer(text):
        before = text[: match.start()]
        if match.start() < 3 or _NOT_AFTER.search(before):
            continue
        if pattern is _PREDICATE and before.rstrip().endswith(","):
            continue  # ", phối hợp …" inside an enumeration of bodies
        return match.start()
    return None


def _predicate_start(text: str) -> int | None:
    """Offset where the predicate begins in a sentence that starts with a subject.

    The first verb usually ends the subject, but a subject may hold a verb of its own
    ("Tất cả lực lượng tham gia thực hiện Kế hoạch này phải …"): a strong marker
    ("phải", "có trách nhiệm") a few words later wins.
    """
    weak, strong = _first(_PREDICATE, text), _first(_STRONG, text)
    if weak is None:
        cut = strong
    elif strong is None:
        cut = weak
    elif strong < weak or len(text[weak:strong].split()) <= _STRONG_WINDOW:
        cut = strong
    else:
        cut = weak
    if cut is None or len(text[:cut].split()) > _MAX_SUBJECT_WORDS:
        return None
    return cut


_ROLE_NOTE = re.compile(r"\s*\((?:[^()]*\b(?:cơ quan|chủ trì|thường trực|đầu mối)\b[^()]*)\)\s*$")


def clean_name(name: str) -> str:
    """The name without a trailing role note: "Sở Tài chính (cơ quan chủ trì)"."""
    return _ROLE_NOTE.sub("", name).strip(" :.;,")


def _subject(text: str, name: str, offset: int, requested: bool, rest_start: int) -> Subject:
    """A subject whose rest starts at its first word, so offsets point at the rest itself."""
    rest = text[rest_start:]
    skipped = len(rest) - len(rest.lstrip(" :"))
    return Subject(
        name, offset, offset + len(name), requested, rest.strip(" :"), rest_start + skipped
    )


def heading_subject(text: str) -> Subject | None:
    """The agency a heading names: the whole heading, or its part before a colon."""
    offset, requested = _strip_prefix(text)
    body = text[offset:]
    if not names_a_body(body):
        return None
    colon = body.find(":")
    after = body[colon + 1 :].split() if colon > 0 else []
    # "UBND các xã: Gia Thuận, Tân Điền" lists names; "Sở X: Chủ trì …" opens a duty.
    if colon > 0 and sum(1 for w in after if w[:1].islower()) >= 3:
        name, rest_start = body[:colon], offset + colon + 1
    else:
        name, rest_start = body.rstrip(" :.;"), len(text)
    name = clean_name(name)
    return _subject(text, name, offset, requested, rest_start)


def sentence_subject(text: str) -> Subject | None:
    """The agency a duty sentence opens with, or None if it opens with a verb."""
    offset, requested = _strip_prefix(text)
    body = text[offset:]
    if not names_a_body(body):
        return None
    cut = _predicate_start(body)
    if cut is None:
        return None
    name = clean_name(body[:cut])
    if not name or (len(name.split()) < 2 and not name.isupper()):
        return None
    return _subject(text, name, offset, requested, offset + cut)


_MORE_SUBJECTS = re.compile(
    r"[,;]\s+((?:các|những)\s+[^,;.]{3,80}?)\s+(?:có|chịu)\s+trách\s+nhiệm", re.IGNORECASE
)


def further_subjects(text: str) -> list[tuple[str, int]]:
    """Other bodies a sentence gives their own duty: "…, các cơ quan phối hợp có trách nhiệm"."""
    return [
        (m.group(1), m.start(1)) for m in _MORE_SUBJECTS.finditer(text) if names_a_body(m.group(1))
    ]
