"""What the draft's page shows: the header, each agency with the directory's choices, each
duty with its deadlines in words and the lines it came from, the uncertain ones marked."""

from __future__ import annotations

import datetime as dt
from typing import Any

UNSURE = 0.75  # below this confidence an item is marked for a person's eye first
_FREQUENCY_VI = {
    "daily": "hằng ngày",
    "monthly": "hằng tháng",
    "quarterly": "hằng quý",
    "semiannual": "6 tháng một lần",
    "annual": "hằng năm",
}
_HEADER_VI = (
    ("number", "Số"),
    ("title", "Trích yếu"),
    ("issuer", "Cơ quan ban hành"),
    ("issued_on", "Ngày ban hành"),
    ("place", "Địa danh"),
    ("coordinator", "Cơ quan đầu mối"),
    ("office", "Cơ quan đôn đốc"),
)


def rule_vi(rule: dict[str, Any]) -> str:
    """One deadline rule in words, as the coordinator reads it."""
    kind = str(rule.get("kind"))
    if kind == "date":
        day = dt.date.fromisoformat(str(rule.get("due")))
        return f"ngày {day:%d/%m/%Y}" + (" (trước ngày)" if rule.get("before") else "")
    if kind == "relative":
        unit = "ngày làm việc" if rule.get("working_days") else "ngày"
        return f"{rule.get('days')} {unit} kể từ khi nhận kế hoạch"
    if kind == "recurring":
        return _FREQUENCY_VI.get(str(rule.get("frequency")), "định kỳ")
    words = {
        "month": f"trong tháng {rule.get('month')}",
        "quarter": f"trong quý {rule.get('quarter')}",
        "year": f"trong năm {rule.get('year')}",
        "event": f"khi {rule.get('event')}",
        "adhoc": "đột xuất khi có yêu cầu",
        "open": "chưa có hạn (cơ quan đầu mối đặt)",
        "continuous": "thường xuyên",
        "none": "không nêu hạn",
    }
    return words.get(kind, kind)


def header_rows(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, label, value) of the plan's header."""
    header = plan["plan"]
    rows = [(key, label, str(header.get(key, ""))) for key, label in _HEADER_VI]
    signer = header.get("signer") or {}
    rows.append(("signer", "Người ký", f"{signer.get('name', '')} ({signer.get('title', '')})"))
    span = header.get("span") or {}
    rows.append(("span", "Thời gian thực hiện", f"{span.get('start')} – {span.get('end') or '…'}"))
    return rows


def agency_options(notes: dict[str, Any], directory: dict[str, Any]) -> list[dict[str, Any]]:
    """Each agency as written, its code(s), whether it needs a person's eye, and the choices:
    its candidates first, then the directory in order."""
    names = {a["code"]: a["name"] for a in directory["agencies"]}
    names |= {g["code"]: g["name"] for g in directory.get("groups", [])}
    shown = []
    for index, agency in enumerate(notes["agencies"]):
        first = [c["code"] for c in agency.get("candidates", []) if c["code"] in names]
        choices = list(dict.fromkeys([*first, *names]))
        unsure = agency.get("proposed") or agency.get("confidence", 1) < UNSURE
        shown.append(
            {
                "index": index,
                "name": agency["name"],
                "current": ",".join(agency["codes"]),
                "current_names": ", ".join(names.get(c, c) for c in agency["codes"]),
                "lines": agency.get("lines"),
                "confidence": agency.get("confidence", 1),
                "proposed": agency.get("proposed", False),
                "corrected": agency.get("corrected", False),
                "unsure": bool(unsure) and not agency.get("corrected"),
                "choices": [(code, names[code]) for code in choices],
            }
        )
    return shown


def duty_rows(plan: dict[str, Any], notes: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """Each duty with its lead, deadlines in words, source lines and what makes it unsure."""
    lines = source.split("\n")
    rows = []
    for index, duty in enumerate(plan["duties"]):
        note = notes["duties"].get(duty["id"], {})
        rules = duty.get("deadlines") or [duty.get("deadline") or {"kind": "none"}]
        span = note.get("lines")
        why = []
        if note.get("confidence", 1) < UNSURE:
            why.append(f"độ tin cậy {note.get('confidence'):.2f}")
        if any(r.get("kind") == "open" and r.get("text") for r in rules):
            why.append("hạn chưa đọc được đầy đủ")
        if note.get("coordinating_not_in_directory"):
            why.append(
                "cơ quan phối hợp chưa có trong danh bạ: "
                + "; ".join(note["coordinating_not_in_directory"])
            )
        rows.append(
            {
                "index": index,
                "id": duty["id"],
                "heading": duty.get("heading") or "",
                "text": duty["text"],
                "lead": ", ".join(duty["lead"]),
                "coordinating": ", ".join(duty.get("coordinating", [])),
                "rules": [(rule_vi(r), r.get("text") or "") for r in rules],
                "due": next((r["due"] for r in rules if r.get("kind") == "date"), ""),
                "lines": span,
                "source": "\n".join(lines[span[0] - 1 : span[1]]) if span else "",
                "why": why,
            }
        )
    return rows
