"""Every update payload refuses bad input with a ValidationError naming the field, before
anything is sent to Temporal; a report over the limit never becomes a message."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from schemas.assignment import (
    MAX_REPORT_CHARS,
    Approve,
    Cancel,
    ExtendDeadline,
    ReturnForRevision,
    SetDeadline,
    SubmitReport,
)
from schemas.plan_run import AdHocRequest, ConsolidationDecision, MoveDeadline, WithdrawDuty
from tests.factories import actor

UPDATES: list[type[BaseModel]] = [
    SubmitReport,
    Approve,
    ReturnForRevision,
    ExtendDeadline,
    SetDeadline,
    Cancel,
    AdHocRequest,
    MoveDeadline,
    WithdrawDuty,
    ConsolidationDecision,
]
ACTOR = actor("SNGV", "focal").model_dump(mode="json")

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
fields = st.sampled_from(
    [
        "actor",
        "body",
        "reason",
        "comment",
        "new_last_day",
        "last_day",
        "waive",
        "attachments",
        "duty_id",
        "subject",
        "agencies",
        "approve",
        "extra",
    ]
)


@pytest.mark.parametrize("model", UPDATES, ids=lambda m: m.__name__)
@settings(max_examples=120, deadline=None)
@given(payload=st.dictionaries(fields, values | st.just(ACTOR), max_size=6))
def test_random_payloads_are_accepted_or_refused_with_a_named_field(
    model: type[BaseModel], payload: dict[str, Any]
) -> None:
    try:
        model.model_validate(payload)
    except ValidationError as exc:
        assert exc.errors(), "a refusal names at least one field"
        for error in exc.errors():
            assert error["loc"] or error["type"] == "model_type"


def test_a_report_over_the_limit_is_refused_before_it_is_a_message() -> None:
    with pytest.raises(ValidationError) as refused:
        SubmitReport(actor=actor("SNGV", "focal"), body="x" * (MAX_REPORT_CHARS + 1))
    assert ("body",) == refused.value.errors()[0]["loc"]


@pytest.mark.parametrize("text", ["Báo cáo\x00", "\x00"])
def test_text_with_nul_is_refused_before_it_is_a_message(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ReturnForRevision(actor=actor("STTTT", "coordinator"), reason=text)
    assert ("reason",) == refused.value.errors()[0]["loc"]
