"""Replay every recorded history against the current workflow code: a change that would
break running workflows (non-determinism) fails here, not in production."""

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from schemas.assignment import ASSIGNMENT_SHAPE
from tests.workflows.histories import HISTORIES
from workflows.assignment import (
    LOCAL_FIRST_PATCH,
    NOTICES_APART_PATCH,
    NOTICES_BY_REFERENCE_PATCH,
    AssignmentWorkflow,
)
from workflows.consolidation import (
    APPROVER_BY_PLAN_PATCH,
    ISSUE_NUMBER_PATCH,
    NOTICES_EACH_PATCH,
    ConsolidationWorkflow,
)
from workflows.directory import DirectoryChangeWorkflow
from workflows.plan import CALENDAR_AHEAD_PATCH, PERIODIC_CONSOLIDATION_PATCH, PlanWorkflow

# histories/*.json come from the current code; histories/<name>/ keep the histories of an
# earlier version for as long as runs started under it may still be open. histories/plan/
# holds the plan and consolidation workflows' (tests/workflows/test_plan_histories.py,
# test_plan_time_skipping.py, test_calendar_ends.py), with their earlier versions below it,
# and a directory change's (test_directory_changes.py, beside the assignment it rerouted).
PLAN_HISTORIES = HISTORIES / "plan"
RECORDED = sorted(HISTORIES.rglob("*.json"))
ASSIGNMENT_RECORDED = [p for p in RECORDED if PLAN_HISTORIES not in p.parents]
PLAN_PATHS = {
    "first_year",
    "last_year",
    "consolidation_returned",
    "plan_516_year",
    "plan_516_consolidation",
    "monthly_year",
    "monthly_consolidation",
    "year_end",
}
PATHS = {
    "on_time",
    "late_escalated",
    "returned_twice",
    "extended_before",
    "extended_after",
    "open_deadline_set",
    "cancelled",
    "tet_reminder",
    "requested_escalation",
    "year",
    "pull_valid",
    "pull_invalid",
    "pull_down",
}
EARLIER = (
    "before-local-first",
    "before-notices-apart",
    "before-notices-by-reference",
    "before-shaped-starts",
)
ALL_PATCHES = {LOCAL_FIRST_PATCH, NOTICES_APART_PATCH, NOTICES_BY_REFERENCE_PATCH}
# Which patches each recorded version of the assignment carries: the current code's starts
# are shaped (every patch in force, no marker); the version before them asked for all three.
PATCHES = {
    "": set(),
    "before-shaped-starts": ALL_PATCHES,
    "before-notices-by-reference": {LOCAL_FIRST_PATCH, NOTICES_APART_PATCH},
    "before-notices-apart": {LOCAL_FIRST_PATCH},
    "before-local-first": set(),
}


@pytest.mark.parametrize("version", ("", *EARLIER))
def test_histories_of_every_path_are_recorded(version: str) -> None:
    names = {p.stem for p in (HISTORIES / version).glob("*.json")}
    assert PATHS <= names


@pytest.mark.parametrize("path", ASSIGNMENT_RECORDED, ids=lambda p: str(p.relative_to(HISTORIES)))
def test_each_recording_carries_the_patches_of_its_version(path: Path) -> None:
    """The current recordings carry every patch marker; each earlier version only those
    made before it."""
    version = "" if path.parent == HISTORIES else path.parent.name
    assert PATCHES[version] == _patches(path) & ALL_PATCHES


@pytest.mark.parametrize("path", ASSIGNMENT_RECORDED, ids=lambda p: str(p.relative_to(HISTORIES)))
def test_only_the_current_recordings_are_started_shaped(path: Path) -> None:
    """Runs started before the shape have none in their input (0: they ask
    `workflow.patched`); the current code starts every run with `ASSIGNMENT_SHAPE`."""
    version = "" if path.parent == HISTORIES else path.parent.name
    shape = _start_input(path).get("shape", 0)
    assert (ASSIGNMENT_SHAPE if version == "" else 0) == shape


def test_shaped_runs_write_a_report_and_its_event_with_one_local_activity() -> None:
    """A submission's report and its audit event are one store write (one marker) in runs
    started shaped; two before."""
    now = _local_activities(HISTORIES / "on_time.json")
    before = _local_activities(HISTORIES / "before-shaped-starts" / "on_time.json")
    assert ["record_event", "record_step", "record_event", "record_event"] == now
    assert ["record_event", "store_submission", "record_event"] == before[:3]
    assert len(now) + 1 == len(before)


def _events(path: Path) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["events"]
    return events


def _start_input(path: Path) -> dict[str, Any]:
    started = _events(path)[0]["workflowExecutionStartedEventAttributes"]
    data: dict[str, Any] = json.loads(base64.b64decode(started["input"]["payloads"][0]["data"]))
    return data


def _local_activities(path: Path) -> list[str]:
    return [
        json.loads(
            base64.b64decode(
                e["markerRecordedEventAttributes"]["details"]["data"]["payloads"][0]["data"]
            )
        )["activity_type"]
        for e in _events(path)
        if e["eventType"] == "EVENT_TYPE_MARKER_RECORDED"
        and e["markerRecordedEventAttributes"]["markerName"] == "core_local_activity"
    ]


def test_a_directory_change_and_the_assignment_it_rerouted_are_recorded() -> None:
    assert (HISTORIES / "rerouted.json").is_file()
    assert (PLAN_HISTORIES / "directory_change.json").is_file()


def test_histories_of_the_plan_and_consolidation_paths_are_recorded() -> None:
    """A plan year that continues as new, amendments and an ad-hoc request, and a
    consolidated report returned once: replayed below with every other history."""
    assert PLAN_PATHS <= {p.stem for p in PLAN_HISTORIES.glob("*.json")}
    first = json.loads((PLAN_HISTORIES / "first_year.json").read_text(encoding="utf-8"))
    kinds = {e["eventType"] for e in first["events"]}
    assert {
        "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW",
        "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED",
        "EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED",
    } <= kinds


def test_only_plans_consolidating_each_period_take_the_periodic_path() -> None:
    """Plans of the first format (one final report date) never reach the patch marker, so
    their recorded histories, and runs open under the earlier code, replay unchanged."""
    marked = {
        p.stem for p in PLAN_HISTORIES.glob("*.json") if PERIODIC_CONSOLIDATION_PATCH in _patches(p)
    }
    assert {"monthly_year"} == marked


def test_plan_year_ends_are_recorded_before_and_after_the_calendar_patch() -> None:
    ends = {str(p.relative_to(PLAN_HISTORIES)) for p in PLAN_HISTORIES.rglob("year_end.json")}
    assert {"year_end.json", "before-calendar-ahead/year_end.json"} == ends
    assert CALENDAR_AHEAD_PATCH in _patches(PLAN_HISTORIES / "year_end.json")
    assert CALENDAR_AHEAD_PATCH not in _patches(
        PLAN_HISTORIES / "before-calendar-ahead" / "year_end.json"
    )


def _patches(path: Path) -> set[str]:
    events = json.loads(path.read_text(encoding="utf-8"))["events"]
    return {
        json.loads(base64.b64decode(payload["data"]))["id"]
        for e in events
        if e["eventType"] == "EVENT_TYPE_MARKER_RECORDED"
        and e["markerRecordedEventAttributes"]["markerName"] == "core_patch"
        for payload in e["markerRecordedEventAttributes"]["details"]["patch-data"]["payloads"]
    }


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: str(p.relative_to(HISTORIES)))
async def test_recorded_history_replays_without_nondeterminism(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(
        workflows=[
            AssignmentWorkflow,
            PlanWorkflow,
            ConsolidationWorkflow,
            DirectoryChangeWorkflow,
        ],
        data_converter=pydantic_data_converter,
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


def test_consolidations_send_each_notice_as_an_activity_from_the_patch_on() -> None:
    """Recorded consolidations carry the patch marker; those recorded before it (kept in
    histories/plan/before-notices-each) do not, and replay on the earlier path."""
    current = {p.stem for p in PLAN_HISTORIES.glob("*consolidation*.json")}
    earlier = sorted((PLAN_HISTORIES / "before-notices-each").glob("*.json"))
    assert {"consolidation_returned", "plan_516_consolidation", "monthly_consolidation"} <= current
    later = [PLAN_HISTORIES / f"{name}.json" for name in current]
    later += sorted((PLAN_HISTORIES / "before-approver-by-plan").glob("*.json"))
    assert all(NOTICES_EACH_PATCH in _patches(path) for path in later)
    assert 3 == len(earlier)
    assert not any(NOTICES_EACH_PATCH in _patches(path) for path in earlier)


def test_consolidations_are_approved_by_the_plans_signer_from_the_patch_on() -> None:
    """Consolidations recorded from the change carry its marker (the Director approved them);
    those recorded before (histories/plan/before-approver-by-plan) do not, and replay with the
    Vice-Chairman as approver."""
    names = {"consolidation_returned", "plan_516_consolidation", "monthly_consolidation"}
    for name in names:
        assert APPROVER_BY_PLAN_PATCH in _patches(PLAN_HISTORIES / f"{name}.json")
        before = PLAN_HISTORIES / "before-approver-by-plan" / f"{name}.json"
        assert APPROVER_BY_PLAN_PATCH not in _patches(before)


def test_a_consolidation_issued_under_its_number_is_recorded() -> None:
    """consolidation_returned was approved with a register number: the issue path replays."""
    assert ISSUE_NUMBER_PATCH in _patches(PLAN_HISTORIES / "consolidation_returned.json")
