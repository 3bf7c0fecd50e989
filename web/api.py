"""The JSON API under /api/v1: the pages' reads and actions for scripts and agency systems.

Authentication: the portal's session cookie (a POST then needs the X-CSRF-Token header with
the session's token, which GET /api/v1/me returns), or `Authorization: Bearer <token>` from
POST /api/v1/token (no CSRF: a browser never sends it on its own). A token is made only from
a signed-in session, never from another token, and is revoked with that session. Same
rights as the pages.
Refusals are `{"detail": "<Vietnamese reason>"}` with 400/401/403/404/409/503, each documented
in /openapi.json on the routes that give it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from client import calls
from client.calls import Refused, Unavailable
from domain import reportform
from schemas.assignment import (
    MAX_NOTE_CHARS,
    MAX_REPORT_CHARS,
    MIN_REASON,
    ActionResult,
    Actor,
    Approve,
    ReturnForRevision,
)
from schemas.assignment import SubmitReport as SubmitUpdate
from schemas.base import Text
from schemas.calls import APPROVE, RETURN_FOR_REVISION, SUBMIT_REPORT
from schemas.plan import ReportForm
from schemas.store import PAGE_LIMIT_MAX, AssignmentFilter
from web import views
from web.auth import CSRF_HEADER, AuthError, bearer_email, check_csrf, person
from web.auth import session_of as _session_of
from web.portal import (
    PageError,
    Portal,
    can_submit,
    now,
    portal_of,
    readable,
)


class FormPartOut(BaseModel):
    code: str
    label: str


class IndicatorOut(BaseModel):
    code: str
    label: str
    unit: str


class ReportFormOut(BaseModel):
    """The parts and the numeric indicators a report on this duty is written on."""

    parts: list[FormPartOut]
    indicators: list[IndicatorOut]


class AssignmentOut(BaseModel):
    """One assignment as the lists show it."""

    id: str
    plan_id: str
    plan_title: str
    duty_id: str
    clause: str
    duty_text: str
    agency_code: str
    agency_name: str
    period: str
    status: str
    status_vi: str
    label: str
    label_vi: str
    due_at: dt.datetime | None
    last_day: str
    overdue: bool
    outcome: str | None


class SubmissionOut(BaseModel):
    version: int
    submitted_by: str
    submitted_at: dt.datetime
    body: str
    attachments: list[dict[str, Any]]


class HistoryOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    action_vi: str
    version: int | None = None
    note: str = ""


class AssignmentDetailOut(AssignmentOut):
    """One assignment with its reports, its history and the approval step it waits for."""

    pending_step: str | None
    return_reason: str | None = Field(
        default=None, description="Why the last version was returned, while it is returned"
    )
    submissions: list[SubmissionOut]
    history: list[HistoryOut]
    report_form: ReportFormOut | None = Field(
        default=None, description="The form a report is written on; None: free text."
    )


class SubmitIn(BaseModel):
    """The report's text; or, where the plan has a report form for the duty, its parts and
    figures by code (`GET /api/assignments/{id}` shows the form), written into the text."""

    body: Text | None = Field(default=None, min_length=1, max_length=MAX_REPORT_CHARS)
    parts: dict[str, Text] | None = None
    figures: dict[str, float | str] | None = None


class ApproveIn(BaseModel):
    comment: Text | None = Field(default=None, max_length=MAX_NOTE_CHARS)


class ReturnIn(BaseModel):
    reason: Text = Field(min_length=MIN_REASON, max_length=MAX_NOTE_CHARS)


class MeOut(BaseModel):
    email: str
    name: str | None
    role: str
    agency: str
    csrf_token: str | None = Field(description="For X-CSRF-Token when using the cookie.")


class TokenOut(BaseModel):
    token: str
    expires_in: int


class Refusal(BaseModel):
    """Why the request was refused, in Vietnamese, for the person."""

    detail: str


_REFUSED = {
    400: "The body could not be read as JSON text (for instance, it is not UTF-8), or the "
    "report does not fit its form (a figure that is not a number, an unknown part).",
    401: "Not signed in: no session and no bearer token, or the token is malformed or expired.",
    403: "Not allowed: another agency's assignment, a cookie POST without X-CSRF-Token, or "
    "a bearer token asking for another token.",
    404: "No such assignment in this plan.",
    409: "The assignment's workflow refused the action (its state, or not the caller's step).",
    413: "The request body is over KEHOACH_WEB_MAX_REQUEST_BYTES.",
    503: "Temporal or the worker did not answer; nothing was done, try again.",
}


def refusals(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented refusals of a route (its OpenAPI `responses`)."""
    return {code: {"model": Refusal, "description": _REFUSED[code]} for code in codes}


READ_ONE = refusals(401, 403, 404)
ACT = refusals(400, 401, 403, 404, 409, 413, 503)


async def api_actor(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_csrf_token: Annotated[str | None, Header(alias=CSRF_HEADER)] = None,
) -> Actor:
    """The caller: a bearer token, or the session cookie (with the CSRF header to change)."""
    portal = portal_of(request)
    email = await bearer_email(portal.sessions, authorization)
    request.state.via_bearer = email is not None
    if email is None:
        email = _session_of(request).email
        if email is not None and request.method not in ("GET", "HEAD"):
            check_csrf(request, x_csrf_token)
    actor = person(portal.plan, email)
    if actor is None:
        raise AuthError(401, "Chưa đăng nhập", "Cần đăng nhập hoặc mã truy cập (Bearer).")
    return actor.model_copy(update={"source": "api"})


router = APIRouter(prefix="/api/v1", tags=["assignments"])
Caller = Annotated[Actor, Depends(api_actor)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="A UUID the client chooses per action; the same action sent again "
        "with it (after a lost answer) applies once and returns the first result.",
    ),
]
Resources = Annotated[Portal, Depends(portal_of)]


@router.get("/me", responses=refusals(401))
async def me(request: Request, caller: Caller) -> MeOut:
    """Who the caller is, and the session's CSRF token for cookie-authenticated POSTs."""
    session = _session_of(request)
    return MeOut(
        email=caller.email,
        name=caller.name,
        role=caller.role,
        agency=caller.agency,
        csrf_token=session.csrf if session.email else None,
    )


@router.post("/token", responses=refusals(401, 403))
async def token(request: Request, caller: Caller, portal: Resources) -> TokenOut:
    """A bearer token for the caller, valid 8 hours (KEHOACH_API_TOKEN_SECONDS), from a
    signed-in session only: a token cannot renew itself. Signing out revokes it."""
    if request.state.via_bearer:
        raise PageError(
            403, "Không có quyền", "Mã truy cập không dùng để lấy mã mới; hãy đăng nhập để lấy mã."
        )
    session = _session_of(request)
    return TokenOut(
        token=await portal.sessions.api_token(session), expires_in=portal.sessions.api_token_seconds
    )


@router.get("/assignments", responses=refusals(401))
async def list_assignments(
    caller: Caller,
    portal: Resources,
    response: Response,
    plan: Annotated[str | None, Query(max_length=255)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_MAX,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[AssignmentOut]:
    """The caller's agency's assignments (all of them for the coordinator and the office), in
    every plan or the one named, soonest due first, a page at a time; the X-Total-Count
    header says how many there are in all."""
    from web.portal import READ_ALL_ROLES

    agency = None if caller.role in READ_ALL_ROLES else caller.agency
    page = await portal.store.page_assignments(
        AssignmentFilter(plan_id=plan, agency_code=agency, directory=portal.plan.directory),
        now=now(),
        limit=limit,
        offset=offset,
    )
    response.headers["X-Total-Count"] = str(page.total)
    return [AssignmentOut.model_validate(views.listed(r)) for r in page.rows]


@router.post("/assignments/{assignment_id:path}/submit", responses=ACT)
async def submit(
    assignment_id: str,
    report: SubmitIn,
    caller: Caller,
    portal: Resources,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """Submit the report: its text, or its form's parts and figures (attachments go
    through the page)."""
    a = await readable(portal, caller, assignment_id)
    if not can_submit(caller, a):
        raise PageError(403, "Không có quyền", "Chỉ cơ quan được giao mới nộp được báo cáo này.")
    body = _report_text(reportform.form_for(portal.plan, a.duty_id), report)
    return await _act(
        calls.update(
            portal.client,
            a.id,
            SUBMIT_REPORT,
            SubmitUpdate(actor=caller, body=body),
            update_id=calls.person_update_id(
                idempotency_key, call=SUBMIT_REPORT, actor=caller.email
            ),
        )
    )


def _form_out(form: ReportForm | None) -> ReportFormOut | None:
    if form is None:
        return None
    return ReportFormOut(
        parts=[FormPartOut(code=p.code, label=p.label) for p in form.parts],
        indicators=[IndicatorOut(code=i.code, label=i.label, unit=i.unit) for i in form.indicators],
    )


def _report_text(form: ReportForm | None, report: SubmitIn) -> str:
    """The text to keep: as sent, or written from the form's parts and figures."""
    structured = report.parts is not None or report.figures is not None
    if structured and report.body is not None:
        raise PageError(
            400, "Báo cáo không hợp lệ", "Gửi body hoặc parts/figures, không gửi cả hai."
        )
    if not structured:
        if report.body is None:
            raise PageError(400, "Báo cáo không hợp lệ", "Báo cáo không được để trống.")
        return report.body
    if form is None:
        raise PageError(
            400, "Báo cáo không hợp lệ", "Nhiệm vụ này không có mẫu báo cáo; hãy gửi body."
        )
    try:
        filled = reportform.answers(form, parts=report.parts or {}, figures=report.figures or {})
    except reportform.FormError as bad:
        raise PageError(400, "Báo cáo không hợp lệ", bad.message_vi) from None
    text = reportform.compose(form, filled)
    if len(text) > MAX_REPORT_CHARS:
        raise PageError(413, "Báo cáo quá dài", f"Tối đa {MAX_REPORT_CHARS} ký tự.")
    return text


@router.post("/assignments/{assignment_id:path}/approve", responses=ACT)
async def approve(
    assignment_id: str,
    decision: ApproveIn,
    caller: Caller,
    portal: Resources,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """Approve the pending step, if it is the caller's."""
    a = await readable(portal, caller, assignment_id)
    return await _act(
        calls.update(
            portal.client,
            a.id,
            APPROVE,
            Approve(actor=caller, comment=decision.comment),
            update_id=calls.person_update_id(idempotency_key, call=APPROVE, actor=caller.email),
        )
    )


@router.post("/assignments/{assignment_id:path}/return", responses=ACT)
async def return_for_revision(
    assignment_id: str,
    decision: ReturnIn,
    caller: Caller,
    portal: Resources,
    idempotency_key: IdempotencyKey = None,
) -> ActionResult:
    """Return the report for revision, with its reason."""
    a = await readable(portal, caller, assignment_id)
    return await _act(
        calls.update(
            portal.client,
            a.id,
            RETURN_FOR_REVISION,
            ReturnForRevision(actor=caller, reason=decision.reason),
            update_id=calls.person_update_id(
                idempotency_key, call=RETURN_FOR_REVISION, actor=caller.email
            ),
        )
    )


@router.get("/assignments/{assignment_id:path}", responses=READ_ONE)
async def get_assignment(
    assignment_id: str, caller: Caller, portal: Resources
) -> AssignmentDetailOut:
    """One assignment with its reports and history."""
    a = await readable(portal, caller, assignment_id)
    shown = await views.detail(portal, caller, a, now=now())
    returned = shown["returned"]
    return AssignmentDetailOut.model_validate(
        {
            **shown,
            "return_reason": returned.reason if returned is not None else None,
            "report_form": _form_out(reportform.form_for(portal.plan, a.duty_id)),
            "submissions": [
                SubmissionOut.model_validate(
                    {
                        **s.model_dump(include={"version", "submitted_by", "submitted_at", "body"}),
                        "attachments": [r.model_dump(mode="json") for r in s.attachments],
                    }
                )
                for s in shown["submissions"]
            ],
        }
    )


async def _act(call: Awaitable[ActionResult]) -> ActionResult:
    try:
        result = await call
    except Refused as refusal:
        raise PageError(409, "Không thực hiện được", refusal.reason_vi) from None
    except Unavailable as down:
        raise PageError(503, "Chưa thực hiện được", down.message_vi) from None
    return result
