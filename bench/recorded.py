"""History bytes and events of the recorded assignment paths, current code against the
recordings kept from before a patch: `python -m bench.recorded [before-dir]`. Deterministic
(time-skipping recordings), so the machine's load does not move it."""

from __future__ import annotations

import sys
from pathlib import Path

from temporalio.client import WorkflowHistory

HISTORIES = Path(__file__).parents[1] / "tests" / "workflows" / "histories"


def measure(path: Path) -> tuple[int, int]:
    """Serialized bytes (as the server stores events) and events of one recorded history."""
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    return sum(e.ByteSize() for e in history.events), len(history.events)


def main() -> None:
    before_dir = HISTORIES / (sys.argv[1] if len(sys.argv) > 1 else "before-shaped-starts")
    print("| path | bytes before | bytes now | now / before | events before | events now |")
    print("|---|---|---|---|---|---|")
    totals = [0, 0, 0, 0]
    for now_path in sorted(HISTORIES.glob("*.json")):
        before, now = measure(before_dir / now_path.name), measure(now_path)
        totals = [t + v for t, v in zip(totals, (*before, *now), strict=True)]
        print(
            f"| {now_path.stem} | {before[0]:,} | {now[0]:,} | {now[0] / before[0]:.2f} "
            f"| {before[1]} | {now[1]} |"
        )
    print(
        f"| all | {totals[0]:,} | {totals[2]:,} | {totals[2] / totals[0]:.3f} "
        f"| {totals[1]} | {totals[3]} |"
    )


if __name__ == "__main__":
    main()
