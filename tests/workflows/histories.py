"""Recorded histories for replay tests.

`KEHOACH_RECORD_HISTORIES=1 pytest tests/workflows` rewrites tests/workflows/histories/*.json
from the time-skipping runs; CI replays the committed files against the current workflow
code, so a change that breaks determinism fails there.
"""

import os
from pathlib import Path

from temporalio.client import WorkflowHandle

HISTORIES = Path(__file__).parent / "histories"
PLAN_HISTORIES = Path(__file__).parent / "plan_histories"
"""The plan workflow's, kept apart: the assignment's folder is replayed path by path."""


async def record(handle: WorkflowHandle, name: str,  # type: ignore[type-arg]
                 *, folder: Path = HISTORIES) -> None:
    """Save the workflow's history under `name` when recording is switched on."""
    if os.environ.get("KEHOACH_RECORD_HISTORIES") != "1":
        return
    history = await handle.fetch_history()
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
