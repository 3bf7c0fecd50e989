"""domain.digest's rule of what goes out at once and what waits for the morning digest."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.digest import WorkingHours, default_delivery, hold_reason
from schemas.calendar import VN_TZ, WorkingCalendar

CAL = WorkingCalendar.for_years(2024, 2024)
HOURS = WorkingHours()
TUESDAY_10 = dt.datetime(2024, 3, 5, 10, tzinfo=VN_TZ)


def reason(kind: str, at: dt.datetime = TUESDAY_10, **extra: object) -> str | None:
    fields: dict[str, object] = {"delivery": "digest", "planned_at": at} | extra
    return hold_reason(kind=kind, at=at, calendar=CAL, hours=HOURS, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["assignment", "approval_requested", "returned", "accepted"])
def test_what_asks_for_an_action_goes_out_at_once_in_working_hours(kind: str) -> None:
    assert None is reason(kind)


def test_reminders_wait_for_the_digest_of_whoever_chose_it_and_not_otherwise() -> None:
    assert "preference" == reason("reminder")
    assert None is reason("reminder", delivery="immediate")


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(2024, 3, 5, 7, 59, tzinfo=VN_TZ),  # before 08:00
        dt.datetime(2024, 3, 5, 17, 0, tzinfo=VN_TZ),  # from 17:00
        dt.datetime(2024, 3, 9, 10, tzinfo=VN_TZ),  # Saturday
        dt.datetime(2024, 4, 30, 10, tzinfo=VN_TZ),  # 30/4, a public holiday
    ],
)
def test_nothing_goes_out_in_quiet_hours(at: dt.datetime) -> None:
    assert "quiet_hours" == reason("approval_requested", at, delivery="immediate")


def test_repeats_past_the_top_and_late_timers_wait_even_for_immediate_readers() -> None:
    assert "past_top" == reason(
        "escalation", delivery="immediate", escalation_level=4, ladder_levels=3
    )
    assert None is reason("escalation", delivery="immediate", escalation_level=3, ladder_levels=3)
    late = TUESDAY_10 - dt.timedelta(hours=2)
    assert "catch_up" == reason("reminder", delivery="immediate", planned_at=late)
    overdue = TUESDAY_10 - dt.timedelta(days=1)
    assert "catch_up" == reason("assignment", deadline=overdue)


def test_by_default_only_agencies_focal_officials_get_reminders_at_once() -> None:
    assert ["immediate", "digest", "digest", "digest", "digest", "digest"] == [
        default_delivery(r)
        for r in (
            "focal",
            "leader",
            "coordinator",
            "coordinator_director",
            "office",
            "vice_chairman",
        )
    ]


def test_a_ladder_can_climb_to_the_vice_chairman_and_then_only_repeats() -> None:
    from domain.digest import escalation_step_vi
    from schemas.plan import EscalationLadder, EscalationStep

    ladder = EscalationLadder(
        steps=[
            EscalationStep(after_working_days=0, notify=["focal", "leader"]),
            EscalationStep(after_working_days=2, notify=["coordinator"]),
            EscalationStep(after_working_days=5, notify=["office"]),
            EscalationStep(after_working_days=10, notify=["vice_chairman"]),
        ],
        repeat_limit=2,
    )
    deadline = dt.datetime(2024, 3, 5, 17, tzinfo=dt.UTC)  # 00:00 on 06/03 in Vietnam
    levels = [
        lvl
        for lvl, _, _ in CAL.escalation_instants(
            deadline, ladder, until=deadline + dt.timedelta(days=200)
        )
    ]
    assert [1, 2, 3, 4, 5, 6] == levels
    assert ["cấp 4", "nhắc lần 2", "nhắc lần 3"] == [
        escalation_step_vi(level, len(ladder.steps)) for level in levels[3:]
    ]


@pytest.mark.parametrize(
    ("contact", "placeholder", "greeted"),
    [
        ("leader", False, "Đồng chí Nguyễn Văn An – Phó Giám đốc, Sở Ngoại vụ"),
        ("focal", False, "Sở Ngoại vụ (đồng chí Nguyễn Văn An – Phó Giám đốc)"),
        ("leader", True, "Sở Ngoại vụ"),
        ("focal", True, "Sở Ngoại vụ"),
    ],
)
def test_the_digest_greets_the_agency_while_the_directory_holds_a_placeholder(
    contact: str, placeholder: bool, greeted: str
) -> None:
    from domain.digest import greeting_vi
    from schemas.digest import Reader

    reader = Reader.model_validate(
        {
            "email": "lanhdao@sngv.example",
            "name": "Nguyễn Văn An",
            "title": "Phó Giám đốc",
            "agency_code": "SNGV",
            "agency_name": "Sở Ngoại vụ",
            "contact": contact,
            "placeholder": placeholder,
        }
    )
    assert greeted == greeting_vi(reader)
    assert "chưa cập nhật" not in greeting_vi(reader)
