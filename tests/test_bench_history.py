"""bench/history.py reads every kind of assignment history: one regular activity per effect
(runs started before the local-first change), store writes as local activities, and (runs
started shaped) one local activity per step's writes."""

from pathlib import Path

from temporalio.client import WorkflowHistory

from bench.history import kehoach_reminder_tier, read_lifecycle

HISTORIES = Path(__file__).parent / "workflows" / "histories"
DAYS_BEFORE = [7, 3, 1, 0]


def _read(relative: str):  # type: ignore[no-untyped-def]
    path = HISTORIES / relative
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    return read_lifecycle(history.events, kehoach_reminder_tier(DAYS_BEFORE))


def test_both_paths_show_the_same_reminders_and_effects() -> None:
    before, now = _read("before-local-first/year.json"), _read("before-shaped-starts/year.json")
    assert before.local_activities == 0 and before.activities > 0
    assert now.local_activities > 0
    assert now.activities + now.local_activities == before.activities
    assert before.reminder_started and set(now.reminder_started) == set(before.reminder_started)
    kinds_before = {k: v for k, v in before.activity_types.items()}
    # The same notices, named by reference since the notices-by-reference patch.
    kinds_now = {
        k.removesuffix(" (local)").replace("send_notice_by_reference", "send_notice"): v
        for k, v in now.activity_types.items()
    }
    assert kinds_now == kinds_before
    assert now.events < before.events
    # Each reminder is paired with the timer that led to it (times are not compared: under
    # time skipping the server's clock runs ahead of the worker's, which dates local work).
    assert set(now.reminder_timer_fired) == set(now.reminder_started)


def test_shaped_runs_show_a_report_and_its_event_as_one_local_activity() -> None:
    one_each, now = _read("before-shaped-starts/year.json"), _read("year.json")
    steps = now.activity_types["record_step (local)"]
    assert 1 == steps  # the year's one submission
    assert one_each.local_activities == now.local_activities + steps
    assert one_each.activities == now.activities
    assert set(one_each.reminder_started) == set(now.reminder_started)
    assert now.events < one_each.events
