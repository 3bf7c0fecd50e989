"""What the dev server says about itself: its Prometheus endpoint, read before and after a
phase, reduced to where its time went (persistence operations against SQLite, and the
frontend calls the workers and the driver make).

Latencies are summed over concurrent calls, so a persistence total above the phase's wall
time means calls were queueing for the database.
"""

import re
from collections import defaultdict
from typing import Any

import httpx

_LINE = re.compile(r"^(?P<name>[a-z_]+)\{(?P<labels>[^}]*)\} (?P<value>[0-9.eE+-]+)$")
_LABEL = re.compile(r'(\w+)="([^"]*)"')
WANTED = (
    "persistence_latency_sum",
    "persistence_latency_count",
    "service_latency_sum",
    "service_latency_count",
)
FRONTEND_CALLS = (
    "StartWorkflowExecution",
    "UpdateWorkflowExecution",
    "RespondWorkflowTaskCompleted",
    "RespondActivityTaskCompleted",
    "QueryWorkflow",
    "GetWorkflowExecutionHistory",
)

Sample = dict[tuple[str, str, str], float]
"""(metric, service, operation) -> value."""


async def scrape(port: int) -> Sample:
    """The counters of interest, summed over namespaces; empty if the endpoint is silent."""
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    except httpx.HTTPError:
        return {}
    out: Sample = defaultdict(float)
    for line in text.splitlines():
        if not line.startswith(WANTED):
            continue
        match = _LINE.match(line)
        if match is None:
            continue
        labels = dict(_LABEL.findall(match["labels"]))
        key = (match["name"], labels.get("service_name", ""), labels.get("operation", ""))
        out[key] += float(match["value"])
    return dict(out)


def summarize(before: Sample, after: Sample, *, wall: float, top: int = 8) -> dict[str, Any]:
    """Persistence seconds (total, and the top operations), frontend call latencies."""

    def delta(metric: str) -> dict[tuple[str, str], float]:
        found: dict[tuple[str, str], float] = defaultdict(float)
        for (name, service, op), value in after.items():
            if name == metric:
                found[(service, op)] += value - before.get((name, service, op), 0.0)
        return found

    p_sum, p_count = delta("persistence_latency_sum"), delta("persistence_latency_count")
    by_op: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (_, op), seconds in p_sum.items():
        by_op[op][0] += seconds
        by_op[op][1] += p_count.get((_, op), 0.0)
    total = sum(v[0] for v in by_op.values())
    ops = sorted(by_op.items(), key=lambda kv: -kv[1][0])[:top]
    s_sum, s_count = delta("service_latency_sum"), delta("service_latency_count")
    calls = {}
    for op in FRONTEND_CALLS:
        count = s_count.get(("frontend", op), 0.0)
        if count:
            calls[op] = {
                "count": int(count),
                "mean_ms": round(1000 * s_sum[("frontend", op)] / count, 1),
            }
    return {
        "persistence_seconds": round(total, 2),
        "persistence_calls": int(sum(v[1] for v in by_op.values())),
        "persistence_share_of_wall": round(total / wall, 2) if wall else None,
        "persistence_top": {
            op: {
                "seconds": round(s, 2),
                "calls": int(n),
                "mean_ms": round(1000 * s / n, 2) if n else None,
            }
            for op, (s, n) in ops
        },
        "frontend": calls,
    }
