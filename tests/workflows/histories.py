"""Recorded histories for replay tests.

`KEHOACH_RECORD_HISTORIES=1 pytest tests/workflows` rewrites tests/workflows/histories/*.json
(the assignment workflow) and histories/plan/*.json (the plan and consolidation workflows)
from the time-skipping runs; CI replays the committed files against the current workflow
code, so a change that breaks determinism fails there.
"""

import os
from pathlib import Path

from temporalio.client import WorkflowHandle

HISTORIES = Path(__file__).parent / "histories"


async def record(handle: WorkflowHandle, name: str) -> None:  # type: ignore[type-arg]
    """Save the workflow's history under `name` when recording is switched on."""
    if os.environ.get("KEHOACH_RECORD_HISTORIES") != "1":
        return
    history = await handle.fetch_history()
    target = HISTORIES / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(history.to_json(), encoding="utf-8")
