"""A draft in the shape of a plan file, as far as the plan model can express it.

The plan model has one deadline rule per duty and knows dates, monthly…annual recurrences
with a due day, ad-hoc reports and "open"/"none"; it has no month-only, quarter, year,
relative, daily or event deadline yet. What it cannot hold goes to the file's `draft:`
section, next to where each duty came from and how sure the importer was, so a person can
decide; `kehoach plan check` accepts the file once that section is resolved and removed.
"""

import datetime as dt
import re
from typing import Any

from domain.planimport.matching import propose_agency
from domain.planimport.names import name_key
from schemas.plan import DueInPeriod
from schemas.plan_draft import DraftAgency, DraftDeadline, DraftDuty, PlanDraft

_FREQUENCIES = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


def lead_codes(agency: DraftAgency, codes: dict[str, str]) -> list[str]:
    """Who leads the agency's duties: its code, or the codes of the bodies it lists."""
    if agency.match is not None and agency.match.members:
        return list(agency.match.members)
    return [codes[agency.name]]


def agency_codes(draft: PlanDraft) -> dict[str, str]:
    """Name → code: the directory's code when matched, else a proposed one."""
    taken: set[str] = set()
    codes: dict[str, str] = {}
    for agency in draft.agencies:
        if agency.match is not None and agency.match.code is not None:
            codes[agency.name] = agency.match.code
            taken.add(agency.match.code)
    for agency in draft.agencies:
        if agency.name not in codes:
            proposal = agency.proposal or propose_agency(agency.name, taken)
            codes[agency.name] = proposal.code
            taken.add(proposal.code)
    return codes


def _due_in_period(deadline: DraftDeadline, frequency: str) -> dict[str, int] | None:
    months = _FREQUENCIES[frequency]
    if deadline.day_of_month and frequency == "monthly":
        return {"month_of_period": 1, "day": deadline.day_of_month[0]}
    if deadline.month_day:
        month, day = (int(x) for x in deadline.month_day[0].split("-"))
        month_of_period = (month - 1) % months + 1
        try:
            DueInPeriod(month_of_period=month_of_period, day=day)
        except ValueError:
            return None
        return {"month_of_period": month_of_period, "day": day}
    return None


def deadline_rule(deadline: DraftDeadline) -> dict[str, Any] | None:
    """The plan model's rule for one deadline phrase, or None if it has no such rule."""
    if deadline.kind == "date" and deadline.date:
        before = bool(re.match(r"^(trước|hoàn thành trước|xong trước)", deadline.phrase, re.I))
        return {
            "kind": "date",
            "due": deadline.date,
            "before": before,
            "source_text": deadline.phrase,
        }
    if deadline.kind == "recurring" and deadline.recurrence in _FREQUENCIES:
        rule: dict[str, Any] = {
            "kind": "recurring",
            "frequency": deadline.recurrence,
            "source_text": deadline.phrase,
        }
        due = _due_in_period(deadline, deadline.recurrence)
        if due is not None:
            rule["due"] = due
        return rule
    if deadline.kind in {"adhoc", "event"}:
        return {"kind": "adhoc", "source_text": deadline.phrase}
    if deadline.kind == "continuous":
        return {"kind": "none"}
    return None


def _best_rule(deadlines: list[DraftDeadline]) -> tuple[dict[str, Any], list[DraftDeadline]]:
    """The duty's rule and the phrases the rule does not carry."""
    order = {"date": 0, "recurring": 1, "adhoc": 2, "event": 3, "continuous": 4}
    ranked = sorted(
        (d for d in deadlines if deadline_rule(d) is not None), key=lambda d: order.get(d.kind, 9)
    )
    if not ranked:
        left = list(deadlines)
        note = "; ".join(d.phrase for d in left)
        return ({"kind": "open", "note": note} if left else {"kind": "none"}), left
    chosen = ranked[0]
    rule = deadline_rule(chosen)
    assert rule is not None
    # The model holds one due day per period; a phrase with several keeps them all in draft.
    several = len(chosen.day_of_month) > 1 or len(chosen.month_day) > 1
    return rule, [d for d in deadlines if d is not chosen or several]


def _clause(section: str, clause: str) -> str:
    """The plan model's clause id ("IV.1.a"): Roman section first, digits and letters."""
    parts = [p for p in clause.split(".") if p]
    if parts and re.fullmatch(r"[IVX]+", parts[0]):
        return ".".join(parts)
    return ".".join([section.split(".")[0], *parts]) if parts else section


def _duties(
    agency: DraftAgency, leads: list[str], used: set[str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    duties: list[dict[str, Any]] = []
    notes: dict[str, Any] = {}
    clauses = [_clause(agency.sections[0], duty.clause) for duty in agency.duties]
    seen: dict[str, int] = {}
    for duty, clause in zip(agency.duties, clauses, strict=True):
        if clauses.count(clause) > 1:  # dash items under one heading: IV.1.1, IV.1.2 …
            seen[clause] = seen.get(clause, 0) + 1
            clause = f"{clause}.{seen[clause]}"
        duty_id, n = clause, 2
        while duty_id in used:
            duty_id, n = f"{clause}-{n}", n + 1
        used.add(duty_id)
        rule, left = _best_rule(duty.deadlines)
        section = clause.split(".")[0]
        partners, unmatched = _partners(duty, leads)
        entry: dict[str, Any] = {
            "id": duty_id,
            "clause": clause,
            "section": section,
            "heading": agency.name,
            "text": duty.phrase,
            "lead": list(leads),  # no shared list: YAML would alias it
        }
        if partners:
            entry["coordinating"] = partners
        entry.update({"mode": agency.mode, "deadline": rule})
        duties.append(entry)
        notes[duty_id] = {
            "lines": [duty.lines.first_line, duty.lines.last_line] if duty.lines else None,
            "confidence": duty.confidence,
            "coordinating_as_written": duty.coordinating,
            "coordinating_not_in_directory": unmatched,
            "deadlines_not_in_model": [_deadline_note(d) for d in left],
        }
    return duties, notes


def _partners(duty: DraftDuty, leads: list[str]) -> tuple[list[str], list[str]]:
    """Codes of the coordinating bodies the directory knows, and the names it does not."""
    codes: list[str] = []
    unmatched: list[str] = []
    for name, match in zip(duty.coordinating, duty.coordinating_matches, strict=False):
        found = match.members or ([match.code] if match.code else [])
        if not found:
            unmatched.append(name)
        codes.extend(c for c in found if c not in codes and c not in leads)
    if not duty.coordinating_matches:
        unmatched = list(duty.coordinating)
    return codes, unmatched


def _deadline_note(deadline: DraftDeadline) -> dict[str, Any]:
    values = deadline.model_dump(exclude_defaults=True, exclude={"lines", "confidence"})
    if deadline.lines is not None:
        values["lines"] = [deadline.lines.first_line, deadline.lines.last_line]
    return values


def _code_for(name: str | None, codes: dict[str, str]) -> str | None:
    """The code of a body named in the final report, if it is one of the plan's agencies:
    "Công an tỉnh (qua Phòng An ninh chính trị nội bộ)" and "Phòng Tham mưu - Công an tỉnh"
    are Công an tỉnh's."""
    if not name:
        return None
    key = name_key(re.sub(r"\s*\(qua .*\)$", "", name))
    if key.startswith("ủy ban nhân dân tỉnh") or key.startswith("ủy ban nhân dân thành phố"):
        return "UBND_TINH"
    exact = next((code for agency, code in codes.items() if name_key(agency) == key), None)
    if exact is not None:
        return exact
    within = [
        (len(name_key(agency)), code)
        for agency, code in codes.items()
        if len(name_key(agency).split()) >= 2 and f" {name_key(agency)} " in f" {key} "
    ]
    return max(within)[1] if within else None


def _final_report(draft: PlanDraft, codes: dict[str, str]) -> dict[str, Any] | None:
    """The plan model's final report: only when the text gives its date."""
    report = draft.final_report
    if report is None:
        return None
    dated = next((d for d in report.deadlines if d.kind == "date"), None)
    if dated is None:
        return None
    return {
        "recipient": _code_for(report.to, codes),
        "via": _code_for(report.via, codes),
        "deadline": deadline_rule(dated),
    }


def _issuer_code(issuer: str | None) -> str:
    """UBND_TINH for a provincial People's Committee (the directories' code), else a
    proposed code the coordinator confirms."""
    key = name_key(issuer or "")
    if re.match(r"^ủy ban nhân dân (tỉnh|thành phố) ", key) or not key:
        return "UBND_TINH"
    return propose_agency(issuer or "", set()).code


def draft_planfile(draft: PlanDraft, *, agencies_file: str) -> dict[str, Any]:
    """The plan-file mapping of a draft, with a `draft:` section for what it cannot hold."""
    codes = agency_codes(draft)
    header = draft.header
    issued = header.issued_on.value
    year = dt.date.fromisoformat(issued).year if issued else None
    used: set[str] = set()
    duties: list[dict[str, Any]] = []
    notes: dict[str, Any] = {}
    for agency in draft.agencies:
        more, more_notes = _duties(agency, lead_codes(agency, codes), used)
        duties.extend(more)
        notes.update(more_notes)
    report = draft.final_report
    # The coordinator consolidates the results: the body they go through, or the one
    # department that reports them itself.
    via_code = (
        (_code_for(report.via, codes) or _code_for(report.reporters, codes)) if report else None
    )
    return {
        "plan": {
            "number": header.number.value,
            "title": header.title.value,
            "issuer": _issuer_code(header.issuer.value),
            "issued_on": issued,
            "place": header.place.value,
            "signer": {"name": header.signer_name.value, "title": header.signer_title.value},
            "year": year,
            "coordinator": via_code,
            "office": "VP_UBND",
            "final_report": _final_report(draft, codes),
        },
        "agencies_file": agencies_file,
        "duties": duties,
        "draft": {
            "source": draft.source,
            "doc_type": header.doc_type.value,
            "agencies": [_agency_note(a, codes[a.name]) for a in draft.agencies],
            "duties": notes,
            "final_report": report.model_dump(mode="json") if report else None,
            "recipients": [r.name for r in draft.recipients],
            # Appendix task rows: the plan model has no appendix clauses yet.
            "table_tasks": [
                t.model_dump(mode="json", exclude_defaults=True) for t in draft.table_tasks
            ],
        },
    }


def _agency_note(agency: DraftAgency, code: str) -> dict[str, Any]:
    note: dict[str, Any] = {
        "name": agency.name,
        "code": code,
        "sections": agency.sections,
        "lines": [agency.lines.first_line, agency.lines.last_line] if agency.lines else None,
        "confidence": agency.confidence,
        "mode": agency.mode,
    }
    if agency.match is not None:
        note["matched"] = agency.match.code is not None
        note["candidates"] = [c.model_dump() for c in agency.match.candidates]
    if agency.proposal is not None:
        note["proposed_entry"] = agency.proposal.model_dump()
    return note
