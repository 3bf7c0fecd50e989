"""Who is at the keyboard: sign-in by e-mailed link, server-side sessions, CSRF tokens.

Why a link by e-mail and no passwords: the portal serves hundreds of officials across
forty-odd agencies who use it a few times a year. Passwords would have to be stored, hashed,
reset and rotated, and would be forgotten between reports; a reset goes by e-mail anyway. The
e-mail address is already the identity the plan's directory knows (`domain.people`), and
the agency mailbox is where every notice goes, so "can read that mailbox" is exactly the
right to act. The link works once, for 15 minutes (KEHOACH_SIGNIN_LINK_SECONDS), and only
opens a page with a button: a mail scanner that follows the link signs no one in and does not
use it up.

Sessions live on the server (web.sessions): the cookie is a random value the store keeps
hashed, with the person, the CSRF token and the end (8 hours by default); HttpOnly,
SameSite=Lax, Secure when the portal is served over https. Signing out revokes it. A visitor
who has not signed in gets an anonymous session that carries only a CSRF token, so the
sign-in form is protected too. Every form POST carries the session's token; a POST without
it, or with another, is refused with 403. Pages that need a signed-in person check that
before reading the form (web.pages), so an anonymous POST is refused without its body.
"""

from __future__ import annotations

import secrets

import structlog
from fastapi import Request

from adapters import links
from adapters.mail import MailPermanent, MailTransient, SmtpSender, build_message
from domain.people import actor_for
from schemas.assignment import Actor
from schemas.errors import KehoachError
from schemas.plan import NormalizedPlan
from web.sessions import Session, Sessions

log = structlog.get_logger(__name__)

SESSION_COOKIE = "kehoach_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


class AuthError(Exception):
    """Authentication or CSRF failed; `status` and a Vietnamese message for the page."""

    def __init__(self, status: int, title_vi: str, message_vi: str) -> None:
        super().__init__(message_vi)
        self.status = status
        self.title_vi = title_vi
        self.message_vi = message_vi


def session_of(request: Request) -> Session:
    """The request's session, starting an anonymous one (sent back as a cookie) if none."""
    current: Session | None = request.state.session
    if current is None:
        sessions: Sessions = request.app.state.portal.sessions
        current = sessions.anonymous()
        request.state.session = current
        request.state.session_out = current
    return current


async def start_session(request: Request, email: str) -> Session:
    """Sign `email` in: a new session (new cookie, new CSRF token) replaces whatever was."""
    sessions: Sessions = request.app.state.portal.sessions
    previous: Session | None = request.state.session
    if previous is not None:
        await sessions.end(previous)  # a signed-in session it replaces ends here
    session = await sessions.start(email)
    request.state.session = session
    request.state.session_out = session
    return session


async def end_session(request: Request) -> None:
    """Sign out: the session (and its API tokens) is revoked, an anonymous one replaces it."""
    sessions: Sessions = request.app.state.portal.sessions
    current: Session | None = request.state.session
    if current is not None:
        revoked = await sessions.end(current)
        log.info("signed_out", email=current.email, revoked=revoked)
    session = sessions.anonymous()
    request.state.session = session
    request.state.session_out = session


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse (403) unless `token` is the session's CSRF token."""
    session: Session | None = request.state.session
    if session is None or not token or not secrets.compare_digest(session.csrf, token):
        log.warning("csrf_refused", path=links.redact_path(request.url.path))
        raise AuthError(
            403,
            "Yêu cầu bị từ chối",
            "Biểu mẫu đã hết hạn hoặc không được gửi từ trang của hệ thống. "
            "Vui lòng tải lại trang và thực hiện lại.",
        )


def person(plan: NormalizedPlan, email: str | None) -> Actor | None:
    """The directory's Actor for a signed-in e-mail (None if the directory dropped it)."""
    if not email:
        return None
    try:
        return actor_for(plan, email, source="web")
    except KehoachError:
        return None


# --- sign-in links ----------------------------------------------------------------------


def signin_token(secret: str, email: str, *, next_path: str = "/") -> str:
    """A one-time sign-in token for `email` (the nonce makes it single-use)."""
    return links.sign(
        secret, "signin", {"email": email, "nonce": secrets.token_urlsafe(16), "next": next_path}
    )


def safe_next(path: str | None) -> str:
    """Only a path on this site (no scheme, no //host): no open redirect after sign-in."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


async def send_signin_mail(mail: SmtpSender, *, actor: Actor, link: str, minutes: int) -> None:
    """E-mail the sign-in link; failures are logged, never shown (no enumeration)."""
    text = (
        f"Kính gửi: {actor.name or actor.email}.\n\n"
        "Có yêu cầu đăng nhập Hệ thống theo dõi thực hiện kế hoạch bằng địa chỉ thư này.\n"
        f"Mở liên kết sau để đăng nhập (dùng một lần, hiệu lực {minutes} phút):\n\n"
        f"{link}\n\n"
        "Nếu đồng chí không yêu cầu, xin bỏ qua thư này.\n\n"
        "--\nThư được gửi tự động; xin vui lòng không trả lời thư này.\n"
    )
    message = build_message(
        sender=mail.config.sender,
        to_name=actor.name or "",
        to_address=actor.email,
        subject="Liên kết đăng nhập hệ thống theo dõi kế hoạch",
        text=text,
    )
    try:
        await mail.send(message)
        log.info("signin_mail_sent", to=actor.email)
    except (MailPermanent, MailTransient) as err:
        log.error("signin_mail_failed", to=actor.email, error=str(err))


# --- API tokens -------------------------------------------------------------------------


async def bearer_email(sessions: Sessions, authorization: str | None) -> str | None:
    """The e-mail of a live `Authorization: Bearer` token; AuthError(401) for any other."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError(401, "Chưa đăng nhập", "Chỉ chấp nhận Authorization: Bearer <token>.")
    email = await sessions.bearer_email(token.strip())
    if email is None:
        raise AuthError(
            401,
            "Chưa đăng nhập",
            "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi; hãy đăng nhập và lấy mã mới.",
        )
    return email
