"""Sign-in by e-mailed link, and sign-out (see web.auth for why links and not passwords).

Asking for a link is limited per address (`KEHOACH_SIGNIN_PER_ADDRESS` in
`KEHOACH_SIGNIN_WINDOW_SECONDS`; case and spaces do not make another address) and per client
(`KEHOACH_SIGNIN_PER_CLIENT`). Over the address's limit the page is the same as ever and no
mail goes out, so the answer tells nothing about the address; over the client's limit the
client is asked to wait (429), whatever address it typed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated
from urllib.parse import quote

import structlog
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from adapters import links
from web.auth import end_session as _end_session
from web.auth import person, safe_next, send_signin_mail, signin_token, start_session
from web.pages import Csrf
from web.portal import PageError, Portal, portal_of, render

log = structlog.get_logger(__name__)
router = APIRouter(include_in_schema=False)
Resources = Annotated[Portal, Depends(portal_of)]
_mailing: set[asyncio.Task[None]] = set()  # keeps the sending tasks alive until they finish


@router.get("/signin")
async def signin_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "signin.html.j2", {"next": safe_next(next)})


@router.post("/signin", dependencies=Csrf)
async def signin_request(
    request: Request,
    portal: Resources,
    email: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> HTMLResponse:
    """Mail a sign-in link if the directory knows the address. The page is the same either
    way, and the mail goes out after the answer, so neither the text nor the time tells
    whether an address is in the directory."""
    settings = portal.settings
    window = dt.timedelta(seconds=settings.signin_window_seconds)
    client = request.client.host if request.client else "unknown"
    if not await portal.rates.take(
        "signin_client", client, limit=settings.signin_per_client, window=window
    ):
        log.warning("signin_rate_limited", scope="client")
        raise PageError(
            429,
            "Quá nhiều yêu cầu",
            "Máy này đã yêu cầu nhiều liên kết đăng nhập trong thời gian ngắn. "
            "Hãy đợi ít phút rồi thử lại.",
        )
    address = email.strip()[:254]
    actor = person(portal.plan, address)
    if not await portal.rates.take(
        "signin_address", address.lower(), limit=settings.signin_per_address, window=window
    ):
        log.warning("signin_rate_limited", scope="address")
    elif actor is not None:
        token = signin_token(portal.secret, actor.email, next_path=safe_next(next))
        link = f"{settings.public_base_url.rstrip('/')}/signin/{quote(token, safe='')}"
        task = asyncio.create_task(
            send_signin_mail(
                portal.mail, actor=actor, link=link, minutes=settings.signin_link_seconds // 60
            )
        )
        _mailing.add(task)
        task.add_done_callback(_mailing.discard)
    else:
        log.info("signin_unknown_address")
    return render(
        request,
        "message.html.j2",
        {
            "title": "Hãy kiểm tra hộp thư",
            "message": "Nếu địa chỉ này có trong danh bạ của kế hoạch, một thư chứa liên kết đăng "
            "nhập (dùng một lần, hiệu lực "
            f"{portal.settings.signin_link_seconds // 60} phút) vừa được gửi đến. Mở "
            "thư và bấm vào liên kết để đăng nhập. Nếu đã yêu cầu nhiều lần, hãy dùng "
            "thư đã nhận.",
            "kind": "ok",
        },
    )


def _signin_fields(portal: Portal, token: str) -> dict[str, str]:
    try:
        return links.verify(
            portal.secret, "signin", token, max_age=portal.settings.signin_link_seconds
        )
    except links.ExpiredToken:
        raise PageError(
            410, "Liên kết đã hết hạn", "Liên kết đăng nhập đã hết hạn. Hãy yêu cầu liên kết mới."
        ) from None
    except links.BadToken:
        raise PageError(
            400,
            "Liên kết không hợp lệ",
            "Liên kết đăng nhập không đúng (có thể bị sửa hoặc cắt mất một phần). "
            "Hãy yêu cầu liên kết mới.",
        ) from None


@router.get("/signin/{token}")
async def signin_confirm(request: Request, token: str, portal: Resources) -> HTMLResponse:
    """Ask for one click: a mail scanner following the link must not use it up."""
    fields = _signin_fields(portal, token)
    if await portal.used_links.is_used(fields["nonce"]):
        raise PageError(
            410,
            "Liên kết đã được dùng",
            "Liên kết đăng nhập này đã được dùng. Hãy yêu cầu liên kết mới.",
        )
    return render(request, "signin_confirm.html.j2", {"email": fields["email"], "token": token})


@router.post("/signin/{token}", dependencies=Csrf)
async def signin_complete(request: Request, token: str, portal: Resources) -> Response:
    """Use the link up and start the session."""
    fields = _signin_fields(portal, token)
    actor = person(portal.plan, fields["email"])
    if actor is None:
        raise PageError(403, "Không có quyền", "Địa chỉ thư này không còn trong danh bạ.")
    if not await portal.used_links.use(fields["nonce"], purpose="signin", email=actor.email):
        raise PageError(
            410,
            "Liên kết đã được dùng",
            "Liên kết đăng nhập này đã được dùng. Hãy yêu cầu liên kết mới.",
        )
    await start_session(request, actor.email)
    log.info("signed_in", email=actor.email, role=actor.role, agency=actor.agency)
    return RedirectResponse(safe_next(fields.get("next")), status_code=303)


@router.post("/signout", dependencies=Csrf)
async def signout(request: Request) -> Response:
    await _end_session(request)
    return RedirectResponse("/signin", status_code=303)
