"""The portal's settings page: how a person receives the notices that need no action now.

The choice is per address, across every plan (notice_preferences, migration 0009); the rule
it feeds is domain.digest's, and the page explains it in the words of the README."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from domain.digest import default_delivery
from schemas.digest import Delivery
from web.pages import Me, Resources, SignedInCsrf, field
from web.portal import PageError, render

router = APIRouter(include_in_schema=False)
DELIVERY_VI: dict[str, str] = {
    "digest": "Gom vào bản tin buổi sáng (một thư lúc 08:00 mỗi ngày làm việc)",
    "immediate": "Gửi ngay từng thư nhắc hạn, thông báo quá hạn",
}


async def _page(request: Request, me: Me, portal: Resources, *, saved: bool) -> HTMLResponse:
    chosen = await portal.store.delivery_preferences([me.email])
    default = default_delivery(me.role)
    return render(
        request,
        "settings.html.j2",
        {
            "current": chosen.get(me.email.lower(), default),
            "default": default,
            "choices": DELIVERY_VI,
            "saved": saved,
        },
    )


@router.get("/settings")
async def settings_page(request: Request, me: Me, portal: Resources) -> HTMLResponse:
    """The person's choice and what it means."""
    return await _page(request, me, portal, saved=False)


@router.post("/settings", dependencies=SignedInCsrf)
async def save_settings(request: Request, me: Me, portal: Resources) -> HTMLResponse:
    """Record the choice; a value other than the two offered is refused, naming it."""
    value = field(await request.form(), "delivery")
    if value not in get_args(Delivery):
        raise PageError(
            400,
            "Lựa chọn không hợp lệ",
            f"Trường 'delivery' nhận 'immediate' hoặc 'digest', không nhận {value!r}.",
        )
    await portal.store.set_delivery_preference(me.email, value)  # type: ignore[arg-type]
    return await _page(request, me, portal, saved=True)
