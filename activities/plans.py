"""Activities of the plan and consolidation workflows: schedules, batches of assignments,
progress counts, amendments, and the consolidated report."""

import datetime as dt
import hashlib

import structlog
from temporalio import activity
from temporalio.client import Client

from activities.notices import NoticeActivities
from adapters.store import Store
from client import calls
from client.starts import start_assignment, start_consolidation
from domain.assign import batch_inputs
from domain.deadlines import duty_occurrences, find_occurrence
from domain.report import facts, render_docx, render_markdown
from domain.report.issue import issue
from domain.succession import holder_on
from schemas.assignment import (
    FINAL_STATUSES,
    Actor,
    Cancel,
    DutyBrief,
    ExtendDeadline,
    NoticeKind,
    NoticeRequest,
    Recipient,
    Reroute,
    SetDeadline,
)
from schemas.calendar import VN_TZ, WorkingCalendar
from schemas.calls import AMEND_CALENDAR, CANCEL, EXTEND_DEADLINE, REROUTE, SET_DEADLINE
from schemas.plan import DateDeadline
from schemas.plan_run import (
    AmendmentResult,
    CalendarChange,
    CompiledReport,
    CompileRequest,
    ConsolidationNotice,
    ConsolidationRunInput,
    DutyChange,
    ExtendCalendar,
    IssueReport,
    PlanSchedule,
    Progress,
    ProgressRequest,
    ScheduledConsolidation,
    ScheduledStart,
    ScheduleRequest,
    StartBatch,
    StartedBatch,
    SuccessionRun,
)

log = structlog.get_logger(__name__)
START_HOUR = dt.time(8, 0)


def _at(day: dt.date, time: dt.time = START_HOUR) -> dt.datetime:
    return dt.datetime.combine(day, time, VN_TZ)


class PlanActivities:
    """Resources: the store, a Temporal client (to start and update assignments), the task
    queue assignments run on, and the notice activity for the consolidated report."""

    def __init__(
        self, *, store: Store, client: Client, task_queue: str, notices: NoticeActivities
    ) -> None:
        self._store = store
        self._client = client
        self._task_queue = task_queue
        self._notices = notices

    @activity.defn
    async def plan_schedule(self, request: ScheduleRequest) -> PlanSchedule:
        """When each batch of the year starts, when to consolidate, when the year ends.

        Only periods inside the plan's span exist: a plan issued in November with a
        monthly report has no January-October assignments."""
        plan = await self._store.get_plan(request.plan_id)
        header = plan.plan
        shift = dt.timedelta(days=request.shift_days)
        plan_start = _at(header.span.start + shift)
        calendar = request.calendar
        starts: list[ScheduledStart] = []
        for duty in plan.duties:
            for occurrence in duty_occurrences(duty, request.year, header, calendar):
                at = _at(occurrence.start + shift)
                starts.append(
                    ScheduledStart(
                        at=max(at, plan_start) if request.first_year else at,
                        duty_id=duty.id,
                        period=occurrence.key,
                    )
                )
        final = header.final_report
        move = header.move_deadline_off_non_working_days
        delay = dt.timedelta(days=request.consolidation_delay_days)
        consolidate_at = None
        consolidations: list[ScheduledConsolidation] = []
        if isinstance(final.deadline, DateDeadline):  # one report, one consolidation
            if request.first_year and final.duty is not None:
                consolidate_at = (
                    calendar.deadline_instant(
                        final.deadline.last_day() + shift, move_off_non_working_days=move
                    )
                    + delay
                )
        elif final.duty is not None:  # each period of the final duty, its own consolidation
            duty = next(d for d in plan.duties if d.id == final.duty)
            consolidations = [
                ScheduledConsolidation(
                    at=calendar.deadline_instant(o.last_day + shift, move_off_non_working_days=move)
                    + delay,
                    period=o.key,
                )
                for o in duty_occurrences(duty, request.year, header, calendar)
                if o.last_day is not None
            ]
        adhoc = next(
            (d.id for d in plan.duties if any(r.kind == "adhoc" for r in d.all_deadlines())), None
        )
        end = header.span.end
        return PlanSchedule(
            starts=sorted(starts, key=lambda s: s.at),
            consolidate_at=consolidate_at,
            year_end=_at(dt.date(request.year + 1, 1, 1) + shift, dt.time(0)),
            coordinator=header.coordinator,
            duty_ids=[d.id for d in plan.duties],
            agencies=[a.code for a in plan.agencies],
            final_duty=final.duty,
            adhoc_duty=adhoc,
            consolidations=sorted(consolidations, key=lambda c: c.at),
            last_year=end.year if end is not None else None,  # years of the plan, unshifted
            open_ended=end is None,
        )

    @activity.defn
    async def start_batch(self, batch: StartBatch) -> StartedBatch:
        """Start one duty's assignments for one period; already running ones are kept."""
        plan = await self._store.get_plan(batch.plan_id)
        duty = next(d for d in plan.duties if d.id == batch.duty_id)
        shift = dt.timedelta(days=batch.options.shift_days)
        last_day = batch.last_day
        if last_day is None and batch.brief is None:
            found = find_occurrence(duty, batch.period, plan.plan, batch.calendar)
            raw = found.last_day if found is not None else None
            last_day = raw + shift if raw is not None else None
        inputs = batch_inputs(
            plan,
            duty,
            period=batch.period,
            last_day=last_day,
            calendar=batch.calendar,
            agencies=batch.agencies,
            brief=batch.brief,
            speed=batch.options.speed,
            clock_origin=batch.options.clock_origin,
            successions=await self._store.successions(plan.directory),
            on=batch.on or dt.datetime.now(VN_TZ).date(),
        )
        known = {r.id: r.status for r in await self._store.list_assignments(plan_id=batch.plan_id)}
        existing = sum(i.assignment_id in known for i in inputs)
        for index, input in enumerate(inputs):
            # A closed assignment is never started again: the store says so without a call,
            # and the id-reuse policy refuses it even when the mirror lags behind.
            if known.get(input.assignment_id) not in FINAL_STATUSES:
                await start_assignment(self._client, input, task_queue=self._task_queue)
            activity.heartbeat(index)
        started = len(inputs) - existing
        log.info(
            "batch_started",
            duty=batch.duty_id,
            period=batch.period,
            count=len(inputs),
            started=started,
            existing=existing,
        )
        return StartedBatch(started=started, existing=existing)

    @activity.defn
    async def start_consolidation(self, input: ConsolidationRunInput) -> str:
        """Start one period's consolidation as a workflow of its own (idempotent: a running
        or finished one with the same id is kept). Not a child: the plan's run continues as
        new each year while a period's report may still await approval."""
        handle = await start_consolidation(self._client, input, task_queue=self._task_queue)
        return handle.id

    @activity.defn
    async def plan_progress(self, request: ProgressRequest) -> Progress:
        """Counts by status and by agency, from the store's mirror of every assignment."""
        rows = await self._store.list_assignments(plan_id=request.plan_id)
        by_status: dict[str, int] = {}
        by_agency: dict[str, dict[str, int]] = {}
        for row in rows:
            status = "overdue" if row.overdue and row.status not in FINAL_STATUSES else row.status
            by_status[status] = by_status.get(status, 0) + 1
            agency = by_agency.setdefault(row.agency_code, {})
            agency[status] = agency.get(status, 0) + 1
        return Progress(
            at=dt.datetime.now(dt.UTC),
            total=len(rows),
            by_status=by_status,
            by_agency=by_agency,
            overdue=by_status.get("overdue", 0),
            on_time=sum(r.outcome == "on_time" for r in rows),
            late=sum(r.outcome == "late" for r in rows),
        )

    @activity.defn
    async def apply_duty_change(self, change: DutyChange) -> AmendmentResult:
        """Withdraw a duty or move its deadline, assignment by assignment, through their
        updates (so each one's validator and audit apply)."""
        rows = [
            r
            for r in await self._store.list_assignments(plan_id=change.plan_id)
            if r.duty_id == change.duty_id and r.status not in FINAL_STATUSES
        ]
        done = refused = 0
        info = activity.info()
        for index, row in enumerate(rows):
            # One id per amendment and assignment: a retried activity sends the same
            # update again, and Temporal applies it once.
            update_id = f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}/{row.id}"
            try:
                if change.kind == "withdraw":
                    await calls.update(
                        self._client,
                        row.id,
                        CANCEL,
                        Cancel(actor=change.actor, reason=change.reason),
                        update_id=update_id,
                    )
                elif row.due_at is None:
                    assert change.new_last_day is not None
                    await calls.update(
                        self._client,
                        row.id,
                        SET_DEADLINE,
                        SetDeadline(actor=change.actor, last_day=change.new_last_day),
                        update_id=update_id,
                    )
                else:
                    assert change.new_last_day is not None
                    await calls.update(
                        self._client,
                        row.id,
                        EXTEND_DEADLINE,
                        ExtendDeadline(
                            actor=change.actor,
                            new_last_day=change.new_last_day,
                            reason=change.reason,
                        ),
                        update_id=update_id,
                    )
                done += 1
            except calls.Refused as refusal:
                refused += 1
                log.warning("amendment_refused", assignment_id=row.id, reason=refusal.message)
            activity.heartbeat(index)
        verb = "Đã rút" if change.kind == "withdraw" else "Đã điều chỉnh hạn"
        note = f" ({refused} phân công không áp dụng được)" if refused else ""
        return AmendmentResult(
            message_vi=f"{verb} nhiệm vụ {change.duty_id} cho {done} phân công{note}.",
            affected=done,
        )

    @activity.defn
    async def extend_calendar(self, request: ExtendCalendar) -> WorkingCalendar:
        """The calendar through `through_year` (public holidays from the `holidays` package),
        with every day announced so far kept: those the run received, then those the store
        holds (announced for years the old calendar did not reach yet)."""
        calendar = request.calendar
        longer = WorkingCalendar.for_years(
            calendar.first_year, max(calendar.last_year, request.through_year)
        )
        kept = longer.amended(
            days_off=calendar.extra_days_off, working_days=calendar.extra_working_days
        )
        return kept.with_announced(await self._store.announced_days())

    @activity.defn
    async def amend_calendars(self, change: CalendarChange) -> AmendmentResult:
        """Pass announced days on to every open assignment of the plan, each through its
        own `amend_calendar` update (its validator, its audit, its timers re-armed)."""
        rows = [
            r
            for r in await self._store.list_assignments(plan_id=change.plan_id)
            if r.status not in FINAL_STATUSES
        ]
        info = activity.info()
        done = refused = 0
        for index, row in enumerate(rows):
            update_id = f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}/{row.id}"
            try:
                await calls.update(
                    self._client, row.id, AMEND_CALENDAR, change.amendment, update_id=update_id
                )
                done += 1
            except calls.Refused as refusal:
                refused += 1
                log.warning(
                    "calendar_amendment_refused", assignment_id=row.id, reason=refusal.message
                )
            activity.heartbeat(index)
        note = f" ({refused} phân công không áp dụng được)" if refused else ""
        return AmendmentResult(
            message_vi=f"Đã cập nhật lịch làm việc cho {done} phân công{note}.", affected=done
        )

    @activity.defn
    async def reroute_successor(self, run: SuccessionRun) -> AmendmentResult:
        """Move the open assignments of a merged or renamed agency to its holder on the day
        (the successor, or the successor's own successor where that change is in effect
        too), each through its `reroute` update. Acts only on the succession the loaded
        directory version still states; assignments already moved are left as they are."""
        change = run.succession
        today = run.on or dt.datetime.now(VN_TZ).date()
        stated = await self._store.successions(run.directory)
        if change not in stated:
            log.info("succession_superseded", directory=run.directory, agency=change.code)
            return AmendmentResult(
                message_vi=f"Danh bạ đã nạp không còn thay đổi này của {change.code}; "
                "không chuyển phân công nào."
            )
        holder = holder_on(change.code, today, stated)
        names = await self._store.agency_names([holder], directory=run.directory)
        rows = await self._store.open_assignments_of(run.directory, change.code)
        actor = Actor(email="danh-ba", role="system", agency=holder, source="directory")
        done = refused = 0
        for index, row in enumerate(rows):
            # One id per assignment and change: a retried activity, or the same change
            # applied again, is one request that Temporal applies once.
            update_id = f"reroute/{row.id}/{change.code}->{holder}/{change.effective}"
            message = Reroute(
                actor=actor,
                from_agency=change.code,
                to_agency=holder,
                to_agency_name=names[holder],
                effective=change.effective,
                basis=change.basis,
            )
            try:
                await calls.update(self._client, row.id, REROUTE, message, update_id=update_id)
                done += 1
            except calls.Refused as refusal:
                refused += 1
                log.warning("reroute_refused", assignment_id=row.id, reason=refusal.message)
            activity.heartbeat(index)
        log.info(
            "succession_applied",
            directory=run.directory,
            agency=change.code,
            successor=holder,
            rerouted=done,
            refused=refused,
        )
        note = f" ({refused} phân công không áp dụng được)" if refused else ""
        return AmendmentResult(
            message_vi=f"Đã chuyển {done} phân công còn mở của {change.code} sang "
            f"{names[holder]}{note}.",
            affected=done,
        )

    @activity.defn
    async def compile_consolidation(self, request: CompileRequest) -> CompiledReport:
        """Gather every agency's accepted report, render the document, keep it in the store."""
        plan = await self._store.get_plan(request.plan_id)
        every = await self._store.list_assignments(plan_id=request.plan_id)
        latest = {
            row.id: submissions[-1]
            for row in every
            if row.status == "accepted"
            and (submissions := await self._store.list_submissions(row.id))
        }
        document = facts.consolidation_input(
            plan,
            duty_id=request.duty_id,
            year=request.year,
            period=request.period,
            report_date=request.report_date,
            assignments=every,
            latest=latest,
        )
        accepted, late, missing = document.accepted, document.late, document.missing
        sign = facts.signing(plan)
        markdown = render_markdown(document)
        docx = render_docx(document)
        document_id = (
            f"{request.plan_id.replace('/', '-')}/consolidated/"
            f"{request.period or request.year}/v{request.version}"
        )
        await self._store.put_document(
            id=document_id,
            plan_id=request.plan_id,
            kind="consolidated_report",
            markdown=markdown,
            docx=docx,
        )
        log.info(
            "consolidation_compiled",
            document=document_id,
            accepted=len(accepted),
            late=len(late),
            missing=len(missing),
            sha256=hashlib.sha256(docx).hexdigest(),
        )
        return CompiledReport(
            document_id=document_id,
            accepted=[r.agency_code for r in accepted],
            late=[r.agency_code for r in late],
            missing=[r.agency_code for r in missing],
            approver="vice_chairman"
            if sign.approver == "vice_chairman"
            else "coordinator_director",
        )

    @activity.defn
    async def issue_consolidation(self, request: IssueReport) -> str:
        """Keep the approved report with its number and date filled in; its id."""
        draft = await self._store.get_document(request.document_id)
        docx, markdown = issue(
            draft.docx, draft.markdown, number=request.report_number, day=request.issued_on
        )
        document_id = f"{request.document_id}-so-{request.report_number}"
        await self._store.put_document(
            id=document_id,
            plan_id=request.plan_id,
            kind="consolidated_report",
            markdown=markdown,
            docx=docx,
        )
        log.info("consolidation_issued", document=document_id, number=request.report_number)
        return document_id

    @activity.defn
    async def consolidation_notices(self, notice: ConsolidationNotice) -> list[NoticeRequest]:
        """The notices of a consolidated report: the request for approval to the
        Vice-Chairman, or the approved report to its recipients. The workflow sends each
        through the notice activity."""
        plan = await self._store.get_plan(notice.plan_id)
        header = plan.plan
        duty = next(d for d in plan.duties if d.id == header.final_report.duty)
        names = {a.code: a.name for a in plan.agencies}
        sign = facts.signing(plan)
        period = notice.document_id.split("/")[-2] if notice.document_id.count("/") >= 3 else None
        brief = DutyBrief(
            id=duty.id,
            clause=duty.clause,
            heading="Báo cáo kết quả thực hiện Kế hoạch",
            text=duty.text,
        )
        deadline = header.final_report.deadline
        due = (
            _at(deadline.due - dt.timedelta(days=1 if deadline.before else 0), dt.time(0))
            + dt.timedelta(days=1)
            if isinstance(deadline, DateDeadline)
            else None
        )
        if notice.kind == "consolidation_ready":
            role: Recipient = (
                "vice_chairman" if sign.approver == "vice_chairman" else "coordinator_director"
            )
            targets: list[tuple[str, list[Recipient]]] = [(header.coordinator, [role])]
            kind: NoticeKind = "report_sign_off"
        else:
            final = header.final_report
            targets = [(code, ["focal", "leader"]) for code in (final.recipient, *final.copies)]
            kind = "report_issued"
        return [
            NoticeRequest(
                idempotency_key=f"{notice.idempotency_key}/{agency}",
                kind=kind,
                assignment_id=notice.document_id,
                plan_id=header.number,
                plan_title=header.title,
                duty=brief,
                agency=agency,
                agency_name=names[agency],
                issuer=header.issuer,
                coordinator=header.coordinator,
                office=header.office,
                recipients=recipients,
                deadline=due,
                period=period,
            )
            for agency, recipients in targets
        ]

    @activity.defn
    async def notify_consolidation(self, notice: ConsolidationNotice) -> None:
        """Runs of the consolidated report started before they sent each notice as an
        activity of its own: build the notices and send them here."""
        for request in await self.consolidation_notices(notice):
            await self._notices.send_notice(request)
