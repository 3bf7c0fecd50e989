"""The deadline vocabulary of real plans, turned into assignment periods inside a plan's span."""

import datetime as dt
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.deadlines import duty_occurrences, find_occurrence, once_last_day
from domain.periods import period_end
from schemas.calendar import WorkingCalendar
from schemas.plan import DeadlineRule, NormalizedDuty, Plan
from tests.factories import tiny_plan

RULE: TypeAdapter[DeadlineRule] = TypeAdapter(DeadlineRule)
CALENDAR = WorkingCalendar.for_years(2025, 2027)


def rule(**fields: Any) -> DeadlineRule:
    return RULE.validate_python({"text": "(lời văn)", **fields})


def plan(start: dt.date, end: dt.date | None, **fields: Any) -> Plan:
    header = tiny_plan().plan
    return header.model_copy(
        update={
            "issued_on": start,
            "span": header.span.model_copy(update={"start": start, "end": end}),
            **fields,
        }
    )


def duty(*rules: DeadlineRule) -> NormalizedDuty:
    base = tiny_plan().duties[0]
    return base.model_copy(update={"deadline": rules[0], "deadlines": list(rules)})


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"month": 12}, dt.date(2025, 12, 31)),
        ({"month": 2}, dt.date(2025, 2, 28)),
        ({"quarter": 4}, dt.date(2025, 12, 31)),
        ({"quarter": 1}, dt.date(2025, 3, 31)),
        ({"half": 1}, dt.date(2025, 6, 30)),
        ({}, dt.date(2025, 12, 31)),
    ],
)
def test_a_period_named_instead_of_a_day_ends_on_its_last_day(
    where: dict[str, int], expected: dt.date
) -> None:
    assert expected == period_end(2025, **where)


def test_month_quarter_year_and_relative_deadlines_have_their_last_day() -> None:
    header = plan(dt.date(2025, 11, 20), dt.date(2030, 12, 31), received_on=dt.date(2025, 11, 21))
    assert dt.date(2025, 11, 30) == once_last_day(
        rule(kind="month", month="2025-11", text="trong tháng 11/2025"), header
    )
    assert dt.date(2027, 6, 30) == once_last_day(
        rule(kind="quarter", quarter="2027-Q2", text="Quý II/2027"), header
    )
    assert dt.date(2026, 12, 31) == once_last_day(
        rule(kind="year", year=2026, text="trong năm 2026"), header
    )
    # 10 days from receipt (21/11, a Friday), counted from the day after.
    assert dt.date(2025, 12, 1) == once_last_day(rule(kind="relative", days=10), header)
    # 3 working days from receipt: Monday 24, Tuesday 25, Wednesday 26.
    assert dt.date(2025, 11, 26) == once_last_day(
        rule(kind="relative", days=3, working_days=True), header, CALENDAR
    )
    assert None is once_last_day(rule(kind="event", event="Bộ Y tế có văn bản"), header)


def test_a_plan_issued_in_november_has_no_earlier_monthly_periods() -> None:
    header = plan(dt.date(2025, 11, 17), dt.date(2026, 12, 31))
    monthly = rule(
        kind="recurring",
        frequency="monthly",
        due={"month_of_period": 1, "day": 15},
        before=True,
        text="trước ngày 15 hằng tháng",
    )
    first = duty_occurrences(duty(monthly), 2025, header)
    # November's report was due on the 14th, before the plan existed.
    assert [("2025-12", dt.date(2025, 12, 14))] == [(o.key, o.last_day) for o in first]
    monthly_end = rule(kind="recurring", frequency="monthly", due={"month_of_period": 1, "day": 31})
    november = duty_occurrences(duty(monthly_end), 2025, header)[0]
    # A start date is a start: the November period starts with the plan, not on 1/11.
    assert ("2025-11", dt.date(2025, 11, 17)) == (november.key, november.start)
    assert 12 == len(duty_occurrences(duty(monthly), 2026, header))
    assert [] == duty_occurrences(duty(monthly), 2027, header)


def test_twice_a_year_on_different_days_and_day_31_as_the_month_end() -> None:
    header = plan(dt.date(2025, 1, 1), None)
    twice = rule(
        kind="recurring",
        frequency="semiannual",
        dates=["06-01", "11-15"],
        before=True,
        text="trước ngày 01/6 và 15/11 hằng năm",
    )
    assert [("2026-H1", dt.date(2026, 5, 31)), ("2026-H2", dt.date(2026, 11, 14))] == [
        (o.key, o.last_day) for o in duty_occurrences(duty(twice), 2026, header)
    ]
    month_end = rule(kind="recurring", frequency="monthly", due={"month_of_period": 1, "day": 31})
    ends = [o.last_day for o in duty_occurrences(duty(month_end), 2028, header)]
    assert dt.date(2028, 2, 29) == ends[1]
    assert dt.date(2028, 4, 30) == ends[3]


def test_dates_must_fall_in_their_own_period() -> None:
    with pytest.raises(ValidationError, match="không nằm trong kỳ"):
        rule(kind="recurring", frequency="semiannual", dates=["11-15", "06-01"])


def test_several_deadlines_of_one_duty_each_get_their_own_periods() -> None:
    header = plan(dt.date(2025, 11, 24), dt.date(2030, 12, 31))
    plan_by_december = rule(
        kind="month", month="2025-12", text="xây dựng kế hoạch xong trong tháng 12/2025"
    )
    yearly = rule(
        kind="recurring",
        frequency="annual",
        dates=["11-15"],
        before=True,
        text="báo cáo hằng năm trước ngày 15/11",
    )
    on_request = rule(kind="adhoc", text="đột xuất theo đề nghị")
    several = duty(plan_by_december, yearly, on_request)
    assert [("2025", dt.date(2025, 12, 31))] == [
        (o.key, o.last_day) for o in duty_occurrences(several, 2025, header)
    ]
    assert [("2026-D2", dt.date(2026, 11, 14))] == [
        (o.key, o.last_day) for o in duty_occurrences(several, 2026, header)
    ]
    found = find_occurrence(several, "2027-D2", header)
    assert found is not None and dt.date(2027, 11, 14) == found.last_day


def test_daily_reports_exist_only_on_the_days_of_the_span() -> None:
    header = plan(dt.date(2025, 11, 21), dt.date(2025, 12, 5))
    daily = rule(
        kind="recurring", frequency="daily", times_of_day=["19:00"], text="trước 19h00’ hằng ngày"
    )
    days = duty_occurrences(duty(daily), 2025, header)
    assert 15 == len(days)
    assert ("2025-11-21", dt.date(2025, 11, 21)) == (days[0].key, days[0].last_day)


def test_continuous_and_adhoc_duties_create_no_assignment_of_their_own() -> None:
    header = plan(dt.date(2025, 11, 21), None)
    for kind in ("continuous", "none", "adhoc"):
        assert [] == duty_occurrences(duty(rule(kind=kind)), 2025, header)


def test_legacy_year_reads_as_a_span_to_the_years_end() -> None:
    data = tiny_plan().plan.model_dump(mode="json")
    del data["span"]
    data["year"] = 2026
    legacy = Plan.model_validate(data)
    assert (dt.date(2026, 1, 5), dt.date(2026, 12, 31)) == (legacy.span.start, legacy.span.end)
    assert 2026 == legacy.year


def test_a_far_off_deadline_starts_a_year_before_it_falls_due() -> None:
    header = plan(dt.date(2025, 11, 19), dt.date(2035, 12, 31))
    final_review = duty(rule(kind="year", year=2035, text="tổng kết"))
    assert [] == duty_occurrences(final_review, 2025, header)
    (occurrence,) = duty_occurrences(final_review, 2034, header)
    assert ("2025", dt.date(2034, 12, 30), dt.date(2035, 12, 31)) == (
        occurrence.key,
        occurrence.start,
        occurrence.last_day,
    )
    assert occurrence == find_occurrence(final_review, "2025", header)
