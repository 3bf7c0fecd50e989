"""Every broken plan in broken/ is refused with a message naming the file, line and field."""

import subprocess
import sys
from pathlib import Path

import pytest

from domain.planfile import load_plan
from schemas.errors import PlanError

HERE = Path(__file__).parent
BROKEN = sorted(p for p in (HERE / "broken").glob("*.yaml") if not p.name.startswith("agencies"))


def _expectations(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect-"):
            key, _, value = line[2:].partition(": ")
            found[key] = value
    return found


def _expected_line(path: Path, marker: str) -> int:
    """The last line holding the marker: the place a person would fix."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return max(
        i for i, text in enumerate(lines, start=1) if marker in text and "# expect" not in text
    )


def test_there_are_at_least_twenty_broken_plans() -> None:
    assert len(BROKEN) >= 20


def test_the_valid_plan_loads() -> None:
    plan = load_plan(HERE / "valid.yaml")
    assert ["III.5.4", "KL.1"] == [d.id for d in plan.duties]
    assert ["STTTT", "SNGV", "PLEIKU"] == plan.duties[1].assignees


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_plan_is_refused_naming_field_line_and_expectation(path: Path) -> None:
    expect = _expectations(path)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    rendered = [p.render() for p in caught.value.problems]
    matching = [p for p in caught.value.problems if expect["expect-field"] in p.field]
    assert matching, f"no problem names {expect['expect-field']!r}: {rendered}"
    problem = matching[-1]
    assert expect["expect-text"] in problem.expected + problem.value, rendered
    if "expect-line-of" in expect:
        assert _expected_line(path, expect["expect-line-of"]) == problem.line, rendered
        assert problem.file.endswith(path.name)


@pytest.mark.parametrize(
    "path",
    [HERE / "broken" / f"{n}.yaml" for n in ("yaml_syntax", "unknown_agency", "impossible_date")],
    ids=lambda p: p.stem,
)
def test_cli_reports_broken_plan_without_traceback(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kehoach", "plan", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 2 == result.returncode
    assert "Traceback" not in result.stderr + result.stdout
    assert path.name in result.stderr
