"""Score the plan importer against hand-checked labels.

    python -m bench.import_score DIR [--json] [--misses] [--as-pdf [--no-borders]]

DIR holds plan documents (`NAME.txt`, `.md`, `.docx` or `.pdf`) each beside its
`NAME.expected.json` (the plans-corpus label format). Each document is imported without the
label in sight; then predictions and labels are compared:

- agencies: one-to-one by comparison key of the name as written (`names.name_key`), then by
  similarity of keys (rapidfuzz ratio >= 90) for the rest;
- duty units: per matched agency, min(predicted, expected) are right; an unmatched
  agency's units are all wrong (predicted) or all missed (expected);
- deadlines: per matched agency, the multiset of (recurrence, value) pairs, where value is
  the date, month-day(s), day(s) of month, month, quarter, year, times of day or relative
  days the phrase states;
- final report: kind, reporters, recipient, via, recurrence and due value, each a field;
- header: document type, number, issuer (normalised and as written), date, title, signer;
- task rows: rows of appendix task tables and per-task blocks ("Cơ quan chủ trì: …",
  "Thời gian thực hiện: …"); labelled in `other_assignments` as "Phụ lục …" rows, or with
  both a lead and a time (continuation rows of merged cells left out); paired by the
  excerpt of the task's text; a pair is right when its lead agency and its time
  (recurrence, quarter, year, window) agree.

Precision, recall and F1 are micro-averaged over plans. `--as-pdf` scores the same text
documents printed to a PDF first (a text layer, lines wrapped at 95 characters, no blank
lines, markdown emphasis gone), which is how a signed plan usually arrives. With
`--no-borders` the tables' cell marks (the portals' "|" lines) are left out of that PDF too,
as in the text layer of a PDF printed from a word processor: each cell's lines follow the
cell before with nothing between them.
"""

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from bench.textpdf import text_pdf
from domain.planimport import NotAPlan, import_plan, read_document
from domain.planimport.names import name_key
from schemas.plan_draft import DraftDeadline, PlanDraft

SUFFIXES = (".txt", ".md", ".docx", ".pdf")
METRICS = ("agencies", "duty_units", "deadlines", "final_report", "header", "task_rows")
FUZZY = 90.0


@dataclass
class Count:
    """True positives, false positives and false negatives of one metric."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Count") -> None:
        """Pool another count into this one."""
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def scores(self) -> dict[str, float]:
        """Precision, recall and F1 (1.0 when there was nothing to find nor found)."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}


@dataclass
class PlanScore:
    """One plan's counts, misses and import time."""

    name: str
    counts: dict[str, Count] = field(default_factory=lambda: {m: Count() for m in METRICS})
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def _key_of_label(d: dict[str, Any]) -> tuple[Any, ...]:
    times = d.get("times_of_day") or ([d["time_of_day"]] if d.get("time_of_day") else [])
    month_day = d.get("month_day")
    day = d.get("day_of_month")
    return (
        d.get("recurrence"),
        d.get("date"),
        tuple([month_day] if isinstance(month_day, str) else month_day or []),
        tuple([day] if isinstance(day, int) else day or []),
        d.get("month_only"),
        d.get("quarter"),
        d.get("year_only"),
        tuple(times),
        d.get("relative_days"),
    )


def _key_of_draft(d: DraftDeadline) -> tuple[Any, ...]:
    return (
        d.recurrence,
        d.date,
        tuple(d.month_day),
        tuple(d.day_of_month),
        d.month_only,
        d.quarter,
        d.year_only,
        tuple(d.times_of_day),
        d.relative_days,
    )


def _pair_agencies(predicted: list[str], expected: list[str]) -> list[tuple[int, int]]:
    """One-to-one pairs (predicted index, expected index): equal keys first, then similar."""
    pkeys = [name_key(n) for n in predicted]
    ekeys = [name_key(n) for n in expected]
    pairs: list[tuple[int, int]] = []
    used_p: set[int] = set()
    used_e: set[int] = set()
    for i, pk in enumerate(pkeys):
        for j, ek in enumerate(ekeys):
            if j not in used_e and i not in used_p and pk == ek:
                pairs.append((i, j))
                used_p.add(i)
                used_e.add(j)
    similar = sorted(
        (
            (fuzz.ratio(pk, ek), i, j)
            for i, pk in enumerate(pkeys)
            for j, ek in enumerate(ekeys)
            if i not in used_p and j not in used_e
        ),
        reverse=True,
    )
    for score, i, j in similar:
        if score >= FUZZY and i not in used_p and j not in used_e:
            pairs.append((i, j))
            used_p.add(i)
            used_e.add(j)
    return pairs


def _multiset(count: Count, predicted: Counter[Any], expected: Counter[Any]) -> None:
    common = sum((predicted & expected).values())
    count.tp += common
    count.fp += sum(predicted.values()) - common
    count.fn += sum(expected.values()) - common


def _score_agencies(draft: PlanDraft, label: dict[str, Any], score: PlanScore) -> None:
    predicted = draft.agencies
    expected = label["agencies"]
    pairs = _pair_agencies([a.name for a in predicted], [e["name"] for e in expected])
    paired_p = {i for i, _ in pairs}
    paired_e = {j for _, j in pairs}
    c = score.counts
    c["agencies"].tp += len(pairs)
    c["agencies"].fp += len(predicted) - len(pairs)
    c["agencies"].fn += len(expected) - len(pairs)
    for i, agency in enumerate(predicted):
        if i not in paired_p:
            score.misses.append(f"agency not in labels: {agency.name!r} ({len(agency.duties)})")
            c["duty_units"].fp += len(agency.duties)
            c["deadlines"].fp += sum(len(d.deadlines) for d in agency.duties)
    for j, entry in enumerate(expected):
        if j not in paired_e:
            score.misses.append(f"agency missed: {entry['name']!r} ({entry['duty_units']})")
            c["duty_units"].fn += entry["duty_units"]
            c["deadlines"].fn += len(entry["deadlines"])
    for i, j in pairs:
        agency, entry = predicted[i], expected[j]
        p, e = len(agency.duties), entry["duty_units"]
        c["duty_units"].tp += min(p, e)
        c["duty_units"].fp += max(p - e, 0)
        c["duty_units"].fn += max(e - p, 0)
        if p != e:
            score.misses.append(f"units {entry['name']!r}: {p} read, {e} labelled")
        pk = Counter(_key_of_draft(d) for duty in agency.duties for d in duty.deadlines)
        ek = Counter(_key_of_label(d) for d in entry["deadlines"])
        _multiset(c["deadlines"], pk, ek)
        for key in pk - ek:
            score.misses.append(f"deadline not in labels for {entry['name']!r}: {key}")
        for key in ek - pk:
            score.misses.append(f"deadline missed for {entry['name']!r}: {key}")


def _same(a: str | None, b: str | None) -> bool:
    return name_key(a or "") == name_key(b or "")


def _field(
    count: Count, predicted: Any, expected: Any, same: bool, misses: list[str], name: str
) -> None:
    if expected not in (None, "", ()) and predicted not in (None, "", ()) and same:
        count.tp += 1
        return
    if predicted not in (None, "", ()):
        count.fp += 1
    if expected not in (None, "", ()):
        count.fn += 1
    if predicted != expected:
        misses.append(f"{name}: read {predicted!r}, labelled {expected!r}")


def _score_final_report(draft: PlanDraft, label: dict[str, Any], score: PlanScore) -> None:
    expected = label.get("final_report") or {}
    report = draft.final_report
    count = score.counts["final_report"]
    pairs: list[tuple[str, Any, Any, bool]] = []
    for name, attr in (("from", "reporters"), ("to", "to"), ("via", "via")):
        got = getattr(report, attr) if report else None
        pairs.append((name, got, expected.get(name), _same(got, expected.get(name))))
    got_kind = report.kind if report else None
    pairs.append(("kind", got_kind, expected.get("kind"), got_kind == expected.get("kind")))
    got_rec = report.recurrence if report else None
    pairs.append(
        ("recurrence", got_rec, expected.get("recurrence"), got_rec == expected.get("recurrence"))
    )
    got_when = (
        next(
            (
                _key_of_draft(d)[1:]
                for d in report.deadlines
                if d.recurrence != "adhoc" and any(_key_of_draft(d)[1:])
            ),
            None,
        )
        if report
        else None
    )
    want = (
        _key_of_label(expected)[1:]
        if any(expected.get(k) for k in ("due", "month_day", "day_of_month", "times_of_day"))
        else None
    )
    if expected.get("due"):
        want = (expected["due"], *(want or ())[1:]) if want else None
    pairs.append(("when", got_when, want, got_when == want))
    for name, got, wanted, same in pairs:
        _field(count, got, wanted, same, score.misses, f"final_report.{name}")


def _score_header(draft: PlanDraft, label: dict[str, Any], score: PlanScore) -> None:
    h = draft.header
    signer = f"{h.signer_name.value} ({h.signer_title.value})" if h.signer_name.value else None
    for name, got in (
        ("doc_type", h.doc_type.value),
        ("number", h.number.value),
        ("issuer", h.issuer.value),
        ("issuer_as_written", h.issuer_as_written.value),
        ("issued_on", h.issued_on.value),
        ("title", h.title.value),
        ("signer", signer),
    ):
        wanted = label.get(name)
        _field(
            score.counts["header"], got, wanted, _same(got, wanted), score.misses, f"header.{name}"
        )


def _time_key(d: dict[str, Any]) -> tuple[Any, ...]:
    start, end = d.get("period_start"), d.get("period_end")
    return (
        d.get("recurrence"),
        d.get("quarter"),
        d.get("year_only"),
        int(start) if start else None,
        int(end) if end else None,
    )


def _task_key(text: str) -> str:
    return name_key(text)[:40]


def _score_task_rows(draft: PlanDraft, label: dict[str, Any], score: PlanScore) -> None:
    expected = [
        a
        for a in label.get("other_assignments", [])
        if (a["section"].startswith("Phụ lục") or (a.get("lead") and a.get("time_text")))
        and "continuation" not in a["section"]
    ]
    count = score.counts["task_rows"]
    unmatched = list(draft.table_tasks)
    for entry in expected:
        key = _task_key(entry["task"])
        # A label quotes an excerpt of the task, not always its start.
        row = next((t for t in unmatched if key[:30] in name_key(t.task)), None)
        if row is None:
            count.fn += 1
            score.misses.append(f"task row missed: {entry['section']} {entry['task'][:40]!r}")
            continue
        unmatched.remove(row)
        got_time = next((_time_key(d.model_dump()) for d in row.deadlines), None)
        lead_ok = fuzz.ratio(name_key(row.lead), name_key(entry["lead"] or "")) >= FUZZY
        if lead_ok and got_time == _time_key(entry):
            count.tp += 1
        else:
            count.fp += 1
            count.fn += 1
            score.misses.append(
                f"task row {entry['section']}: read {row.lead!r} {got_time}, "
                f"labelled {entry['lead']!r} {_time_key(entry)}"
            )
    if expected:
        count.fp += len(unmatched)


def _as_pdf(document: Path, *, borders: bool = True) -> tuple[bytes, str]:
    """The document printed to a PDF with a text layer (text documents only); without
    `borders`, its tables' cell marks are not printed."""
    if document.suffix not in {".txt", ".md"}:
        return document.read_bytes(), document.suffix
    text = re.sub(r"\*+", "", document.read_text(encoding="utf-8"))
    if not borders:
        text = "\n".join(line for line in text.split("\n") if line.strip() != "|")
    return text_pdf(text), ".pdf"


def score_plan(
    document: Path, label_file: Path, *, as_pdf: bool = False, borders: bool = True
) -> PlanScore:
    """Import one document (printed to PDF first if asked) and compare it with its label."""
    score = PlanScore(document.stem)
    label = json.loads(label_file.read_text(encoding="utf-8"))
    data, suffix = (
        _as_pdf(document, borders=borders) if as_pdf else (document.read_bytes(), document.suffix)
    )
    started = time.perf_counter()
    try:
        text = read_document(data, suffix)
        draft = import_plan(text, source=document.name)
    except NotAPlan as refusal:
        score.error = f"refused: {refusal.message}"
    except Exception as exc:  # a crash is a result to report, not a reason to stop
        score.error = f"crash: {type(exc).__name__}: {exc}"
    score.seconds = time.perf_counter() - started
    if score.error:
        _score_missing(label, score)
        return score
    _score_agencies(draft, label, score)
    _score_final_report(draft, label, score)
    _score_header(draft, label, score)
    _score_task_rows(draft, label, score)
    return score


def _score_missing(label: dict[str, Any], score: PlanScore) -> None:
    c = score.counts
    c["agencies"].fn += len(label["agencies"])
    c["duty_units"].fn += sum(a["duty_units"] for a in label["agencies"])
    c["deadlines"].fn += sum(len(a["deadlines"]) for a in label["agencies"])
    c["header"].fn += 7
    c["final_report"].fn += 4


def documents(directory: Path) -> list[tuple[Path, Path]]:
    """(document, label) pairs in `directory`, by name."""
    pairs: list[tuple[Path, Path]] = []
    for label in sorted(directory.glob("*.expected.json")):
        stem = label.name.removesuffix(".expected.json")
        for suffix in SUFFIXES:
            document = directory / f"{stem}{suffix}"
            if document.exists():
                pairs.append((document, label))
                break
    return pairs


def _row(name: str, counts: dict[str, Count], seconds: float, note: str = "") -> str:
    cells = [f"{name[:34]:34}"]
    for metric in METRICS:
        s = counts[metric].scores()
        cells.append(f"{s['precision']:.2f}/{s['recall']:.2f}/{s['f1']:.2f}")
    cells.append(f"{seconds:6.2f}")
    return " | ".join(cells) + (f" | {note}" if note else "")


def print_table(scores: list[PlanScore], total: dict[str, Count]) -> None:
    """The per-plan and total table, P/R/F1 per metric."""
    head = [f"{'plan':34}", *(f"{m[:14]:14}" for m in METRICS), "  secs"]
    print(" | ".join(head))
    print(" | ".join(["-" * 34, *("-" * 14 for _ in METRICS), "-" * 6]))
    for score in scores:
        print(_row(score.name, score.counts, score.seconds, score.error or ""))
    print(_row("TOTAL (P/R/F1)", total, sum(s.seconds for s in scores)))


def main(argv: list[str] | None = None) -> int:
    """Score every labelled document in DIR; exit 1 if one crashed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--misses", action="store_true", help="list every miss per plan")
    parser.add_argument(
        "--as-pdf",
        action="store_true",
        help="print each text document to a PDF first, then import that",
    )
    parser.add_argument(
        "--no-borders",
        action="store_true",
        help="with --as-pdf: leave the tables' cell marks out of the PDF",
    )
    args = parser.parse_args(argv)
    scores = [
        score_plan(doc, label, as_pdf=args.as_pdf, borders=not args.no_borders)
        for doc, label in documents(args.directory)
    ]
    total = {m: Count() for m in METRICS}
    for score in scores:
        for metric in METRICS:
            total[metric].add(score.counts[metric])
    if args.json:
        print(
            json.dumps(
                {
                    "plans": {
                        s.name: {
                            "error": s.error,
                            "seconds": round(s.seconds, 3),
                            **{m: {**vars(s.counts[m]), **s.counts[m].scores()} for m in METRICS},
                        }
                        for s in scores
                    },
                    "total": {m: {**vars(total[m]), **total[m].scores()} for m in METRICS},
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print_table(scores, total)
    if args.misses:
        for score in scores:
            print(f"\n## {score.name}")
            for miss in score.misses:
                print(f"  - {miss}")
    return 1 if any(s.error and s.error.startswith("crash") for s in scores) else 0


if __name__ == "__main__":
    sys.exit(main())
