"""Every corpus plan encoded under plans/ says what its hand-checked labels say: the same
agencies (by the words the plan names them with, `subject`), the same number of duty units
each, and the same kinds of deadline each; and the rows of its appendix task table, where
the plan file encodes them (section PL), are the labelled "Phụ lục" rows.

The labels live next to the repository (`../shared/plans-corpus/NN_slug.expected.json`); the
test is skipped when they are absent, and a label file whose plan is not encoded yet is
skipped by name, so the gap stays visible."""

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from domain.planfile import check_plan
from schemas.plan import DeadlineRule, NormalizedPlan

REPO = Path(__file__).parents[2]
CORPUS = REPO.parent / "shared" / "plans-corpus"
PLANS = REPO / "plans"

ENCODED: dict[str, str] = {
    "01_hcm-172-luat-viec-lam": "172-KH-UBND-2025-hcm.yaml",
    "02_daklak-0129-nhu-yeu-pham-mua-lu": "0129-KH-UBND-2025-dak-lak.yaml",
    "03_nghean-1026-bao-ve-bi-mat-nha-nuoc": "1026-KH-UBND-2025-nghe-an.yaml",
    "04_cantho-157-thi-dua-chi-tra-khong-tien-mat": "157-KH-UBND-2025-can-tho.yaml",
    "05_dongthap-552-doi-moi-cong-nghe-2035": "552-KH-UBND-2025-dong-thap.yaml",
    "06_bacninh-144-kinh-te-so-2026-2030": "144-KH-UBND-2025-bac-ninh.yaml",
    "07_dongnai-182-phong-chong-ma-tuy": "182-KH-UBND-2025-dong-nai.yaml",
    "08_dongthap-556-bien-hai-dao": "556-KH-UBND-2025-dong-thap.yaml",
    "09_daklak-0134-quan-trac-nuoi-trong-thuy-san": "0134-KH-UBND-2025-dak-lak.yaml",
    "10_hatinh-624-giao-duc-mam-non": "624-KH-UBND-2025-ha-tinh.yaml",
    "11_sonla-qd2954-ke-hoach-xuat-khau-2026-2030": "2954-QD-UBND-2025-son-la.yaml",
    "12_hcm-qd2820-ke-hoach-csdl-quy-hoach": "2820-QD-UBND-2025-hcm.yaml",
}
"""Label file stem → plan file under plans/."""

LABELS = sorted(CORPUS.glob("*.expected.json")) if CORPUS.is_dir() else []


def label_kind(rule: DeadlineRule) -> str | None:
    """The labels' `recurrence` for a deadline rule: once, a frequency, adhoc (also for
    event-triggered duties, which the labels give as adhoc with a trigger), continuous, or
    None for a periodic duty without a stated frequency (an open deadline)."""
    if rule.kind in ("date", "month", "quarter", "year", "relative"):
        return "once"
    if rule.kind == "recurring":
        return rule.frequency
    if rule.kind in ("adhoc", "event"):
        return "adhoc"
    if rule.kind == "continuous":
        return "continuous"
    return None


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


def _by_subject(plan: NormalizedPlan) -> tuple[Counter[str], dict[str, set[str | None]]]:
    units: Counter[str] = Counter()
    kinds: dict[str, set[str | None]] = defaultdict(set)
    for duty in plan.duties:
        # The labels' agencies are those of the duty sections; appendix rows are checked
        # against the labelled "Phụ lục" rows below.
        if duty.subject is None or duty.section == "PL":
            continue
        units[duty.subject] += 1
        kinds[duty.subject] |= {label_kind(r) for r in duty.all_deadlines() if r.kind != "none"}
    return units, kinds


def _labels(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(params=LABELS or [None], ids=lambda p: p.name.split(".")[0] if p else "none")
def labelled(request: pytest.FixtureRequest) -> tuple[dict[str, Any], NormalizedPlan, Path]:
    path: Path | None = request.param
    if path is None:
        pytest.skip(f"no plans corpus at {CORPUS}")
    stem = path.name.removesuffix(".expected.json")
    if stem not in ENCODED:
        pytest.skip(f"{stem} is not encoded under plans/ yet")
    plan, _ = check_plan(PLANS / ENCODED[stem])
    return _labels(path), plan, CORPUS / f"{stem}.txt"


def test_the_plan_file_has_exactly_the_labelled_agencies_and_duty_units(
    labelled: tuple[dict[str, Any], NormalizedPlan, Path],
) -> None:
    labels, plan, _ = labelled
    units, _ = _by_subject(plan)
    assert {a["name"]: a["duty_units"] for a in labels["agencies"]} == dict(units)


def test_the_plan_file_has_the_labelled_deadline_kinds_per_agency(
    labelled: tuple[dict[str, Any], NormalizedPlan, Path],
) -> None:
    labels, plan, _ = labelled
    _, kinds = _by_subject(plan)
    expected = {a["name"]: {d["recurrence"] for d in a["deadlines"]} for a in labels["agencies"]}
    assert expected == {name: kinds.get(name, set()) for name in expected}


def test_the_plan_file_header_and_words_are_the_plans(
    labelled: tuple[dict[str, Any], NormalizedPlan, Path],
) -> None:
    labels, plan, source = labelled
    assert labels["number"] == plan.plan.number
    assert labels["issued_on"] == plan.plan.issued_on.isoformat()
    text = _norm(source.read_text(encoding="utf-8"))
    quoted = [d.text for d in plan.duties]
    quoted += [r.text for d in plan.duties for r in d.all_deadlines() if r.text]
    assert [] == [q for q in quoted if _norm(q) not in text]


def _appendix_rows(labels: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        a
        for a in labels.get("other_assignments", [])
        if a["section"].startswith("Phụ lục") and not a.get("rowspan_continuation")
    ]


def test_the_plan_files_appendix_rows_are_the_labelled_ones(
    labelled: tuple[dict[str, Any], NormalizedPlan, Path],
) -> None:
    labels, plan, _ = labelled
    rows = [d for d in plan.duties if d.section == "PL"]
    if not rows:
        pytest.skip("the plan file does not encode its appendix rows as duties")
    expected = _appendix_rows(labels)
    read = []
    for entry in expected:
        duty = next(d for d in rows if _norm(entry["task"]) in _norm(d.text))
        rule = duty.all_deadlines()[0]
        year = rule.year if rule.kind == "year" else None
        read.append((entry["section"], duty.subject, label_kind(rule), year))
    assert [
        (e["section"], e["lead"], e["recurrence"], e.get("year_only")) for e in expected
    ] == read
    assert len(expected) == len(rows)
