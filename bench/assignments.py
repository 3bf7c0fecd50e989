"""Assignment lifecycles: kehoach's AssignmentWorkflow against the bare floor, side by side.

    .venv/bin/python -m bench.assignments --sizes 100,1000        (10000 is opt-in)

One run starts its own Temporal dev server, PostgreSQL and SMTP mailbox (temporary directory,
free loopback ports). For each size, each flavor in turn gets a worker process of its own and
drives `size` lifecycles through the same timeline: start, the assignment notice, reminders
due at the same real instants for every lifecycle (so `size` fall due together), submit and
two approvals as updates, the acceptance notice. Figures come from the client (start and
update latency), from psutil (CPU, the worker's RSS) and from the workflow histories (events,
busy time, reminder lateness). See bench/README.md for what each figure means.
"""

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import shlex
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from temporalio.client import WorkflowHandle

from bench.flavors import FLAVORS, Flavor, Schedule, lifecycle_id, make_schedule, max_speed
from bench.history import Lifecycle, read_lifecycle, union_length
from bench.profile import summarize
from bench.report import (
    events_table,
    percentile,
    ratio,
    server_table,
    size_table,
    targets,
    targets_table,
    write_results,
)
from bench.runtime import (
    Meter,
    Profiler,
    Services,
    interrupt_on_sigterm,
    rss_mb,
    services,
    worker_process,
    worker_quiet,
)
from bench.servermetrics import scrape
from bench.servermetrics import summarize as summarize_server

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
UTC = dt.UTC
# First guesses for the timeline, in real seconds per lifecycle; after each size they are
# replaced by what the slowest flavor needed (times a margin), so larger sizes fit.
GUESS = {"start": 0.25, "burst": 0.12, "finish": 0.6}
MARGIN = 1.5
SAMPLE = 20  # lifecycles queried to confirm the reminders have gone out


@dataclass
class Timeline:
    """Real durations every flavor of one size waits: the same for all of them."""

    first_at: float  # first reminder due, seconds after the phase's first start
    tier_gap: float  # between reminder tiers
    window: float  # from the last reminder to the deadline
    reminders: int
    speed: float

    def schedule(self, start: dt.datetime) -> Schedule:
        return make_schedule(
            start,
            speed=self.speed,
            first_at=self.first_at,
            tier_gap=self.tier_gap,
            window=self.window,
            reminders=self.reminders,
        )


@dataclass
class Phase:
    """One flavor at one size: what the driver saw and what the histories say."""

    flavor: str
    size: int
    start: dt.datetime
    schedule: Schedule
    start_seconds: float = 0.0
    update_seconds: float = 0.0
    update_latencies: list[float] = field(default_factory=list)
    update_failures: list[str] = field(default_factory=list)
    lifecycles: list[Lifecycle] = field(default_factory=list)
    meter: Meter | None = None
    wall_seconds: float = 0.0
    rss_idle: float = 0.0
    rss_open: float = 0.0
    rss_end: float = 0.0
    reminders_wait_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    profile: str | None = None
    server: dict[str, Any] = field(default_factory=dict)
    updates_began_at: float = 0.0
    mail_lateness: list[float] = field(default_factory=list)


async def bounded(items: Iterable[T], work: Callable[[T], Awaitable[Any]], limit: int) -> list[Any]:
    """`work` on every item, at most `limit` at a time, results in order."""
    gate = asyncio.Semaphore(limit)

    async def one(item: T) -> Any:
        async with gate:
            return await work(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


async def sleep_until(instant: dt.datetime) -> None:
    delay = (instant - dt.datetime.now(UTC)).total_seconds()
    if delay > 0:
        await asyncio.sleep(delay)


async def wait_reminders(
    flavor: Flavor,
    handles: list[WorkflowHandle[Any, Any]],
    schedule: Schedule,
    *,
    worker_pid: int,
    within: float,
) -> list[str]:
    """Until the worker is quiet and a sample of lifecycles have every reminder activity
    done, read from their histories (a query would wait behind the server's backlog and load
    the worker; all histories are read at the end anyway). Returns the sampled ids still
    missing reminders when `within` ran out."""
    deadline = time.monotonic() + within
    tier = flavor.reminder_tier(schedule)
    wanted = len(schedule.reminders_at)

    async def done(handle: WorkflowHandle[Any, Any]) -> bool:
        history = await handle.fetch_history()
        return len(read_lifecycle(history.events, tier).reminder_started) >= wanted

    missing: list[str] = []
    while time.monotonic() < deadline:
        await worker_quiet(worker_pid, window=1.0, within=max(1.0, deadline - time.monotonic()))
        sample = random.sample(handles, min(SAMPLE, len(handles)))
        answers = await bounded(sample, done, 4)
        missing = [h.id for h, ok in zip(sample, answers, strict=True) if not ok]
        if not missing:
            break
        await asyncio.sleep(2.0)
    return missing


async def drive_updates(
    flavor: Flavor, handles: list[WorkflowHandle[Any, Any]], *, concurrency: int, phase: Phase
) -> None:
    """Each lifecycle's updates in order (submit, leader, coordinator); `concurrency`
    lifecycles at a time. Latency is the client's: call to result."""

    async def lifecycle(handle: WorkflowHandle[Any, Any]) -> None:
        for update, arg in flavor.updates:
            began = time.perf_counter()
            try:
                await handle.execute_update(update, arg)
            except Exception as err:
                phase.update_failures.append(f"{handle.id}: {type(err).__name__}: {err}")
                return
            phase.update_latencies.append(time.perf_counter() - began)

    await bounded(handles, lifecycle, concurrency)


async def _outcome(handle: WorkflowHandle[Any, Any]) -> str | None:
    """None when the workflow completed, else what went wrong."""
    try:
        await handle.result()
    except Exception as err:  # reported with the results
        return f"{handle.id} did not complete: {type(err).__name__}: {err}"
    return None


async def run_phase(
    svc: Services,
    flavor: Flavor,
    size: int,
    timeline: Timeline,
    *,
    run_id: str,
    concurrency: int,
    start_concurrency: int,
    profile_dir: Path | None,
    notices_per_second: float | None = None,
) -> Phase:
    """Start a worker of `flavor`, drive `size` lifecycles to acceptance, read the histories."""
    queue = f"bench-{flavor.name}-{size}-{run_id}"
    extra_env = {}
    if notices_per_second is not None:
        extra_env["KEHOACH_NOTICES_PER_SECOND"] = str(notices_per_second)
    async with worker_process(
        svc, flavor=flavor.name, task_queue=queue, extra_env=extra_env
    ) as worker:
        await asyncio.sleep(1.0)
        rss_idle = rss_mb(worker.pid)
        profiler = None
        if profile_dir is not None:
            profiler = Profiler(worker.pid, profile_dir / f"{flavor.name}-{size}.txt")
            profiler.start()
        meter = Meter(svc.pids(), worker.pid)
        start = dt.datetime.now(UTC)
        schedule = timeline.schedule(start)
        phase = Phase(flavor.name, size, start, schedule, meter=meter, rss_idle=rss_idle)
        server_before = await scrape(svc.temporal.metrics_port)
        meter.start()
        began = time.monotonic()
        ids = [lifecycle_id(flavor.name, run_id, size, i) for i in range(size)]
        handles: list[WorkflowHandle[Any, Any]] = await bounded(
            ids, lambda wid: flavor.start(svc.client, wid, queue, schedule), start_concurrency
        )
        phase.start_seconds = time.monotonic() - began
        if dt.datetime.now(UTC) > schedule.reminders_at[0]:
            phase.notes.append(f"{flavor.name}: starts outlasted the lead to the first reminder")

        await sleep_until(schedule.reminders_at[-1])
        waited = time.monotonic()
        missing = await wait_reminders(
            flavor, handles, schedule, worker_pid=worker.pid, within=max(120.0, size * 0.5)
        )
        phase.reminders_wait_seconds = time.monotonic() - waited
        if missing:
            phase.notes.append(
                f"{flavor.name}: {len(missing)} of {SAMPLE} sampled lifecycles "
                f"still missing reminders when updates began ({missing[0]})"
            )
        phase.rss_open = meter.rss()

        updates_began = time.monotonic()
        phase.updates_began_at = time.time()
        await drive_updates(flavor, handles, concurrency=concurrency, phase=phase)
        outcomes = await bounded(handles, _outcome, 32)
        phase.notes += [f"{flavor.name}: {o}" for o in outcomes if o][:5]
        phase.update_seconds = time.monotonic() - updates_began
        phase.wall_seconds = time.monotonic() - began
        meter.stop()
        phase.server = summarize_server(
            server_before, await scrape(svc.temporal.metrics_port), wall=phase.wall_seconds
        )
        phase.rss_end = rss_mb(worker.pid)
        if profiler is not None:
            await profiler.stop()
            phase.profile = summarize(profiler.output, top=20)

    async def history(handle: WorkflowHandle[Any, Any]) -> Lifecycle:
        fetched = await handle.fetch_history()
        return read_lifecycle(fetched.events, flavor.reminder_tier(schedule))

    phase.lifecycles = await bounded(handles, history, 16)
    if flavor.name.startswith("kehoach"):
        phase.mail_lateness = await mail_lateness(svc, ids, schedule)
    return phase


_REMINDER_KEY = re.compile(r"/reminder/[^/]+/T-(\d+)/")


async def mail_lateness(svc: Services, ids: list[str], schedule: Schedule) -> list[float]:
    """Seconds from each reminder's due instant to its e-mail marked sent in the outbox (after
    the SMTP server accepted it): one figure per reminder e-mail, whatever queue sent it."""
    order = sorted(schedule.policy.days_before, reverse=True)
    due = [at.timestamp() for at in schedule.reminders_at]
    conn = await asyncpg.connect(svc.database_url)
    try:
        rows = await conn.fetch(
            "SELECT idempotency_key, sent_at FROM notice_outbox WHERE kind = 'reminder'"
            " AND channel = 'email' AND state = 'sent' AND assignment_id = ANY($1::text[])",
            ids,
        )
    finally:
        await conn.close()
    late = []
    for row in rows:
        found = _REMINDER_KEY.search(row["idempotency_key"])
        if found and int(found.group(1)) in order:
            late.append(row["sent_at"].timestamp() - due[order.index(int(found.group(1)))])
    return late


def _stat(values: list[float], p: float, scale: float = 1.0, digits: int = 3) -> float | None:
    found = percentile(values, p)
    return None if found is None else round(found * scale, digits)


def _mean(values: Iterable[float], digits: int = 1) -> float | None:
    items = list(values)
    return round(sum(items) / len(items), digits) if items else None


def figures(phase: Phase) -> dict[str, Any]:
    """The flavor's column of the table (keys as in bench.report.ROWS), plus diagnostics."""
    n, lcs, schedule = phase.size, phase.lifecycles, phase.schedule
    busy = union_length(iv for lc in lcs for iv in lc.busy)
    t0 = phase.start.timestamp()
    closed = [lc.closed_at for lc in lcs if lc.closed_at is not None]
    due = [at.timestamp() for at in schedule.reminders_at]
    lateness = [started - due[tier] for lc in lcs for tier, started in lc.reminder_started.items()]
    timer_late = [
        fired - due[tier] for lc in lcs for tier, fired in lc.reminder_timer_fired.items()
    ]
    per_tier = []
    for tier, at in enumerate(due):
        starts = [lc.reminder_started[tier] for lc in lcs if tier in lc.reminder_started]
        per_tier.append(round(max(starts) - at, 3) if starts else None)
    drained = [lc.first_timer_started - t0 for lc in lcs if lc.first_timer_started]
    meter = phase.meter
    cpu = meter.cpu_used if meter else {}
    lat = phase.update_latencies
    activity_types: dict[str, float] = {}
    event_types: dict[str, float] = {}
    for lc in lcs:
        for k, v in lc.activity_types.items():
            activity_types[k] = activity_types.get(k, 0) + v / n
        for k, v in lc.event_types.items():
            event_types[k] = event_types.get(k, 0) + v / n
    out: dict[str, Any] = {
        "starts_per_s": round(n / phase.start_seconds, 1) if phase.start_seconds else None,
        "lifecycles_per_s": round(n / busy, 2) if busy else None,
        "lifecycles_per_s_wall": round(n / (max(closed) - t0), 3) if closed else None,
        "update_p50_ms": _stat(lat, 50, 1000, 1),
        "update_p99_ms": _stat(lat, 99, 1000, 1),
        "update_max_ms": _stat(lat, 100, 1000, 1),
        "updates": len(lat),
        "update_failures": len(phase.update_failures),
        "history_events": _mean(lc.events for lc in lcs),
        "history_kb": _mean((lc.size_bytes / 1024 for lc in lcs), 1),
        "activities": _mean(lc.activities for lc in lcs),
        "local_activities": _mean(lc.local_activities for lc in lcs),
        "timers": _mean(lc.timers for lc in lcs),
        "reminder_lateness_p50_s": _stat(lateness, 50),
        "reminder_lateness_p99_s": _stat(lateness, 99),
        "reminder_lateness_max_s": _stat(lateness, 100),
        "timer_lateness_p99_s": _stat(timer_late, 99),
        "mail_lateness_p50_s": _stat(phase.mail_lateness, 50),
        "mail_lateness_p99_s": _stat(phase.mail_lateness, 99),
        "mail_lateness_max_s": _stat(phase.mail_lateness, 100),
        "reminder_mails": len(phase.mail_lateness),
        "workflow_task_timeouts": sum(
            lc.event_types.get("WORKFLOW_TASK_TIMED_OUT", 0) for lc in lcs
        ),
        "workflow_task_failures": sum(lc.event_types.get("WORKFLOW_TASK_FAILED", 0) for lc in lcs),
        "reminder_last_started_after_due_s": per_tier,
        "reminders_sent": len(lateness),
        "reminders_after_updates_began": sum(
            started > phase.updates_began_at
            for lc in lcs
            for started in lc.reminder_started.values()
        ),
        "reminders_due_together": n,
        "start_drained_s": round(max(drained), 2) if drained else None,
        "busy_seconds": round(busy, 2),
        "start_seconds": round(phase.start_seconds, 2),
        "update_phase_seconds": round(phase.update_seconds, 2),
        "wall_seconds": round(phase.wall_seconds, 1),
        "workflow_task_wait_p99_ms": _stat(
            [w for lc in lcs for w in lc.workflow_task_wait], 99, 1000, 1
        ),
        "workflow_task_run_p50_ms": _stat(
            [w for lc in lcs for w in lc.workflow_task_run], 50, 1000, 1
        ),
        "activity_wait_p99_ms": _stat([w for lc in lcs for w in lc.activity_wait], 99, 1000, 1),
        "activity_run_p50_ms": _stat([w for lc in lcs for w in lc.activity_run], 50, 1000, 1),
        "worker_rss_mb_idle": round(phase.rss_idle, 1),
        "worker_rss_mb_open": round(phase.rss_open, 1),
        "worker_rss_mb_peak": round(meter.rss_peak, 1) if meter else None,
        "worker_rss_mb_end": round(phase.rss_end, 1),
        "open_assignments": n,
        "completed": sum(lc.completed for lc in lcs),
        "cpu_seconds": cpu,
        "activity_types_per_lifecycle": {k: round(v, 2) for k, v in sorted(activity_types.items())},
        "event_types_per_lifecycle": {k: round(v, 2) for k, v in sorted(event_types.items())},
    }
    ours = ("worker", "temporal", "postgres", "mailbox", "driver")
    wall = phase.wall_seconds
    for name in ours:
        if name in cpu:
            out[f"cpu_ms_{name}"] = round(cpu[name] * 1000 / n, 1)
            if wall:
                out[f"cores_{name}"] = round(cpu[name] / wall, 2)
    if wall and "machine" in cpu:
        out["cores_others"] = round((cpu["machine"] - sum(cpu.get(k, 0) for k in ours)) / wall, 2)
        out["cpu_wait_share"] = round(cpu.get("cpu_pressure", 0) / wall, 2)
    out["server"] = phase.server
    writes = phase.server.get("persistence_top", {}).get("UpdateWorkflowExecution", {})
    out["history_writes_per_busy_s"] = (
        round(writes["calls"] / busy, 1) if writes.get("calls") and busy else None
    )
    out["persistence_share"] = phase.server.get("persistence_share_of_wall")
    out["persistence_ms"] = (
        round(1000 * phase.server["persistence_seconds"] / n, 1)
        if phase.server.get("persistence_seconds") is not None
        else None
    )
    return out


def entry_for(size: int, phases: dict[str, Phase], timeline: Timeline) -> dict[str, Any]:
    """One object of results.json."""
    entry: dict[str, Any] = {"size": size}
    for name, phase in phases.items():
        entry[name] = figures(phase)
    k, b = entry.get("kehoach", {}), entry.get("bare", {})
    entry["ratio"] = {
        "lifecycles_per_s": ratio(k.get("lifecycles_per_s"), b.get("lifecycles_per_s")),
        "history_events": ratio(k.get("history_events"), b.get("history_events")),
        "update_p99": ratio(k.get("update_p99_ms"), b.get("update_p99_ms")),
        "update_p50": ratio(k.get("update_p50_ms"), b.get("update_p50_ms")),
        "starts_per_s": ratio(k.get("starts_per_s"), b.get("starts_per_s")),
        "worker_cpu_per_lifecycle": ratio(k.get("cpu_ms_worker"), b.get("cpu_ms_worker")),
        "server_cpu_per_lifecycle": ratio(k.get("cpu_ms_temporal"), b.get("cpu_ms_temporal")),
    }
    entry["reminder_lateness_p99_s"] = k.get("reminder_lateness_p99_s")
    entry["worker_rss_mb"] = k.get("worker_rss_mb_open")
    any_phase = next(iter(phases.values()))
    entry["schedule"] = any_phase.schedule.describe(any_phase.start)
    entry["timeline"] = {
        "first_reminder_s": round(timeline.first_at, 1),
        "tier_gap_s": round(timeline.tier_gap, 1),
        "window_s": round(timeline.window, 1),
        "reminders": timeline.reminders,
        "speed": round(timeline.speed),
    }
    entry["notes"] = [note for phase in phases.values() for note in phase.notes]
    entry["notes"] += [
        f"{name}: {len(p.update_failures)} updates failed, e.g. {p.update_failures[0]}"
        for name, p in phases.items()
        if p.update_failures
    ]
    entry["notes"] += [
        f"{name}: only {entry[name]['completed']} of {size} completed"
        for name in phases
        if entry[name]["completed"] != size
    ]
    entry["notes"] += [
        f"{name}: {entry[name]['reminders_after_updates_began']} reminders started "
        "after the updates had begun"
        for name in phases
        if entry[name]["reminders_after_updates_began"]
    ]
    entry["notes"] += [
        f"{name}: {entry[name]['reminders_sent']} reminders sent, {size * timeline.reminders} due"
        for name in phases
        if entry[name]["reminders_sent"] != size * timeline.reminders
    ]
    for name in ("noop", "kehoach"):
        fired = entry.get(name, {}).get("event_types_per_lifecycle", {}).get("TIMER_FIRED", 0)
        if fired > timeline.reminders + 0.01:
            entry["notes"].append(
                f"{name}: {fired} timers fired per lifecycle for "
                f"{timeline.reminders} reminders: the deadline passed before "
                "acceptance (raise --window)"
            )
    entry["targets"] = [{"target": t, "measured": m, "verdict": v} for t, m, v in targets(entry)]
    entry["profiles"] = {name: p.profile for name, p in phases.items() if p.profile}
    return entry


def make_timeline(
    size: int,
    per: dict[str, float],
    *,
    reminders: int,
    speed: float,
    first_at: float | None,
    tier_gap: float | None,
    window: float | None,
) -> Timeline:
    """The size's real durations: the first reminder after every flavor's start effects are
    done, the tiers far enough apart that one burst drains before the next, the deadline
    after the last acceptance."""
    first = first_at if first_at is not None else max(10.0, 5 + size * per["start"])
    gap = tier_gap if tier_gap is not None else max(3.0, 2 + size * per["burst"])
    # The window only sets how far the deadline is (nobody waits for it), so be generous.
    win = window if window is not None else max(120.0, 60 + size * per["finish"])
    fastest = max_speed(tier_gap=gap, window=win, reminders=reminders)
    return Timeline(first, gap, win, reminders, min(speed, fastest))


def learn(per: dict[str, float], size: int, entry: dict[str, Any]) -> None:
    """Per-lifecycle durations the next size's timeline can count on, from this size."""
    flavors = [v for v in entry.values() if isinstance(v, dict) and "start_drained_s" in v]
    drained = max((f["start_drained_s"] or 0) for f in flavors)
    burst = max(
        (
            max(t for t in f["reminder_last_started_after_due_s"] if t is not None)
            if any(t is not None for t in f["reminder_last_started_after_due_s"])
            else 0
        )
        for f in flavors
    )
    finish = max(f["update_phase_seconds"] for f in flavors)
    per["start"] = max(0.2, MARGIN * drained / size)
    # A burst drains slower per reminder as it grows (the server's backlog), hence the floor.
    per["burst"] = max(0.1, MARGIN * burst / size)
    per["finish"] = max(GUESS["finish"] / 2, MARGIN * finish / size)


def print_entry(entry: dict[str, Any], flavors: list[str]) -> None:
    print(f"\n== {entry['size']:,} lifecycles — {entry['schedule']}")
    print(size_table(entry, flavors))
    print()
    print(targets_table(entry))
    for note in entry["notes"]:
        print(f"  note: {note}")
    print()
    print(events_table(entry, flavors))
    print()
    print(server_table(entry, flavors))
    for name, text in entry.get("profiles", {}).items():
        print(f"\n-- profile of the {name} worker --\n{text}")
    sys.stdout.flush()


async def measure_size(
    svc: Services,
    size: int,
    per: dict[str, float],
    flavors: list[str],
    args: argparse.Namespace,
    run_id: str,
    root: Path,
) -> dict[str, Any]:
    """Every flavor at one size, one after the other, on the same timeline."""
    timeline = make_timeline(
        size,
        per,
        reminders=args.reminders,
        speed=args.speed,
        first_at=args.first_reminder,
        tier_gap=args.tier_gap,
        window=args.window,
    )
    print(
        f"\n== size {size:,}: first reminder +{timeline.first_at:.0f} s, tiers "
        f"{timeline.tier_gap:.0f} s apart, deadline {timeline.window:.0f} s after the last, "
        f"clock x{timeline.speed:,.0f}",
        flush=True,
    )
    phases: dict[str, Phase] = {}
    for name in flavors:
        began = time.monotonic()
        phases[name] = await run_phase(
            svc,
            FLAVORS[name],
            size,
            timeline,
            run_id=run_id,
            concurrency=args.concurrency,
            start_concurrency=args.start_concurrency,
            profile_dir=root / "profiles" if args.profile else None,
            notices_per_second=args.notices_per_second,
        )
        print(f"   {name}: {time.monotonic() - began:.0f} s", flush=True)
    return entry_for(size, phases, timeline)


async def run(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",") if s]
    flavors = [f for f in args.flavors.split(",") if f]
    unknown = [f for f in flavors if f not in FLAVORS]
    if unknown or not flavors:
        raise SystemExit(f"--flavors takes some of {list(FLAVORS)}, got {flavors}")
    if "bare" not in flavors or "kehoach" not in flavors:
        print("without both bare and kehoach there are no ratios", file=sys.stderr)
    command = " ".join([".venv/bin/python -m bench.assignments", *map(shlex.quote, sys.argv[1:])])
    from bench.report import machine  # reads /proc and runs nproc, free, temporal --version

    info = machine(str(Path(sys.executable).parent / "temporal"))
    info["load_start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    root = Path(tempfile.mkdtemp(prefix="kehoach-bench-"))
    print(f"run directory: {root}  (logs, dev server db; removed at the end unless --keep)")
    run_id = uuid.uuid4().hex[:8]
    entries: list[dict[str, Any]] = []
    per = dict(GUESS)
    notes: list[str] = []
    try:
        async with services(root) as svc:
            for size in sizes:
                try:
                    entry = await measure_size(svc, size, per, flavors, args, run_id, root)
                except Exception as err:  # the sizes done so far are kept
                    traceback.print_exc()
                    notes.append(f"size {size:,} did not finish: {type(err).__name__}: {err}")
                    break
                finally:
                    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
                entries.append(entry)
                learn(per, size, entry)
                print_entry(entry, flavors)
                if not args.no_write:
                    write_results(
                        args.out,
                        entries=entries,
                        flavors=flavors,
                        command=command,
                        info=info,
                        notes=notes,
                    )
            if notes and entries and not args.no_write:
                write_results(
                    args.out,
                    entries=entries,
                    flavors=flavors,
                    command=command,
                    info=info,
                    notes=notes,
                )
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    if not args.no_write:
        print(f"\nwrote {args.out / 'RESULTS.md'} and {args.out / 'results.json'}")


def main() -> None:
    interrupt_on_sigterm()
    parser = argparse.ArgumentParser(
        prog="python -m bench.assignments",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        default="100,1000",
        help="lifecycles per flavor, comma-separated (default 100,1000)",
    )
    parser.add_argument(
        "--flavors",
        default="bare,kehoach",
        help="bare,kehoach (default); add noop for kehoach's workflow with "
        "activities that do nothing",
    )
    parser.add_argument("--reminders", type=int, default=2, help="reminders per lifecycle")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="lifecycles taking updates at once (default 16)"
    )
    parser.add_argument(
        "--start-concurrency", type=int, default=32, help="start calls in flight (default 32)"
    )
    parser.add_argument(
        "--speed",
        type=float,
        default=100_000,
        help="plan clock speed, lowered if the deadline would not fit",
    )
    parser.add_argument(
        "--first-reminder",
        type=float,
        default=None,
        help="seconds from the first start to the first reminder (default: from the size)",
    )
    parser.add_argument(
        "--tier-gap",
        type=float,
        default=None,
        help="seconds between reminder tiers (default: from the size)",
    )
    parser.add_argument(
        "--window",
        type=float,
        default=None,
        help="seconds from the last reminder to the deadline (default: from the size)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample each worker with py-spy (costs CPU: not for the figures)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE,
        help="where RESULTS.md and results.json go (default bench/)",
    )
    parser.add_argument(
        "--notices-per-second",
        type=float,
        default=None,
        help="the notices' queue rate limit for kehoach's workers (default: the setting's)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the run directory")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
