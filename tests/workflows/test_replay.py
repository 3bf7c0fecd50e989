"""Replay every recorded history against the current workflow code: a change that would
break running workflows (non-determinism) fails here, not in production."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from tests.workflows.histories import HISTORIES
from workflows.assignment import AssignmentWorkflow

RECORDED = sorted(HISTORIES.glob("*.json"))


def test_histories_of_every_path_are_recorded() -> None:
    names = {p.stem for p in RECORDED}
    assert {"on_time", "late_escalated", "returned_twice", "extended_before", "extended_after",
            "open_deadline_set", "cancelled", "tet_reminder", "requested_escalation", "year",
            "pull_valid", "pull_invalid", "pull_down"} <= names


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
async def test_recorded_history_replays_without_nondeterminism(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(workflows=[AssignmentWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
