"""The portal's FastAPI application, built from resources its caller opened.

`create_app` takes the settings, a Temporal client, the store and the plan, the way
activities receive theirs: `kehoach web` opens them for production, `kehoach up`/`demo`
share the embedded runtime's, and tests pass their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from temporalio.client import Client

from adapters.mail import MailConfig, SmtpSender
from adapters.settings import Settings
from adapters.store import Store
from schemas.plan import NormalizedPlan
from web import actionpages, api, dashboard, pages, signin
from web.auth import SESSION_COOKIE, SESSION_SECONDS, AuthError, dump_session, load_session
from web.nonces import UsedLinks
from web.portal import PageError, Portal, SignInRequired, error_page

API_PREFIX = "/api/"


def create_app(*, settings: Settings, client: Client, store: Store, plan: NormalizedPlan
               ) -> FastAPI:
    """The portal for `plan`: pages, action links from notices, and the JSON API."""
    app = FastAPI(
        title="kehoach — cổng thông tin theo dõi kế hoạch",
        version="1",
        description="Agencies submit reports, approvers act, the coordinator follows progress.",
        openapi_url="/openapi.json", docs_url="/api/docs", redoc_url=None,
    )
    app.state.portal = Portal(settings=settings, client=client, store=store, plan=plan,
                              used_links=UsedLinks.of(store),
                              mail=SmtpSender(MailConfig.from_settings(settings)))
    secret = settings.secret_key.get_secret_value()
    secure = settings.public_base_url.startswith("https://")

    @app.middleware("http")
    async def sessions(request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Read the session cookie in; write it back when the request started or changed it."""
        request.state.session = load_session(secret, request.cookies.get(SESSION_COOKIE))
        request.state.session_out = None
        response = await call_next(request)
        if request.state.session_out is not None:
            response.set_cookie(SESSION_COOKIE, dump_session(secret, request.state.session_out),
                                max_age=SESSION_SECONDS, httponly=True, samesite="lax",
                                secure=secure, path="/")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Action and sign-in links carry their token in the path: never pass it on.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    _error_handlers(app)
    for router in (signin.router, dashboard.router, actionpages.router, pages.router,
                   api.router):
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
        from urllib.parse import quote

        return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if is_api(request):
            return JSONResponse({"detail": [
                # The fields FastAPI documents as required (its ValidationError schema); not
                # `input`, which would echo back what was sent, reports included.
                {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                for e in exc.errors()
            ]}, status_code=422)
        return error_page(request, PageError(400, "Dữ liệu không hợp lệ",
                                             "Dữ liệu gửi lên không hợp lệ; hãy kiểm tra lại."))

    app.add_exception_handler(PageError, refused)
    app.add_exception_handler(AuthError, refused)
    app.add_exception_handler(SignInRequired, sign_in_first)
    app.add_exception_handler(RequestValidationError, invalid)
