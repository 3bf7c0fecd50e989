"""Replay every recorded history against the current workflow code: a change that would
break running workflows (non-determinism) fails here, not in production."""

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from tests.workflows.histories import HISTORIES, PLAN_HISTORIES
from workflows.assignment import LOCAL_FIRST_PATCH, NOTICES_APART_PATCH, AssignmentWorkflow
from workflows.plan import CALENDAR_AHEAD_PATCH, PlanWorkflow

# histories/*.json come from the current code; histories/<name>/ keep the histories of an
# earlier version for as long as runs started under it may still be open.
RECORDED = sorted(HISTORIES.rglob("*.json"))
PATHS = {"on_time", "late_escalated", "returned_twice", "extended_before", "extended_after",
         "open_deadline_set", "cancelled", "tet_reminder", "requested_escalation", "year",
         "pull_valid", "pull_invalid", "pull_down"}
EARLIER = ("before-local-first", "before-notices-apart")
# Which patches each recorded version carries (the current code's carries all of them).
PATCHES = {
    "": {LOCAL_FIRST_PATCH, NOTICES_APART_PATCH},
    "before-notices-apart": {LOCAL_FIRST_PATCH},
    "before-local-first": set(),
}


@pytest.mark.parametrize("version", ("", *EARLIER))
def test_histories_of_every_path_are_recorded(version: str) -> None:
    names = {p.stem for p in (HISTORIES / version).glob("*.json")}
    assert PATHS <= names


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: str(p.relative_to(HISTORIES)))
def test_each_recording_carries_the_patches_of_its_version(path: Path) -> None:
    """The current recordings carry every patch marker; each earlier version only those
    made before it."""
    version = "" if path.parent == HISTORIES else path.parent.name
    assert PATCHES[version] == _patches(path) & {LOCAL_FIRST_PATCH, NOTICES_APART_PATCH}


def _patches(path: Path) -> set[str]:
    events = json.loads(path.read_text(encoding="utf-8"))["events"]
    return {
        json.loads(base64.b64decode(payload["data"]))["id"]
        for e in events if e["eventType"] == "EVENT_TYPE_MARKER_RECORDED"
        and e["markerRecordedEventAttributes"]["markerName"] == "core_patch"
        for payload in e["markerRecordedEventAttributes"]["details"]["patch-data"]["payloads"]
    }


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: str(p.relative_to(HISTORIES)))
async def test_recorded_history_replays_without_nondeterminism(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[AssignmentWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


PLAN_RECORDED = sorted(PLAN_HISTORIES.rglob("*.json"))


def test_plan_year_ends_are_recorded_before_and_after_the_calendar_patch() -> None:
    assert {"year_end.json", "before-calendar-ahead/year_end.json"} == {
        str(p.relative_to(PLAN_HISTORIES)) for p in PLAN_RECORDED}
    for path in PLAN_RECORDED:
        assert (CALENDAR_AHEAD_PATCH in _patches(path)) == (path.parent == PLAN_HISTORIES), path


@pytest.mark.parametrize("path", PLAN_RECORDED, ids=lambda p: str(p.relative_to(PLAN_HISTORIES)))
async def test_recorded_plan_history_replays_without_nondeterminism(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[PlanWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
