"""The Vietnamese words people read for kehoach's codes: statuses, approval steps, labels.

One copy for the workflows' Web UI details, the CLI, the portal, the demo and the
consolidated report's annex.
"""

from __future__ import annotations

import datetime as dt

from schemas.calendar import VN_TZ, last_day_of

STATUS_VI: dict[str, str] = {
    "assigned": "chưa nộp",
    "submitted": "đã nộp, chờ duyệt",
    "returned": "bị trả lại",
    "accepted": "đã chấp nhận",
    "cancelled": "đã hủy",
    "waived": "được miễn",
}
"""An assignment's status (the workflow's and the store's `status`)."""

SHOWN_STATUS_VI: dict[str, str] = {**STATUS_VI, "overdue": "quá hạn"}
"""The `KehoachStatus` search attribute's values: the statuses, and "overdue" for an open
assignment past its deadline."""

REPORT_STATUS_VI: dict[str, str] = {
    "assigned": "Chưa nộp",
    "in_term": "Chưa nộp, còn trong hạn",
    "overdue": "Quá hạn, chưa nộp",
    "submitted": "Đã nộp, đang chờ duyệt",
    "returned": "Bị trả lại, chờ nộp lại",
    "cancelled": "Đã hủy",
    "waived": "Được miễn",
}
"""Statuses as the consolidated report's annex prints them (a sentence of a table cell)."""

STEP_VI: dict[str, str] = {
    "agency_leader": "lãnh đạo cơ quan",
    "coordinator": "cơ quan đầu mối (Sở TT&TT)",
    "coordinator_director": "giám đốc cơ quan đầu mối",
    "vice_chairman": "Phó Chủ tịch UBND tỉnh",
}
"""An approval step: whose decision a submitted report waits for."""

LABEL_VI: dict[str, str] = {
    "on_time": "đúng hạn",
    "in_term": "trong hạn",
    "due_soon": "sắp đến hạn",
    "overdue": "quá hạn",
    "late": "hoàn thành quá hạn",
    "cancelled": "đã hủy",
    "waived": "được miễn",
}
"""The portal's progress labels (`domain.progress.label`)."""

OUTCOME_VI: dict[str, str] = {"on_time": "đúng hạn", "late": "hoàn thành quá hạn"}
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
    "notice_failed": "gửi thông báo không thành công",
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


def last_day_vi(deadline: dt.datetime) -> str:
    """The last day on which something due at `deadline` is on time, as DD/MM/YYYY (VN)."""
    return f"{last_day_of(deadline):%d/%m/%Y}"


def moment_vi(instant: dt.datetime) -> str:
    """An instant as people in Viet Nam read it: HH:MM DD/MM/YYYY, Vietnam time."""
    return f"{instant.astimezone(VN_TZ):%H:%M %d/%m/%Y}"
