"""The kehoach command: one entry point for coordinators and ops.

Errors reach people as Vietnamese messages, never as tracebacks; the English detail goes
to the log.
"""

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from adapters.settings import Settings
from domain.assign import span_periods, span_years
from domain.planfile import check_plan, load_plan
from domain.succession import succession_vi
from kehoach.cli_assignments import assignments_app
from kehoach.cli_common import friendly_errors
from kehoach.cli_directory import directory_app
from kehoach.cli_import import register as register_import_command
from kehoach.cli_notices import notices_app
from kehoach.cli_plan import calendar_app
from kehoach.cli_plan import register as register_plan_commands
from schemas.calendar import VN_TZ
from schemas.errors import KehoachError, PlanProblem
from schemas.plan import NormalizedPlan

app = typer.Typer(
    no_args_is_help=True,
    help="kehoach: theo dõi thực hiện kế hoạch của tỉnh trên Temporal.",
    pretty_exceptions_enable=False,
)
plan_app = typer.Typer(no_args_is_help=True, help="Kiểm tra và xem tệp kế hoạch.")
app.add_typer(plan_app, name="plan")
app.add_typer(assignments_app, name="assignments")
app.add_typer(notices_app, name="notices")
app.add_typer(calendar_app, name="calendar")
app.add_typer(directory_app, name="directory")
register_plan_commands(plan_app)
register_import_command(plan_app)

out = Console()


@app.callback()
def main() -> None:
    """kehoach: run a provincial plan on Temporal."""


def _final_report_due(plan: NormalizedPlan) -> str:
    final = plan.plan.final_report
    rule = final.deadline
    if rule is None:
        duty = next((d for d in plan.duties if d.id == final.duty), None)
        rule = duty.deadline if duty is not None else None
    if rule is None:
        return "báo cáo (không nêu hạn)"
    if rule.kind == "date":
        return f"báo cáo trước {rule.due:%d/%m/%Y}"
    return f"báo cáo theo hạn «{rule.text or rule.kind}»"


def _summary(plan: NormalizedPlan, warnings: list[PlanProblem]) -> None:
    header = plan.plan
    out.print(f"[bold]{header.number}[/] — {header.title}")
    span = header.span
    out.print(
        f"Ban hành {header.issued_on:%d/%m/%Y}; thời gian thực hiện từ {span.start:%d/%m/%Y} "
        + (f"đến {span.end:%d/%m/%Y}" if span.end else "(không xác định ngày kết thúc)")
        + f"; cơ quan đầu mối: {header.coordinator}; {_final_report_due(plan)} "
        f"(gửi {header.final_report.recipient} qua {header.final_report.via})",
        highlight=False,
    )
    readings = _readings(plan)
    if readings:
        out.print("[bold]Cách hiểu đã chọn ở chỗ văn bản chưa rõ:[/]")
        for where, text in readings:
            out.print(f"  {where}: {text}", markup=False, highlight=False)
    for warning in warnings:
        out.print("[bold yellow]Cảnh báo:[/] " + warning.render(), highlight=False)
    names = {a.code: a.name for a in plan.agencies}
    today = dt.datetime.now(VN_TZ).date()
    for change in plan.successions:
        out.print(
            "Sáp nhập, đổi tên: " + succession_vi(change, names, today=today),
            markup=False,
            highlight=False,
        )
    sections = Table(title="Nhiệm vụ theo mục")
    sections.add_column("Mục")
    sections.add_column("Số nhiệm vụ", justify="right")
    for section, count in Counter(d.section for d in plan.duties).items():
        sections.add_row(section, str(count))
    out.print(sections)
    kinds = Table(title="Thời hạn theo loại")
    kinds.add_column("Loại")
    kinds.add_column("Số nhiệm vụ", justify="right")
    for kind, count in Counter(
        r.kind for d in plan.duties for r in d.all_deadlines()
    ).most_common():
        kinds.add_row(kind, str(count))
    out.print(kinds)
    per_agency = Counter(code for d in plan.duties for code in d.assignees)
    agencies = Table(title="Số phân công theo cơ quan")
    agencies.add_column("Mã")
    agencies.add_column("Cơ quan")
    agencies.add_column("Phân công", justify="right")
    for code, count in per_agency.most_common():
        agencies.add_row(code, plan.agency(code).name, str(count))
    out.print(agencies)
    out.print(
        f"Tổng: {len(plan.duties)} nhiệm vụ, {sum(per_agency.values())} phân công, "
        f"{len(per_agency)} cơ quan được giao."
    )
    years = span_years(plan)
    assignments, periods, final = _figures(plan)
    out.print(
        f"Trong thời gian kế hoạch ({years[0]}–{years[-1]}"
        + (
            ", hai năm đầu của kế hoạch không có ngày kết thúc"
            if plan.plan.span.end is None
            else ""
        )
        + f"): {assignments} phân công theo kỳ, {periods} kỳ; báo cáo kết quả {final} kỳ.",
        highlight=False,
    )


def _readings(plan: NormalizedPlan) -> list[tuple[str, str]]:
    """Where the plan file records the reading it took of unclear words, and that reading."""
    header = plan.plan
    readings = [("Kế hoạch", header.interpretation)] if header.interpretation else []
    readings += (
        [("Báo cáo kết quả", header.final_report.interpretation)]
        if header.final_report.interpretation
        else []
    )
    for duty in plan.duties:
        readings += [
            (f"Nhiệm vụ {duty.id}", text)
            for text in [duty.interpretation, *(r.interpretation for r in duty.all_deadlines())]
            if text
        ]
    return readings


def _figures(plan: NormalizedPlan) -> tuple[int, int, int]:
    """Assignments, distinct periods and final-report periods over the plan's span."""
    periods = span_periods(plan)
    assignments = sum(len(periods[d.id]) * len(d.assignees) for d in plan.duties)
    final = periods.get(plan.plan.final_report.duty or "", [])
    return assignments, len(set().union(*periods.values())), len(final)


def _shorter(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…»"


def _span_words(plan: NormalizedPlan) -> str:
    span = plan.plan.span
    return f"{span.start:%d/%m/%Y}–" + (f"{span.end:%d/%m/%Y}" if span.end else "không hạn")


def plan_json(plan: NormalizedPlan) -> dict[str, Any]:
    """The normalized plan in the shape `plan check --json` promises."""
    return {
        "plan": plan.plan.model_dump(mode="json"),
        "agencies": [a.model_dump(mode="json") for a in plan.agencies],
        "groups": [g.model_dump(mode="json") for g in plan.groups],
        "duties": [d.model_dump(mode="json") for d in plan.duties],
    }


@plan_app.command("check")
@friendly_errors
def plan_check(
    file: Annotated[Path, typer.Argument(help="Tệp kế hoạch YAML.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="In kế hoạch đã chuẩn hóa dạng JSON.")
    ] = False,
    contacts: Annotated[
        Path | None,
        typer.Option(
            "--contacts",
            envvar="KEHOACH_CONTACTS_FILE",
            help="Tệp danh bạ liên hệ thật, thay cho địa chỉ mẫu.",
        ),
    ] = None,
) -> None:
    """Kiểm tra một tệp kế hoạch và in tóm tắt (hoặc JSON đã chuẩn hóa)."""
    plan, warnings = check_plan(file, contacts_file=contacts)
    if as_json:
        sys.stdout.write(json.dumps(plan_json(plan), ensure_ascii=False, indent=2) + "\n")
    else:
        _summary(plan, warnings)


@plan_app.command("table")
@friendly_errors
def plan_table(
    files: Annotated[
        list[Path], typer.Argument(help="Tệp kế hoạch YAML hoặc thư mục chứa các tệp.")
    ],
    markdown: Annotated[bool, typer.Option("--markdown", help="In bảng Markdown.")] = False,
) -> None:
    """Một dòng cho mỗi kế hoạch: thời gian, nhiệm vụ, phân công, kỳ, báo cáo kết quả."""
    paths = [
        found
        for path in files
        for found in (sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    ]
    columns = ("Số", "Thời gian", "Nhiệm vụ", "Phân công", "Kỳ", "Báo cáo kết quả", "Cách hiểu")
    rows = []
    for path in paths:
        try:
            plan, warnings = check_plan(path)
        except KehoachError:
            if path.is_dir() or not any(
                line.startswith("plan:") for line in path.read_text(encoding="utf-8").splitlines()
            ):
                continue  # a directory or contacts file beside the plans
            raise
        assignments, periods, final = _figures(plan)
        rows.append(
            (
                plan.plan.number,
                _span_words(plan),
                str(len(plan.duties)),
                str(assignments),
                str(periods),
                f"{_shorter(_final_report_due(plan))}; {final} kỳ",
                f"{len(_readings(plan))} chỗ, {len(warnings)} cảnh báo",
            )
        )
    if markdown:
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    table = Table(title=f"{len(rows)} kế hoạch")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def _embedded_settings(data_subdir: str | None = None, *, fresh: bool = False) -> Settings:
    import shutil

    from adapters.logs import configure_logging
    from adapters.settings import load_settings

    settings = load_settings()
    if data_subdir is not None:
        settings = settings.model_copy(update={"data_dir": settings.data_dir / data_subdir})
    if fresh and settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    log_file = settings.data_dir.resolve() / "logs" / "kehoach.log"
    configure_logging(settings, to_file=log_file)
    out.print(f"Nhật ký chi tiết: {log_file}")
    return settings


@app.command("up")
@friendly_errors
def up_command(
    no_start: Annotated[
        bool, typer.Option("--no-start", help="Chỉ khởi động các dịch vụ, không chạy kế hoạch.")
    ] = False,
    plans: Annotated[
        Path | None, typer.Option("--plans", help="Chạy mọi kế hoạch trong thư mục này (cùng lúc).")
    ] = None,
) -> None:
    """Chạy thật (giờ thực) trên cấu hình nhúng: Temporal + UI, PostgreSQL, hộp thư, worker."""
    import asyncio

    from kehoach.runtime import up

    settings = _embedded_settings()
    asyncio.run(up(settings, console=out, start=not no_start, plans_dir=plans))
    out.print("Đã dừng. Chạy lại lệnh này để tiếp tục từ cùng thư mục dữ liệu.")


@app.command("demo")
@friendly_errors
def demo_command(
    speed: Annotated[
        float, typer.Option(help="Đồng hồ kế hoạch nhanh gấp bao nhiêu lần giờ thực.")
    ] = 120_000.0,
    seed: Annotated[int, typer.Option(help="Hạt giống cho hành vi mô phỏng.")] = 7,
    exit_when_done: Annotated[
        bool, typer.Option("--exit", help="Dừng ngay khi xong (không giữ Web UI).")
    ] = False,
) -> None:
    """Chạy thử cả năm của kế hoạch 516 trong vài phút, với các cơ quan mô phỏng."""
    import asyncio

    from kehoach.demo import demo

    settings = _embedded_settings("demo", fresh=True)  # a demo starts from a clean slate
    asyncio.run(
        demo(settings, console=out, speed=speed, seed=seed, keep_running=not exit_when_done)
    )
    out.print("Đã dừng.")


@app.command("worker")
@friendly_errors
def worker_command() -> None:
    """Chạy worker (sản xuất): cần TEMPORAL_ADDRESS và KEHOACH_DATABASE_URL."""
    import asyncio

    from adapters.logs import configure_logging
    from adapters.settings import load_settings
    from client.connection import connect_when_ready
    from kehoach.stopping import stop_on_signals
    from workers.main import STARTUP_WAIT_S, run_worker

    settings = load_settings()
    configure_logging(settings)
    if settings.database_url is None:
        raise KehoachError(
            "KEHOACH_DATABASE_URL is not set",
            message_vi="Chưa đặt KEHOACH_DATABASE_URL (địa chỉ PostgreSQL).",
        )
    database_url = settings.database_url.get_secret_value()

    async def main() -> None:
        stop = stop_on_signals()
        client = await connect_when_ready(settings, wait=STARTUP_WAIT_S, with_metrics=True)
        await run_worker(client, settings=settings, database_url=database_url, stop=stop)

    asyncio.run(main())


@app.command("replay")
@friendly_errors
def replay_command(
    per_type: Annotated[
        int,
        typer.Option(
            "--per-type",
            min=1,
            help="Bao nhiêu lần chạy gần nhất mỗi loại (đang chạy và đã xong).",
        ),
    ] = 100,
    query: Annotated[
        str | None,
        typer.Option("--query", help="Điều kiện lọc thêm (cú pháp truy vấn của Temporal)."),
    ] = None,
) -> None:
    """Kiểm tra trước khi triển khai: chạy lại lịch sử gần đây của cả ba loại workflow từ
    namespace với mã hiện tại; mã thoát 1 nếu có lịch sử không chạy lại được."""
    import asyncio

    from adapters.logs import configure_logging
    from adapters.settings import load_settings
    from client.connection import connect
    from workers.replay import replay_recent

    settings = load_settings()
    configure_logging(settings)

    async def main() -> bool:
        client = await connect(settings)
        report = await replay_recent(client, per_type=per_type, extra_query=query)
        table = Table(title=f"Chạy lại lịch sử — namespace {settings.temporal_namespace}")
        table.add_column("Loại workflow")
        table.add_column("Đã chạy lại", justify="right")
        for workflow_type, count in report.replayed.items():
            table.add_row(workflow_type, str(count))
        out.print(table)
        for workflow_id, why in sorted(report.failed.items()):
            out.print(f"[bold red]Không chạy lại được:[/] {workflow_id}: {why}", highlight=False)
        out.print(
            "Đạt: mã mới chạy lại được mọi lịch sử."
            if report.ok
            else f"KHÔNG ĐẠT: {len(report.failed)} lịch sử không chạy lại được."
        )
        return report.ok

    if not asyncio.run(main()):
        raise typer.Exit(1)


@app.command("web")
@friendly_errors
def web_command() -> None:
    """Chạy cổng thông tin (sản xuất): cần TEMPORAL_ADDRESS, KEHOACH_DATABASE_URL và
    KEHOACH_SECRET_KEY."""
    import asyncio

    from adapters.logs import configure_logging
    from adapters.settings import Settings, load_settings
    from client.connection import connect_when_ready
    from kehoach.stopping import stop_on_signals
    from web.app import create_app
    from web.serve import serving
    from workers.main import STARTUP_WAIT_S, open_store

    settings = load_settings()
    configure_logging(settings)
    if settings.database_url is None:
        raise KehoachError(
            "KEHOACH_DATABASE_URL is not set",
            message_vi="Chưa đặt KEHOACH_DATABASE_URL (địa chỉ PostgreSQL).",
        )
    if settings.secret_key == Settings.model_fields["secret_key"].default:
        raise KehoachError(
            "KEHOACH_SECRET_KEY is the development default",
            message_vi="Chưa đặt KEHOACH_SECRET_KEY (khóa ký phiên đăng nhập "
            "và liên kết); không chạy cổng thông tin với khóa mẫu.",
        )
    database_url = settings.database_url.get_secret_value()
    plan = load_plan(settings.plan_file, contacts_file=settings.contacts_file)

    async def main() -> None:
        stop = stop_on_signals()
        client = await connect_when_ready(settings, wait=STARTUP_WAIT_S)
        async with open_store(database_url, max_size=settings.database_pool_max) as store:
            app_ = create_app(settings=settings, client=client, store=store, plan=plan)
            async with serving(app_, host=settings.web_host, port=settings.web_port) as url:
                out.print(f"Cổng thông tin: {url} (công khai: {settings.public_base_url})")
                await stop.wait()

    asyncio.run(main())


sessions_app = typer.Typer(
    no_args_is_help=True, help="Phiên đăng nhập cổng thông tin (thu hồi khi cần)."
)
app.add_typer(sessions_app, name="sessions")


@sessions_app.command("revoke")
@friendly_errors
def sessions_revoke_command(
    email: Annotated[str, typer.Argument(help="Địa chỉ thư của người cần thu hồi phiên.")],
) -> None:
    """Thu hồi mọi phiên đăng nhập và mã truy cập (API) của một người: cần KEHOACH_DATABASE_URL."""
    import asyncio

    from adapters.settings import load_settings
    from workers.main import open_store

    settings = load_settings()
    if settings.database_url is None:
        raise KehoachError(
            "KEHOACH_DATABASE_URL is not set",
            message_vi="Chưa đặt KEHOACH_DATABASE_URL (địa chỉ PostgreSQL).",
        )
    database_url = settings.database_url.get_secret_value()

    async def main() -> int:
        async with open_store(database_url, max_size=1, wait=5) as store:
            return await store.revoke_sessions_of(email.strip())

    revoked = asyncio.run(main())
    out.print(f"Đã thu hồi {revoked} phiên/mã truy cập của {email.strip()}.")
