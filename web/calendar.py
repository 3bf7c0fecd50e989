"""The coordinator's form to announce days the government declared after plans started:
extra days off and swap days (working Saturdays or Sundays). Like `kehoach calendar
announce` (client.calendar.announce_to_plans), it keeps the days in the store and sends them
to every running plan of the portal's province, whose run passes them to each open
assignment (reminders, deadline and ladder re-armed); a plan started later begins with them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from client import calls
from client.calendar import announce_to_plans
from client.calls import Refused, Unavailable
from domain.days import parse_days
from schemas.assignment import MIN_REASON, Actor, AmendCalendar
from schemas.calls import ANNOUNCE_CALENDAR
from web.pages import SignedInCsrf, field
from web.portal import COORDINATOR_ROLES, PageError, Portal, portal_of, render, signed_in

router = APIRouter(include_in_schema=False)
Resources = Annotated[Portal, Depends(portal_of)]
FORM = "calendar.html.j2"


def coordinator(me: Annotated[Actor, Depends(signed_in)]) -> Actor:
    """Only the coordinator's officials announce days (the plan's validator checks too)."""
    if me.role not in COORDINATOR_ROLES:
        raise PageError(
            403, "Không có quyền", "Chỉ cơ quan đầu mối công bố ngày nghỉ, ngày làm bù."
        )
    return me


Coordinator = Annotated[Actor, Depends(coordinator)]


@router.get("/calendar")
async def calendar_form(request: Request, me: Coordinator, portal: Resources) -> HTMLResponse:
    return _form(request, portal)


@router.post("/calendar", dependencies=SignedInCsrf)
async def announce(request: Request, me: Coordinator, portal: Resources) -> HTMLResponse:
    """Send the announcement; a person's mistake is shown on the form with what was typed."""
    form = await request.form()
    typed = {name: field(form, name) for name in ("days_off", "working_days", "reason")}
    try:
        days_off = parse_days(typed["days_off"])
        working_days = parse_days(typed["working_days"])
    except ValueError as err:
        return _form(request, portal, typed=typed, error=str(err), status=400)
    if not days_off and not working_days:
        error = "Cần ít nhất một ngày nghỉ hoặc một ngày làm bù."
        return _form(request, portal, typed=typed, error=error, status=400)
    if len(typed["reason"].strip()) < MIN_REASON:
        error = f"Cần ghi rõ căn cứ công bố (ít nhất {MIN_REASON} ký tự)."
        return _form(request, portal, typed=typed, error=error, status=400)
    try:
        announcement = AmendCalendar(
            actor=me, days_off=days_off, working_days=working_days, reason=typed["reason"].strip()
        )
    except ValidationError:
        error = "Tối đa 60 ngày mỗi loại, căn cứ tối đa 2.000 ký tự, không chứa ký tự NUL."
        return _form(request, portal, typed=typed, error=error, status=400)
    try:
        result = await announce_to_plans(
            portal.client,
            portal.store,
            announcement,
            update_id=calls.person_update_id(
                field(form, "request_id"), call=ANNOUNCE_CALENDAR, actor=me.email
            ),
            directory=portal.plan.directory,
        )
    except Refused as refusal:
        return _form(request, portal, typed=typed, error=refusal.reason_vi, status=409)
    except Unavailable as down:
        return _form(request, portal, typed=typed, error=down.message_vi, status=503)
    if result.unanswered:  # the same form sent again completes it, applying nothing twice
        return _form(request, portal, typed=typed, error=result.message_vi, status=503)
    return render(
        request,
        "message.html.j2",
        {"title": "Đã công bố", "message": result.message_vi, "kind": "ok"},
    )


def _form(
    request: Request,
    portal: Portal,
    *,
    typed: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    response = render(
        request,
        FORM,
        {
            "province": portal.plan.directory,
            "typed": typed or {},
            "error": error,
            "min_reason": MIN_REASON,
            "request_id": calls.request_id(),  # a form sent twice applies once
        },
    )
    response.status_code = status
    return response
