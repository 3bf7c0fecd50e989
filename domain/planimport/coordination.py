"""Coordinating agencies of a duty: the bodies it is done "phối hợp với".

"Chủ trì, phối hợp với Sở Tài chính, Sở Nội vụ và các cơ quan liên quan tham mưu …": the
list after "phối hợp (với)" runs until the predicate resumes; each item that names a body
is a coordinating agency, as written.
"""

import re

from domain.planimport.agencies import clean_name, names_a_body

_WITH = re.compile(r"phối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+với)?\s+", re.IGNORECASE)
# Where the list of partners ends: a verb of the duty, a purpose, or punctuation.
_END = re.compile(
    r"\s(?:để|nhằm|trong|theo|tổ chức|triển khai|thực hiện|tham mưu|xây dựng|hướng dẫn"
    r"|kiểm tra|rà soát|tuyên truyền|thẩm định|đề xuất|cập nhật|thu thập|giám sát|dựng"
    r"|huy động|bố trí|nghiên cứu|trình|lập|chỉ đạo|đánh giá|giải quyết|xử lý|tăng cường"
    r"|phân bổ|hỗ trợ|tiếp nhận|quản lý|theo dõi|đôn đốc|tổng hợp|báo cáo|khảo sát|cung cấp"
    r"|xuất bản|phát hành|kịp thời|có trách nhiệm|chịu trách nhiệm|thường xuyên|tích cực"
    r"|chủ động)\b"
    r"|[;.:()]"
)
_SEPARATOR = re.compile(r"([,;]\s*|\s+và\s+)")


def split_bodies(listed: str) -> list[str]:
    """The bodies of a written list ("Sở Công Thương; Ban Quản lý khu Kinh tế"), as written."""
    return [name for item in _items(listed) if (name := clean_name(item))]


def _items(listed: str) -> list[str]:
    """Split a list of partners where a new body starts: "UBND các xã, phường" and "Sở
    Thông tin và Truyền thông" stay whole, "Sở Tài chính, Sở Nội vụ" are two."""
    pieces = _SEPARATOR.split(listed)
    items = [pieces[0]]
    for separator, piece in zip(pieces[1::2], pieces[2::2], strict=False):
        starts_body = names_a_body(piece) and (piece[:1].isupper() or piece.startswith("các "))
        if starts_body:
            items.append(piece)
        else:
            items[-1] += separator + piece
    return items


def coordinating(text: str) -> list[str]:
    """The bodies named after "phối hợp (với)" in a duty's text, in order, without repeats."""
    found: list[str] = []
    for match in _WITH.finditer(text):
        rest = text[match.end() :]
        end = _END.search(rest)
        listed = rest[: end.start() if end else min(len(rest), 200)]
        for item in _items(listed):
            name = clean_name(item)
            if name and names_a_body(name) and name not in found and len(name.split()) <= 16:
                found.append(name)
    return found
