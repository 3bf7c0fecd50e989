"""Random and mutated YAML never produces anything but a PlanError (so never a traceback)."""

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.planfile import load_plan
from schemas.errors import PlanError

HERE = Path(__file__).parent
VALID = (
    (HERE / "valid.yaml")
    .read_text(encoding="utf-8")
    .replace("agencies_file: agencies.yaml", f"agencies_file: {HERE / 'agencies.yaml'}")
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.dates(),
    st.sampled_from(["STTTT", "@ubnd_huyen", "date", "recurring", "III.5.4"]),
)
keys = st.sampled_from(
    [
        "plan",
        "duties",
        "agencies_file",
        "id",
        "clause",
        "deadline",
        "kind",
        "due",
        "lead",
        "text",
        "section",
        "number",
        "year",
        "x",
    ]
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=25,
)


def _load(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_plan(path)
        except PlanError as exc:
            assert exc.problems, "a PlanError always lists at least one problem"
            for problem in exc.problems:
                assert problem.render()


SETTINGS: Any = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(documents)
def test_random_documents_fail_only_with_plan_errors(doc: object) -> None:
    _load(yaml.safe_dump(doc, allow_unicode=True))


@SETTINGS
@given(st.text(max_size=300))
def test_random_text_fails_only_with_plan_errors(text: str) -> None:
    _load(text)


@SETTINGS
@given(
    st.integers(min_value=0, max_value=len(VALID) - 1),
    st.text(min_size=0, max_size=5),
    st.integers(min_value=0, max_value=10),
)
def test_mutated_valid_plan_fails_only_with_plan_errors(at: int, insert: str, cut: int) -> None:
    _load(VALID[:at] + insert + VALID[at + cut :])
