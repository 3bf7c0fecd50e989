"""The portal's pages: the agency's inbox, an assignment, submitting, approving, returning.

Every action is a workflow update (client.calls); the workflow's validator decides, and a
refusal shows its Vietnamese reason (409). Every POST is checked for the session's CSRF token
first; a page that needs a signed-in person checks that before the form is read, and its form
fields are read by the route itself (not declared as FastAPI parameters, which FastAPI would
read before any check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from client import calls
from client.calls import Refused, Unavailable
from domain import reportform
from domain.vocabulary import STATUS_VI
from schemas.assignment import (
    MAX_NOTE_CHARS,
    MAX_REPORT_CHARS,
    MIN_REASON,
    OPEN_STATUSES,
    ActionResult,
    Actor,
    Approve,
    ReturnForRevision,
    SubmitReport,
)
from schemas.base import UNSTORABLE_VI, storable
from schemas.calls import APPROVE, RETURN_FOR_REVISION, SUBMIT_REPORT, Update
from schemas.store import AssignmentFilter, AttachmentRef
from web import attachments, views
from web.auth import CSRF_FIELD, check_csrf
from web.portal import (
    PageError,
    Portal,
    can_submit,
    chosen,
    now,
    offset_of,
    portal_of,
    readable,
    render,
    signed_in,
)

log = structlog.get_logger(__name__)


async def csrf_form(request: Request) -> None:
    """Route dependency of every form POST: the session's CSRF token must come with it."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    check_csrf(request, token if isinstance(token, str) else None)


router = APIRouter(include_in_schema=False)
Csrf = [Depends(csrf_form)]
# Signed in first: an anonymous POST is answered before a byte of its form is read.
SignedInCsrf = [Depends(signed_in), Depends(csrf_form)]
Me = Annotated[Actor, Depends(signed_in)]


def field(form: FormData, name: str) -> str:
    """A text field of the form ("" if missing or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def shown_version(form: FormData) -> int | None:
    """The report version the page showed when the decision was made (None: not said); the
    workflow refuses the decision if a newer version came in meanwhile."""
    value = field(form, "version")
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


Resources = Annotated[Portal, Depends(portal_of)]


def assignment_url(assignment_id: str) -> str:
    """The assignment page, as notices link it."""
    return f"/assignments/{quote(assignment_id, safe='/')}"


@router.get("/")
async def home(request: Request) -> Response:
    from web.auth import person, session_of

    actor = person(portal_of(request).plan, session_of(request).email)
    return RedirectResponse("/inbox" if actor else "/signin", status_code=303)


@router.get("/inbox")
async def inbox(request: Request, me: Me, portal: Resources) -> HTMLResponse:
    """The signed-in person's agency's assignments in every plan (or the one chosen), soonest
    due first, a page at a time."""
    plan_id = chosen(request, "plan")
    page = await portal.store.page_assignments(
        AssignmentFilter(agency_code=me.agency, plan_id=plan_id, directory=portal.plan.directory),
        now=now(),
        limit=views.PAGE_SIZE,
        offset=offset_of(request),
    )
    return render(
        request,
        "inbox.html.j2",
        {
            "rows": [views.listed(r) for r in page.rows],
            "pager": views.pager(page),
            "plan_choices": await portal.store.plan_titles(directory=portal.plan.directory),
            "chosen": {"plan": plan_id},
            "query": urlencode({"plan": plan_id}) if plan_id else "",
            "agency_name": portal.agency_name(me.agency),
        },
    )


@router.get("/approvals")
async def approvals(request: Request, me: Me, portal: Resources) -> HTMLResponse:
    """The reports waiting for the signed-in person's decision, in every plan or the one
    chosen."""
    plan_id = chosen(request, "plan")
    waiting, pager = await views.awaiting(
        portal, me, now=now(), plan_id=plan_id, offset=offset_of(request)
    )
    return render(
        request,
        "approvals.html.j2",
        {
            "rows": waiting,
            "pager": pager,
            "plan_choices": await portal.store.plan_titles(directory=portal.plan.directory),
            "chosen": {"plan": plan_id},
            "query": urlencode({"plan": plan_id}) if plan_id else "",
        },
    )


@router.get("/assignments/{assignment_id:path}/attachments/{sha256}")
async def attachment(assignment_id: str, sha256: str, me: Me, portal: Resources) -> Response:
    """A file attached to one of the assignment's reports, for those who may read it."""
    a = await readable(portal, me, assignment_id)
    refs = [
        r
        for s in await portal.store.list_submissions(a.id)
        for r in s.attachments
        if r.sha256 == sha256
    ]
    if not refs:
        raise PageError(404, "Không tìm thấy", "Báo cáo của phân công này không có tệp đó.")
    content = await portal.store.get_attachment(sha256)
    name = attachments.display_name(refs[0].name) or "tep"
    return Response(
        content,
        media_type=refs[0].content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}",
        },
    )


@router.post("/assignments/{assignment_id:path}/submit", dependencies=SignedInCsrf)
async def submit(request: Request, assignment_id: str, me: Me, portal: Resources) -> HTMLResponse:
    """Submit the agency's report: text, and attachments kept in the store by reference.

    Nothing is stored for a report that cannot be accepted now (its state, its size, the
    person's upload allowance); files stored for an update the workflow then refuses are
    deleted again."""
    a = await readable(portal, me, assignment_id)
    if not can_submit(me, a):
        raise PageError(403, "Không có quyền", "Chỉ cơ quan được giao mới nộp được báo cáo này.")
    form = await request.form()
    body = field(form, "body")
    report_form = reportform.form_for(portal.plan, a.duty_id)
    if report_form is not None and not body.strip():
        # The plan's form: each part and figure in its own field, written into the text here.
        try:
            filled = reportform.answers(
                report_form,
                parts={p.code: field(form, f"part_{p.code}") for p in report_form.parts},
                figures={i.code: field(form, f"figure_{i.code}") for i in report_form.indicators},
            )
        except reportform.FormError as bad:
            return _outcome(request, assignment_id, refused=bad.message_vi, status=400)
        body = reportform.compose(report_form, filled)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not body.strip():
        return _outcome(request, assignment_id, refused="Báo cáo không được để trống.")
    if len(body) > MAX_REPORT_CHARS:
        return _outcome(
            request,
            assignment_id,
            status=400,
            refused=(
                f"Báo cáo dài {len(body):,} ký tự; tối đa {MAX_REPORT_CHARS:,} ký tự. Hãy rút "
                "gọn, hoặc đưa phần chi tiết vào tệp đính kèm."
            ).replace(",", "."),
        )
    if not storable(body):
        return _outcome(request, assignment_id, refused=UNSTORABLE_VI, status=400)
    state = await views.live_state(portal, a.id)
    if state is not None and state.status not in OPEN_STATUSES:
        return _outcome(
            request,
            assignment_id,
            refused=(f"Không thể nộp lúc này (trạng thái: {STATUS_VI[state.status]})."),
        )
    settings = portal.settings
    try:
        uploads = await attachments.check(
            files,
            max_files=settings.upload_max_files,
            max_file_bytes=settings.upload_max_file_bytes,
        )
    except attachments.BadAttachment as bad:
        return _outcome(request, assignment_id, refused=str(bad), status=400)
    if uploads and not await portal.rates.take(
        "upload",
        me.email.lower(),
        limit=settings.uploads_per_hour,
        window=dt.timedelta(hours=1),
        count=len(uploads),
    ):
        log.warning("upload_rate_limited", email=me.email, files=len(uploads))
        return _outcome(
            request,
            assignment_id,
            status=429,
            refused=(
                f"Đồng chí đã gửi nhiều tệp trong một giờ qua (tối đa {settings.uploads_per_hour} "
                "tệp mỗi giờ). Hãy thử lại sau."
            ),
        )
    refs: list[AttachmentRef] = [
        await portal.store.put_attachment(
            name=u.name, content_type=u.content_type, content=u.content
        )
        for u in uploads
    ]
    try:
        result = await calls.update(
            portal.client,
            assignment_id,
            SUBMIT_REPORT,
            SubmitReport(actor=me, body=body, attachments=refs),
            update_id=form_update_id(form, SUBMIT_REPORT, me),
        )
    except Refused as refusal:
        dropped = await portal.store.drop_unreferenced_attachments([r.sha256 for r in refs])
        log.info("submit_refused", assignment_id=a.id, attachments_dropped=dropped)
        return _outcome(request, assignment_id, refused=refusal.reason_vi)
    except Unavailable as down:
        # Not dropped: the update may have been accepted before the answer was lost.
        return _outcome(request, assignment_id, refused=down.message_vi, status=503)
    return _outcome(request, assignment_id, done=result.message_vi)


@router.post("/assignments/{assignment_id:path}/approve", dependencies=SignedInCsrf)
async def approve(request: Request, assignment_id: str, me: Me, portal: Resources) -> HTMLResponse:
    """Approve the pending step (the workflow checks that it is this person's)."""
    await readable(portal, me, assignment_id)
    form = await request.form()
    comment = field(form, "comment")
    if len(comment.strip()) > MAX_NOTE_CHARS:
        return _outcome(
            request,
            assignment_id,
            status=400,
            refused=(f"Ý kiến dài quá {MAX_NOTE_CHARS} ký tự; hãy rút gọn."),
        )
    if not storable(comment):
        return _outcome(request, assignment_id, refused=UNSTORABLE_VI, status=400)
    return await _act(
        request,
        portal,
        assignment_id,
        lambda: calls.update(
            portal.client,
            assignment_id,
            APPROVE,
            Approve(actor=me, comment=comment.strip() or None, version=shown_version(form)),
            update_id=form_update_id(form, APPROVE, me),
        ),
    )


@router.post("/assignments/{assignment_id:path}/return", dependencies=SignedInCsrf)
async def return_for_revision(
    request: Request, assignment_id: str, me: Me, portal: Resources
) -> HTMLResponse:
    """Return the report for revision; the reason is required (the workflow says so too)."""
    await readable(portal, me, assignment_id)
    form = await request.form()
    reason = field(form, "reason")
    if len(reason.strip()) < MIN_REASON:
        return _outcome(
            request,
            assignment_id,
            refused=f"Cần ghi rõ lý do trả lại (ít nhất {MIN_REASON} ký tự).",
            status=400,
        )
    if len(reason.strip()) > MAX_NOTE_CHARS:
        return _outcome(
            request,
            assignment_id,
            status=400,
            refused=(f"Lý do dài quá {MAX_NOTE_CHARS} ký tự; hãy rút gọn."),
        )
    if not storable(reason):
        return _outcome(request, assignment_id, refused=UNSTORABLE_VI, status=400)
    return await _act(
        request,
        portal,
        assignment_id,
        lambda: calls.update(
            portal.client,
            assignment_id,
            RETURN_FOR_REVISION,
            ReturnForRevision(actor=me, reason=reason.strip(), version=shown_version(form)),
            update_id=form_update_id(form, RETURN_FOR_REVISION, me),
        ),
    )


@router.get("/assignments/{assignment_id:path}")
async def assignment(
    request: Request, assignment_id: str, me: Me, portal: Resources
) -> HTMLResponse:
    """One assignment: the duty, its deadline and status, its reports and its history."""
    a = await readable(portal, me, assignment_id)
    shown = await views.detail(portal, me, a, now=now())
    return render(
        request,
        "assignment.html.j2",
        {
            "a": shown,
            "url": assignment_url(a.id),
            "max_files": portal.settings.upload_max_files,
            "max_mb": f"{portal.settings.upload_max_file_bytes / (1024 * 1024):g}",
            "allowed": attachments.ALLOWED_VI,
            "min_reason": MIN_REASON,
            # One id per page shown: a form sent twice from it (a double click, the browser
            # resending) applies once (form_update_id).
            "request_id": calls.request_id(),
            "report_form": reportform.form_for(portal.plan, a.duty_id),
        },
    )


def form_update_id(form: FormData, call: Update[Any, ActionResult], me: Actor) -> str:
    """The update id of the form's action: the page's request id, scoped by the client."""
    return calls.person_update_id(field(form, "request_id"), call=call, actor=me.email)


async def _act(
    request: Request,
    portal: Portal,
    assignment_id: str,
    call: Callable[[], Awaitable[ActionResult]],
) -> HTMLResponse:
    try:
        result = await call()
    except Refused as refusal:
        return _outcome(request, assignment_id, refused=refusal.reason_vi)
    except Unavailable as down:
        return _outcome(request, assignment_id, refused=down.message_vi, status=503)
    return _outcome(request, assignment_id, done=result.message_vi)


def _outcome(
    request: Request,
    assignment_id: str,
    *,
    done: str | None = None,
    refused: str | None = None,
    status: int = 409,
) -> HTMLResponse:
    """The page after an action: what happened, or the reason it did not."""
    if done is not None:
        return render(
            request,
            "message.html.j2",
            {
                "title": "Đã thực hiện",
                "message": done,
                "kind": "ok",
                "back": assignment_url(assignment_id),
            },
        )
    return render(
        request,
        "message.html.j2",
        {
            "title": "Không thực hiện được",
            "message": refused or "",
            "kind": "error",
            "back": assignment_url(assignment_id),
        },
        status=status,
    )
