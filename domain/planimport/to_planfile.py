"""A draft in the general plan format: a plan file that `kehoach plan check` accepts.

Every deadline phrase becomes one of the plan model's rules (dates, months, quarters, years,
relative, recurring, ad hoc, event, continuous); a phrase the model refuses stays as an open
deadline quoting it, so nothing is dropped and nothing is guessed. What the model has no
field for (source lines, confidence, names as written, candidates) goes to a separate notes
mapping beside the file, for the review.

Agencies: a name matched to the provincial directory takes its code. A name the directory
does not know is never replaced by a guess: it becomes a proposed entry (kind, name, code,
placeholder contacts on the reserved `.example` domain) of a draft directory written beside
the plan, which the coordinator confirms, or replaces by choosing a candidate. A name of a
class of bodies ("các sở, ban, ngành") becomes an open group, which `plan check` warns about
until its members are resolved.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from domain.planimport.matching import propose_agency
from domain.planimport.names import ascii_fold, name_key
from schemas.plan import AgencyDirectory, DeadlineRule
from schemas.plan_draft import DraftAgency, DraftDeadline, DraftDuty, PlanDraft

_RULE: TypeAdapter[Any] = TypeAdapter(DeadlineRule)
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
# "trước ngày X": due by the day before X (the plan model's `before`), wherever it stands
# in the phrase ("hàng tháng (trước ngày 18 hàng tháng)").
_BEFORE = re.compile(r"^(trước|hoàn thành trước|xong trước)\b|\btrước ngày\b", re.I)
_KIND_OF_GUESS = {"ubnd_xa": "xa_phuong", "nhom": "to_chuc_khac"}
UNREAD = "(chưa đọc được)"


@dataclass
class DraftFiles:
    """What an import writes: the plan file, a draft directory when one is needed (no
    directory for the province, or names it does not know), and the review notes."""

    plan: dict[str, Any]
    directory: dict[str, Any] | None
    notes: dict[str, Any]


@dataclass
class _Agencies:
    """Codes of the plan's agencies: the directory's, plus the entries proposed for it."""

    directory: AgencyDirectory | None
    codes: dict[str, list[str]] = field(default_factory=dict)
    proposed: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)

    def known(self) -> set[str]:
        base = self.directory
        found = {a.code for a in base.agencies} | {g.code for g in base.groups} if base else set()
        return found | {a["code"] for a in self.proposed} | {g["code"] for g in self.groups}

    def agencies_only(self) -> set[str]:
        found = {a.code for a in self.directory.agencies} if self.directory else set()
        return found | {a["code"] for a in self.proposed}

    def of_kind(self, kind: str) -> str | None:
        if self.directory is not None:
            for agency in self.directory.agencies:
                if agency.kind == kind:
                    return agency.code
        return next((a["code"] for a in self.proposed if a["kind"] == kind), None)

    def propose(self, name: str, kind: str | None = None) -> str:
        proposal = propose_agency(name, self.known())
        guess = kind or proposal.kind
        if guess == "nhom":
            code = "@" + re.sub(r"[^a-z0-9_]", "", proposal.code.lower())[:38]
            code = code if len(code) >= 3 else "@nhom_" + code[1:]
            self.groups.append({"code": code, "name": name, "members": [], "open": True})
            return code
        slug = ascii_fold(proposal.code.lower()).replace("_", "-")
        contact = {"title": "Chưa cập nhật", "placeholder": True}
        self.proposed.append(
            {
                "code": proposal.code,
                "name": name,
                "kind": _KIND_OF_GUESS.get(guess, guess),
                "mailbox": f"vanthu@{slug}.example",
                "leader": {"name": "Lãnh đạo (chưa cập nhật)", **contact}
                | {"email": f"lanhdao@{slug}.example"},
                "focal": {"name": "Đầu mối (chưa cập nhật)", **contact}
                | {"email": f"daumoi@{slug}.example"},
            }
        )
        return proposal.code


def _resolve(draft: PlanDraft, agencies: _Agencies) -> None:
    for agency in draft.agencies:
        match = agency.match
        if match is not None and match.members:
            agencies.codes[agency.name] = list(match.members)
        elif match is not None and match.code is not None:
            agencies.codes[agency.name] = [match.code]
        else:
            agencies.codes[agency.name] = [agencies.propose(agency.name)]


def _valid(rule: dict[str, Any], phrase: str, why: str) -> dict[str, Any]:
    """The rule if the plan model accepts it, else an open deadline that quotes the words."""
    try:
        _RULE.validate_python(rule)
    except ValidationError:
        return {"kind": "open", "text": phrase, "note": why}
    return rule


def _recurring(deadline: DraftDeadline) -> dict[str, Any]:
    frequency = deadline.recurrence or ""
    rule: dict[str, Any] = {"kind": "recurring", "frequency": frequency, "text": deadline.phrase}
    if frequency == "daily":
        if deadline.times_of_day:
            rule["times_of_day"] = list(deadline.times_of_day)
        return rule
    months = _MONTHS[frequency]
    days = sorted(deadline.month_day)
    if frequency == "monthly" and deadline.day_of_month:
        rule["due"] = {"month_of_period": 1, "day": deadline.day_of_month[0]}
    elif len(days) == 12 // months and len(days) > 1:
        rule["dates"] = days
    elif len(days) == 1:
        month, day = (int(x) for x in days[0].split("-"))
        rule["due"] = {"month_of_period": (month - 1) % months + 1, "day": day}
    if _BEFORE.search(deadline.phrase):
        rule["before"] = "due" in rule or "dates" in rule
    return rule


def deadline_rule(deadline: DraftDeadline, *, issued_on: dt.date | None) -> dict[str, Any]:
    """The plan model's rule for one deadline phrase (an open one when it has none)."""
    phrase, kind = deadline.phrase, deadline.kind
    rule: dict[str, Any]
    if kind == "date" and deadline.date:
        rule = {"kind": "date", "due": deadline.date, "text": phrase}
        rule["before"] = bool(_BEFORE.search(phrase))
        last = dt.date.fromisoformat(deadline.date) - dt.timedelta(days=int(rule["before"]))
        if issued_on is not None and last < issued_on:
            return {"kind": "open", "text": phrase, "note": "ngày đọc được trước ngày ban hành"}
    elif kind == "month" and deadline.month_only:
        rule = {"kind": "month", "month": deadline.month_only, "text": phrase}
    elif kind == "quarter" and deadline.quarter:
        rule = {"kind": "quarter", "quarter": deadline.quarter, "text": phrase}
    elif kind == "year" and deadline.year_only:
        rule = {"kind": "year", "year": deadline.year_only, "text": phrase}
    elif kind == "relative" and deadline.relative_days is not None:
        rule = {"kind": "relative", "days": deadline.relative_days, "text": phrase}
        rule["working_days"] = deadline.working_days
    elif kind == "recurring" and deadline.recurrence in {"daily", *_MONTHS}:
        rule = _recurring(deadline)
    elif kind == "adhoc":
        rule = {"kind": "adhoc", "text": phrase}
    elif kind == "event":
        rule = {"kind": "event", "event": deadline.trigger or phrase, "text": phrase}
        if deadline.relative_days is not None:
            rule |= {"days": deadline.relative_days, "working_days": deadline.working_days}
    elif kind == "continuous":
        rule = {"kind": "continuous", "text": phrase}
    else:  # "định kỳ" without a frequency, or a phrase read only in part
        return {"kind": "open", "text": phrase, "note": "kỳ hạn chưa rõ: cơ quan đầu mối đặt"}
    return _valid(rule, phrase, "mô hình kế hoạch chưa biểu diễn được cách đọc này")


def _clause(section: str, clause: str) -> str:
    """The plan model's clause ("IV.1.a"): a Roman part first, then digits and letters."""
    parts = [re.sub(r"[^0-9a-zđ]", "", p.lower()) for p in clause.split(".")]
    head = clause.split(".")[0]
    if head in _ROMAN:
        parts = parts[1:]
    else:
        head = section.split(".")[0] if section.split(".")[0] in _ROMAN else "KL"
    return ".".join([head, *[p for p in parts if p]])


def _duty_id(clause: str, used: set[str]) -> str:
    base = clause.replace("đ", "dd")
    duty_id, n = base, 2
    while duty_id in used:
        duty_id, n = f"{base}-{n}", n + 1
    used.add(duty_id)
    return duty_id


def _partners(duty: DraftDuty, leads: list[str], known: set[str]) -> tuple[list[str], list[str]]:
    """Codes of the coordinating bodies the directory knows, and the names it does not."""
    codes: list[str] = []
    unmatched: list[str] = list(duty.coordinating) if not duty.coordinating_matches else []
    for name, match in zip(duty.coordinating, duty.coordinating_matches, strict=False):
        found = [c for c in match.members or ([match.code] if match.code else []) if c in known]
        if not found:
            unmatched.append(name)
        codes.extend(c for c in found if c not in codes and c not in leads)
    return codes, unmatched


def _lines(item: DraftAgency | DraftDuty | DraftDeadline) -> list[int] | None:
    return [item.lines.first_line, item.lines.last_line] if item.lines else None


def _duties(
    draft: PlanDraft, agencies: _Agencies, issued_on: dt.date | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    duties: list[dict[str, Any]] = []
    notes: dict[str, Any] = {}
    used: set[str] = set()
    known = agencies.known()
    for agency in draft.agencies:
        leads = agencies.codes[agency.name]
        clauses = [_clause(agency.sections[0], duty.clause) for duty in agency.duties]
        seen: dict[str, int] = {}
        for duty, clause in zip(agency.duties, clauses, strict=True):
            if clauses.count(clause) > 1:  # dash items under one heading: IV.1.1, IV.1.2 …
                seen[clause] = seen.get(clause, 0) + 1
                clause = f"{clause}.{seen[clause]}"
            duty_id = _duty_id(clause, used)
            partners, unmatched = _partners(duty, leads, known)
            rules = [deadline_rule(d, issued_on=issued_on) for d in duty.deadlines]
            entry: dict[str, Any] = {
                "id": duty_id,
                "clause": clause,
                "section": clause.split(".")[0],
                "heading": agency.name,
                "subject": agency.name,
                "text": duty.phrase or agency.name,
                "lead": list(leads),  # no shared list: YAML would alias it
            }
            if partners:
                entry["coordinating"] = partners
            entry["mode"] = agency.mode
            if len(rules) > 1:
                entry["deadlines"] = rules
            else:
                entry["deadline"] = rules[0] if rules else {"kind": "none"}
            duties.append(entry)
            notes[duty_id] = {
                "lines": _lines(duty),
                "confidence": duty.confidence,
                "coordinating_as_written": duty.coordinating,
                "coordinating_not_in_directory": unmatched,
                "deadlines_as_read": [
                    d.model_dump(mode="json", exclude_defaults=True, exclude={"lines"})
                    for d in duty.deadlines
                ],
            }
    return duties, notes


def _code_for(name: str | None, codes: dict[str, list[str]]) -> str | None:
    """The code of a body named in the final report, if it is one of the plan's agencies:
    "Công an tỉnh (qua Phòng An ninh chính trị nội bộ)" and "Phòng Tham mưu - Công an tỉnh"
    are Công an tỉnh's."""
    if not name:
        return None
    key = name_key(re.sub(r"\s*\(qua .*\)$", "", name))
    single = {agency: found[0] for agency, found in codes.items() if len(found) == 1}
    exact = next((code for agency, code in single.items() if name_key(agency) == key), None)
    if exact is not None:
        return exact
    within = [
        (len(name_key(agency)), code)
        for agency, code in single.items()
        if len(name_key(agency).split()) >= 2 and f" {name_key(agency)} " in f" {key} "
    ]
    return max(within)[1] if within else None


SPAN_ASSUMED = (
    "Văn bản không nêu thời gian thực hiện: tạm tính đến hết năm ban hành; cơ quan đầu mối "
    "xác nhận."
)


def _span(title: str | None, issued: dt.date) -> dict[str, Any]:
    """The plan's span: a period in the title ("giai đoạn 2026-2030", "đến năm 2035"), else
    the year of issue (the caller says so, for the coordinator to confirm)."""
    text = title or ""
    found = re.search(r"\b(20\d\d)\s*[-–]\s*(20\d\d)\b", text) or re.search(
        r"đến năm (20\d\d)\b", text, re.I
    )
    if found is not None:
        end = int(found.groups()[-1])
        return {"start": issued.isoformat(), "end": f"{end}-12-31", "text": found[0]}
    return {"start": issued.isoformat(), "end": f"{issued.year}-12-31"}


def _final_report(
    draft: PlanDraft,
    duties: list[dict[str, Any]],
    notes: dict[str, Any],
    *,
    issuer: str,
    coordinator: str,
    codes: dict[str, list[str]],
    agencies: set[str],
) -> dict[str, Any]:
    """The closing report: a dated one as read; else the reporting duty whose lines hold the
    report's sentence (or the last duty that reports), its reports consolidated."""
    report = draft.final_report
    recipient = _code_for(report.to if report else None, codes)
    final: dict[str, Any] = {
        "recipient": recipient if recipient in agencies else issuer,
        "via": coordinator,
    }
    if report is not None:
        final["text"] = report.phrase
    dated = next((d for d in (report.deadlines if report else []) if d.kind == "date"), None)
    issued = draft.header.issued_on.value
    if dated is not None:
        rule = deadline_rule(dated, issued_on=dt.date.fromisoformat(issued) if issued else None)
        if rule["kind"] == "date":
            final["deadline"] = rule
            return final
    lines = report.lines if report else None

    def holds(duty: dict[str, Any]) -> bool:
        span = notes[duty["id"]]["lines"]
        return bool(lines and span and span[0] <= lines.first_line <= span[1])

    reporting = [d for d in duties if "báo cáo" in d["text"].lower()]
    chosen = next((d for d in duties if holds(d)), None) or (reporting or duties)[-1]
    final["duty"] = chosen["id"]
    said = "; ".join(d.phrase for d in report.deadlines) if report else ""
    final["interpretation"] = (
        f"Báo cáo kết quả theo kỳ («{said}»): tổng hợp các báo cáo của nhiệm vụ "
        f"{chosen['id']} theo hạn của nhiệm vụ đó; cơ quan đầu mối xác nhận."
        if said
        else f"Văn bản không nêu hạn báo cáo kết quả: tổng hợp các báo cáo của nhiệm vụ "
        f"{chosen['id']}; cơ quan đầu mối xác nhận."
    )
    return final


def _header_codes(agencies: _Agencies, draft: PlanDraft) -> tuple[str, str]:
    """The issuer (the province's People's Committee) and its Office, from the directory or
    proposed for it."""
    place = draft.header.place.value or ""
    issuer = agencies.of_kind("ubnd_tinh") or agencies.propose(
        draft.header.issuer.value or f"Ủy ban nhân dân {place}".strip(), "ubnd_tinh"
    )
    office = agencies.of_kind("van_phong_ubnd") or agencies.propose(
        f"Văn phòng {draft.header.issuer.value or 'Ủy ban nhân dân tỉnh'}", "van_phong_ubnd"
    )
    return issuer, office


def _coordinator(
    draft: PlanDraft, duties: list[dict[str, Any]], agencies: _Agencies, issuer: str
) -> str:
    """The body results go through ("qua Sở X"), or the one department that reports them;
    else the first department the plan gives duties to (the plan's drafting department by
    the layout's custom), else the issuer."""
    report = draft.final_report
    codes = agencies.codes
    only = agencies.agencies_only()
    for name in (report.via, report.reporters) if report else ():
        code = _code_for(name, codes)
        if code in only:
            return code
    kinds = {a.code: a.kind for a in agencies.directory.agencies} if agencies.directory else {}
    kinds |= {a["code"]: a["kind"] for a in agencies.proposed}
    leads = [c for d in duties for c in d["lead"] if c in only]
    return next((c for c in leads if kinds.get(c) == "so"), leads[0] if leads else issuer)


def draft_planfile(
    draft: PlanDraft, *, directory: AgencyDirectory | None, agencies_file: str
) -> DraftFiles:
    """The plan file of a draft, the draft directory it needs (if any) and the notes.

    `agencies_file` names the province's directory, relative to the plan file; when a
    draft directory is written it is named by the caller instead (`DraftFiles.directory`)."""
    header = draft.header
    issued = dt.date.fromisoformat(header.issued_on.value) if header.issued_on.value else None
    agencies = _Agencies(directory)
    _resolve(draft, agencies)
    issuer, office = _header_codes(agencies, draft)
    duties, notes = _duties(draft, agencies, issued)
    coordinator = _coordinator(draft, duties, agencies, issuer)
    final = _final_report(
        draft,
        duties,
        notes,
        issuer=issuer,
        coordinator=coordinator,
        codes=agencies.codes,
        agencies=agencies.agencies_only(),
    )
    plan: dict[str, Any] = {
        "number": header.number.value or UNREAD,
        "title": header.title.value or UNREAD,
        "issuer": issuer,
        "issued_on": issued.isoformat() if issued else UNREAD,
        "place": header.place.value or UNREAD,
        "signer": {
            "name": header.signer_name.value or UNREAD,
            "title": header.signer_title.value or UNREAD,
        },
        "span": _span(header.title.value, issued) if issued else UNREAD,
        "coordinator": coordinator,
        "office": office,
        "final_report": final,
    }
    if issued and "text" not in plan["span"]:
        plan["interpretation"] = SPAN_ASSUMED
    return DraftFiles(
        plan={"plan": plan, "agencies_file": agencies_file, "duties": duties},
        directory=_draft_directory(draft, agencies),
        notes=_notes(draft, agencies, notes),
    )


def _draft_directory(draft: PlanDraft, agencies: _Agencies) -> dict[str, Any] | None:
    """The province's directory plus the proposed entries, or None when nothing is new."""
    if agencies.directory is not None and not agencies.proposed and not agencies.groups:
        return None
    base = agencies.directory
    existing = base.model_dump(mode="json", exclude_defaults=True) if base else {}
    province = base.province if base else (draft.header.place.value or UNREAD)
    as_of = base.as_of.isoformat() if base else (draft.header.issued_on.value or UNREAD)
    return {
        "province": province,
        "as_of": as_of,
        "agencies": [*existing.get("agencies", []), *agencies.proposed],
        "groups": [*existing.get("groups", []), *agencies.groups],
    }


def _notes(draft: PlanDraft, agencies: _Agencies, duties: dict[str, Any]) -> dict[str, Any]:
    proposed = {a["code"] for a in agencies.proposed} | {g["code"] for g in agencies.groups}
    return {
        "source": draft.source,
        "doc_type": draft.header.doc_type.value,
        "agencies": [
            {
                "name": a.name,
                "codes": agencies.codes[a.name],
                "proposed": any(c in proposed for c in agencies.codes[a.name]),
                "sections": a.sections,
                "lines": _lines(a),
                "confidence": a.confidence,
                "mode": a.mode,
                "candidates": [c.model_dump() for c in a.match.candidates] if a.match else [],
            }
            for a in draft.agencies
        ],
        "duties": duties,
        "final_report": draft.final_report.model_dump(mode="json") if draft.final_report else None,
        "recipients": [r.name for r in draft.recipients],
        # Appendix task rows: the plan model has no clause for them from the importer yet.
        "table_tasks": [
            t.model_dump(mode="json", exclude_defaults=True) for t in draft.table_tasks
        ],
    }
