"""schemas.calendar: Vietnamese working days, deadlines, reminders, escalations, periods."""

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.periods import Period, periods
from schemas.calendar import (
    VN_TZ,
    CalendarRangeError,
    WorkingCalendar,
    compact_days,
    last_day_of,
    parse_compact_days,
)
from schemas.plan import (
    DueInPeriod,
    EscalationLadder,
    EscalationStep,
    RecurringDeadline,
    ReminderPolicy,
)

CAL = WorkingCalendar.for_years(2019, 2030)
D = dt.date


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


# --- working days ----------------------------------------------------------------------


def test_tet_2024_days_are_off_and_the_days_around_are_working() -> None:
    # Lunar New Year 10/02/2024 (Saturday); the break ran 08/02 to 14/02.
    for day in range(8, 15):
        assert False is CAL.is_working_day(D(2024, 2, day)), day
    assert True is CAL.is_working_day(D(2024, 2, 7))
    assert True is CAL.is_working_day(D(2024, 2, 15))


def test_weekends_are_off_and_weekdays_working() -> None:
    assert False is CAL.is_working_day(D(2024, 3, 16))  # Saturday
    assert False is CAL.is_working_day(D(2024, 3, 17))  # Sunday
    assert True is CAL.is_working_day(D(2024, 3, 18))  # Monday


def test_package_make_up_saturday_is_a_working_day() -> None:
    # 29/04/2024 (Monday) off in exchange for Saturday 04/05/2024.
    assert False is CAL.is_working_day(D(2024, 4, 29))
    assert True is CAL.is_working_day(D(2024, 5, 4))


def test_next_working_day_is_the_day_itself_when_working() -> None:
    assert D(2024, 3, 18) == CAL.next_working_day(D(2024, 3, 18))
    assert D(2024, 3, 18) == CAL.next_working_day(D(2024, 3, 16))
    assert D(2024, 2, 15) == CAL.next_working_day(D(2024, 2, 8))


def test_previous_working_day_goes_back_over_tet() -> None:
    assert D(2024, 2, 7) == CAL.previous_working_day(D(2024, 2, 14))
    assert D(2024, 2, 7) == CAL.previous_working_day(D(2024, 2, 7))


def test_add_working_days_over_a_weekend() -> None:
    friday = D(2024, 3, 15)
    assert D(2024, 3, 18) == CAL.add_working_days(friday, 1)
    assert D(2024, 3, 22) == CAL.add_working_days(friday, 5)
    assert D(2024, 3, 18) == CAL.add_working_days(D(2024, 3, 16), 1)  # Saturday + 1
    assert D(2024, 3, 15) == CAL.add_working_days(D(2024, 3, 18), -1)


def test_add_working_days_over_tet() -> None:
    assert D(2024, 2, 15) == CAL.add_working_days(D(2024, 2, 7), 1)
    assert D(2024, 2, 16) == CAL.add_working_days(D(2024, 2, 7), 2)
    assert D(2024, 2, 7) == CAL.add_working_days(D(2024, 2, 15), -1)


def test_add_zero_working_days_rolls_forward_to_a_working_day() -> None:
    assert D(2024, 3, 15) == CAL.add_working_days(D(2024, 3, 15), 0)
    assert D(2024, 3, 18) == CAL.add_working_days(D(2024, 3, 16), 0)


# --- extra days off and working days ------------------------------------------------------


def test_extra_days_off_and_extra_working_days_override_the_package() -> None:
    cal = WorkingCalendar.for_years(
        2024,
        2024,
        extra_days_off=[D(2024, 6, 3), D(2024, 5, 4)],  # a Monday; the package's make-up day
        extra_working_days=[D(2024, 6, 8), D(2024, 9, 3)],  # a Saturday; a holiday
    )
    assert False is cal.is_working_day(D(2024, 6, 3))
    assert False is cal.is_working_day(D(2024, 5, 4))
    assert True is cal.is_working_day(D(2024, 6, 8))
    assert True is cal.is_working_day(D(2024, 9, 3))
    assert D(2024, 6, 4) == cal.next_working_day(D(2024, 6, 3))
    assert D(2024, 6, 8) == cal.add_working_days(D(2024, 6, 7), 1)


def test_a_day_both_off_and_working_is_refused() -> None:
    with pytest.raises(ValidationError, match="both off and working"):
        WorkingCalendar.for_years(
            2024, 2024, extra_days_off=[D(2024, 6, 3)], extra_working_days=[D(2024, 6, 3)]
        )


def test_days_outside_the_years_are_refused() -> None:
    with pytest.raises(ValidationError, match="outside"):
        WorkingCalendar.for_years(2024, 2024, extra_days_off=[D(2025, 1, 2)])
    cal = WorkingCalendar.for_years(2024, 2024)
    with pytest.raises(CalendarRangeError):
        cal.is_working_day(D(2025, 1, 2))
    with pytest.raises(CalendarRangeError):
        cal.add_working_days(D(2024, 12, 30), 5)


def test_calendar_round_trips_through_json_unchanged() -> None:
    cal = WorkingCalendar.for_years(
        2023, 2025, extra_days_off=[D(2025, 6, 2)], extra_working_days=[D(2025, 6, 7)]
    )
    text = cal.model_dump_json()
    assert cal == WorkingCalendar.model_validate_json(text)
    assert text == WorkingCalendar.model_validate_json(text).model_dump_json()


def test_calendar_json_holds_each_date_set_as_one_sorted_compact_string() -> None:
    dumped = WorkingCalendar.for_years(2024, 2025).model_dump(mode="json")
    holidays = dumped["public_holidays"]
    assert holidays.startswith("2024-01-01 02-08+6 04-18 04-29+2 09-02+1 2025-01-01 01-27+5")
    assert "2024-05-04 2025-04-26" == dumped["extra_working_days"]
    assert "" == dumped["extra_days_off"]


def test_calendar_reads_the_date_lists_of_inputs_recorded_before_the_compact_form() -> None:
    cal = WorkingCalendar.for_years(2024, 2025, extra_days_off=[D(2025, 6, 2)])
    listed = {
        **cal.model_dump(mode="json"),
        "public_holidays": sorted(d.isoformat() for d in cal.public_holidays),
        "extra_days_off": ["2025-06-02"],
        "extra_working_days": ["2025-04-26", "2024-05-04"],
    }
    assert cal == WorkingCalendar.model_validate_json(json.dumps(listed))


def test_compact_days_keep_runs_within_a_year_and_refuse_a_day_without_a_year() -> None:
    days = [D(2024, 12, 30), D(2024, 12, 31), D(2025, 1, 1), D(2025, 1, 2), D(2025, 3, 1)]
    assert "2024-12-30+1 2025-01-01+1 03-01" == compact_days(reversed(days))
    assert days == parse_compact_days("2024-12-30+1 2025-01-01+1 03-01")
    with pytest.raises(ValueError, match="before any year"):
        parse_compact_days("01-02")


# --- deadlines ------------------------------------------------------------------------------


def test_deadline_ends_at_24h_of_its_last_day() -> None:
    assert vn(2023, 11, 10) == CAL.deadline_instant(D(2023, 11, 9), move_off_non_working_days=True)


def test_saturday_deadline_moves_to_monday_24h_when_the_rule_is_on() -> None:
    saturday = D(2024, 3, 16)
    assert vn(2024, 3, 19) == CAL.deadline_instant(saturday, move_off_non_working_days=True)


def test_saturday_deadline_stays_when_the_rule_is_off() -> None:
    saturday = D(2024, 3, 16)
    assert vn(2024, 3, 17) == CAL.deadline_instant(saturday, move_off_non_working_days=False)


@pytest.mark.parametrize(
    ("last_day", "expected"),
    [
        # 2023: 29/04-03/05 off (Hùng Kings and 30/4 on the weekend, observed 2-3/5).
        (D(2023, 4, 30), vn(2023, 5, 5)),
        # 2024: 29/04 (swapped), 30/04, 01/05 off.
        (D(2024, 4, 30), vn(2024, 5, 3)),
        # 2025: 30/04, 01/05, 02/05 (swapped), then the weekend.
        (D(2025, 4, 30), vn(2025, 5, 6)),
    ],
)
def test_deadline_on_30_april_moves_past_1_may_too(
    last_day: dt.date, expected: dt.datetime
) -> None:
    assert expected == CAL.deadline_instant(last_day, move_off_non_working_days=True)


@pytest.mark.parametrize(
    ("last_day", "expected"),
    [
        (D(2024, 9, 2), vn(2024, 9, 5)),  # 02/09 Mon + 03/09 Tue off
        (D(2025, 9, 1), vn(2025, 9, 4)),  # 01/09 Mon + 02/09 Tue off
        (D(2023, 9, 1), vn(2023, 9, 6)),  # 01/09 Fri, 02/09 Sat, observed 04/09 Mon
    ],
)
def test_deadline_on_national_day_moves_past_the_adjacent_day(
    last_day: dt.date, expected: dt.datetime
) -> None:
    assert expected == CAL.deadline_instant(last_day, move_off_non_working_days=True)


def test_last_day_of_a_midnight_deadline_is_the_day_before() -> None:
    assert D(2023, 11, 9) == last_day_of(vn(2023, 11, 10))
    assert D(2023, 11, 10) == last_day_of(vn(2023, 11, 10, 17))
    # 16:59 UTC on 9/11 is 23:59 VN on 9/11; 17:00 UTC is midnight VN.
    assert D(2023, 11, 9) == last_day_of(dt.datetime(2023, 11, 9, 17, tzinfo=dt.UTC))


# --- reminders ------------------------------------------------------------------------------


def test_reminders_at_8h_on_t7_t3_t1_and_the_due_day() -> None:
    deadline = CAL.deadline_instant(D(2024, 3, 21), move_off_non_working_days=True)  # Thursday
    assert [
        (7, vn(2024, 3, 14, 8)),
        (3, vn(2024, 3, 18, 8)),
        (1, vn(2024, 3, 20, 8)),
        (0, vn(2024, 3, 21, 8)),
    ] == CAL.reminder_instants(deadline, ReminderPolicy())


def test_reminder_that_would_fall_on_tet_moves_to_the_previous_working_day() -> None:
    # Due Thursday 15/02/2024, the first working day after Tết: T-1 is 14/02, still Tết.
    deadline = CAL.deadline_instant(D(2024, 2, 15), move_off_non_working_days=True)
    policy = ReminderPolicy(days_before=[1, 0])
    assert [(1, vn(2024, 2, 7, 8)), (0, vn(2024, 2, 15, 8))] == CAL.reminder_instants(
        deadline, policy
    )


def test_reminders_collapsing_onto_one_day_are_kept_once_with_the_larger_tag() -> None:
    # Due 16/02/2024: T-7 = 09/02 and T-3 = 13/02 both fall in Tết and move to 07/02.
    deadline = CAL.deadline_instant(D(2024, 2, 16), move_off_non_working_days=True)
    assert [
        (7, vn(2024, 2, 7, 8)),
        (1, vn(2024, 2, 15, 8)),
        (0, vn(2024, 2, 16, 8)),
    ] == CAL.reminder_instants(deadline, ReminderPolicy())


def test_reminders_on_weekends_stay_when_not_working_days_only() -> None:
    deadline = CAL.deadline_instant(D(2024, 3, 18), move_off_non_working_days=True)  # Monday
    policy = ReminderPolicy(days_before=[1, 0], working_days_only=False)
    assert [(1, vn(2024, 3, 17, 8)), (0, vn(2024, 3, 18, 8))] == CAL.reminder_instants(
        deadline, policy
    )


def test_reminders_use_the_policy_local_hour() -> None:
    deadline = CAL.deadline_instant(D(2024, 3, 21), move_off_non_working_days=True)
    policy = ReminderPolicy(days_before=[0], at_local=dt.time(14, 30))
    assert [(0, vn(2024, 3, 21, 14, 30))] == CAL.reminder_instants(deadline, policy)


def test_reminders_before_not_before_are_left_out() -> None:
    deadline = CAL.deadline_instant(D(2024, 3, 21), move_off_non_working_days=True)
    assigned = vn(2024, 3, 18, 9)
    assert [(1, vn(2024, 3, 20, 8)), (0, vn(2024, 3, 21, 8))] == CAL.reminder_instants(
        deadline, ReminderPolicy(), not_before=assigned
    )


def test_a_naive_deadline_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.reminder_instants(dt.datetime(2024, 3, 22), ReminderPolicy())


# --- escalations ---------------------------------------------------------------------------


def test_escalation_levels_at_0_2_5_working_days_then_every_5_up_to_until() -> None:
    deadline = CAL.deadline_instant(D(2024, 3, 1), move_off_non_working_days=True)  # Friday
    assert [
        (1, vn(2024, 3, 2), ["focal", "leader"]),
        (2, vn(2024, 3, 5, 8), ["coordinator"]),
        (3, vn(2024, 3, 8, 8), ["office"]),
        (4, vn(2024, 3, 15, 8), ["office"]),
        (5, vn(2024, 3, 22, 8), ["office"]),
    ] == CAL.escalation_instants(deadline, EscalationLadder(), until=vn(2024, 3, 22, 8))


def test_escalation_stops_strictly_after_until() -> None:
    deadline = CAL.deadline_instant(D(2024, 3, 1), move_off_non_working_days=True)
    got = CAL.escalation_instants(deadline, EscalationLadder(), until=vn(2024, 3, 22, 7, 59))
    assert [1, 2, 3, 4] == [level for level, _, _ in got]
    assert [] == CAL.escalation_instants(deadline, EscalationLadder(), until=vn(2024, 3, 1, 23))


def test_escalation_counts_working_days_over_tet() -> None:
    deadline = CAL.deadline_instant(D(2024, 2, 6), move_off_non_working_days=True)  # Tuesday
    got = CAL.escalation_instants(deadline, EscalationLadder(), until=vn(2024, 2, 29))
    assert [
        (1, vn(2024, 2, 7)),
        (2, vn(2024, 2, 15, 8)),  # +1 = 07/02, +2 = 15/02 after Tết
        (3, vn(2024, 2, 20, 8)),  # +5
        (4, vn(2024, 2, 27, 8)),  # +10
    ] == [(level, instant) for level, instant, _ in got]


def test_escalation_without_repeat_ends_at_the_last_step() -> None:
    deadline = CAL.deadline_instant(D(2024, 3, 1), move_off_non_working_days=True)
    ladder = EscalationLadder(
        steps=[EscalationStep(after_working_days=1, notify=["focal"])],
        repeat_every_working_days=None,
    )
    assert [(1, vn(2024, 3, 4, 8), ["focal"])] == CAL.escalation_instants(
        deadline, ladder, until=vn(2024, 12, 31)
    )


def test_repeats_past_the_top_stop_at_the_ladders_cap() -> None:
    deadline = CAL.deadline_instant(D(2024, 3, 1), move_off_non_working_days=True)
    ladder = EscalationLadder(
        steps=[EscalationStep(after_working_days=1, notify=["focal"])],
        repeat_every_working_days=5,
        repeat_limit=2,
    )
    got = CAL.escalation_instants(deadline, ladder, until=vn(2024, 12, 31))
    assert [1, 2, 3] == [level for level, _, _ in got]
    assert [vn(2024, 3, 4, 8), vn(2024, 3, 11, 8), vn(2024, 3, 18, 8)] == [at for _, at, _ in got]


# --- periods ----------------------------------------------------------------------------------


def recurring(frequency: str, **kw: object) -> RecurringDeadline:
    return RecurringDeadline.model_validate(
        {"frequency": frequency, "source_text": "định kỳ", **kw}
    )


def test_semiannual_periods_of_2023_are_exactly_h1_and_h2() -> None:
    assert [
        Period(
            key="2023-H1",
            start=D(2023, 1, 1),
            end=D(2023, 6, 30),
            due=None,
            data_from=None,
            cutoff=None,
        ),
        Period(
            key="2023-H2",
            start=D(2023, 7, 1),
            end=D(2023, 12, 31),
            due=None,
            data_from=None,
            cutoff=None,
        ),
    ] == periods(recurring("semiannual"), 2023)


def test_annual_gives_one_period() -> None:
    rule = recurring("annual", due={"month_of_period": 11, "day": 9})
    assert [
        Period(
            key="2023",
            start=D(2023, 1, 1),
            end=D(2023, 12, 31),
            due=D(2023, 11, 9),
            data_from=None,
            cutoff=None,
        )
    ] == periods(rule, 2023)


def test_quarterly_due_on_the_15th_of_the_first_month() -> None:
    rule = recurring("quarterly", due=DueInPeriod(month_of_period=1, day=15))
    got = periods(rule, 2023)
    assert ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"] == [p.key for p in got]
    assert [D(2023, 1, 15), D(2023, 4, 15), D(2023, 7, 15), D(2023, 10, 15)] == [p.due for p in got]
    assert [D(2023, 3, 31), D(2023, 6, 30), D(2023, 9, 30), D(2023, 12, 31)] == [p.end for p in got]


def test_monthly_periods_are_keyed_by_month() -> None:
    got = periods(recurring("monthly", due={"month_of_period": 1, "day": 25}), 2023)
    assert 12 == len(got)
    assert ("2023-07", D(2023, 7, 1), D(2023, 7, 31), D(2023, 7, 25)) == (
        got[6].key,
        got[6].start,
        got[6].end,
        got[6].due,
    )


def test_half_year_cutoff_14_gives_the_decree_09_windows() -> None:
    got = periods(recurring("semiannual", cutoff_day=14), 2023)
    assert [(D(2022, 12, 15), D(2023, 6, 14)), (D(2023, 6, 15), D(2023, 12, 14))] == [
        (p.data_from, p.cutoff) for p in got
    ]


def test_annual_and_monthly_cutoff_windows() -> None:
    (year,) = periods(recurring("annual", cutoff_day=14), 2023)
    assert (D(2022, 12, 15), D(2023, 12, 14)) == (year.data_from, year.cutoff)
    months = periods(recurring("monthly", cutoff_day=14), 2023)
    assert (D(2023, 2, 15), D(2023, 3, 14)) == (months[2].data_from, months[2].cutoff)


def test_cutoff_day_31_is_the_end_of_each_month() -> None:
    months = periods(recurring("monthly", cutoff_day=31), 2024)
    assert (D(2024, 2, 1), D(2024, 2, 29)) == (months[1].data_from, months[1].cutoff)
    assert (D(2024, 4, 1), D(2024, 4, 30)) == (months[3].data_from, months[3].cutoff)


# --- properties -----------------------------------------------------------------------------

days_in_range = st.dates(min_value=D(2020, 1, 1), max_value=D(2029, 6, 30))


@settings(max_examples=300, deadline=None)
@given(day=days_in_range, n=st.integers(min_value=0, max_value=60))
def test_add_working_days_is_a_working_day_and_increasing_in_n(day: dt.date, n: int) -> None:
    here = CAL.add_working_days(day, n)
    after = CAL.add_working_days(day, n + 1)
    assert True is CAL.is_working_day(here)
    assert True is CAL.is_working_day(after)
    assert here <= after
    # Strict except from 0 to 1 on a day off: both are the first working day after it.
    if n >= 1 or CAL.is_working_day(day):
        assert here < after
    if n >= 1:
        assert here > day


@settings(max_examples=300, deadline=None)
@given(
    day=days_in_range,
    days_before=st.lists(st.integers(min_value=0, max_value=40), min_size=1, unique=True),
    working_days_only=st.booleans(),
    at_local=st.times(),
)
def test_reminders_at_the_local_hour_before_the_deadline_and_t0_on_the_due_day(
    day: dt.date, days_before: list[int], working_days_only: bool, at_local: dt.time
) -> None:
    deadline = CAL.deadline_instant(day, move_off_non_working_days=True)
    due_day = last_day_of(deadline)
    policy = ReminderPolicy(
        days_before=days_before, working_days_only=working_days_only, at_local=at_local
    )
    got = CAL.reminder_instants(deadline, policy)
    instants = [instant for _, instant in got]
    assert sorted(set(instants)) == instants
    for tag, instant in got:
        assert tag in days_before
        assert at_local == instant.timetz().replace(tzinfo=None)
        assert VN_TZ == instant.tzinfo
        assert instant < deadline
        assert instant.date() <= due_day - dt.timedelta(days=tag)
        if working_days_only:
            assert True is CAL.is_working_day(instant.date())
    if 0 in days_before:
        assert (0, dt.datetime.combine(due_day, at_local, tzinfo=VN_TZ)) == got[-1]


@settings(max_examples=100, deadline=None)
@given(day=days_in_range, move=st.booleans())
def test_deadline_is_midnight_vn_after_a_working_day_when_moving(day: dt.date, move: bool) -> None:
    deadline = CAL.deadline_instant(day, move_off_non_working_days=move)
    assert dt.time(0, 0) == deadline.timetz().replace(tzinfo=None)
    last = last_day_of(deadline)
    assert last >= day
    if move:
        assert True is CAL.is_working_day(last)
        assert CAL.next_working_day(day) == last
    else:
        assert day == last


def test_escalations_past_the_calendars_last_year_are_left_out_not_raised() -> None:
    cal = WorkingCalendar.for_years(2026, 2026)
    deadline = cal.deadline_instant(D(2026, 12, 10), move_off_non_working_days=True)
    until = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)

    levels = cal.escalation_instants(deadline, EscalationLadder(), until=until)

    assert levels
    assert all(instant.year == 2026 for _, instant, _ in levels)


def test_reminders_before_the_calendars_first_year_are_left_out_not_raised() -> None:
    cal = WorkingCalendar.for_years(2026, 2026)
    deadline = cal.deadline_instant(D(2026, 1, 5), move_off_non_working_days=True)

    reminders = cal.reminder_instants(deadline, ReminderPolicy())

    assert reminders
    assert all(instant.year == 2026 for _, instant in reminders)
