"""The Vietnamese words people read for kehoach's codes: statuses, approval steps, labels.

One copy for the workflows' Web UI details, the CLI, the portal, the demo and the
consolidated report's annex.
"""

from __future__ import annotations

import datetime as dt
import re

from schemas.calendar import VN_TZ, last_day_of

STATUS_VI: dict[str, str] = {
    "assigned": "chưa nộp",
    "submitted": "đã nộp, chờ duyệt",
    "returned": "bị trả lại",
    "accepted": "đã chấp nhận",
    "cancelled": "đã hủy",
    "waived": "được miễn",
    "ended": "không hoàn thành (kết thúc theo dõi)",
}
"""An assignment's status (the workflow's and the store's `status`)."""

SHOWN_STATUS_VI: dict[str, str] = {**STATUS_VI, "overdue": "quá hạn"}
"""The `KehoachStatus` search attribute's values: the statuses, and "overdue" for an open
assignment past its deadline."""

REPORT_STATUS_VI: dict[str, str] = {
    "assigned": "Chưa gửi",
    "in_term": "Chưa gửi, còn trong hạn",
    "overdue": "Quá hạn, chưa gửi",
    "submitted": "Đã gửi, đang chờ duyệt",
    "returned": "Bị trả lại, chờ gửi lại",
    "cancelled": "Đã hủy",
    "waived": "Được miễn",
    "ended": "Không hoàn thành (kết thúc theo dõi)",
}
"""Statuses as the consolidated report's annex prints them (a sentence of a table cell)."""

STEP_VI: dict[str, str] = {
    "agency_leader": "lãnh đạo cơ quan",
    "coordinator": "cơ quan đầu mối",
    "coordinator_director": "giám đốc cơ quan đầu mối",
    "vice_chairman": "Phó Chủ tịch UBND tỉnh",
}
"""An approval step: whose decision a submitted report waits for."""

LABEL_VI: dict[str, str] = {
    "on_time": "Hoàn thành đúng hạn",
    "in_term": "Đang thực hiện trong hạn",
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn chưa hoàn thành",
    "late": "Hoàn thành quá hạn",
    "cancelled": "Đã hủy",
    "waived": "Được miễn",
}
"""The portal's progress labels (`domain.progress.label`), in the words and capitals provinces
publish their task-tracking counts in."""

OUTCOME_VI: dict[str, str] = {"on_time": "Hoàn thành đúng hạn", "late": "Hoàn thành quá hạn"}
"""How an accepted report is counted against its original deadline."""

DECISION_VI: dict[str, str] = {"approved": "duyệt", "returned": "trả lại"}
"""An approver's decision."""

ACTION_VI: dict[str, str] = {
    "assign": "giao nhiệm vụ",
    "submit": "nộp báo cáo",
    "approve": "duyệt",
    "return": "trả lại để chỉnh sửa",
    "accept": "chấp nhận báo cáo",
    "overdue": "quá hạn",
    "escalate": "đôn đốc",
    "extend": "gia hạn",
    "set_deadline": "đặt hạn",
    "cancel": "hủy",
    "waive": "miễn thực hiện",
    "end": "kết thúc theo dõi (không hoàn thành)",
    "notice_failed": "gửi thông báo không thành công",
    "reroute": "chuyển cho cơ quan tiếp nhận (sáp nhập, đổi tên)",
}
"""What happened to an assignment, as its history on the portal tells it (audit actions)."""


def status_vi(code: str | None) -> str:
    """A status or `KehoachStatus` value in Vietnamese; an unknown code as it is, none as —."""
    if not code:
        return "—"
    return SHOWN_STATUS_VI.get(code, code)


def step_vi(step: str | None) -> str:
    """An approval step in Vietnamese; an unknown one as it is."""
    return STEP_VI.get(step or "", step or "")


def date_vi(day: dt.date) -> str:
    """A date as plans and reports write it (Decree 30/2020, Appendix I): 09/3/2023, with a
    zero before a day under 10 and before months 1 and 2 only (05/02/2024)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def last_day_vi(deadline: dt.datetime) -> str:
    """The last day on which something due at `deadline` is on time, as the plan writes it."""
    return date_vi(last_day_of(deadline))


def moment_vi(instant: dt.datetime) -> str:
    """An instant as people in Viet Nam read it: HH:MM and the date, Vietnam time."""
    local = instant.astimezone(VN_TZ)
    return f"{local:%H:%M} {date_vi(local.date())}"


DUTY_STATE_VI: dict[str, str] = {
    "on_time": "Hoàn thành đúng hạn",
    "on_time_extended": "Hoàn thành đúng hạn (có gia hạn)",
    "late": "Hoàn thành quá hạn",
    "in_term": "Đang thực hiện trong hạn",
    "overdue": "Quá hạn chưa hoàn thành",
    "not_done": "Không hoàn thành (kết thúc theo dõi)",
    "reported": "Đã báo cáo kết quả",
    "untracked": "Chưa có báo cáo",
}
"""A duty's or report's state as provinces publish it (capitalised, as in a table cell)."""


def period_vi(period: str) -> str:
    """A reporting period in words (`domain.deadlines` keys): 2023 → năm 2023, 2023-H1 →
    6 tháng đầu năm 2023, 2023-H2 → 6 tháng cuối năm 2023, 2023-Q3 → quý III/2023,
    2023-05 → tháng 5/2023, 2023-05-17 → ngày 17/5/2023; a duty's second deadline
    ("-D2") adds "(lần 2)". Anything else is printed as given."""
    match = _PERIOD.match(period)
    if match is None:
        return period
    year, part, again = match["year"], match["part"], match["again"]
    if part is None:
        words = f"năm {year}"
    elif part in ("H1", "H2"):
        words = f"6 tháng {'đầu' if part == 'H1' else 'cuối'} năm {year}"
    elif part.startswith("Q"):
        words = f"quý {('I', 'II', 'III', 'IV')[int(part[1]) - 1]}/{year}"
    elif "-" in part:
        words = f"ngày {date_vi(dt.date(int(year), int(part[:2]), int(part[3:])))}"
    else:
        words = f"tháng {int(part)}/{year}"
    return f"{words} (lần {again})" if again else words


_PERIOD = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<part>H[12]|Q[1-4]|(?:0[1-9]|1[0-2])(?:-[0-3]\d)?))?"
    r"(?:-D(?P<again>\d+))?$"
)


def number_vi(value: float) -> str:
    """A figure as Vietnamese write it: 1.234.500; 2,5."""
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}".replace(",", ".")
    whole, _, part = f"{value:,.2f}".rstrip("0").partition(".")
    return f"{whole.replace(',', '.')},{part}"
