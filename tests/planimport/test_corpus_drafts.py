"""Every corpus plan's draft is a plan file of the general format: `kehoach plan check`'s
check (`domain.planfile.check_plan`) accepts the files `kehoach plan import` wrote, as
written (warnings allowed), with its province's directory where the project has one and a
draft directory of proposed entries where it has none.

Skips without the shared corpus (`../shared/plans-corpus`), as the scoring tests do.
"""

from pathlib import Path

import pytest
import yaml

from domain.planfile import check_plan
from kehoach.cli_import import run_import
from tests.planimport.test_corpus import PAIRS, needs_corpus

DIRECTORIES = Path(__file__).parents[2] / "plans" / "directories"
# The corpus file names carry the province; the directories are named by it.
PROVINCE = {
    "hcm": "ho-chi-minh",
    "daklak": "dak-lak",
    "nghean": "nghe-an",
    "cantho": "can-tho",
    "dongthap": "dong-thap",
    "dongnai": "dong-nai",
    "hatinh": "ha-tinh",
}


def directory_of(document: Path) -> Path | None:
    """The province directory of a corpus document, None for a province without one."""
    province = document.stem.split("_")[1].split("-")[0]
    return DIRECTORIES / f"{PROVINCE[province]}.yaml" if province in PROVINCE else None


@needs_corpus
@pytest.mark.parametrize("document", [d for d, _ in PAIRS], ids=[d.stem for d, _ in PAIRS])
def test_each_corpus_draft_passes_plan_check(document: Path, tmp_path: Path) -> None:
    directory = directory_of(document)
    draft, _ = run_import(document, out_dir=tmp_path, directory=directory)
    checked, _warnings = check_plan(draft)  # raises PlanError, listing them, on any error
    plan = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert len(plan["duties"]) == len(checked.duties) > 0
    assert {"span", "final_report", "coordinator"} <= set(plan["plan"])
    assert "draft" not in plan
    if directory is None:  # no directory: every name becomes a proposed entry to confirm
        assert (tmp_path / f"{document.stem}.agencies.yaml").name == plan["agencies_file"]
