"""Acting from a notice: the approve and return links in an approval request e-mail.

GET shows what the link would do and asks to confirm (mail scanners follow links; nothing
happens on a GET); POST uses the link up and sends the workflow update as the person the
link was made for. A forged link is refused with 400; an expired or used one with 410.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from adapters import links
from client import calls
from client.calls import Refused, Unavailable
from schemas.assignment import MIN_REASON, ActionResult, Actor, Approve, ReturnForRevision
from schemas.base import UNSTORABLE_VI, storable
from schemas.calls import APPROVE, RETURN_FOR_REVISION
from web import views
from web.auth import person
from web.pages import Csrf, assignment_url
from web.portal import PageError, Portal, now, portal_of, readable, render

log = structlog.get_logger(__name__)
router = APIRouter(include_in_schema=False)
Resources = Annotated[Portal, Depends(portal_of)]
ACTION_VI = {"approve": "Duyệt báo cáo", "return": "Trả lại báo cáo để chỉnh sửa"}


async def _link(portal: Portal, token: str) -> tuple[dict[str, str], Actor]:
    """The link's fields and the person it was made for, or the page saying why not."""
    try:
        fields = links.verify(portal.secret, "action", token)
    except links.ExpiredToken:
        raise PageError(410, "Liên kết đã hết hạn",
                        "Liên kết trong thư đã hết hạn. Đồng chí vẫn có thể đăng nhập hệ "
                        "thống để duyệt hoặc trả lại báo cáo.") from None
    except links.BadToken:
        raise PageError(400, "Liên kết không hợp lệ",
                        "Liên kết không đúng (có thể bị sửa hoặc cắt mất một phần). Hãy mở "
                        "lại liên kết trong thư, hoặc đăng nhập hệ thống.") from None
    if fields.get("action") not in links.ACTIONS:
        raise PageError(400, "Liên kết không hợp lệ", "Liên kết không nêu việc cần làm.")
    actor = person(portal.plan, fields.get("email"))
    if actor is None:
        raise PageError(403, "Không có quyền", "Người nhận liên kết không còn trong danh bạ.")
    if await portal.used_links.is_used(fields["nonce"]):
        raise _used()
    return fields, actor.model_copy(update={"source": "web-link"})


def _used() -> PageError:
    return PageError(410, "Liên kết đã được dùng",
                     "Liên kết này đã được dùng (mỗi thư chỉ dùng được một lần). Kết quả xem "
                     "trên trang phân công sau khi đăng nhập.")


@router.get("/a/{token}")
async def confirm(request: Request, token: str, portal: Resources) -> HTMLResponse:
    """What the link will do, with a button to confirm (and a reason box to return)."""
    fields, actor = await _link(portal, token)
    a = await readable(portal, actor, fields["assignment"])
    return render(request, "action_confirm.html.j2", {
        "a": views.row(portal, a, now=now()), "action": fields["action"],
        "action_vi": ACTION_VI[fields["action"]], "who": actor, "token": token,
        "min_reason": MIN_REASON, "reason": "", "problem": None,
    })


@router.post("/a/{token}", dependencies=Csrf)
async def perform(
    request: Request, token: str, portal: Resources,
    reason: Annotated[str, Form()] = "", comment: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Use the link and send the update; the outcome page shows the workflow's answer."""
    fields, actor = await _link(portal, token)
    a = await readable(portal, actor, fields["assignment"])
    action = fields["action"]
    problem = None
    if action == "return" and len(reason.strip()) < MIN_REASON:
        problem = f"Cần ghi rõ lý do trả lại (ít nhất {MIN_REASON} ký tự)."
    elif not (storable(reason) and storable(comment)):
        problem = UNSTORABLE_VI
    if problem is not None:
        # Asked again, and the link stays usable: what was typed is a typing matter.
        return render(request, "action_confirm.html.j2", {
            "a": views.row(portal, a, now=now()), "action": action,
            "action_vi": ACTION_VI[action], "who": actor, "token": token,
            "min_reason": MIN_REASON, "reason": reason.replace("\x00", ""),
            "problem": problem,
        }, status=400)
    if not await portal.used_links.use(fields["nonce"], purpose="action", email=actor.email):
        raise _used()
    try:
        result: ActionResult
        if action == "approve":
            result = await calls.update(portal.client, a.id, APPROVE,
                                       Approve(actor=actor, comment=comment.strip() or None))
        else:
            result = await calls.update(portal.client, a.id, RETURN_FOR_REVISION,
                                       ReturnForRevision(actor=actor, reason=reason.strip()))
    except Refused as refusal:
        log.info("action_link_refused", assignment_id=a.id, action=action)
        return render(request, "message.html.j2", {
            "title": "Không thực hiện được", "message": refusal.reason_vi, "kind": "error",
            "back": assignment_url(a.id)}, status=409)
    except Unavailable as down:
        await portal.used_links.release(fields["nonce"])  # nothing happened: try again later
        return render(request, "message.html.j2", {
            "title": "Chưa thực hiện được", "message": down.message_vi, "kind": "error"},
            status=503)
    log.info("action_link_used", assignment_id=a.id, action=action, email=actor.email)
    return render(request, "message.html.j2", {
        "title": "Đã thực hiện", "message": result.message_vi, "kind": "ok",
        "back": assignment_url(a.id)})
