"""Every caller-side descriptor in `schemas.calls` names a real handler of its workflow,
with the message and result types the handler declares."""

from __future__ import annotations

import inspect
import typing
from typing import Any

import pytest
from temporalio.workflow import _Definition

from schemas import calls
from workflows.assignment import AssignmentWorkflow
from workflows.consolidation import ConsolidationWorkflow
from workflows.directory import DirectoryChangeWorkflow
from workflows.plan import PlanWorkflow

DEFINITIONS = {
    d.name: d
    for d in (
        _Definition.must_from_class(w)
        for w in (AssignmentWorkflow, PlanWorkflow, ConsolidationWorkflow, DirectoryChangeWorkflow)
    )
}


def _hints(fn: Any) -> tuple[list[Any], Any]:
    hints = typing.get_type_hints(fn)
    params = [hints[p] for p in list(inspect.signature(fn).parameters)[1:]]
    return params, hints["return"]


@pytest.mark.parametrize("call", calls.UPDATES, ids=lambda c: f"{c.workflow}.{c.name}")
def test_update_descriptor_matches_its_handler(call: calls.Update[Any, Any]) -> None:
    handler = DEFINITIONS[call.workflow].updates[call.name]
    params, result = _hints(handler.fn)
    assert (call.result, [] if call.message is None else [call.message]) == (result, params)


@pytest.mark.parametrize("call", calls.QUERIES, ids=lambda c: f"{c.workflow}.{c.name}")
def test_query_descriptor_matches_its_handler(call: calls.Query[Any]) -> None:
    handler = DEFINITIONS[call.workflow].queries[call.name]
    params, result = _hints(handler.fn)
    assert (call.result, []) == (result, params)


def test_every_update_and_query_has_a_descriptor() -> None:
    described = {(c.workflow, c.name) for c in (*calls.UPDATES, *calls.QUERIES)}
    handlers = {(w, n) for w, d in DEFINITIONS.items() for n in (*d.updates, *d.queries)}
    assert handlers == described


def test_every_workflow_type_the_callers_start_is_defined() -> None:
    named = {calls.ASSIGNMENT, calls.PLAN, calls.CONSOLIDATION, calls.DIRECTORY_CHANGE}
    assert named == set(DEFINITIONS)
