"""Percentiles, ratios and targets; the printed table, bench/RESULTS.md and results.json."""

import json
import math
import platform
import subprocess
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

HAND_WRITTEN = "<!-- Everything below this line is written by hand; the script keeps it. -->"

# (key in a flavor's results, label, unit, decimals)
ROWS: list[tuple[str, str, str, int]] = [
    ("starts_per_s", "starts per second", "/s", 1),
    ("lifecycles_per_s", "lifecycles per second (busy time)", "/s", 1),
    ("lifecycles_per_s_wall", "lifecycles per second (wall, incl. timer waits)", "/s", 2),
    ("update_p50_ms", "update latency p50", "ms", 1),
    ("update_p99_ms", "update latency p99", "ms", 1),
    ("history_events", "history events per lifecycle", "", 1),
    ("history_kb", "history size per lifecycle", "KB", 1),
    ("activities", "activities per lifecycle", "", 1),
    ("local_activities", "local activities per lifecycle (one marker event each)", "", 1),
    ("reminder_lateness_p50_s", "reminder lateness p50 (notice activity start - due)", "s", 3),
    ("reminder_lateness_p99_s", "reminder lateness p99 (notice activity start - due)", "s", 3),
    ("timer_lateness_p99_s", "timer fired lateness p99 (TimerFired - due)", "s", 3),
    ("mail_lateness_p50_s", "reminder mail sent p50 (outbox sent_at - due)", "s", 3),
    ("mail_lateness_p99_s", "reminder mail sent p99 (outbox sent_at - due)", "s", 3),
    ("mail_lateness_max_s", "reminder mail sent max (outbox sent_at - due)", "s", 3),
    ("workflow_task_timeouts", "workflow task timeouts (all lifecycles)", "", 0),
    ("workflow_task_failures", "workflow task failures (all lifecycles)", "", 0),
    ("start_drained_s", "start effects drained after (first timer armed)", "s", 1),
    ("worker_rss_mb_idle", "worker RSS idle", "MB", 0),
    ("worker_rss_mb_open", "worker RSS with all open", "MB", 0),
    ("worker_rss_mb_peak", "worker RSS peak", "MB", 0),
    ("workflow_task_wait_p99_ms", "workflow task queue wait p99 (scheduled - started)", "ms", 1),
    ("workflow_task_run_p50_ms", "workflow task run p50 (started - completed)", "ms", 1),
    ("activity_wait_p99_ms", "activity queue wait p99 (scheduled - started)", "ms", 1),
    ("activity_run_p50_ms", "activity run p50 (started - closed)", "ms", 1),
    ("start_seconds", "start phase (client)", "s", 1),
    ("update_phase_seconds", "update phase to last acceptance (client)", "s", 1),
    ("busy_seconds", "busy time (union of pending tasks)", "s", 1),
    ("cpu_ms_worker", "worker CPU per lifecycle", "ms", 1),
    ("cpu_ms_temporal", "dev server CPU per lifecycle", "ms", 1),
    ("cpu_ms_postgres", "PostgreSQL CPU per lifecycle", "ms", 1),
    ("cpu_ms_mailbox", "SMTP mailbox CPU per lifecycle", "ms", 1),
    ("cpu_ms_driver", "driver (client) CPU per lifecycle", "ms", 1),
    ("cores_worker", "worker, cores busy (phase average)", "", 2),
    ("cores_temporal", "dev server, cores busy (phase average)", "", 2),
    ("cores_postgres", "PostgreSQL, cores busy (phase average)", "", 2),
    ("cores_others", "other work on the machine, cores busy", "", 2),
    ("cpu_wait_share", "share of the phase some task waited for a CPU (PSI)", "", 2),
    ("persistence_ms", "dev server SQLite call time per lifecycle", "ms", 1),
    ("persistence_share", "dev server SQLite call time / phase wall time", "", 2),
    ("history_writes_per_busy_s", "dev server workflow writes per busy second", "/s", 0),
]
FLAVOR_TITLES = {
    "bare": "bare",
    "bare_notify": "bare + approval notices",
    "noop": "kehoach wf, no-op act.",
    "kehoach": "kehoach",
    "kehoach_one_queue": "kehoach, notices on the workflow queue",
    "passthrough": "kehoach, modules passed through",
}


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)


def targets(entry: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for one size."""
    r, k = entry["ratio"], entry.get("kehoach", {})
    size = entry["size"]
    out: list[tuple[str, str, str]] = []

    def check(name: str, value: float | None, ok: bool | None, shown: str) -> None:
        verdict = "n/a" if value is None or ok is None else ("met" if ok else "MISSED")
        out.append((name, shown, verdict))

    v = r.get("lifecycles_per_s")
    check("lifecycles/s >= 0.85 x bare", v, v is not None and v >= 0.85, f"{v} x")
    v = r.get("history_events")
    check("history events/lifecycle <= 1.2 x bare", v, v is not None and v <= 1.2, f"{v} x")
    v = r.get("update_p99")
    check("update p99 <= 1.2 x bare", v, v is not None and v <= 1.2, f"{v} x")
    v = k.get("reminder_lateness_p99_s")
    burst = k.get("reminders_due_together", size)
    check(
        f"reminder lateness p99 <= 2 s ({burst} due together; target is for 1,000)",
        v,
        (v <= 2.0) if v is not None and burst >= 1000 else None,
        f"{v} s",
    )
    open_rss, open_n = k.get("worker_rss_mb_open"), k.get("open_assignments", size)
    check(
        f"worker RSS <= 300 MB ({open_n} open; target is for 10,000)",
        open_rss,
        (open_rss <= 300) if open_rss is not None and open_n >= 10_000 else None,
        f"{open_rss} MB",
    )
    return out


def _fmt(value: Any, decimals: int) -> str:
    if value is None:
        return "–"
    if isinstance(value, (int, float)):
        return f"{value:,.{decimals}f}"
    return str(value)


def size_table(entry: dict[str, Any], flavors: Sequence[str]) -> str:
    """A Markdown table: one row per metric, one column per flavor, then kehoach/bare."""
    head = ["metric", *(FLAVOR_TITLES[f] for f in flavors)]
    has_ratio = "bare" in flavors and "kehoach" in flavors
    if has_ratio:
        head.append("kehoach / bare")
    has_notify = "bare_notify" in flavors and "kehoach" in flavors
    if has_notify:
        head.append("kehoach / bare + approval notices")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, unit, decimals in ROWS:
        cells = [f"{label}" + (f" ({unit})" if unit else "")]
        cells += [_fmt(entry[f].get(key), decimals) for f in flavors]
        if has_ratio:
            cells.append(_fmt(ratio(entry["kehoach"].get(key), entry["bare"].get(key)), 2))
        if has_notify:
            cells.append(_fmt(ratio(entry["kehoach"].get(key), entry["bare_notify"].get(key)), 2))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _counts_table(entry: dict[str, Any], flavors: Sequence[str], key: str, title: str) -> str:
    names = sorted(
        {k for f in flavors for k in entry[f].get(key, {})},
        key=lambda k: -max(entry[f].get(key, {}).get(k, 0) for f in flavors),
    )
    head = [title, *(FLAVOR_TITLES[f] for f in flavors)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        cells = [name] + [_fmt(entry[f].get(key, {}).get(name), 1) for f in flavors]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def events_table(entry: dict[str, Any], flavors: Sequence[str]) -> str:
    """History events and activities per lifecycle, by type."""
    return (
        _counts_table(entry, flavors, "event_types_per_lifecycle", "events per lifecycle")
        + "\n\n"
        + _counts_table(entry, flavors, "activity_types_per_lifecycle", "activities per lifecycle")
    )


def server_table(entry: dict[str, Any], flavors: Sequence[str]) -> str:
    """The dev server's own account: SQLite calls per lifecycle and their mean time, and the
    frontend calls the worker and driver make."""
    size = entry["size"]
    head = ["dev server", *(FLAVOR_TITLES[f] for f in flavors)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ops: list[str] = []
    for f in flavors:
        for op in entry[f].get("server", {}).get("persistence_top", {}):
            if op not in ops:
                ops.append(op)
    for op in ops:
        cells = [f"SQLite {op}: calls/lifecycle, mean ms"]
        for f in flavors:
            found = entry[f].get("server", {}).get("persistence_top", {}).get(op)
            cells.append(
                "–" if not found else f"{found['calls'] / size:,.1f} × {found['mean_ms'] or 0:.1f}"
            )
        lines.append("| " + " | ".join(cells) + " |")
    calls: list[str] = []
    for f in flavors:
        for op in entry[f].get("server", {}).get("frontend", {}):
            if op not in calls:
                calls.append(op)
    for op in calls:
        cells = [f"frontend {op}: calls/lifecycle, mean ms"]
        for f in flavors:
            found = entry[f].get("server", {}).get("frontend", {}).get(op)
            cells.append(
                "–" if not found else f"{found['count'] / size:,.1f} × {found['mean_ms']:.1f}"
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets_table(entry: dict[str, Any]) -> str:
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {n} | {m} | {v} |" for n, m, v in targets(entry)]
    return "\n".join(lines)


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError) as err:
        return f"({' '.join(command)}: {err})"


def machine(temporal_binary: str) -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": _run(["nproc"]),
        "cpu": cpu,
        "free -g": _run(["free", "-g"]),
        "python": platform.python_version(),
        "temporal": _run([temporal_binary, "--version"]),
        "temporalio": version("temporalio"),
        "kernel": platform.release(),
    }


def write_results(
    directory: Path,
    *,
    entries: list[dict[str, Any]],
    flavors: Sequence[str],
    command: str,
    info: dict[str, str],
    notes: list[str],
) -> None:
    """results.json, and RESULTS.md with what follows the hand-written marker kept."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "results.json").write_text(json.dumps(entries, indent=2, default=str) + "\n")
    path = directory / "RESULTS.md"
    kept = ""
    if path.exists():
        text = path.read_text()
        if HAND_WRITTEN in text:
            kept = text.split(HAND_WRITTEN, 1)[1]
    parts = [
        "# Assignment lifecycle: kehoach against the bare floor",
        "",
        "Generated by `bench/assignments.py`; see bench/README.md for what each number means.",
        "",
        "```sh",
        command,
        "```",
        "",
        "## Machine",
        "",
        "```",
        f"$ nproc\n{info['nproc']}  ({info['cpu']}, kernel {info['kernel']})",
        f"$ free -g\n{info['free -g']}",
        f"python {info['python']}; temporalio {info['temporalio']}",
        f"{info['temporal']}",
        f"load average at start: {info.get('load_start')}; at end: {info.get('load_end')}",
        "```",
        "",
    ]
    for entry in entries:
        parts += [f"## {entry['size']:,} lifecycles", ""]
        if entry.get("schedule"):
            parts += [f"Schedule: {entry['schedule']}.", ""]
        parts += [size_table(entry, flavors), "", targets_table(entry), ""]
        for note in entry.get("notes", []):
            parts.append(f"- {note}")
        parts += [
            "",
            f"### Where the events and the server's time go ({entry['size']:,})",
            "",
            events_table(entry, flavors),
            "",
            server_table(entry, flavors),
            "",
        ]
        for name, text in entry.get("profiles", {}).items():
            parts += [
                f"### py-spy profile of the {name} worker ({entry['size']:,})",
                "",
                "```",
                text,
                "```",
                "",
            ]
    if notes:
        parts += ["## Notes from the run", ""] + [f"- {n}" for n in notes] + [""]
    parts += [HAND_WRITTEN]
    path.write_text("\n".join(parts) + (kept if kept else "\n"))
