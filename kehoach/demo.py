"""`kehoach demo`: plan 516's whole year in a few minutes, on the embedded defaults.

The plan is re-based onto today (every date moves by the same number of days) and its clock
runs `speed` times faster than real time — the speed is a workflow input, so the workflows
stay deterministic. Simulated agencies report on time, late, after a return, or never;
simulated leaders, the coordinator and the Vice-Chairman act through the same updates as
people do. Everything shows in the Temporal Web UI while it runs.
"""

import asyncio
import datetime as dt
from collections import Counter
from pathlib import Path

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from adapters.settings import Settings
from client import calls
from client.starts import MORNING_DIGEST_ID, start_morning_digest
from domain.ids import consolidation_workflow_id, notice_task_queue
from domain.people import actor_for
from domain.vocabulary import OUTCOME_VI, SHOWN_STATUS_VI
from kehoach.runtime import Services, addresses, embedded, start_plan
from kehoach.simulation import People
from schemas import calls as wf
from schemas.assignment import FINAL_STATUSES
from schemas.calendar import VN_TZ
from schemas.plan_run import ConsolidationState, RunOptions
from web.portal import ROLE_VI

STATUS_ORDER = (
    "assigned",
    "overdue",
    "submitted",
    "returned",
    "accepted",
    "cancelled",
    "waived",
    "ended",
)
STEP_SECONDS = 0.5


def plan_clock(origin: dt.datetime, speed: float) -> dt.datetime:
    """Now on the plan's clock (the same formula the workflows use)."""
    return origin + (dt.datetime.now(dt.UTC) - origin) * speed


async def demo(
    settings: Settings, *, console: Console, speed: float, seed: int, keep_running: bool
) -> None:
    """Run the demo to the end of the plan year, print the summary, then stop or keep going."""
    async with embedded(settings, console=console) as services:
        plan = services.plan.plan
        origin = dt.datetime.now(dt.UTC)
        today = origin.astimezone(VN_TZ).date()
        shift = (today - plan.issued_on).days
        # The coordinator waits a month after the deadline for late reports, so the
        # consolidated report's annex has them; on a fast clock a month is a few seconds.
        options = RunOptions(
            speed=speed,
            clock_origin=origin,
            shift_days=shift,
            progress_every_days=3,
            consolidation_delay_days=30,
        )
        handle = await start_plan(services, options=options)
        # The morning digest on the plan's clock, beside the real-time one the worker keeps.
        await start_morning_digest(
            services.client,
            task_queue=services.settings.task_queue,
            notices_queue=notice_task_queue(services.settings.task_queue),
            hour=services.settings.digest_hour,
            speed=speed,
            origin=origin,
            workflow_id=f"{MORNING_DIGEST_ID}-demo-{origin:%Y%m%dT%H%M%S}",
        )

        async def now() -> dt.datetime:
            return plan_clock(origin, speed)

        people = People(
            client=services.client, store=services.store, plan=services.plan, now=now, seed=seed
        )
        console.print(addresses(services, title="kehoach demo — kế hoạch 516 chạy nhanh"))
        year_end = dt.datetime.combine(
            dt.date(plan.year + 1, 1, 1) + dt.timedelta(days=shift), dt.time(0), VN_TZ
        )
        report = await _run_year(
            services, people=people, console=console, origin=origin, year_end=year_end, speed=speed
        )
        await people.close_year()
        if services.stop.is_set():
            return
        await handle.result()
        await _summary(services, console=console, report=report, people=people)
        if keep_running:
            console.print("Demo xong. Web UI vẫn chạy — nhấn Ctrl-C để dừng.")
            await services.stop.wait()


async def _run_year(
    services: Services,
    *,
    people: People,
    console: Console,
    origin: dt.datetime,
    year_end: dt.datetime,
    speed: float,
) -> ConsolidationState | None:
    plan = services.plan.plan
    consolidation = consolidation_workflow_id(plan.number, plan.year)
    start = plan_clock(origin, speed)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[day]}"),
        TimeElapsedColumn(),
        console=console,
    )
    task = bar.add_task("Năm kế hoạch", total=(year_end - start).total_seconds(), day="")
    report: ConsolidationState | None = None
    with Live(Group(bar, _status_table(Counter())), console=console, refresh_per_second=4) as live:
        while not services.stop.is_set():
            now = plan_clock(origin, speed)
            await people.step()
            if report is None or report.status != "approved":
                report = await _consolidation(services, consolidation, people)
            counts = await _counts(services)
            bar.update(
                task,
                completed=min((now - start).total_seconds(), bar.tasks[0].total or 0),
                day=f"{now.astimezone(VN_TZ):%d/%m/%Y}",
            )
            live.update(Group(bar, _status_table(counts)))
            if now >= year_end and (report is not None and report.status == "approved"):
                break
            await asyncio.sleep(STEP_SECONDS)
    return report


async def _consolidation(
    services: Services, workflow_id: str, people: People
) -> ConsolidationState | None:
    """The consolidated report's state (None before it exists); approved when it waits."""
    try:
        state = await calls.query(services.client, workflow_id, wf.CONSOLIDATION_STATE)
    except calls.Unavailable:
        return None
    if state.status == "awaiting_approval":
        await people.approve_consolidation(workflow_id)
    return state


async def _counts(services: Services) -> Counter[str]:
    rows = await services.store.list_assignments(plan_id=services.plan.plan.number)
    return Counter(
        "overdue" if r.overdue and r.status not in FINAL_STATUSES else r.status for r in rows
    )


def _status_table(counts: Counter[str]) -> Table:
    table = Table(title="Phân công theo trạng thái")
    table.add_column("Trạng thái")
    table.add_column("Số", justify="right")
    for status in STATUS_ORDER:
        table.add_row(SHOWN_STATUS_VI[status], str(counts.get(status, 0)))
    table.add_row("[b]tổng[/b]", str(sum(counts.values())))
    return table


async def _summary(
    services: Services, *, console: Console, report: ConsolidationState | None, people: People
) -> None:
    rows = await services.store.list_assignments(plan_id=services.plan.plan.number)
    names = {a.code: a.name for a in services.plan.agencies}
    table = Table(title="Kết quả năm kế hoạch (báo cáo năm, KL.1)")
    for column in ("Cơ quan", "Trạng thái", "Kết quả"):
        table.add_column(column)
    for row in sorted(
        (r for r in rows if r.duty_id == services.plan.plan.final_report.duty),
        key=lambda r: names[r.agency_code],
    ):
        outcome = OUTCOME_VI.get(row.outcome or "", "Không hoàn thành")
        table.add_row(names[row.agency_code], SHOWN_STATUS_VI.get(row.status, row.status), outcome)
    console.print(table)
    totals = Counter(r.outcome or "none" for r in rows)
    console.print(
        f"Tổng {len(rows)} phân công: {totals['on_time']} đúng hạn, "
        f"{totals['late']} quá hạn, {totals['none']} không hoàn thành; "
        f"thao tác mô phỏng: {dict(people.actions)}"
    )
    console.print(await mail_table(services))
    if report is not None and report.document_id:
        document = await services.store.get_document(report.document_id)
        docx_path = await asyncio.to_thread(
            _export,
            services.data_dir / "reports",
            report.document_id.replace("/", "_"),
            docx=document.docx,
            markdown=document.markdown,
        )
        console.print(f"Báo cáo tổng hợp (đã duyệt): {docx_path}")
        console.print(
            f"  đã chấp nhận {len(report.accepted)}, quá hạn {len(report.late)}, "
            f"thiếu {len(report.missing)}"
        )


async def mail_table(services: Services) -> Table:
    """Mails sent over the year, by the role of who received them: digests, the rest, and
    the most digests one address got in a day (the rule says one)."""
    sent = await services.store.mails_by_recipient()
    roles: dict[str, str] = {}
    for agency in services.plan.agencies:
        for contact in (agency.focal, agency.leader):
            email = contact.email.lower()
            roles.setdefault(email, actor_for(services.plan, email).role)
    # A digest's key names its day (digest/{day}/{address}): the plan's day, not the clock's.
    digests_a_day = Counter(
        (recipient.lower(), key.split("/")[1]) for recipient, kind, key in sent if kind == "digest"
    )
    by_role: dict[str, Counter[str]] = {}
    people: dict[str, set[str]] = {}
    for recipient, kind, _ in sent:
        role = roles.get(recipient.lower(), "system")
        by_role.setdefault(role, Counter())["digest" if kind == "digest" else "now"] += 1
        people.setdefault(role, set()).add(recipient.lower())
    table = Table(title="Thư đã gửi theo vai trò người nhận")
    for column in ("Vai trò", "Số người", "Thư ngay", "Bản tin sáng", "Thư/người"):
        table.add_column(column, justify="left" if column == "Vai trò" else "right")
    for role, counts in sorted(by_role.items(), key=lambda item: -sum(item[1].values())):
        total = sum(counts.values())
        table.add_row(
            ROLE_VI.get(role, role),
            str(len(people[role])),
            str(counts["now"]),
            str(counts["digest"]),
            f"{total / len(people[role]):.1f}",
        )
    most = max(digests_a_day.values(), default=0)
    table.caption = f"Nhiều nhất {most} bản tin cho một địa chỉ trong một ngày gửi."
    return table


def _export(folder: Path, stem: str, *, docx: bytes, markdown: str) -> Path:
    """Write the report where a person can open it; return the .docx path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.md").write_text(markdown, encoding="utf-8")
    path = folder / f"{stem}.docx"
    path.write_bytes(docx)
    return path
