"""Acting from a notice: the approve and return links in an approval request e-mail.

GET shows what the link would do and asks to confirm (mail scanners follow links; nothing
happens on a GET); POST uses the link up and sends the workflow update as the person the
link was made for. A forged link is refused with 400; an expired or used one with 410.

A link acts on the version of the report its e-mail was about: once a newer version is
submitted it is refused (409), and the workflow refuses it too, should the newer version
arrive between the check and the update. Whoever holds the mail acts as its owner, so the
browser's own session counts: signed in as someone else, the link is refused (403); the
audit log records, beside the owner's decision, the session that confirmed it (if any).
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from adapters import links
from client import calls
from client.calls import Refused, Unavailable
from schemas.assignment import (
    MAX_NOTE_CHARS,
    MIN_REASON,
    ActionResult,
    Actor,
    Approve,
    ReturnForRevision,
)
from schemas.base import UNSTORABLE_VI, storable
from schemas.calls import APPROVE, RETURN_FOR_REVISION
from schemas.store import Assignment
from web import views
from web.auth import person
from web.pages import Csrf, assignment_url
from web.portal import PageError, Portal, now, portal_of, readable, render
from web.sessions import Session

log = structlog.get_logger(__name__)
router = APIRouter(include_in_schema=False)
Resources = Annotated[Portal, Depends(portal_of)]
ACTION_VI = {"approve": "Duyệt báo cáo", "return": "Trả lại báo cáo để chỉnh sửa"}


async def _link(request: Request, portal: Portal, token: str) -> tuple[dict[str, str], Actor]:
    """The link's fields and the person it was made for, or the page saying why not."""
    try:
        fields = links.verify(
            portal.secret, "action", token, max_age=portal.settings.action_link_seconds
        )
    except links.ExpiredToken:
        raise PageError(
            410,
            "Liên kết đã hết hạn",
            "Liên kết trong thư đã hết hạn. Đồng chí vẫn có thể đăng nhập hệ "
            "thống để duyệt hoặc trả lại báo cáo.",
        ) from None
    except links.BadToken:
        raise PageError(
            400,
            "Liên kết không hợp lệ",
            "Liên kết không đúng (có thể bị sửa hoặc cắt mất một phần). Hãy mở "
            "lại liên kết trong thư, hoặc đăng nhập hệ thống.",
        ) from None
    if fields.get("action") not in links.ACTIONS or not fields.get("version", "").isdigit():
        raise PageError(400, "Liên kết không hợp lệ", "Liên kết không nêu việc cần làm.")
    actor = person(portal.plan, fields.get("email"))
    if actor is None:
        raise PageError(403, "Không có quyền", "Người nhận liên kết không còn trong danh bạ.")
    signed_in = _session(request).email
    if signed_in is not None and signed_in.lower() != actor.email.lower():
        log.warning("action_link_other_session", link_owner=actor.email, session=signed_in)
        raise PageError(
            403,
            "Liên kết dành cho người khác",
            f"Liên kết này dành cho {actor.email}, nhưng trình duyệt đang đăng "
            f"nhập bằng {signed_in}. Hãy đăng xuất, hoặc để người nhận thư tự mở "
            "liên kết.",
        )
    if await portal.used_links.is_used(fields["nonce"]):
        raise _used()
    return fields, actor.model_copy(update={"source": "web-link"})


def _session(request: Request) -> Session:
    session: Session | None = request.state.session
    return session if session is not None else Session(token="", csrf="")


async def _current_version(portal: Portal, a: Assignment) -> int | None:
    """The version awaiting a decision: the workflow's, or the store's when Temporal does
    not answer (the workflow checks again when the update arrives)."""
    state = await views.live_state(portal, a.id)
    if state is not None:
        return state.submissions[-1].version if state.submissions else None
    kept = await portal.store.list_submissions(a.id)
    return kept[-1].version if kept else None


async def _check_version(portal: Portal, a: Assignment, fields: dict[str, str]) -> int:
    version = int(fields["version"])
    current = await _current_version(portal, a)
    if current is not None and current != version:
        raise PageError(
            409,
            "Liên kết dành cho phiên bản cũ",
            f"Liên kết trong thư dành cho phiên bản {version} của báo cáo, nhưng "
            f"cơ quan đã nộp phiên bản {current}. Liên kết này không dùng được "
            "nữa; thư đề nghị duyệt phiên bản mới có liên kết riêng, hoặc đăng "
            "nhập hệ thống để xem và duyệt.",
        )
    return version


def _used() -> PageError:
    return PageError(
        410,
        "Liên kết đã được dùng",
        "Liên kết này đã được dùng (mỗi thư chỉ dùng được một lần). Kết quả xem "
        "trên trang phân công sau khi đăng nhập.",
    )


@router.get("/a/{token}")
async def confirm(request: Request, token: str, portal: Resources) -> HTMLResponse:
    """What the link will do, with a button to confirm (and a reason box to return)."""
    fields, actor = await _link(request, portal, token)
    a = await readable(portal, actor, fields["assignment"])
    await _check_version(portal, a, fields)
    return render(
        request,
        "action_confirm.html.j2",
        {
            "a": views.row(await portal.plans.get(a.plan_id), a, now=now()),
            "action": fields["action"],
            "action_vi": ACTION_VI[fields["action"]],
            "who": actor,
            "token": token,
            "min_reason": MIN_REASON,
            "reason": "",
            "problem": None,
        },
    )


@router.post("/a/{token}", dependencies=Csrf)
async def perform(
    request: Request,
    token: str,
    portal: Resources,
    reason: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Use the link and send the update; the outcome page shows the workflow's answer."""
    fields, actor = await _link(request, portal, token)
    a = await readable(portal, actor, fields["assignment"])
    version = await _check_version(portal, a, fields)
    action = fields["action"]
    problem = None
    if action == "return" and len(reason.strip()) < MIN_REASON:
        problem = f"Cần ghi rõ lý do trả lại (ít nhất {MIN_REASON} ký tự)."
    elif max(len(reason.strip()), len(comment.strip())) > MAX_NOTE_CHARS:
        problem = f"Lý do hoặc ý kiến dài quá {MAX_NOTE_CHARS} ký tự; hãy rút gọn."
    elif not (storable(reason) and storable(comment)):
        problem = UNSTORABLE_VI
    if problem is not None:
        # Asked again, and the link stays usable: what was typed is a typing matter.
        return render(
            request,
            "action_confirm.html.j2",
            {
                "a": views.row(await portal.plans.get(a.plan_id), a, now=now()),
                "action": action,
                "action_vi": ACTION_VI[action],
                "who": actor,
                "token": token,
                "min_reason": MIN_REASON,
                "reason": reason.replace("\x00", ""),
                "problem": problem,
            },
            status=400,
        )
    if not await portal.used_links.use(fields["nonce"], purpose="action", email=actor.email):
        raise _used()
    try:
        result: ActionResult
        if action == "approve":
            result = await calls.update(
                portal.client,
                a.id,
                APPROVE,
                Approve(actor=actor, comment=comment.strip() or None, version=version),
            )
        else:
            result = await calls.update(
                portal.client,
                a.id,
                RETURN_FOR_REVISION,
                ReturnForRevision(actor=actor, reason=reason.strip(), version=version),
            )
    except Refused as refusal:
        log.info("action_link_refused", assignment_id=a.id, action=action)
        return render(
            request,
            "message.html.j2",
            {
                "title": "Không thực hiện được",
                "message": refusal.reason_vi,
                "kind": "error",
                "back": assignment_url(a.id),
            },
            status=409,
        )
    except Unavailable as down:
        await portal.used_links.release(fields["nonce"])  # nothing happened: try again later
        return render(
            request,
            "message.html.j2",
            {"title": "Chưa thực hiện được", "message": down.message_vi, "kind": "error"},
            status=503,
        )
    session = _session(request).email
    await portal.store.append_audit(
        actor=actor.email,
        action="action_link_used",
        subject=a.id,
        source="web-link",
        detail={
            "action": action,
            "version": version,
            "link_owner": actor.email,
            "session": session,
            "client": request.client.host if request.client else None,
        },
    )
    log.info(
        "action_link_used",
        assignment_id=a.id,
        action=action,
        email=actor.email,
        version=version,
        session=session,
    )
    return render(
        request,
        "message.html.j2",
        {
            "title": "Đã thực hiện",
            "message": result.message_vi,
            "kind": "ok",
            "back": assignment_url(a.id),
        },
    )
