"""How many open assignments one worker and one SQLite dev server hold: worker RSS and
whether starting keeps up, at sizes where the full lifecycle benchmark would take hours.

    .venv/bin/python -m bench.open_assignments --size 10000
    .venv/bin/python -m bench.open_assignments --size 10000 --caches 1000,250 --flavors kehoach

For each flavor (and, for kehoach, each `KEHOACH_WORKER_MAX_CACHED_WORKFLOWS` value) a worker
process of its own gets `size` assignments started in chunks of 1,000, with their first
reminder hours away, so what is measured is holding them open: the start rate per chunk, how
long the start effects (kehoach: the audit write and the assignment notice; bare: its first
notice) took to drain, the worker's RSS once they had, and the history length. Writes
bench/OPEN.md and bench/open.json.
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shlex
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle

from bench.assignments import bounded
from bench.flavors import FLAVORS, lifecycle_id, make_schedule
from bench.history import read_lifecycle
from bench.report import machine, percentile
from bench.runtime import (
    Meter,
    Services,
    interrupt_on_sigterm,
    rss_mb,
    services,
    worker_process,
    worker_quiet,
)

HERE = Path(__file__).resolve().parent
CHUNK = 1000
SAMPLE = 200


async def measure(
    svc: Services,
    flavor_name: str,
    size: int,
    cache: int | None,
    *,
    run_id: str,
    start_concurrency: int,
) -> dict[str, Any]:
    flavor = FLAVORS[flavor_name]
    label = flavor_name if cache is None else f"{flavor_name}, cache {cache:,}"
    queue = f"open-{flavor_name}-{cache}-{run_id}"
    env = {} if cache is None else {"KEHOACH_WORKER_MAX_CACHED_WORKFLOWS": str(cache)}
    async with worker_process(svc, flavor=flavor_name, task_queue=queue, extra_env=env) as worker:
        await asyncio.sleep(1.0)
        out: dict[str, Any] = {
            "flavor": flavor_name,
            "cache": cache,
            "label": label,
            "size": size,
            "rss_mb_idle": round(rss_mb(worker.pid), 1),
        }
        start = dt.datetime.now(dt.UTC)
        # The first reminder six hours away (the plan clock at 10x): nothing fires in the run.
        schedule = make_schedule(
            start, speed=10.0, first_at=6 * 3600, tier_gap=8_640, window=3 * 8_640, reminders=2
        )
        meter = Meter(svc.pids(), worker.pid)
        meter.start()
        handles: list[WorkflowHandle[Any, Any]] = []
        chunks: list[dict[str, Any]] = []
        tag = f"{run_id}{(cache or 0) % 100_000:05d}"
        for first in range(0, size, CHUNK):
            ids = [
                lifecycle_id(flavor_name, tag, size, i)
                for i in range(first, min(size, first + CHUNK))
            ]
            began = time.monotonic()
            handles += await bounded(
                ids, lambda wid: flavor.start(svc.client, wid, queue, schedule), start_concurrency
            )
            seconds = time.monotonic() - began
            chunks.append(
                {
                    "open_after": len(handles),
                    "starts_per_s": round(len(ids) / seconds, 1),
                    "worker_rss_mb": round(rss_mb(worker.pid), 1),
                }
            )
            print(
                f"   {label}: {len(handles):,} started ({len(ids) / seconds:.0f}/s), "
                f"worker RSS {rss_mb(worker.pid):.0f} MB",
                flush=True,
            )
        started_all = time.monotonic()
        await worker_quiet(worker.pid, window=3.0, within=3600.0)
        drained = time.monotonic() - started_all
        meter.stop()
        out["drained_after_last_start_s"] = round(drained, 1)
        out["rss_mb_open"] = round(rss_mb(worker.pid), 1)
        out["rss_mb_peak"] = round(meter.rss_peak, 1)
        out["chunks"] = chunks
        out["cpu_seconds"] = meter.cpu_used

        async def lag(handle: WorkflowHandle[Any, Any]) -> tuple[float | None, int]:
            history = await handle.fetch_history()
            first_event = history.events[0].event_time.ToMicroseconds() / 1e6
            lc = read_lifecycle(history.events, flavor.reminder_tier(schedule))
            armed = None if lc.first_timer_started is None else lc.first_timer_started - first_event
            return armed, lc.events

        sample = random.Random(7).sample(handles, min(SAMPLE, len(handles)))
        answers = await bounded(sample, lag, 8)
        lags = [a for a, _ in answers if a is not None]
        out["start_to_first_timer_s"] = {
            "p50": percentile(lags, 50),
            "p99": percentile(lags, 99),
            "max": max(lags, default=None),
            "not_armed": sum(a is None for a, _ in answers),
            "sampled": len(answers),
        }
        out["history_events_while_open"] = round(sum(e for _, e in answers) / len(answers), 1)
        print(
            f"   {label}: drained {drained:.0f} s after the last start; RSS "
            f"{out['rss_mb_open']:.0f} MB open; start->first timer p99 "
            f"{_s(out['start_to_first_timer_s']['p99'])} s",
            flush=True,
        )
        return out


def _s(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:,.1f}"


def write(
    out_dir: Path, results: list[dict[str, Any]], *, command: str, info: dict[str, str]
) -> None:
    (out_dir / "open.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    lines = [
        "# Open assignments: what one worker and one SQLite dev server hold",
        "",
        "Generated by `bench/open_assignments.py` (see its docstring).",
        "",
        "```sh",
        command,
        "```",
        "",
        "```",
        f"$ nproc\n{info['nproc']}  ({info['cpu']}, kernel {info['kernel']})",
        f"python {info['python']}; temporalio {info['temporalio']}",
        f"{info['temporal']}",
        f"load average at start: {info.get('load_start')}; at end: {info.get('load_end')}",
        "```",
        "",
        "| worker | open | starts/s (first / last 1,000) | drained after last start (s) "
        "| start → first timer p50 / p99 (s) | worker RSS idle → open, peak (MB) "
        "| history events each | worker / dev server / PostgreSQL CPU (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lag = r["start_to_first_timer_s"]
        cpu = r["cpu_seconds"]
        lines.append(
            f"| {r['label']} | {r['size']:,} | {r['chunks'][0]['starts_per_s']} / "
            f"{r['chunks'][-1]['starts_per_s']} | {r['drained_after_last_start_s']} | "
            f"{_s(lag['p50'])} / {_s(lag['p99'])} | "
            f"{r['rss_mb_idle']:.0f} → {r['rss_mb_open']:.0f}, "
            f"{r['rss_mb_peak']:.0f} | {r['history_events_while_open']} | "
            f"{cpu.get('worker', 0):.0f} / {cpu.get('temporal', 0):.0f} / "
            f"{cpu.get('postgres', 0):.0f} |"
        )
    lines += [
        "",
        "Worker RSS after each 1,000 started:",
        "",
        "| worker | " + " | ".join(f"{c['open_after']:,}" for c in results[0]["chunks"]) + " |",
        "|---|" + "---|" * len(results[0]["chunks"]),
    ]
    for r in results:
        lines.append(
            f"| {r['label']} | "
            + " | ".join(f"{c['worker_rss_mb']:.0f}" for c in r["chunks"])
            + " |"
        )
    (out_dir / "OPEN.md").write_text("\n".join(lines) + "\n")


async def run(args: argparse.Namespace) -> None:
    flavors = [f for f in args.flavors.split(",") if f]
    caches = [int(c) for c in args.caches.split(",") if c]
    command = " ".join(
        [".venv/bin/python -m bench.open_assignments", *map(shlex.quote, sys.argv[1:])]
    )
    info = machine(str(Path(sys.executable).parent / "temporal"))
    info["load_start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    root = Path(tempfile.mkdtemp(prefix="kehoach-open-"))
    print(f"run directory: {root}", flush=True)
    run_id = uuid.uuid4().hex[:6]
    results: list[dict[str, Any]] = []
    try:
        async with services(root) as svc:
            for name in flavors:
                for cache in caches if name != "bare" else [None]:
                    results.append(
                        await measure(
                            svc,
                            name,
                            args.size,
                            cache,
                            run_id=run_id,
                            start_concurrency=args.start_concurrency,
                        )
                    )
                    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
                    if not args.no_write:
                        write(args.out, results, command=command, info=info)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(results, indent=2, default=str))


def main() -> None:
    interrupt_on_sigterm()
    parser = argparse.ArgumentParser(
        prog="python -m bench.open_assignments",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--flavors", default="bare,kehoach")
    parser.add_argument(
        "--caches",
        default="1000",
        help="KEHOACH_WORKER_MAX_CACHED_WORKFLOWS values tried for kehoach",
    )
    parser.add_argument("--start-concurrency", type=int, default=32)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--no-write", action="store_true")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
