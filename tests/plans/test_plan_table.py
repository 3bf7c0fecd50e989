"""`kehoach plan table`: one row per plan file of a folder, with the figures `plan check`
prints for each; the directory and contacts files beside the plans are passed over."""

from pathlib import Path

from typer.testing import CliRunner

from domain.assign import span_periods
from domain.planfile import load_plan
from kehoach.cli import app

PLANS = Path(__file__).parents[2] / "plans"


def test_plan_table_has_a_row_per_plan_with_its_span_duties_and_assignments() -> None:
    result = CliRunner().invoke(app, ["plan", "table", str(PLANS), "--markdown"])
    assert result.exit_code == 0, result.output
    rows = {
        cells[0]: cells
        for line in result.output.splitlines()[2:]
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    plan_files = [p for p in PLANS.glob("*.yaml") if "\nplan:" in "\n" + p.read_text("utf-8")]
    assert len(rows) == len(plan_files)
    plan = load_plan(PLANS / "516-KH-UBND-2023.yaml")
    periods = span_periods(plan)
    expected = sum(len(periods[d.id]) * len(d.assignees) for d in plan.duties)
    _, span, duties, assignments, *_ = rows["516/KH-UBND"]
    assert (span, duties, assignments) == ("09/03/2023–31/12/2023", "64", str(expected))
    assert expected == 122  # the demo's year of plan 516


def test_plan_table_names_a_broken_plan_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("plan:\n  number: 1/KH-UBND\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["plan", "table", str(tmp_path)])
    assert result.exit_code != 0
    assert "broken.yaml" in result.output
