"""`kehoach plan …` commands that talk to the running plan: progress, amendments, ad-hoc
report requests and the consolidated report's approval. Each is a workflow update, so the
workflow's validator decides and its Vietnamese reason is what the person reads."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from kehoach.cli_assignments import Refused, _actor, _client, _command, err, out, parse_day
from kehoach.planfile import load_plan
from kehoach.settings import Settings, load_settings

if TYPE_CHECKING:
    from schemas.plan_run import AmendmentResult, Progress

AsEmail = Annotated[str, typer.Option("--as", help="Email của người thực hiện (trong danh bạ).")]
Reason = Annotated[str, typer.Option("--reason", help="Lý do (bắt buộc).")]


def _plan_id(settings: Settings) -> str:
    return load_plan(settings.plan_file, contacts_file=settings.contacts_file).plan.number


def _workflow_id(plan_id: str) -> str:
    return f"plan/{plan_id.replace('/', '-')}"


async def _update(settings: Settings, update: Any, *args: Any, workflow_id: str | None = None,
                  workflow: Any = None) -> Any:
    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.exceptions import ApplicationError

    from workflows.plan import PlanWorkflow

    client = await _client(settings)
    handle = client.get_workflow_handle_for(
        (workflow or PlanWorkflow).run, workflow_id or _workflow_id(_plan_id(settings)))
    try:
        return await handle.execute_update(update, *args)
    except WorkflowUpdateFailedError as exc:
        if isinstance(exc.cause, ApplicationError):
            raise Refused(exc.cause.message) from None
        raise


def _run(coro: Any) -> Any:
    try:
        return asyncio.run(coro)
    except Refused as refusal:
        err.print(f"Không thực hiện được: {refusal.reason_vi}", markup=False, highlight=False)
        raise typer.Exit(1) from None


def _done(result: AmendmentResult) -> None:
    out.print(result.message_vi, markup=False, highlight=False)


async def _with_store(settings: Settings, act: Any) -> Any:
    """Run `act(client, store)` against the configured Temporal and PostgreSQL."""
    from kehoach.errors import KehoachError
    from workers.main import open_store

    if settings.database_url is None:
        raise KehoachError("KEHOACH_DATABASE_URL is not set",
                           message_vi="Chưa đặt KEHOACH_DATABASE_URL (địa chỉ PostgreSQL).")
    client = await _client(settings)
    async with open_store(settings.database_url.get_secret_value(), max_size=2) as store:
        return await act(client, store)


def register(plan_app: typer.Typer) -> None:
    """Add the commands to `kehoach plan`."""

    @plan_app.command("start")
    @_command
    def start_command(
        file: Annotated[Path, typer.Argument(help="Tệp kế hoạch YAML.")],
        amend: Annotated[bool, typer.Option(
            "--amend", help="Tệp là văn bản điều chỉnh của kế hoạch đang chạy cùng số.")] = False,
    ) -> None:
        """Kiểm tra, lưu và chạy một kế hoạch; chạy lại cùng tệp không tạo thêm gì."""
        from kehoach.plan_runs import start_plan_run

        settings = load_settings()
        plan = load_plan(file, contacts_file=settings.contacts_file)
        handle = _run(_with_store(settings, lambda client, store: start_plan_run(
            client, store, plan, task_queue=settings.task_queue, amend=amend)))
        out.print(f"Kế hoạch {plan.plan.number} đang chạy: workflow {handle.id}",
                  markup=False, highlight=False)

    @plan_app.command("list")
    @_command
    def list_command() -> None:
        """Các kế hoạch đã lưu và trạng thái workflow của từng kế hoạch."""
        from kehoach.plan_runs import list_plans

        runs = _run(_with_store(load_settings(), list_plans))
        table = Table(title=f"{len(runs)} kế hoạch")
        for column in ("Số", "Workflow", "Trạng thái", "Tên"):
            table.add_column(column)
        for run in runs:
            table.add_row(run.plan_id, run.workflow_id, run.status, run.title)
        out.print(table)

    @plan_app.command("stop")
    @_command
    def stop_command(
        number: Annotated[str, typer.Argument(help="Số kế hoạch, ví dụ 157/KH-UBND.")],
    ) -> None:
        """Dừng workflow của kế hoạch: không giao kỳ mới; phân công đã giao chạy tiếp."""
        from kehoach.plan_runs import stop_plan

        _run(_with_store(load_settings(), lambda client, store: stop_plan(client, number)))
        out.print(f"Đã yêu cầu dừng kế hoạch {number}.", markup=False, highlight=False)

    @plan_app.command("progress")
    @_command
    def progress_command(
        as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
    ) -> None:
        """Tiến độ của kế hoạch: số phân công theo trạng thái và theo cơ quan."""
        from workflows.plan import PlanWorkflow

        progress: Progress = _run(_update(load_settings(), PlanWorkflow.refresh_progress))
        if as_json:
            out.print_json(json.dumps(progress.model_dump(mode="json"), ensure_ascii=False))
            return
        table = Table(title=f"Tiến độ: {progress.total} phân công")
        table.add_column("Trạng thái")
        table.add_column("Số", justify="right")
        for status, count in sorted(progress.by_status.items()):
            table.add_row(status, str(count))
        out.print(table)
        out.print(f"Hoàn thành đúng hạn: {progress.on_time}; hoàn thành quá hạn: "
                  f"{progress.late}; đang quá hạn: {progress.overdue}")

    @plan_app.command("request-report")
    @_command
    def request_report_command(
        email: AsEmail,
        subject: Annotated[str, typer.Option("--subject", help="Nội dung cần báo cáo.")],
        agencies: Annotated[str, typer.Option(
            "--agencies", help="Mã cơ quan, cách nhau dấu phẩy.")],
        until: Annotated[str, typer.Option("--until", help="Hạn báo cáo, dd/mm/yyyy.")],
    ) -> None:
        """Yêu cầu báo cáo đột xuất từ các cơ quan được chọn."""
        from schemas.plan_run import AdHocRequest
        from workflows.plan import PlanWorkflow

        settings = load_settings()
        last_day = parse_day(until, option="--until")
        codes = [c.strip() for c in agencies.split(",") if c.strip()]
        request = AdHocRequest(actor=_actor(settings, email), subject=subject, agencies=codes,
                               last_day=last_day)
        _done(_run(_update(settings, PlanWorkflow.request_adhoc, request)))

    @plan_app.command("withdraw")
    @_command
    def withdraw_command(
        duty: Annotated[str, typer.Argument(help="Mã nhiệm vụ, ví dụ III.5.4.")],
        email: AsEmail, reason: Reason,
    ) -> None:
        """Rút một nhiệm vụ khỏi kế hoạch: hủy mọi phân công còn mở của nó."""
        from schemas.plan_run import WithdrawDuty
        from workflows.plan import PlanWorkflow

        settings = load_settings()
        message = WithdrawDuty(actor=_actor(settings, email), duty_id=duty, reason=reason)
        _done(_run(_update(settings, PlanWorkflow.withdraw_duty, message)))

    @plan_app.command("move-deadline")
    @_command
    def move_deadline_command(
        duty: Annotated[str, typer.Argument(help="Mã nhiệm vụ, ví dụ KL.1.")],
        email: AsEmail,
        until: Annotated[str, typer.Option("--until", help="Hạn mới, dd/mm/yyyy.")],
        reason: Reason,
    ) -> None:
        """Điều chỉnh hạn của một nhiệm vụ cho mọi phân công còn mở."""
        from schemas.plan_run import MoveDeadline
        from workflows.plan import PlanWorkflow

        settings = load_settings()
        message = MoveDeadline(actor=_actor(settings, email), duty_id=duty, reason=reason,
                               new_last_day=parse_day(until, option="--until"))
        _done(_run(_update(settings, PlanWorkflow.move_deadline, message)))

    @plan_app.command("decide-report")
    @_command
    def decide_report_command(
        email: AsEmail,
        year: Annotated[int, typer.Option("--year", help="Năm của báo cáo tổng hợp.")],
        return_reason: Annotated[str | None, typer.Option(
            "--return", help="Trả lại với lý do này (không có: duyệt).")] = None,
    ) -> None:
        """Phó Chủ tịch UBND tỉnh duyệt (hoặc trả lại) báo cáo tổng hợp."""
        from schemas.plan_run import ConsolidationDecision
        from workflows.consolidation import ConsolidationWorkflow

        settings = load_settings()
        decision = ConsolidationDecision(actor=_actor(settings, email),
                                         approve=return_reason is None, reason=return_reason)
        key = _plan_id(settings).replace("/", "-")
        _run(_update(settings, ConsolidationWorkflow.decide, decision,
                     workflow_id=f"{key}/consolidation/{year}", workflow=ConsolidationWorkflow))
        out.print("Đã duyệt báo cáo tổng hợp." if return_reason is None
                  else "Đã trả lại báo cáo tổng hợp.", markup=False)
