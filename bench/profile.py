"""Read a py-spy raw (collapsed-stack) profile: where the sampled worker spent its time."""

import re
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:]*)(?::\d+)?\)$")
BUCKETS: list[tuple[str, str]] = [
    ("temporalio/worker/workflow_sandbox", "workflow sandbox (import/restrictions)"),
    ("temporalio/worker/_workflow_instance", "workflow code execution (SDK instance)"),
    ("temporalio/converter", "payload conversion (converter)"),
    ("temporalio/contrib/pydantic", "payload conversion (pydantic converter)"),
    ("temporalio/worker/_activity", "activity dispatch (SDK)"),
    ("temporalio/worker/_workflow.py", "workflow task dispatch (SDK)"),
    ("temporalio/bridge", "SDK core bridge (calls into Rust)"),
    ("temporalio/", "other SDK code"),
    ("bench/bare", "bare workflow code"),
    ("workflows/", "kehoach workflow code"),
    ("schemas/calendar", "calendar arithmetic (in workflow)"),
    ("activities/notices", "notice activity"),
    ("adapters/mail", "mail building and sending"),
    ("activities/assignments", "store activities"),
    ("jinja2", "jinja2 rendering"),
    ("email/", "email message building"),
    ("aiosmtplib", "SMTP client"),
    ("asyncpg", "asyncpg"),
    ("adapters/store", "store (repository)"),
    ("structlog", "structlog"),
    ("pydantic", "pydantic (anywhere)"),
    ("asyncio/", "asyncio event loop"),
    ("concurrent/futures", "thread pool (workflow activations run there)"),
]


# py-spy's idle detection does not work in this VM (epoll waits are reported as running), so
# samples whose innermost frame is a known wait are dropped here.
_IDLE_LEAF = re.compile(
    r"\bselect \(selectors\.py|_worker \(concurrent/futures/thread\.py:81\)"
    r"|\bwait \(threading\.py|\bget \(queue\.py|_wait_for_tstate_lock \(threading\.py"
)


def _file(frame: str) -> str:
    match = _FRAME.match(frame)
    return match.group("file") if match else frame


def _owner(files: list[str]) -> str:
    for file in reversed(files):
        for needle, name in BUCKETS:
            if needle in file:
                return name
    return "other"


def summarize(path: Path, *, top: int = 25) -> str:
    """Inclusive share per bucket and per function, and the top self-time functions."""
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    owners: Counter[str] = Counter()
    total = idle = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        if _IDLE_LEAF.search(frames[-1]):
            idle += count
            continue
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        self_time[frames[-1]] += count
        files = [_file(f) for f in frames]
        for needle, name in BUCKETS:
            if any(needle in f for f in files):
                buckets[name] += count
        owners[_owner(files)] += count
    if total == 0:
        return f"{path}: no samples"
    out = [
        f"{path.name}: {total} busy samples ({idle} more waiting in epoll or a thread "
        "pool queue, left out)",
        "",
        "By area (inclusive):",
    ]
    out += [f"  {100 * c / total:5.1f}%  {name}" for name, c in buckets.most_common()]
    out += ["", "By area (exclusive: the innermost known area of each sample):"]
    out += [f"  {100 * c / total:5.1f}%  {name}" for name, c in owners.most_common()]
    out += ["", "Functions (inclusive):"]
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in inclusive.most_common(top)]
    out += ["", "Functions (self):"]
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in self_time.most_common(top)]
    return "\n".join(out)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(summarize(Path(name)))
        print()
