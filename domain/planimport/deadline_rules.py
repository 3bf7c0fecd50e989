"""The deadline rules: one pattern per wording and what it means in the plan model.

Ordered from the most specific wording to the least; `deadlines.find_deadlines` runs them.
Each builder gets the match on a sentence whose cited-document dates are blanked, and
returns what the phrase says, or None when the context shows it is not a deadline.
"""

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_I = re.IGNORECASE
_EVERY = r"(?:hằng|hàng|mỗi)"
_BEFORE = r"(?:trước|chậm nhất(?:\s+là)?|không quá|hạn chót|hoàn thành trước|xong trước)"
_ROMAN_Q = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_REPORT_NEAR = r"(?:báo cáo|thông tin|thông báo)"
_FREQ = {"ngày": "daily", "tháng": "monthly", "quý": "quarterly", "năm": "annual"}
# A frequency word after these nouns describes the object, not the duty ("trợ cấp hàng tháng").
_OBJECT_NOUNS = re.compile(
    r"(trợ cấp|lương|thu nhập|chi trả|hưởng|dự toán|ngân sách|sản lượng|tăng|giảm|bình quân"
    r"|tỷ lệ|đợt|lần|từ tháng \d+ đến tháng \d+|kinh phí|mức)\s*$",
    _I,
)


@dataclass
class Found:
    """What one rule read from one phrase."""

    start: int
    end: int
    kind: str
    recurrence: str | None
    values: dict[str, object] = field(default_factory=dict)
    confidence: float = 0.8
    text: str = ""


Builder = Callable[[re.Match[str]], Found | None]


def _time(hours: str, minutes: str | None) -> str:
    return f"{int(hours):02d}:{int(minutes or 0):02d}"


def _times_per_day(m: re.Match[str]) -> Found:
    times = [
        _time(h, mm) for h, mm in re.findall(r"(\d{1,2})\s*(?:h|giờ)\s*(\d{2})?", m.group("inner"))
    ]
    return Found(m.start(), m.end(), "recurring", "daily", {"times_of_day": times}, 0.85)


def _daily_time(m: re.Match[str]) -> Found:
    return Found(
        m.start(), m.end(), "recurring", "daily", {"times_of_day": [_time(m["h"], m["mm"])]}, 0.85
    )


def _monthly_day(m: re.Match[str]) -> Found | None:
    """ "trước ngày 16 hàng tháng", "hằng tháng (trước ngày 20)", "trước ngày 10 và 25 hằng
    tháng": one or several due days in each month."""
    days = [int(d) for d in re.findall(r"\d{1,2}", m["days"] or m["days2"])]
    if not days or any(not 1 <= d <= 31 for d in days):
        return None
    return Found(m.start(), m.end(), "recurring", "monthly", {"day_of_month": days}, 0.9)


def _several_days(m: re.Match[str]) -> Found | None:
    """ "trước ngày 15/6 và 15/12": several due days a year; two half a year apart are a
    half-yearly report, four a quarter apart a quarterly one."""
    pairs = re.findall(r"(\d{1,2})\s*/\s*(\d{1,2})", m["list"])
    month_days = [md for d, mo in pairs if (md := _month_day(d, mo)) is not None]
    if len(month_days) != len(pairs):
        return None
    months = sorted(int(md[:2]) for md in month_days)
    gaps = {b - a for a, b in itertools.pairwise(months)}
    recurrence = (
        "semiannual"
        if len(months) == 2 and gaps == {6}
        else "quarterly"
        if len(months) == 4 and gaps == {3}
        else "annual"
    )
    return Found(m.start(), m.end(), "recurring", recurrence, {"month_day": month_days}, 0.75)


def _month_day(day: str, month: str) -> str | None:
    d, mo = int(day), int(month)
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{mo:02d}-{d:02d}"


def _period_day(m: re.Match[str]) -> Found | None:
    md = _month_day(m["d"], m["m"])
    if md is None:
        return None
    word = m["period"].lower()
    recurrence = (
        "quarterly" if "quý" in word else "semiannual" if "6" in word or "sáu" in word else "annual"
    )
    return Found(m.start(), m.end(), "recurring", recurrence, {"month_day": [md]}, 0.85)


def _full_date(m: re.Match[str]) -> Found | None:
    try:
        day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return Found(m.start(), m.end(), "date", "once", {"date": day.isoformat()}, 0.9)


def _yearless_date(m: re.Match[str]) -> Found | None:
    md = _month_day(m["d"], m["m"])
    if md is None:
        return None
    # A day and month with no year recurs each year of the plan.
    return Found(m.start(), m.end(), "recurring", "annual", {"month_day": [md]}, 0.75)


def _quarter_end_day(m: re.Match[str]) -> Found | None:
    """ "trước ngày 15 của tháng cuối quý": quarterly, due in the quarter's third month."""
    day = int(m["d"])
    if not 1 <= day <= 31:
        return None
    return Found(
        m.start(), m.end(), "recurring", "quarterly", {"month_day": [f"03-{day:02d}"]}, 0.8
    )


def _labelled_years(m: re.Match[str]) -> Found:
    """ "Thời gian thực hiện: năm 2026" is due that year; "Thời gian: 2025 - 2030" is a
    window the task runs through."""
    if m["b"]:
        return Found(
            m.start(),
            m.end(),
            "continuous",
            "continuous",
            {"period_start": int(m["a"]), "period_end": int(m["b"])},
            0.7,
        )
    return Found(m.start(), m.end(), "year", "once", {"year_only": int(m["a"])}, 0.75)


def _quarter(m: re.Match[str]) -> Found:
    q = _ROMAN_Q[m["q"].upper()]
    return Found(m.start(), m.end(), "quarter", "once", {"quarter": f"{m['y']}-Q{q}"}, 0.85)


def _month_only(m: re.Match[str]) -> Found | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    return Found(m.start(), m.end(), "month", "once", {"month_only": f"{m['y']}-{month:02d}"}, 0.85)


def _relative(m: re.Match[str]) -> Found:
    working = bool(m["working"])
    return Found(
        m.start(),
        m.end(),
        "relative",
        "once",
        {
            "relative_days": int(m["n"]),
            "working_days": working,
            "relative_to": m["event"].strip(" ,;."),
        },
        0.8,
    )


def _right_after(m: re.Match[str]) -> Found:
    return Found(
        m.start(),
        m.end(),
        "event",
        "adhoc",
        {"relative_days": 0, "relative_to": m["event"].strip(" ,;.)")},
        0.7,
    )


def _event(m: re.Match[str]) -> Found:
    return Found(m.start(), m.end(), "event", "adhoc", {"trigger": m["event"].strip(" ,;.)")}, 0.7)


def _adhoc(m: re.Match[str]) -> Found:
    return Found(m.start(), m.end(), "adhoc", "adhoc", {}, 0.75)


def _adhoc_if_reporting(m: re.Match[str]) -> Found | None:
    """ "khi có yêu cầu" is a reporting deadline only in a sentence about reporting."""
    before = m.string[max(0, m.start() - 80) : m.start()]
    after = m.string[m.end() : m.end() + 40]
    clause_before = re.split(r"[;.]", before)[-1]
    clause_after = re.split(r"[;.]", after)[0]
    if re.search(_REPORT_NEAR, clause_before + " " + clause_after, _I):
        return _adhoc(m)
    return None


_BUDGET = re.compile(
    r"kinh phí|ngân sách|dự toán|vốn|chi thường xuyên|trợ cấp|đầu tư công"
    r"|trung hạn",
    _I,
)


def _every(m: re.Match[str]) -> Found | None:
    """A bare frequency: "xây dựng kế hoạch hằng năm". Not when it describes money or an
    allowance ("bố trí kinh phí … hằng năm", "trợ cấp hàng tháng")."""
    text = m.string
    if _OBJECT_NOUNS.search(text[: m.start()]):
        return None
    if _BUDGET.search(" ".join(text[: m.start()].split()[-10:])):
        return None
    word = m["unit"].lower()
    recurrence = "semiannual" if word.startswith(("6", "06", "sáu")) else _FREQ[word]
    return Found(m.start(), m.end(), "recurring", recurrence, {}, 0.65)


_PER_YEAR = {1: "annual", 2: "semiannual", 4: "quarterly", 12: "monthly"}
_NUMBER_WORDS = {"một": 1, "hai": 2, "bốn": 4}


def _times_a_year(m: re.Match[str]) -> Found:
    """ "02 số/năm", "tối thiểu một lần/năm": so many issues or times a year, one per period."""
    word = m["n"].lower()
    count = _NUMBER_WORDS.get(word) or int(word)
    recurrence = _PER_YEAR.get(count, "annual")
    return Found(m.start(), m.end(), "recurring", recurrence, {}, 0.6)


_UPKEEP = re.compile(r"cập nhật|theo dõi|rà soát|giám sát|duy trì|tích hợp|trực", _I)


def _continuous(m: re.Match[str]) -> Found | None:
    """ "thường xuyên" is a standing duty when it keeps something current (updating data,
    monitoring); next to other verbs ("thường xuyên phối hợp") it only says how often."""
    before = " ".join(m.string[: m.start()].split()[-6:])
    after = " ".join(m.string[m.end() :].split()[:3])
    if not _UPKEEP.search(before + " " + after):
        return None
    return Found(m.start(), m.end(), "continuous", "continuous", {}, 0.6)


_REVIEW = r"báo cáo|sơ kết|tổng kết|kiểm tra|đánh giá|tổng hợp|gửi|thông tin"


def _periodic(m: re.Match[str]) -> Found | None:
    """ "định kỳ báo cáo" with no frequency: a report the coordinator will schedule.

    "tuyên truyền thường xuyên, định kỳ" (a manner) and "chi trả theo định kỳ" (an
    object's rhythm) are not deadlines: a review verb must be next to it.
    """
    after = m.string[m.end() : m.end() + 40].lower()
    before = m.string[max(0, m.start() - 30) : m.start()].lower()
    if re.match(rf"\s*(\(|{_EVERY}|6 tháng|sáu tháng|quý|năm|tháng)", after):
        return None
    if not (
        re.match(rf"\s*(?:\S+\s+){{0,2}}(?:{_REVIEW})", after)
        or re.search(rf"(?:{_REVIEW})[^;.]{{0,30}}theo\s+$", before)
    ):
        return None
    return Found(m.start(), m.end(), "periodic", None, {}, 0.5)


RULES: tuple[tuple[re.Pattern[str], Builder], ...] = (
    (
        re.compile(
            r"(?:báo cáo\s+)?\d{1,2}\s*lần\s*/\s*ngày\s*\((?P<inner>[^)]*\d\s*(?:h|giờ)[^)]*)"
            r"\)",
            _I,
        ),
        _times_per_day,
    ),
    (
        re.compile(
            rf"trước\s+(?P<h>\d{{1,2}})\s*(?:h|giờ)\s*(?P<mm>\d{{2}})?'?\s*(?:chiều\s+|sáng\s+)?"
            rf"{_EVERY}\s+ngày",
            _I,
        ),
        _daily_time,
    ),
    (
        re.compile(
            rf"{_BEFORE}\s+ngày\s+(?P<days>\d{{1,2}}(?:\s*(?:,|và)\s*(?:ngày\s+)?\d{{1,2}})*)"
            rf"\s+{_EVERY}\s+tháng"
            rf"|{_EVERY}\s+tháng\s*\(?\s*{_BEFORE}\s+ngày\s+(?P<days2>\d{{1,2}}"
            r"(?:\s*(?:,|và)\s*(?:ngày\s+)?\d{1,2})*)(?!\s*/|\s+tháng)"
            rf"(?:\s+{_EVERY}\s+tháng)?\s*\)?",
            _I,
        ),
        _monthly_day,
    ),
    (
        re.compile(
            rf"{_BEFORE}\s+(?:các\s+)?ngày\s+(?P<list>\d{{1,2}}\s*/\s*\d{{1,2}}(?:\s*(?:,|và)\s*"
            r"(?:ngày\s+)?\d{1,2}\s*/\s*\d{1,2}(?!\s*/\s*\d))+)(?!\s*/\s*\d)"
            rf"(?:\s+{_EVERY}\s+năm)?",
            _I,
        ),
        _several_days,
    ),
    (
        re.compile(
            rf"(?P<period>(?:0?6|sáu)\s+tháng(?:\s+đầu\s+năm)?|{_EVERY}\s+quý|quý)\s*"
            rf"\(?\s*{_BEFORE}\s+ngày\s+(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})(?!\s*/\s*\d)"
            r"\s*\)?",
            _I,
        ),
        _period_day,
    ),
    (
        re.compile(
            rf"{_BEFORE}\s+(?:ngày\s+)?(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})\s*/\s*"
            r"(?P<y>\d{4})",
            _I,
        ),
        _full_date,
    ),
    (
        re.compile(
            rf"{_BEFORE}\s+(?:ngày\s+)?(?P<d>\d{{1,2}})\s+tháng\s+(?P<m>\d{{1,2}})\s+năm\s+"
            r"(?P<y>\d{4})",
            _I,
        ),
        _full_date,
    ),
    (
        re.compile(
            rf"{_BEFORE}\s+ngày\s+(?P<d>\d{{1,2}})(?:\s*/\s*|\s+tháng\s+)(?P<m>\d{{1,2}})"
            rf"(?!\s*/\s*\d|\s+năm\s+\d)(?:\s+{_EVERY}\s+năm)?",
            _I,
        ),
        _yearless_date,
    ),
    (
        re.compile(
            rf"{_BEFORE}\s+ngày\s+(?P<d>\d{{1,2}})\s+(?:của\s+)?tháng\s+cuối\s+"
            rf"(?:mỗi\s+|{_EVERY}\s+)?quý",
            _I,
        ),
        _quarter_end_day,
    ),
    (
        re.compile(
            r"thời\s+(?:gian|hạn)(?:\s+(?:thực\s+hiện|hoàn\s+thành))?\s*:\s*(?:năm\s+)?"
            r"(?P<a>20\d\d)(?:\s*[-–]\s*(?P<b>20\d\d))?",
            _I,
        ),
        _labelled_years,
    ),
    (re.compile(r"quý\s+(?P<q>IV|I{1,3}|[1-4])\s*(?:/|năm\s+)\s*(?P<y>\d{4})", _I), _quarter),
    (
        re.compile(
            r"(?:trong|hoàn thành trong|trước|đến hết|cuối|xong trong|vào)\s+tháng\s+"
            r"(?P<m>\d{1,2})\s*(?:/|năm\s+)\s*(?P<y>\d{4})",
            _I,
        ),
        _month_only,
    ),
    (
        re.compile(
            r"trong\s+(?:thời\s+hạn\s+|vòng\s+)?(?P<n>\d{1,3})\s+ngày\s+"
            r"(?P<working>làm\s+việc\s+)?(?:kể\s+từ\s+(?:ngày\s+)?|sau\s+khi\s+|từ\s+ngày\s+)"
            r"(?P<event>[^;.]{3,120})",
            _I,
        ),
        _relative,
    ),
    (re.compile(r"ngay\s+sau\s+khi\s+(?P<event>[^;.]{3,160})", _I), _right_after),
    (
        re.compile(
            r"\(?\s*khi\s+(?P<event>(?:Bộ|Tổng|Trung ương|Chính phủ|Thủ tướng|Ban Chỉ đạo"
            r"|cơ quan cấp trên|cấp trên)[^;.()]{3,100}?(?:triển khai|ban hành|hướng dẫn)"
            r"(?:\s+thực\s+hiện)?)\s*\)?",
            _I,
        ),
        _event,
    ),
    (
        re.compile(
            r"(?:hoặc\s+)?(?:báo cáo\s+)?đột\s+xuất(?:[^;.]{0,40}?khi\s+(?:có\s+yêu\s+cầu"
            r"|cần\s+thiết))?",
            _I,
        ),
        _adhoc,
    ),
    (re.compile(r"(?:hoặc\s+)?khi\s+có\s+yêu\s+cầu", _I), _adhoc_if_reporting),
    (
        re.compile(
            r"báo cáo\s+(?:ngay|kịp thời)|kịp thời\s+báo cáo|thông tin kịp thời[^;.]{0,80}?"
            r"khi\s+[^;.]{3,80}",
            _I,
        ),
        _adhoc,
    ),
    (
        re.compile(
            r"\b(?:định\s+kỳ\s+)?(?:hằng|hàng|mỗi)\s+(?P<unit>ngày|tháng|quý|năm)\b"
            r"|\bđịnh\s+kỳ\s+(?P<unit2>(?:0?6|sáu)\s+tháng)",
            _I,
        ),
        lambda m: _every_any(m),
    ),
    (
        re.compile(
            r"(?:định\s+kỳ\s+|tối\s+thiểu\s+)?(?P<n>một|hai|bốn|\d{1,2})\s+(?:lần|số|kỳ)"
            r"\s*/\s*năm",
            _I,
        ),
        _times_a_year,
    ),
    (
        re.compile(
            r"\(năm\s+(?P<y>20\d\d)\)|(?:trong|hoàn thành(?:\s+trong)?|xong\s+trong)\s+năm\s+"
            r"(?P<y2>20\d\d)(?!\s*[-–])",
            _I,
        ),
        lambda m: _year_any(m),
    ),
    (re.compile(r"(?<!chi )thường\s+xuyên\b", _I), _continuous),
    (re.compile(r"định\s+kỳ", _I), _periodic),
)


def _every_any(m: re.Match[str]) -> Found | None:
    if m["unit2"]:
        if _OBJECT_NOUNS.search(m.string[: m.start()]):
            return None
        return Found(m.start(), m.end(), "recurring", "semiannual", {}, 0.65)
    return _every(m)


def _year_any(m: re.Match[str]) -> Found | None:
    """A year alone: "(năm 2030)", "hoàn thành trong năm 2026"; not a period's end."""
    year = m["y"] or m["y2"]
    before = m.string[max(0, m.start() - 40) : m.start()].lower()
    clause = re.split(r"[;.]", m.string[: m.start()])[-1].lower()
    if re.search(r"giai đoạn|tầm nhìn|định hướng|chiến lược|\d\s*[-–]\s*$", before):
        return None
    if re.search(r"mục tiêu|phấn đấu|\d+\s*%|tỷ lệ", clause):
        return None  # a target's year, not a due date
    return Found(m.start(), m.end(), "year", "once", {"year_only": int(year)}, 0.6)
