"""The portal's FastAPI application, built from resources its caller opened.

`create_app` takes the settings, a Temporal client, the store and the plan, the way
activities receive theirs: `kehoach web` opens them for production, `kehoach up`/`demo`
share the embedded runtime's, and tests pass their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import Client

from adapters import links
from adapters.mail import MailConfig, SmtpSender
from adapters.settings import Settings
from adapters.store import Store
from schemas.plan import NormalizedPlan
from web import actionpages, api, calendar, dashboard, drafts, pages, preferences, signin
from web.auth import SESSION_COOKIE, AuthError
from web.limits import BodyLimit, BodyTooLarge, RateLimits, body_limit_of
from web.nonces import UsedLinks
from web.portal import (
    PAGE_CSP,
    PageError,
    PlanCatalogue,
    Portal,
    SignInRequired,
    error_page,
    with_security_headers,
)
from web.sessions import Sessions

log = structlog.get_logger(__name__)
API_PREFIX = "/api/"
_HTTP_VI: dict[int, tuple[str, str]] = {
    404: ("Không tìm thấy", "Không có trang này. Hãy kiểm tra lại địa chỉ."),
    405: ("Yêu cầu không hợp lệ", "Trang này không nhận yêu cầu kiểu đó."),
    413: (
        "Dữ liệu gửi lên quá lớn",
        "Dữ liệu gửi lên vượt giới hạn cho phép (nội dung và tệp đính kèm). Hãy bớt tệp "
        "hoặc chọn tệp nhỏ hơn rồi gửi lại.",
    ),
}


def create_app(
    *, settings: Settings, client: Client, store: Store, plan: NormalizedPlan
) -> FastAPI:
    """The portal: pages, action links from notices, and the JSON API, over every stored
    plan; `plan`'s directory says who people are (and it is shown until it is stored)."""
    app = FastAPI(
        title="kehoach — cổng thông tin theo dõi kế hoạch",
        version="1",
        description="Agencies submit reports, approvers act, the coordinator follows progress.",
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    secret = settings.secret_key.get_secret_value()
    sessions = Sessions(
        store,
        secret=secret,
        session_seconds=settings.session_seconds,
        api_token_seconds=settings.api_token_seconds,
    )
    app.state.portal = Portal(
        settings=settings,
        client=client,
        store=store,
        plan=plan,
        used_links=UsedLinks.of(store),
        mail=SmtpSender(MailConfig.from_settings(settings)),
        sessions=sessions,
        rates=RateLimits(store),
        plans=PlanCatalogue(store, home=plan),
    )
    secure = settings.public_base_url.startswith("https://")
    # Added first, so it runs inside the session middleware: the refusal for size is raised
    # where the route reads its body and answered as a page like any other refusal.
    app.add_middleware(
        BodyLimit,
        limit_of=body_limit_of(
            request_bytes=settings.web_max_request_bytes, submit_bytes=settings.web_max_submit_bytes
        ),
    )

    @app.middleware("http")
    async def session_cookie(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Find the session the cookie names; write the cookie back when the request started
        or changed it; every answer gets the security headers."""
        request.state.session = await sessions.load(request.cookies.get(SESSION_COOKIE))
        request.state.session_out = None
        response = await call_next(request)
        if request.state.session_out is not None:
            response.set_cookie(
                SESSION_COOKIE,
                request.state.session_out.token,
                max_age=settings.session_seconds,
                httponly=True,
                samesite="lax",
                secure=secure,
                path="/",
            )
        return with_security_headers(response)

    _error_handlers(app)
    routers = (
        signin.router,
        dashboard.router,
        calendar.router,
        drafts.router,
        actionpages.router,
        pages.router,
        preferences.router,
    )
    for router in (*routers, api.router):
        app.include_router(router)
    return app


def _error_handlers(app: FastAPI) -> None:
    def is_api(request: Request) -> bool:
        return request.url.path.startswith(API_PREFIX)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError | AuthError)
        if is_api(request):
            return JSONResponse({"detail": exc.message_vi}, status_code=exc.status)
        return error_page(request, exc)

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        if is_api(request):
            return JSONResponse({"detail": "Cần đăng nhập."}, status_code=401)
        return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError | ValidationError)
        if is_api(request):
            return JSONResponse(
                {
                    "detail": [
                        # The fields FastAPI documents as required (its ValidationError schema); not
                        # `input`, which would echo back what was sent, reports included.
                        {
                            "loc": list(e.get("loc", ())),
                            "msg": e.get("msg", ""),
                            "type": e.get("type", ""),
                        }
                        for e in exc.errors()
                    ]
                },
                status_code=422,
            )
        return error_page(
            request,
            PageError(
                400,
                "Dữ liệu không hợp lệ",
                "Dữ liệu gửi lên không hợp lệ (có thể quá dài); hãy kiểm tra lại.",
            ),
        )

    async def http_refusal(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if isinstance(exc, BodyTooLarge):
            log.warning(
                "request_too_large", path=links.redact_path(request.url.path), limit=exc.limit
            )
        title, message = _HTTP_VI.get(
            exc.status_code, ("Yêu cầu không hợp lệ", "Yêu cầu không hợp lệ.")
        )
        if is_api(request):
            return JSONResponse(
                {"detail": message}, status_code=exc.status_code, headers=exc.headers
            )
        return error_page(request, PageError(exc.status_code, title, message))

    async def failed(request: Request, exc: Exception) -> Response:
        # Outside every middleware: the headers are set here, not by the session middleware.
        log.error(
            "request_failed", path=links.redact_path(request.url.path), error=type(exc).__name__
        )
        if is_api(request):
            response: Response = JSONResponse(
                {"detail": "Lỗi hệ thống; đề nghị thử lại sau."}, status_code=500
            )
        else:
            response = HTMLResponse(_FAILED_PAGE, status_code=500)
            response.headers["Content-Security-Policy"] = PAGE_CSP
        return with_security_headers(response)

    app.add_exception_handler(PageError, refused)
    app.add_exception_handler(AuthError, refused)
    app.add_exception_handler(SignInRequired, sign_in_first)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(ValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_refusal)
    app.add_exception_handler(Exception, failed)


# Rendered without the layout: whatever failed may be what the layout needs.
_FAILED_PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Lỗi hệ thống</title></head>
<body><h1>Lỗi hệ thống</h1><p>Hệ thống gặp lỗi khi xử lý yêu cầu. Đề nghị thử lại sau ít
phút; nếu vẫn lỗi, liên hệ bộ phận vận hành.</p><p><a href="/">Về trang chủ</a></p></body>
</html>
"""
