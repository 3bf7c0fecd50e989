"""The morning digest and which notices wait for it. Pure: the rules, the selection of what a
reader should look at from the store's rows, and the words of the digest.

One rule decides whether a delivery goes out now or waits for the next morning digest
(`hold_reason`); one rule decides what a digest lists (`items_for`). The activities apply
them; the portal and README explain them to the people who receive the mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain.notices import Rendered, deadline_day, greeting, shorten
from schemas.calendar import VN_TZ, WorkingCalendar
from schemas.digest import Delivery, DigestItem, DigestRow, Reader, Section

HeldReason = Literal["preference", "past_top", "quiet_hours", "catch_up"]
HELD_VI: dict[HeldReason, str] = {
    "preference": "người nhận chọn nhận bản tin buổi sáng",
    "past_top": "nhắc lại sau cấp cao nhất của thang đôn đốc",
    "quiet_hours": "ngoài giờ làm việc",
    "catch_up": "hạn đã qua khi thông báo được tạo",
}
DIGESTIBLE_KINDS = frozenset({"reminder", "escalation"})
"""Kinds that need no action now: they go to the digest of whoever chose it. Every other kind
(a new assignment, an approval request, a return, an acceptance) asks for an action and goes
out at once, except in quiet hours or when it only catches up on a deadline already past."""
SECTION_VI: dict[Section, str] = {
    "returned": "Báo cáo bị trả lại, cần sửa và nộp lại",
    "waiting": "Báo cáo chờ đồng chí duyệt",
    "overdue": "Nhiệm vụ quá hạn báo cáo",
    "due_soon": "Nhiệm vụ sắp đến hạn",
}
SECTION_ORDER: tuple[Section, ...] = ("returned", "waiting", "overdue", "due_soon")
OPEN = frozenset({"assigned", "returned"})


def default_delivery(role: str) -> Delivery:
    """Agencies' focal officials get reminders at once (they do the work); the leaders, the
    coordinator's and the Office's people get them in the morning digest."""
    return "immediate" if role == "focal" else "digest"


def reader_delivery(reader: Reader, rows: Iterable[DigestRow]) -> Delivery:
    """The default of a reader of the directory: an agency's focal official gets notices at
    once unless the agency coordinates, chases or issues a plan (then its people read the
    digest, as every leader does)."""
    staff = {
        code
        for r in rows
        if r.directory == reader.directory
        for code in (r.coordinator, r.office, r.issuer)
    }
    if reader.contact == "focal" and reader.agency_code not in staff:
        return default_delivery("focal")
    return default_delivery(reader.contact if reader.agency_code not in staff else "office")


@dataclass(frozen=True)
class WorkingHours:
    """When mail may go out: working days, from `start` to `end` Vietnam time."""

    start: dt.time = dt.time(8)
    end: dt.time = dt.time(17)

    def contains(self, at: dt.datetime, calendar: WorkingCalendar) -> bool:
        local = at.astimezone(VN_TZ)
        if not calendar.covers(local.date()) or not calendar.is_working_day(local.date()):
            return False
        return self.start <= local.time() < self.end


@dataclass(frozen=True)
class Routing:
    """The settings of the rule below: working hours and how late is catching up."""

    hours: WorkingHours = WorkingHours()
    catch_up_after: dt.timedelta = dt.timedelta(hours=1)


def hold_reason(
    *,
    kind: str,
    delivery: Delivery,
    at: dt.datetime,
    calendar: WorkingCalendar,
    hours: WorkingHours,
    deadline: dt.datetime | None = None,
    planned_at: dt.datetime | None = None,
    escalation_level: int | None = None,
    ladder_levels: int | None = None,
    catch_up_after: dt.timedelta = dt.timedelta(hours=1),
) -> HeldReason | None:
    """Why a delivery at `at` waits for the next morning digest, or None to send it now."""
    if not hours.contains(at, calendar):
        return "quiet_hours"
    past_top = ladder_levels is not None and (escalation_level or 0) > ladder_levels
    if kind == "escalation" and past_top:
        return "past_top"
    if kind == "assignment" and deadline is not None and deadline <= at:
        return "catch_up"
    if kind in DIGESTIBLE_KINDS:
        if planned_at is not None and at - planned_at > catch_up_after:
            return "catch_up"
        if delivery == "digest":
            return "preference"
    return None


def escalation_step_vi(level: int | None, ladder_levels: int | None) -> str | None:
    """'cấp k' while the level is one of the ladder's; past the top, 'nhắc lần N' (the top
    level's own notice being the first), never a new 'cấp'."""
    if not level:
        return None
    if ladder_levels is None or level <= ladder_levels:
        return f"cấp {level}"
    return f"nhắc lần {level - ladder_levels + 1}"


# --- what a digest lists -----------------------------------------------------------------


def section_of(
    reader: Reader, row: DigestRow, *, at: dt.datetime, due_soon: dt.timedelta
) -> Section | None:
    """What `row` is to `reader` at `at`, or None when it is none of their business today."""
    late = row.status in OPEN and (row.overdue or (row.due_at is not None and row.due_at <= at))
    soon = (
        row.status in OPEN and not late and row.due_at is not None and row.due_at - at <= due_soon
    )
    if reader.directory != row.directory:  # the same code is another agency there
        return None
    found: set[Section] = set()
    if reader.agency_code == row.agency_code:
        if row.status == "returned":
            found.add("returned")
        if late:
            found.add("overdue")
        if soon and reader.contact == "focal":
            found.add("due_soon")
        if reader.contact == "leader" and row.pending_step == "agency_leader":
            found.add("waiting")
    if reader.agency_code == row.coordinator:
        if late and reader.contact == "focal":
            found.add("overdue")
        wanted = "coordinator" if reader.contact == "focal" else "coordinator_director"
        if row.pending_step == wanted:
            found.add("waiting")
    if reader.agency_code == row.office and late:
        found.add("overdue")
    if reader.agency_code == row.issuer and reader.contact == "leader":
        if row.pending_step == "vice_chairman":
            found.add("waiting")
    return next((s for s in SECTION_ORDER if s in found), None)


def items_for(
    reader: Reader,
    rows: Iterable[DigestRow],
    *,
    at: dt.datetime,
    due_soon: dt.timedelta,
    only: frozenset[str] | None = None,
) -> list[DigestItem]:
    """What `reader` should look at, by section; overdue ones grouped by agency and plan,
    the group with the oldest deadline first. `only`: the assignments to keep (for a reader
    who chose immediate delivery, those whose notices were held for the digest)."""
    items = [
        DigestItem(section=section, row=row)
        for row in rows
        if only is None or row.assignment_id in only
        for section in [section_of(reader, row, at=at, due_soon=due_soon)]
        if section is not None
    ]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)

    def due(item: DigestItem) -> dt.datetime:
        return item.row.due_at or far

    oldest: dict[tuple[str, str], dt.datetime] = {}
    for item in items:
        group = (item.row.agency_code, item.row.plan_id)
        oldest[group] = min(oldest.get(group, far), due(item))
    return sorted(
        items,
        key=lambda i: (
            SECTION_ORDER.index(i.section),
            oldest[(i.row.agency_code, i.row.plan_id)] if i.section == "overdue" else far,
            i.row.agency_code if i.section == "overdue" else "",
            i.row.plan_id if i.section == "overdue" else "",
            due(i),
            i.row.assignment_id,
        ),
    )


# --- words ---------------------------------------------------------------------------------

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=lambda name: name is not None and name.endswith(".html.j2"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def greeting_vi(reader: Reader) -> str:
    """A leader is addressed as 'đồng chí'; a focal official writes for the agency; while the
    directory holds only a placeholder for the person, the agency itself is greeted (the rule
    of `domain.notices.greeting`)."""
    if reader.placeholder:
        return greeting(reader.agency_name, None)
    if reader.contact == "leader":
        return f"Đồng chí {reader.name} – {reader.title}, {reader.agency_name}"
    return f"{reader.agency_name} (đồng chí {reader.name} – {reader.title})"


def render_digest(
    reader: Reader, items: list[DigestItem], *, day: dt.date, link_base: str
) -> Rendered:
    """The digest mail: one line per assignment with one link each, by section."""
    base = f"{link_base.rstrip('/')}/assignments"
    sections = []
    for section, group in groupby(items, key=lambda i: i.section):
        lines = [
            {
                "plan": f"Kế hoạch số {i.row.plan_id}",
                "clause": i.row.clause,
                "duty": shorten(i.row.duty_text, 160),
                "agency": i.row.agency_name,
                "deadline": deadline_day(i.row.due_at),
                "link": f"{base}/{quote(i.row.assignment_id, safe='/')}",
            }
            for i in group
        ]
        sections.append({"title": SECTION_VI[section], "lines": lines})
    context = {
        "subject": f"Bản tin sáng {day:%d/%m/%Y}: {len(items)} nhiệm vụ cần xem",
        "greeting": greeting_vi(reader),
        "you": "đồng chí" if reader.contact == "leader" else "quý cơ quan",
        "sections": sections,
        "settings_link": f"{link_base.rstrip('/')}/settings",
    }
    return Rendered(
        subject=str(context["subject"]),
        text=_TEMPLATES.get_template("digest.txt.j2").render(context),
        html=_TEMPLATES.get_template("digest.html.j2").render(context),
    )
