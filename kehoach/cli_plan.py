"""`kehoach plan …` commands that talk to the running plan: progress, amendments, ad-hoc
report requests and the consolidated report's approval. Each is a workflow update, so the
workflow's validator decides and its Vietnamese reason is what the person reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table

from adapters.settings import Settings, load_settings
from domain.ids import consolidation_workflow_id, plan_workflow_id
from domain.planfile import load_plan
from kehoach.cli_common import (
    RequestId,
    actor,
    bad_input,
    command,
    err,
    out,
    parse_day,
    run_action,
    temporal_client,
)
from schemas import calls as wf

if TYPE_CHECKING:
    from schemas.plan_run import AmendmentResult

I = TypeVar("I")  # noqa: E741
O = TypeVar("O")  # noqa: E741

AsEmail = Annotated[str, typer.Option("--as", help="Email của người thực hiện (trong danh bạ).")]
Reason = Annotated[str, typer.Option("--reason", help="Lý do (bắt buộc).")]


def _plan_id(settings: Settings) -> str:
    return load_plan(settings.plan_file, contacts_file=settings.contacts_file).plan.number


def _update(
    settings: Settings, update: wf.Update[I, O], message: I, *, workflow_id: str | None = None
) -> O:
    """Send one update to the plan's workflow (or `workflow_id`); a refusal exits with 1."""
    from client import calls

    async def send() -> O:
        client = await temporal_client(settings)
        return await calls.update(
            client, workflow_id or plan_workflow_id(_plan_id(settings)), update, message
        )

    return run_action(send())


def _done(result: AmendmentResult) -> None:
    out.print(result.message_vi, markup=False, highlight=False)


async def _with_store(settings: Settings, act: Any) -> Any:
    """Run `act(client, store)` against the configured Temporal and PostgreSQL."""
    from schemas.errors import KehoachError
    from workers.main import open_store

    if settings.database_url is None:
        raise KehoachError(
            "KEHOACH_DATABASE_URL is not set",
            message_vi="Chưa đặt KEHOACH_DATABASE_URL (địa chỉ PostgreSQL).",
        )
    client = await temporal_client(settings)
    async with open_store(settings.database_url.get_secret_value(), max_size=2) as store:
        return await act(client, store)


def register(plan_app: typer.Typer) -> None:
    """Add the commands to `kehoach plan`."""

    @plan_app.command("start")
    @command
    def start_command(
        file: Annotated[Path, typer.Argument(help="Tệp kế hoạch YAML.")],
        amend: Annotated[
            bool,
            typer.Option(
                "--amend", help="Tệp là văn bản điều chỉnh của kế hoạch đang chạy cùng số."
            ),
        ] = False,
    ) -> None:
        """Kiểm tra, lưu và chạy một kế hoạch; chạy lại cùng tệp không tạo thêm gì."""
        from kehoach.plan_runs import start_plan_run

        settings = load_settings()
        plan = load_plan(file, contacts_file=settings.contacts_file)
        handle = run_action(
            _with_store(
                settings,
                lambda client, store: start_plan_run(
                    client, store, plan, task_queue=settings.task_queue, amend=amend
                ),
            )
        )
        out.print(
            f"Kế hoạch {plan.plan.number} đang chạy: workflow {handle.id}",
            markup=False,
            highlight=False,
        )

    @plan_app.command("list")
    @command
    def list_command() -> None:
        """Các kế hoạch đã lưu và trạng thái workflow của từng kế hoạch."""
        from kehoach.plan_runs import list_plans

        runs = run_action(_with_store(load_settings(), list_plans))
        table = Table(title=f"{len(runs)} kế hoạch")
        for column in ("Số", "Workflow", "Trạng thái", "Tên"):
            table.add_column(column)
        for run in runs:
            table.add_row(run.plan_id, run.workflow_id, run.status, run.title)
        out.print(table)

    @plan_app.command("stop")
    @command
    def stop_command(
        number: Annotated[str, typer.Argument(help="Số kế hoạch, ví dụ 157/KH-UBND.")],
    ) -> None:
        """Dừng workflow của kế hoạch: không giao kỳ mới; phân công đã giao chạy tiếp."""
        from kehoach.plan_runs import stop_plan

        run_action(_with_store(load_settings(), lambda client, store: stop_plan(client, number)))
        out.print(f"Đã yêu cầu dừng kế hoạch {number}.", markup=False, highlight=False)

    @plan_app.command("progress")
    @command
    def progress_command(
        as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
    ) -> None:
        """Tiến độ của kế hoạch: số phân công theo trạng thái và theo cơ quan."""
        progress = _update(load_settings(), wf.REFRESH_PROGRESS, None)
        if as_json:
            out.print_json(json.dumps(progress.model_dump(mode="json"), ensure_ascii=False))
            return
        table = Table(title=f"Tiến độ: {progress.total} phân công")
        table.add_column("Trạng thái")
        table.add_column("Số", justify="right")
        for status, count in sorted(progress.by_status.items()):
            table.add_row(status, str(count))
        out.print(table)
        out.print(
            f"Hoàn thành đúng hạn: {progress.on_time}; hoàn thành quá hạn: "
            f"{progress.late}; đang quá hạn: {progress.overdue}"
        )

    @plan_app.command("request-report")
    @command
    def request_report_command(
        email: AsEmail,
        subject: Annotated[str, typer.Option("--subject", help="Nội dung cần báo cáo.")],
        agencies: Annotated[
            str, typer.Option("--agencies", help="Mã cơ quan, cách nhau dấu phẩy.")
        ],
        until: Annotated[str, typer.Option("--until", help="Hạn báo cáo, dd/mm/yyyy.")],
    ) -> None:
        """Yêu cầu báo cáo đột xuất từ các cơ quan được chọn."""
        from schemas.plan_run import AdHocRequest

        settings = load_settings()
        last_day = parse_day(until, option="--until")
        codes = [c.strip() for c in agencies.split(",") if c.strip()]
        request = AdHocRequest(
            actor=actor(settings, email), subject=subject, agencies=codes, last_day=last_day
        )
        _done(_update(settings, wf.REQUEST_ADHOC, request))

    @plan_app.command("withdraw")
    @command
    def withdraw_command(
        duty: Annotated[str, typer.Argument(help="Mã nhiệm vụ, ví dụ III.5.4.")],
        email: AsEmail,
        reason: Reason,
    ) -> None:
        """Rút một nhiệm vụ khỏi kế hoạch: hủy mọi phân công còn mở của nó."""
        from schemas.plan_run import WithdrawDuty

        settings = load_settings()
        message = WithdrawDuty(actor=actor(settings, email), duty_id=duty, reason=reason)
        _done(_update(settings, wf.WITHDRAW_DUTY, message))

    @plan_app.command("move-deadline")
    @command
    def move_deadline_command(
        duty: Annotated[str, typer.Argument(help="Mã nhiệm vụ, ví dụ KL.1.")],
        email: AsEmail,
        until: Annotated[str, typer.Option("--until", help="Hạn mới, dd/mm/yyyy.")],
        reason: Reason,
    ) -> None:
        """Điều chỉnh hạn của một nhiệm vụ cho mọi phân công còn mở."""
        from schemas.plan_run import MoveDeadline

        settings = load_settings()
        message = MoveDeadline(
            actor=actor(settings, email),
            duty_id=duty,
            reason=reason,
            new_last_day=parse_day(until, option="--until"),
        )
        _done(_update(settings, wf.MOVE_DEADLINE, message))

    @plan_app.command("decide-report")
    @command
    def decide_report_command(
        email: AsEmail,
        year: Annotated[int, typer.Option("--year", help="Năm của báo cáo tổng hợp.")],
        return_reason: Annotated[
            str | None, typer.Option("--return", help="Trả lại với lý do này (không có: duyệt).")
        ] = None,
        number: Annotated[
            str | None,
            typer.Option("--so", help="Số văn bản khi duyệt và ban hành (không có: để trống)."),
        ] = None,
        issued: Annotated[
            str | None,
            typer.Option("--ngay", help="Ngày ban hành, dd/mm/yyyy (mặc định: hôm nay)."),
        ] = None,
    ) -> None:
        """Người ký báo cáo tổng hợp theo Kế hoạch (Giám đốc cơ quan đầu mối, hoặc Phó Chủ
        tịch UBND tỉnh với báo cáo của UBND) duyệt hoặc trả lại."""
        from schemas.plan_run import ConsolidationDecision

        settings = load_settings()
        decision = ConsolidationDecision(
            actor=actor(settings, email),
            approve=return_reason is None,
            reason=return_reason,
            report_number=number,
            issued_on=parse_day(issued, option="--ngay") if issued else None,
        )
        _update(
            settings,
            wf.DECIDE_REPORT,
            decision,
            workflow_id=consolidation_workflow_id(_plan_id(settings), year),
        )
        out.print(
            "Đã duyệt báo cáo tổng hợp."
            if return_reason is None
            else "Đã trả lại báo cáo tổng hợp.",
            markup=False,
        )


calendar_app = typer.Typer(no_args_is_help=True, help="Lịch làm việc của kế hoạch.")


@calendar_app.command("announce")
@command
def announce_command(
    email: AsEmail,
    reason: Reason,
    days_off: Annotated[
        list[str] | None,
        typer.Option("--off", help="Ngày nghỉ được công bố thêm, dd/mm/yyyy (lặp lại được)."),
    ] = None,
    working_days: Annotated[
        list[str] | None,
        typer.Option("--working", help="Ngày làm việc bù (thứ Bảy, Chủ nhật), dd/mm/yyyy."),
    ] = None,
    plans: Annotated[
        list[str] | None,
        typer.Option(
            "--plan", help="Chỉ gửi tới kế hoạch số này (lặp lại được); mặc định mọi kế hoạch."
        ),
    ] = None,
    request_id: RequestId = None,
) -> None:
    """Công bố ngày nghỉ bù, ngày làm bù cho mọi kế hoạch: phân công còn mở tính lại nhắc
    hạn và hạn; kế hoạch khởi động sau nhận lịch đã công bố."""
    from schemas.assignment import AmendCalendar

    settings = load_settings()
    off = [parse_day(d, option="--off") for d in days_off or []]
    work = [parse_day(d, option="--working") for d in working_days or []]
    if not off and not work:
        bad_input("Cần ít nhất một --off hoặc --working.")
    message = AmendCalendar(
        actor=actor(settings, email), days_off=off, working_days=work, reason=reason
    )
    from client import calls
    from client.calendar import announce_to_plans

    chosen = request_id or calls.request_id()
    update_id = calls.person_update_id(chosen, call=wf.ANNOUNCE_CALENDAR, actor=email)
    result = run_action(
        _with_store(
            settings,
            lambda client, store: announce_to_plans(
                client, store, message, update_id=update_id, plan_ids=plans or None
            ),
        ),
        request_id=chosen,
    )
    out.print(result.message_vi, markup=False, highlight=False)
    if result.unanswered:
        err.print(
            f"Gửi lại với --request-id {chosen} để hoàn tất (không áp dụng hai lần).",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(1)
