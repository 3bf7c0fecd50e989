"""The search attributes kehoach sets on its workflows, typed.

Ops filter the Web UI by them (for example `KehoachAgency = "STTTT" AND KehoachStatus =
"overdue"`), so every Temporal server kehoach runs on must have exactly these registered:
the embedded dev server does it at start, docker-compose.yml with a one-shot service, and a
test checks both against this module.
"""

from typing import Any

from temporalio.common import SearchAttributeIndexedValueType, SearchAttributeKey

PLAN = SearchAttributeKey.for_keyword("KehoachPlan")
AGENCY = SearchAttributeKey.for_keyword("KehoachAgency")
DUTY = SearchAttributeKey.for_keyword("KehoachDuty")
STATUS = SearchAttributeKey.for_keyword("KehoachStatus")
DEADLINE = SearchAttributeKey.for_datetime("KehoachDeadline")
ESCALATION_LEVEL = SearchAttributeKey.for_int("KehoachEscalationLevel")
PERIOD = SearchAttributeKey.for_keyword("KehoachPeriod")

SEARCH_ATTRIBUTES: tuple[SearchAttributeKey[Any], ...] = (
    PLAN,
    AGENCY,
    DUTY,
    STATUS,
    DEADLINE,
    ESCALATION_LEVEL,
    PERIOD,
)

# The type names `temporal server start-dev --search-attribute` and
# `temporal operator search-attribute create --type` accept.
_CLI_TYPE_NAMES: dict[SearchAttributeIndexedValueType, str] = {
    SearchAttributeIndexedValueType.TEXT: "Text",
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.INT: "Int",
    SearchAttributeIndexedValueType.DOUBLE: "Double",
    SearchAttributeIndexedValueType.BOOL: "Bool",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
}


def cli_type_name(key: SearchAttributeKey[Any]) -> str:
    """The Temporal CLI's name for the key's type, e.g. "Keyword" or "Datetime"."""
    return _CLI_TYPE_NAMES[key.indexed_value_type]


def search_attribute_cli_types(
    keys: tuple[SearchAttributeKey[Any], ...] = SEARCH_ATTRIBUTES,
) -> list[tuple[str, str]]:
    """(name, CLI type name) for each key, in declaration order, for the Temporal CLI."""
    return [(key.name, cli_type_name(key)) for key in keys]
