"""Importing a plan in the portal: the coordinator uploads the document, reviews the draft
beside the lines it came from, corrects agencies and deadlines, and publishes.

Reading runs in the background (a scanned PDF takes seconds a page) and the draft's page
refreshes itself, without script, until it is ready. Publishing writes the draft plan file
and its directory to a private folder, checks them with `domain.planfile` (as `kehoach plan
check` does) and starts the plan through `client.plan_runs` (as `kehoach plan start` does).
Only the coordinator's people import and publish.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Any

import structlog
import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from adapters.ocr import pdf_ocr
from client.plan_runs import start_plan_run
from domain.planfile import check_plan
from domain.planimport import NotAPlan
from domain.planimport.document import import_document
from domain.planimport.readers import MAX_BYTES
from schemas.assignment import Actor
from schemas.errors import NotFound, PlanConflict, PlanError, PlanProblem
from schemas.plan import AgencyDirectory, DirectoryAgency, NormalizedPlan
from schemas.store import PlanDraftRow
from web.attachments import display_name
from web.draftview import agency_options, duty_rows, header_rows
from web.pages import csrf_form, field
from web.portal import COORDINATOR_ROLES, PageError, Portal, now, portal_of, render, signed_in

log = structlog.get_logger(__name__)
router = APIRouter(include_in_schema=False)
SUFFIXES = (".docx", ".pdf", ".txt", ".md")
# A reading not finished in this time was cut off (the portal restarted): say so, not wait.
READING_GIVES_UP = dt.timedelta(minutes=15)
_READING: set[asyncio.Task[None]] = set()  # kept until done: the loop holds tasks weakly


def coordinator(me: Annotated[Actor, Depends(signed_in)]) -> Actor:
    """Importing and publishing plans is the coordinator's (403 for everyone else)."""
    if me.role not in COORDINATOR_ROLES:
        raise PageError(
            403, "Không có quyền", "Nhập và ban hành kế hoạch dành cho cơ quan đầu mối."
        )
    return me


Coordinator = Annotated[Actor, Depends(coordinator)]
Resources = Annotated[Portal, Depends(portal_of)]
CoordinatorCsrf = [Depends(coordinator), Depends(csrf_form)]


def portal_directory(plan: NormalizedPlan) -> AgencyDirectory:
    """The province's directory as the portal's plan carries it (every agency and group)."""
    return AgencyDirectory(
        province=plan.directory,
        as_of=plan.plan.issued_on,
        agencies=[DirectoryAgency.model_validate(a.model_dump()) for a in plan.agencies],
        groups=list(plan.groups),
    )


async def _draft(portal: Portal, draft_id: str) -> PlanDraftRow:
    try:
        return await portal.store.get_draft(draft_id)
    except NotFound:
        raise PageError(404, "Không tìm thấy", "Không có bản nháp này.") from None


@router.get("/plans/drafts")
async def drafts(request: Request, me: Coordinator, portal: Resources) -> HTMLResponse:
    """The upload form and the latest drafts."""
    rows = await portal.store.list_drafts()
    return render(request, "drafts.html.j2", {"drafts": rows, "suffixes": ",".join(SUFFIXES)})


@router.post("/plans/drafts", dependencies=CoordinatorCsrf)
async def upload(request: Request, me: Coordinator, portal: Resources) -> Response:
    """Take the document and start reading it; the draft's page shows the progress."""
    form = await request.form()
    upload = form.get("document")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise PageError(400, "Chưa chọn tệp", "Hãy chọn tệp văn bản kế hoạch (.docx, .pdf, .txt).")
    name = display_name(upload.filename)[:255] or "van-ban"
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise PageError(
            400,
            "Không đọc được tệp",
            f"Không đọc được tệp {suffix or name}; hãy dùng .docx, .pdf, .txt hoặc .md.",
        )
    # The person's upload allowance, the one report attachments count against too.
    allowance = portal.settings.uploads_per_hour
    if not await portal.rates.take(
        "upload", me.email.lower(), limit=allowance, window=dt.timedelta(hours=1)
    ):
        raise PageError(
            429,
            "Tải lên quá nhiều",
            f"Đồng chí đã gửi nhiều tệp trong một giờ qua (tối đa {allowance} tệp mỗi giờ). "
            "Hãy thử lại sau.",
        )
    data = await upload.read(MAX_BYTES + 1)
    draft_id = uuid.uuid4().hex
    await portal.store.create_draft(id=draft_id, created_by=me.email, source_name=name)
    task = asyncio.create_task(_read(portal, draft_id, data, name), name=f"draft-{draft_id}")
    _READING.add(task)
    task.add_done_callback(_READING.discard)
    log.info("plan_draft_uploaded", draft=draft_id, source=name, bytes=len(data))
    return RedirectResponse(f"/plans/drafts/{draft_id}", status_code=303)


async def _read(portal: Portal, draft_id: str, data: bytes, name: str) -> None:
    """Read the document into a draft (in a thread: it is CPU work) and store it."""
    store, loop = portal.store, asyncio.get_running_loop()

    def on_page(number: int, total: int) -> None:
        step = f"Đang nhận dạng chữ (OCR) trang {number}/{total}"
        percent = 10 + 70 * number // max(total, 1)
        asyncio.run_coroutine_threadsafe(
            store.draft_progress(draft_id, step=step, percent=percent), loop
        )

    try:
        await store.draft_progress(draft_id, step="Đang đọc văn bản", percent=5)
        suffix = Path(name).suffix.lower()
        ocr = await asyncio.to_thread(pdf_ocr, on_page) if suffix == ".pdf" else None
        directory = portal_directory(portal.plan)
        imported = await asyncio.to_thread(
            import_document,
            data,
            source=name,
            suffix=suffix,
            directory=directory,
            agencies_file="agencies.yaml",
            ocr=ocr,
        )
        await store.draft_progress(draft_id, step="Đang lập bản nháp", percent=90)
        files = imported.files
        files.plan["agencies_file"] = "agencies.yaml"
        await store.save_draft(
            draft_id,
            status="ready",
            source_text=imported.text,
            plan=files.plan,
            directory=files.directory or directory.model_dump(mode="json", exclude_none=True),
            notes=files.notes | {"review": imported.review},
        )
        log.info("plan_draft_read", draft=draft_id, duties=len(files.plan["duties"]))
    except NotAPlan as refusal:
        log.info("plan_draft_refused", draft=draft_id, reason=refusal.message)
        await store.save_draft(draft_id, status="refused", message=refusal.message_vi)
    except Exception as exc:  # the page must not wait forever on a draft that failed
        log.exception("plan_draft_failed", draft=draft_id, error=type(exc).__name__)
        await store.save_draft(
            draft_id, status="refused", message="Lỗi hệ thống khi đọc văn bản; đề nghị thử lại."
        )


def _yaml(mapping: dict[str, Any]) -> str:
    return yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False)


def _checked(draft: PlanDraftRow) -> tuple[NormalizedPlan | None, list[PlanProblem], bool]:
    """The draft as `kehoach plan check` sees it: the plan, and its errors or warnings
    (the flag says which)."""
    assert draft.plan is not None and draft.directory is not None
    with tempfile.TemporaryDirectory(prefix="kehoach-draft-") as folder:
        plan_path = Path(folder) / "plan.yaml"
        plan_path.write_text(_yaml(draft.plan), encoding="utf-8")
        (Path(folder) / "agencies.yaml").write_text(_yaml(draft.directory), encoding="utf-8")
        try:
            plan, warnings = check_plan(plan_path)
        except PlanError as refused:
            return None, list(refused.problems), True
    return plan, warnings, False


def _page(request: Request, draft: PlanDraftRow, *, status: int = 200) -> HTMLResponse:
    if draft.status == "reading" and now() - draft.updated_at > READING_GIVES_UP:
        draft = draft.model_copy(
            update={
                "status": "refused",
                "message": "Việc đọc văn bản bị gián đoạn (hệ thống khởi động lại); "
                "hãy tải lên lại.",
            }
        )
    if draft.status in ("reading", "refused") or draft.plan is None:
        return render(request, "draft_reading.html.j2", {"draft": draft})
    plan, problems, errors = _checked(draft)
    assert draft.notes is not None and draft.directory is not None
    return render(
        request,
        "draft.html.j2",
        {
            "draft": draft,
            "header": header_rows(draft.plan),
            "agencies": agency_options(draft.notes, draft.directory),
            "duties": duty_rows(draft.plan, draft.notes, draft.source_text or ""),
            "final": draft.plan["plan"]["final_report"],
            "problems": problems,
            "errors": errors,
            "checked": plan,
            "review": draft.notes.get("review", ""),
        },
        status=status,
    )


@router.get("/plans/drafts/{draft_id}")
async def draft_page(
    request: Request, draft_id: str, me: Coordinator, portal: Resources
) -> HTMLResponse:
    """The draft beside its source, or the progress of its reading."""
    return _page(request, await _draft(portal, draft_id))


def _day(text: str) -> dt.date | None:
    """A date as the browser's date field sends it (2025-12-15) or as people write it
    (15/12/2025); None for anything else."""
    found = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if found is not None:
            return dt.date(int(found[3]), int(found[2]), int(found[1]))
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _corrected(draft: PlanDraftRow, form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan and notes with the form's corrections; PageError naming a bad field."""
    assert draft.plan is not None and draft.notes is not None and draft.directory is not None
    plan = yaml.safe_load(yaml.safe_dump(draft.plan))  # a deep copy the form may change
    notes = dict(draft.notes)
    known = {a["code"] for a in draft.directory["agencies"]}
    known |= {g["code"] for g in draft.directory.get("groups", [])}
    for name in ("number", "title"):
        value = field(form, name).strip()
        if value:
            plan["plan"][name] = value
    agencies = [dict(a) for a in notes["agencies"]]
    for index, agency in enumerate(agencies):
        chosen = field(form, f"agency-{index}")
        if not chosen or chosen == ",".join(agency["codes"]):
            continue
        if chosen not in known:
            raise PageError(
                400,
                "Cơ quan không có trong danh bạ",
                f"Cơ quan của «{agency['name']}»: mã «{chosen}» không có trong danh bạ.",
            )
        for duty in plan["duties"]:
            if duty.get("subject") == agency["name"]:
                duty["lead"] = [chosen]
                if chosen in duty.get("coordinating", []):
                    duty["coordinating"].remove(chosen)
        agency |= {"codes": [chosen], "proposed": False, "corrected": True}
    notes["agencies"] = agencies
    for index, duty in enumerate(plan["duties"]):
        due = field(form, f"due-{index}").strip()
        if not due:
            continue
        day = _day(due)
        if day is None:
            raise PageError(
                400,
                "Hạn không hợp lệ",
                f"Hạn của nhiệm vụ {duty['id']}: «{due}» không phải một ngày (dd/mm/yyyy).",
            )
        words = [r.get("text") for r in (duty.get("deadlines") or [duty.get("deadline", {})])]
        duty.pop("deadlines", None)
        duty["deadline"] = {
            "kind": "date",
            "due": day.isoformat(),
            "text": next((w for w in words if w), f"ngày {day:%d/%m/%Y}"),
            "interpretation": f"Cơ quan đầu mối đặt hạn {day:%d/%m/%Y} khi duyệt bản nháp.",
        }
    return plan, notes


@router.post("/plans/drafts/{draft_id}", dependencies=CoordinatorCsrf)
async def correct(request: Request, draft_id: str, me: Coordinator, portal: Resources) -> Response:
    """Keep the coordinator's corrections; the page shows the check of the result."""
    draft = await _draft(portal, draft_id)
    if draft.status != "ready":
        raise PageError(409, "Không sửa được", "Bản nháp này không còn ở trạng thái chờ duyệt.")
    plan, notes = _corrected(draft, await request.form())
    await portal.store.save_draft(draft_id, status="ready", plan=plan, notes=notes)
    log.info("plan_draft_corrected", draft=draft_id, by=me.email)
    return RedirectResponse(f"/plans/drafts/{draft_id}#kiem-tra", status_code=303)


@router.post("/plans/drafts/{draft_id}/publish", dependencies=CoordinatorCsrf)
async def publish(request: Request, draft_id: str, me: Coordinator, portal: Resources) -> Response:
    """Apply the form's corrections, check the plan and start it; a plan with errors is not
    started and its page lists them."""
    draft = await _draft(portal, draft_id)
    if draft.status != "ready":
        raise PageError(409, "Không ban hành được", "Bản nháp này đã ban hành hoặc chưa đọc xong.")
    plan_map, notes = _corrected(draft, await request.form())
    await portal.store.save_draft(draft_id, status="ready", plan=plan_map, notes=notes)
    draft = await _draft(portal, draft_id)
    plan, _, errors = _checked(draft)
    if plan is None or errors:
        return _page(request, draft, status=422)
    try:
        await start_plan_run(
            portal.client, portal.store, plan, task_queue=portal.settings.task_queue
        )
    except PlanConflict as conflict:
        raise PageError(409, "Không ban hành được", conflict.message_vi) from None
    await portal.store.save_draft(draft_id, status="published", published_plan_id=plan.plan.number)
    log.info("plan_published", draft=draft_id, plan=plan.plan.number, by=me.email)
    return render(
        request,
        "message.html.j2",
        {
            "title": "Đã ban hành kế hoạch",
            "message": f"Kế hoạch {plan.plan.number} đã bắt đầu được theo dõi: "
            f"{len(plan.duties)} nhiệm vụ; các cơ quan được giao sẽ nhận thông báo.",
            "kind": "ok",
        },
    )
