"""Mails per person per working day over a simulated year of several plans at once, before
and after the morning digest: `.venv/bin/python -m bench.digest_year [--copies N]`.

The plans: every plan file in plans/ plus `--copies` copies of plan 516 under other numbers
(the corpus plans are other provinces', so only copies stack on one province's people). Each
assignment's notices follow the workflow's own rules: the assignment notice at the start,
the reminder and escalation instants of schemas.calendar (the ladder repeating past its top
until the report or the year's end), and the approval notices of a report, with each agency
behaving as kehoach.simulation's profiles do (on time, late, returned once, never).

Before: every notice is a mail to each address it names. After: domain.digest decides, as
the worker does, which deliveries wait (quiet hours, repeats past the top, the digest
preference of the role's default), and each working morning a reader gets one digest when
domain.digest.items_for lists something for them (digest readers) or something of theirs
was held (immediate readers). No Temporal, no store: a year of five plans runs in seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from domain.addressing import RECIPIENT_CONTACTS
from domain.assign import plan_assignments
from domain.digest import (
    Routing,
    default_delivery,
    hold_reason,
    items_for,
    reader_delivery,
)
from domain.planfile import load_plan
from kehoach.plan_runs import plan_files
from kehoach.simulation import assign_profiles
from schemas.assignment import AssignmentInput
from schemas.calendar import VN_TZ, WorkingCalendar
from schemas.digest import DigestRow, Reader
from schemas.plan import NormalizedPlan

ROOT = Path(__file__).resolve().parent.parent
DUE_SOON = dt.timedelta(days=5)


@dataclass(frozen=True)
class Mail:
    at: dt.datetime
    to: str
    role: str
    kind: str
    assignment: str
    level: int | None = None
    ladder_levels: int | None = None
    deadline: dt.datetime | None = None


@dataclass
class Life:
    """One assignment's simulated year: its state changes, for the digest's store view."""

    input: AssignmentInput
    deadline: dt.datetime | None
    submitted: list[dt.datetime]
    returned: list[dt.datetime]
    accepted: dt.datetime | None


def at_local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), VN_TZ)


def plans(copies: int) -> list[NormalizedPlan]:
    found = [load_plan(p) for p in plan_files(ROOT / "plans")]
    base = next(p for p in found if p.plan.number.startswith("516/"))
    for n in range(copies):
        number = f"{600 + n}/KH-UBND"
        found.append(
            base.model_copy(update={"plan": base.plan.model_copy(update={"number": number})})
        )
    return found


def addresses(plan: NormalizedPlan, i: AssignmentInput, roles: list[str]) -> list[tuple[str, str]]:
    """(email, role) of each address the roles mean, once each (domain.addressing's table)."""
    agencies = {a.code: a for a in plan.agencies}
    out: dict[str, str] = {}
    for role in roles:
        for field, contact in RECIPIENT_CONTACTS[role]:  # type: ignore[index]
            agency = agencies.get(getattr(i, field))
            if agency is not None:
                out.setdefault(getattr(agency, contact).email.lower(), role)
    return list(out.items())


def simulate(plan: NormalizedPlan, seed: int) -> tuple[list[Mail], list[Life], WorkingCalendar]:
    calendar = WorkingCalendar.for_years(
        min(plan.plan.issued_on.year, plan.plan.year), plan.plan.year + 2
    )
    start = at_local(calendar.next_working_day(plan.plan.issued_on + dt.timedelta(days=1)), 9)
    year_end = at_local(dt.date(plan.plan.year + 1, 1, 1), 0)
    profiles = assign_profiles([a.code for a in plan.agencies], seed=seed)
    mails: list[Mail] = []
    lives: list[Life] = []
    for i in plan_assignments(plan, calendar):

        def send(
            at: dt.datetime,
            kind: str,
            roles: list[str],
            i: AssignmentInput = i,
            level: int | None = None,
            ladder_levels: int | None = None,
            deadline: dt.datetime | None = None,
        ) -> None:
            for to, role in addresses(plan, i, roles):
                mails.append(
                    Mail(
                        at=at,
                        to=to,
                        role=role,
                        kind=kind,
                        assignment=i.assignment_id,
                        level=level,
                        ladder_levels=ladder_levels,
                        deadline=deadline,
                    )
                )

        deadline = (
            None
            if i.last_day is None
            else calendar.deadline_instant(i.last_day, move_off_non_working_days=True)
        )
        send(start, "assignment", ["focal", "leader"], deadline=deadline)
        profile = profiles.get(i.agency, "on_time")
        life = Life(input=i, deadline=deadline, submitted=[], returned=[], accepted=None)
        lives.append(life)
        if deadline is None or deadline < start:
            continue
        last = deadline.astimezone(VN_TZ).date()
        first_submit: dt.datetime | None = {
            "on_time": at_local(calendar.add_working_days(last, -10), 10),
            "after_return": at_local(calendar.add_working_days(last, -10), 10),
            "late": at_local(calendar.add_working_days(last, 4), 10),
            "never": None,
        }[profile]
        if first_submit is not None and first_submit < start:
            first_submit = start + dt.timedelta(hours=1)
        stop = min(first_submit or year_end, year_end)
        for _, at in calendar.reminder_instants(deadline, i.reminders, not_before=start):
            if at < stop:
                send(at, "reminder", ["focal"], deadline=deadline)
        levels = len(i.escalation.steps)
        for level, at, recipients in calendar.escalation_instants(
            deadline, i.escalation, until=stop
        ):
            roles = ["coordinator"] if i.mode == "requested" else recipients
            send(at, "escalation", roles, level=level, ladder_levels=levels, deadline=deadline)
        if first_submit is None or first_submit >= year_end:
            continue
        submit = first_submit
        rounds = 2 if profile == "after_return" else 1
        for round_ in range(rounds):
            life.submitted.append(submit)
            day = submit.astimezone(VN_TZ).date()
            send(submit, "approval_requested", ["leader"])
            approved = at_local(calendar.add_working_days(day, 1), 14)
            send(approved, "approval_requested", ["coordinator"])
            decided = at_local(calendar.add_working_days(day, 3), 14)
            if round_ < rounds - 1:
                life.returned.append(decided)
                send(decided, "returned", ["focal", "leader"])
                submit = at_local(calendar.add_working_days(decided.date(), 3), 10)
            else:
                life.accepted = decided
                send(decided, "accepted", ["focal", "leader"])
    return mails, lives, calendar


def row_at(plan: NormalizedPlan, life: Life, at: dt.datetime) -> DigestRow | None:
    """The assignment as the store would hold it at `at` (None once closed)."""
    if life.accepted is not None and life.accepted <= at:
        return None
    submitted = [t for t in life.submitted if t <= at]
    returned = [t for t in life.returned if t <= at]
    status = "assigned"
    pending = None
    if submitted and (not returned or submitted[-1] > returned[-1]):
        status = "submitted"
        since = submitted[-1]
        pending = "agency_leader" if at - since < dt.timedelta(days=1) else "coordinator"
    elif returned:
        status = "returned"
    i = life.input
    return DigestRow(
        assignment_id=i.assignment_id,
        plan_id=i.plan_id,
        plan_title=i.plan_title,
        clause=i.duty.clause,
        duty_text=i.duty.text,
        agency_code=i.agency,
        agency_name=i.agency_name,
        coordinator=i.coordinator,
        office=i.office,
        issuer=i.issuer,
        status=status,
        due_at=life.deadline,
        overdue=life.deadline is not None and life.deadline <= at and status != "submitted",
        pending_step=pending,
    )


def readers(plan: NormalizedPlan) -> list[Reader]:
    return [
        Reader(
            email=c.email.lower(),
            name=c.name,
            title=c.title,
            agency_code=a.code,
            agency_name=a.name,
            contact=role,
        )
        for a in plan.agencies
        for role, c in (("leader", a.leader), ("focal", a.focal))
    ]


def after(
    plan: NormalizedPlan, mails: list[Mail], lives: list[Life], calendar: WorkingCalendar
) -> list[Mail]:
    """The same year under domain.digest's rules: what goes out at once, and the digests."""
    routing = Routing()
    sent: list[Mail] = []
    held: dict[str, list[dt.datetime]] = defaultdict(list)
    for m in mails:
        reason = hold_reason(
            kind=m.kind,
            delivery=default_delivery(m.role),
            at=m.at,
            calendar=calendar,
            hours=routing.hours,
            deadline=m.deadline if m.kind == "assignment" else None,
            planned_at=m.at,
            escalation_level=m.level,
            ladder_levels=m.ladder_levels,
        )
        if reason is None:
            sent.append(m)
        else:
            held[m.to].append(m.at)
    people = {r.email: r for r in readers(plan)}
    first = min(m.at for m in mails).date()
    last = dt.date(plan.plan.year, 12, 31)
    day = first
    last_digest: dict[str, dt.datetime] = {}
    while day <= last:
        if calendar.is_working_day(day):
            at = at_local(day, 8)
            rows = [r for life in lives if (r := row_at(plan, life, at)) is not None]
            for email, reader in people.items():
                mine = [
                    r
                    for r in rows
                    if reader.agency_code in (r.agency_code, r.coordinator, r.office, r.issuer)
                ]
                since = last_digest.get(email)
                waited = any(t <= at and (since is None or t > since) for t in held.get(email, []))
                if reader_delivery(reader, mine) == "immediate":
                    wanted = waited
                else:
                    wanted = bool(items_for(reader, mine, at=at, due_soon=DUE_SOON))
                if wanted:
                    last_digest[email] = at
                    sent.append(
                        Mail(at=at, to=email, role=reader.contact, kind="digest", assignment="")
                    )
        day += dt.timedelta(days=1)
    return sent


def per_person_day(mails: list[Mail]) -> list[int]:
    """Mails per (address, Vietnam day), over the pairs with at least one mail."""
    return sorted(Counter((m.to, m.at.astimezone(VN_TZ).date()) for m in mails).values())


def p95(values: list[int]) -> float:
    if len(values) < 2:
        return float(values[0]) if values else 0.0
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def summary(name: str, mails: list[Mail], starts: set[dt.date]) -> str:
    days = per_person_day(mails)
    later = per_person_day([m for m in mails if m.at.astimezone(VN_TZ).date() not in starts])
    digests = Counter((m.to, m.at.date()) for m in mails if m.kind == "digest")
    return (
        f"{name:>6}: {len(mails):6d} mails to {len({m.to for m in mails}):4d} addresses;"
        f" per person per day with mail: max {max(days, default=0)}, p95 {p95(days):.0f},"
        f" mean {statistics.fmean(days) if days else 0:.2f};"
        f" after the plans' first day: max {max(later, default=0)}, p95 {p95(later):.0f};"
        f" most digests to one address in a day: {max(digests.values(), default=0)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Mails per person per day, before/after.")
    parser.add_argument("--copies", type=int, default=4, help="copies of plan 516 beside it")
    args = parser.parse_args()
    chosen = plans(args.copies)
    before: list[Mail] = []
    # One province's people read one digest across its plans: plans on the same directory
    # (516 and its copies) are digested together.
    groups: dict[tuple[str, ...], list[tuple[NormalizedPlan, list[Mail], list[Life]]]] = (
        defaultdict(list)
    )
    calendars: dict[tuple[str, ...], WorkingCalendar] = {}
    for plan in chosen:
        mails, lives, calendar = simulate(plan, seed=7)
        before += mails
        key = tuple(sorted(a.code for a in plan.agencies))
        groups[key].append((plan, mails, lives))
        calendars.setdefault(key, calendar)
    digested: list[Mail] = []
    for key, members in groups.items():
        mails = [m for _, ms, _ in members for m in ms]
        lives = [life for _, _, ls in members for life in ls]
        digested += after(members[0][0], mails, lives, calendars[key])
    print(f"plans: {len(chosen)} ({args.copies} of them copies of 516 on its directory)")
    starts = {
        min(m.at for m in ms).astimezone(VN_TZ).date() for g in groups.values() for _, ms, _ in g
    }
    print(summary("before", before, starts))
    print(summary("after", digested, starts))
    print("after, by kind:", dict(sorted(Counter(m.kind for m in digested).items())))
    print("before, by kind:", dict(sorted(Counter(m.kind for m in before).items())))


if __name__ == "__main__":
    main()
