"""Who is at the keyboard: sign-in by e-mailed link, signed session cookies, CSRF tokens.

Why a link by e-mail and no passwords: the portal serves hundreds of officials across
forty-odd agencies who use it a few times a year. Passwords would have to be stored, hashed,
reset and rotated, and would be forgotten between reports; a reset goes by e-mail anyway. The
e-mail address is already the identity the plan's directory knows (`domain.people`), and
the agency mailbox is where every notice goes, so "can read that mailbox" is exactly the
right to act. The link works once, for 15 minutes, and only opens a page with a button: a
mail scanner that follows the link signs no one in and does not use it up.

Sessions are stateless: a signed cookie (adapters.links, purpose "session") holding the e-mail,
the CSRF token and an expiry 8 hours ahead; HttpOnly, SameSite=Lax, Secure when the portal is
served over https. A visitor who has not signed in gets an anonymous session that carries only
a CSRF token, so the sign-in form is protected too. Every form POST carries the session's
token; a POST without it, or with another, is refused with 403.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, replace

import structlog
from fastapi import Request

from adapters import links
from adapters.mail import MailPermanent, MailTransient, SmtpSender, build_message
from domain.people import actor_for
from schemas.assignment import Actor
from schemas.errors import KehoachError
from schemas.plan import NormalizedPlan

log = structlog.get_logger(__name__)

SESSION_COOKIE = "kehoach_session"
SESSION_SECONDS = 8 * 3600
SIGNIN_SECONDS = 15 * 60
API_TOKEN_SECONDS = 8 * 3600
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Session:
    """What the session cookie says: the CSRF token, and who signed in (None: nobody)."""

    csrf: str
    email: str | None = None
    expires_at: float = 0.0


class AuthError(Exception):
    """Authentication or CSRF failed; `status` and a Vietnamese message for the page."""

    def __init__(self, status: int, title_vi: str, message_vi: str) -> None:
        super().__init__(message_vi)
        self.status = status
        self.title_vi = title_vi
        self.message_vi = message_vi


def new_session(email: str | None = None) -> Session:
    """A fresh session with its own CSRF token (a new one at sign-in, against fixation)."""
    return Session(csrf=secrets.token_urlsafe(24), email=email,
                   expires_at=time.time() + SESSION_SECONDS)


def load_session(secret: str, cookie: str | None) -> Session | None:
    """The session a cookie carries, or None if it is missing, forged or expired."""
    if not cookie:
        return None
    try:
        fields = links.verify(secret, "session", cookie)
    except (links.BadToken, links.ExpiredToken):
        return None
    email = fields.get("email") or None
    return Session(csrf=fields.get("csrf", ""), email=email,
                   expires_at=float(fields.get("until", "0")))


def dump_session(secret: str, session: Session) -> str:
    """The cookie value of a session."""
    return links.sign(secret, "session",
                      {"csrf": session.csrf, "email": session.email or "",
                       "until": str(int(session.expires_at))},
                      expires_at=session.expires_at)


def session_of(request: Request) -> Session:
    """The request's session, starting an anonymous one (sent back as a cookie) if none."""
    current: Session | None = request.state.session
    if current is None:
        current = new_session()
        request.state.session = current
        request.state.session_out = current
    return current


def start_session(request: Request, email: str) -> Session:
    """Sign `email` in: a new session (new CSRF token) replaces whatever was there."""
    session = new_session(email)
    request.state.session = session
    request.state.session_out = session
    return session


def end_session(request: Request) -> None:
    """Sign out: an anonymous session replaces the signed-in one."""
    session = replace(new_session(), email=None)
    request.state.session = session
    request.state.session_out = session


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse (403) unless `token` is the session's CSRF token."""
    session: Session | None = request.state.session
    if session is None or not token or not secrets.compare_digest(session.csrf, token):
        log.warning("csrf_refused", path=request.url.path)
        raise AuthError(403, "Yêu cầu bị từ chối",
                        "Biểu mẫu đã hết hạn hoặc không được gửi từ trang của hệ thống. "
                        "Vui lòng tải lại trang và thực hiện lại.")


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
    return links.sign(secret, "signin",
                      {"email": email, "nonce": secrets.token_urlsafe(16), "next": next_path},
                      expires_at=time.time() + SIGNIN_SECONDS)


def safe_next(path: str | None) -> str:
    """Only a path on this site (no scheme, no //host): no open redirect after sign-in."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


async def send_signin_mail(mail: SmtpSender, *, actor: Actor, link: str) -> None:
    """E-mail the sign-in link; failures are logged, never shown (no enumeration)."""
    text = (
        f"Kính gửi: {actor.name or actor.email}.\n\n"
        "Có yêu cầu đăng nhập Hệ thống theo dõi thực hiện kế hoạch bằng địa chỉ thư này.\n"
        f"Mở liên kết sau để đăng nhập (dùng một lần, hiệu lực {SIGNIN_SECONDS // 60} phút):\n\n"
        f"{link}\n\n"
        "Nếu đồng chí không yêu cầu, xin bỏ qua thư này.\n\n"
        "--\nThư được gửi tự động; xin vui lòng không trả lời thư này.\n"
    )
    message = build_message(
        sender=mail.config.sender, to_name=actor.name or "", to_address=actor.email,
        subject="Liên kết đăng nhập hệ thống theo dõi kế hoạch", text=text)
    try:
        await mail.send(message)
        log.info("signin_mail_sent", to=actor.email)
    except (MailPermanent, MailTransient) as err:
        log.error("signin_mail_failed", to=actor.email, error=str(err))


# --- API tokens -------------------------------------------------------------------------


def api_token(secret: str, email: str) -> str:
    """A bearer token for scripts, valid as long as a session."""
    return links.sign(secret, "api", {"email": email},
                      expires_at=time.time() + API_TOKEN_SECONDS)


def bearer_email(secret: str, authorization: str | None) -> str | None:
    """The e-mail of a valid `Authorization: Bearer` token; AuthError(401) for a bad one."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthError(401, "Chưa đăng nhập", "Chỉ chấp nhận Authorization: Bearer <token>.")
    try:
        return links.verify(secret, "api", token.strip())["email"]
    except links.ExpiredToken:
        raise AuthError(401, "Hết phiên", "Mã truy cập đã hết hạn; hãy lấy mã mới.") from None
    except (links.BadToken, KeyError):
        raise AuthError(401, "Chưa đăng nhập", "Mã truy cập không hợp lệ.") from None
