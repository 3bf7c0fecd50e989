"""Every labelled plan of the shared corpus imports, and scores at least its floor.

The corpus lives beside the repository (`../shared/plans-corpus`); without it the test
skips. Floors are per plan (a regression on one plan fails even if the total holds) and
for the total (the targets of the importer: agencies and duty units F1 >= 0.95, deadlines
>= 0.90, final report and header >= 0.95).
"""

from pathlib import Path

import pytest

from bench.import_score import METRICS, Count, documents, score_plan

CORPUS = Path(__file__).parents[2].parent / "shared" / "plans-corpus"
PAIRS = documents(CORPUS) if CORPUS.is_dir() else []
PLAN_FLOOR = {"agencies": 0.9, "duty_units": 0.9, "final_report": 0.75, "header": 0.95}
DEADLINE_ERRORS_PER_PLAN = 3  # a plan may have few deadlines; count errors, not F1
TOTAL_FLOOR = {
    "agencies": 0.95,
    "duty_units": 0.95,
    "deadlines": 0.90,
    "final_report": 0.95,
    "header": 0.95,
}

needs_corpus = pytest.mark.skipif(not PAIRS, reason=f"no labelled plans in {CORPUS}")


@needs_corpus
@pytest.mark.parametrize(("document", "label"), PAIRS, ids=[d.stem for d, _ in PAIRS])
def test_each_corpus_plan_imports_and_meets_its_floor(document: Path, label: Path) -> None:
    score = score_plan(document, label)
    assert score.error is None
    f1 = {m: score.counts[m].scores()["f1"] for m in PLAN_FLOOR}
    assert all(f1[m] >= floor for m, floor in PLAN_FLOOR.items()), (f1, score.misses)
    deadlines = score.counts["deadlines"]
    assert deadlines.fp + deadlines.fn <= DEADLINE_ERRORS_PER_PLAN, score.misses


@needs_corpus
def test_the_corpus_total_meets_the_importer_targets() -> None:
    total = {m: Count() for m in METRICS}
    for document, label in PAIRS:
        score = score_plan(document, label)
        for metric in METRICS:
            total[metric].add(score.counts[metric])
    f1 = {m: total[m].scores()["f1"] for m in METRICS}
    assert all(f1[m] >= floor for m, floor in TOTAL_FLOOR.items()), f1


PDF_TOTAL_FLOOR = {
    "agencies": 0.9,
    "duty_units": 0.9,
    "deadlines": 0.85,
    "final_report": 0.9,
    "header": 0.95,
}


@needs_corpus
def test_the_corpus_printed_to_pdf_still_imports_well() -> None:
    """A PDF's text layer has no blank lines and wraps every line: the outline must be
    found again from the layout (see `domain.planimport.reflow`)."""
    total = {m: Count() for m in METRICS}
    for document, label in PAIRS:
        score = score_plan(document, label, as_pdf=True)
        assert score.error is None, (document.name, score.error)
        for metric in METRICS:
            total[metric].add(score.counts[metric])
    f1 = {m: total[m].scores()["f1"] for m in METRICS}
    assert all(f1[m] >= floor for m, floor in PDF_TOTAL_FLOOR.items()), f1
