"""What every route of the portal shares: its resources, page rendering, errors and rights.

Rights: an agency's focal official and leader see and act on their own agency's assignments
only; the coordinator (Sở TT&TT) sees everything and decides its approval steps; the office
(Văn phòng UBND tỉnh, ops) and the Vice-Chairman read everything. The workflow checks the
right to act again in its validators; the portal's check is about what a person may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from temporalio.client import Client

from adapters.mail import SmtpSender
from adapters.settings import Settings
from adapters.store import Store
from domain.vocabulary import LABEL_VI, STATUS_VI
from schemas.assignment import Actor
from schemas.base import storable
from schemas.plan import NormalizedPlan
from schemas.store import Assignment, Decidable
from web import progress
from web.attachments import display_name
from web.auth import AuthError, person, session_of
from web.limits import RateLimits
from web.nonces import UsedLinks
from web.sessions import Sessions
from workflows.assignment_rules import AGENCY_LEADER_ROLES, SUBMITTER_ROLES

READ_ALL_ROLES = frozenset({"coordinator", "coordinator_director", "office", "vice_chairman"})
COORDINATOR_ROLES = frozenset({"coordinator", "coordinator_director"})
SUBMIT_ROLES = SUBMITTER_ROLES - {"system"}
ROLE_VI: dict[str, str] = {
    "focal": "công chức đầu mối",
    "leader": "lãnh đạo cơ quan",
    "coordinator": "cơ quan đầu mối",
    "coordinator_director": "giám đốc cơ quan đầu mối",
    "vice_chairman": "Phó Chủ tịch UBND tỉnh",
    "office": "Văn phòng UBND tỉnh",
    "system": "hệ thống",
}
# HTML pages load nothing from elsewhere and run no script.
PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Action and sign-in links carry their token in the path: never pass it on.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_PAGES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,  # every value a person typed (reports, reasons) is shown inert
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_PAGES.filters["filename"] = display_name  # names kept before names were cleaned, too


class PlanCatalogue:
    """The stored plans the portal shows, read from the store once each and read again after
    a minute (an amendment stores a new text under the same number)."""

    TTL = dt.timedelta(minutes=1)

    def __init__(self, store: Store, *, home: NormalizedPlan) -> None:
        self._store = store
        self._plans: dict[str, tuple[dt.datetime, NormalizedPlan]] = {}
        self._home = home

    async def get(self, plan_id: str) -> NormalizedPlan:
        """The plan numbered `plan_id` as last stored (the portal's own plan until stored)."""
        at = now()
        kept = self._plans.get(plan_id)
        if kept is not None and at - kept[0] < self.TTL:
            return kept[1]
        from schemas.errors import NotFound

        try:
            plan = await self._store.get_plan(plan_id)
        except NotFound:
            if plan_id != self._home.plan.number:
                raise
            plan = self._home
        self._plans[plan_id] = (at, plan)
        return plan


@dataclass(frozen=True)
class Portal:
    """The resources the routes use, opened by whoever runs the app."""

    settings: Settings
    client: Client
    store: Store
    plan: NormalizedPlan
    used_links: UsedLinks
    mail: SmtpSender
    sessions: Sessions
    rates: RateLimits
    plans: PlanCatalogue
    # Submitted reports whose workflow was asked for the pending step it waits at (views).
    steps_asked: set[str] = field(default_factory=set)

    @property
    def secret(self) -> str:
        return self.settings.secret_key.get_secret_value()

    def agency_name(self, code: str) -> str:
        try:
            return self.plan.agency(code).name
        except KeyError:
            return code


class PageError(Exception):
    """A request the portal refuses; the page (or JSON) says why, in Vietnamese."""

    def __init__(self, status: int, title_vi: str, message_vi: str) -> None:
        super().__init__(message_vi)
        self.status = status
        self.title_vi = title_vi
        self.message_vi = message_vi


class SignInRequired(Exception):
    """No one is signed in: pages redirect to the sign-in form, the API answers 401."""


def portal_of(request: Request) -> Portal:
    """The app's Portal (FastAPI dependency)."""
    portal: Portal = request.app.state.portal
    return portal


def signed_in(request: Request) -> Actor:
    """The signed-in person as the directory knows them (FastAPI dependency)."""
    actor = person(portal_of(request).plan, session_of(request).email)
    if actor is None:
        raise SignInRequired()
    return actor


def render(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """A page from web/templates, with what the layout needs (who, CSRF token, labels)."""
    session = session_of(request)
    portal = portal_of(request)
    actor = person(portal.plan, session.email)
    html = _PAGES.get_template(template).render(
        request=request,
        actor=actor,
        csrf=session.csrf,
        role_vi=ROLE_VI,
        label_vi=LABEL_VI,
        status_vi=STATUS_VI,
        last_day=progress.last_day,
        when=progress.when,
        can_dashboard=actor is not None and actor.role in READ_ALL_ROLES,
        can_import=actor is not None and actor.role in COORDINATOR_ROLES,
        can_approve=actor is not None
        and actor.role in ("leader", *COORDINATOR_ROLES, "vice_chairman"),
        plan=portal.plan.plan,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


def with_security_headers(response: Response) -> Response:
    """The headers every answer carries, pages, files, JSON and refusals alike."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def error_page(request: Request, error: PageError | AuthError) -> HTMLResponse:
    return render(
        request,
        "message.html.j2",
        {"title": error.title_vi, "message": error.message_vi, "kind": "error"},
        status=error.status,
    )


# --- rights -------------------------------------------------------------------------------


def can_read(actor: Actor, assignment: Assignment) -> bool:
    """Own agency's assignments; everything for the coordinator, the office, the issuer."""
    return actor.role in READ_ALL_ROLES or actor.agency == assignment.agency_code


def can_submit(actor: Actor, assignment: Assignment) -> bool:
    """The agency's focal official or leader submits its report (the coordinator's and the
    office's people, their own agency's)."""
    return actor.agency == assignment.agency_code and actor.role in SUBMIT_ROLES


def decidable(actor: Actor) -> Decidable:
    """The approval steps `actor` decides, as the workflow's validator judges them: their own
    agency's leader step, the coordinator's steps of the plans their agency coordinates, the
    Vice-Chairman's of any plan. The approvals inbox asks the store with it."""
    coordinated = set()
    if actor.role in COORDINATOR_ROLES:
        coordinated.add("coordinator")
    if actor.role == "coordinator_director":
        coordinated.add("coordinator_director")
    return Decidable(
        agency=actor.agency,
        own_agency=frozenset({"agency_leader"} if actor.role in AGENCY_LEADER_ROLES else ()),
        coordinated=frozenset(coordinated),
        anywhere=frozenset({"vice_chairman"} if actor.role == "vice_chairman" else ()),
    )


def may_decide(actor: Actor, *, step: str | None, agency: str, coordinator: str) -> bool:
    """Whether `actor` decides the approval `step` of `agency`'s report (as the workflow's
    validator does; the validator stays the judge)."""
    return decidable(actor).decides(step, agency=agency, coordinator=coordinator)


async def readable(portal: Portal, actor: Actor, assignment_id: str) -> Assignment:
    """The assignment, of any stored plan, if `actor` may see it (404/403 otherwise)."""
    from schemas.errors import NotFound

    if not storable(assignment_id):  # no id has one, and PostgreSQL refuses to compare it
        raise PageError(404, "Không tìm thấy", "Không có phân công này.")
    try:
        assignment = await portal.store.get_assignment(assignment_id)
    except NotFound:
        raise PageError(404, "Không tìm thấy", f"Không có phân công {assignment_id}.") from None
    # The actor's agency code names another agency in another province's plans.
    if (await portal.plans.get(assignment.plan_id)).directory != portal.plan.directory:
        raise PageError(404, "Không tìm thấy", f"Không có phân công {assignment_id}.")
    if not can_read(actor, assignment):
        raise PageError(
            403, "Không có quyền", "Phân công này thuộc cơ quan khác; đồng chí không có quyền xem."
        )
    return assignment


MAX_OFFSET = 10_000_000


def chosen(request: Request, name: str) -> str | None:
    """A filter chosen in the query string (None: any); a value no row can have is kept, and
    lists nothing."""
    value = request.query_params.get(name, "").strip()
    return value[:255] if value and storable(value) else None


def offset_of(request: Request) -> int:
    """The first row of the page asked for (0 when not said or not a number)."""
    value = request.query_params.get("offset", "")
    return int(value) if value.isdigit() and int(value) < MAX_OFFSET else 0


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
