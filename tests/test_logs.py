"""Logging: every line a worker writes is one kind of JSON, `workflow.logger`'s included."""

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from adapters.logs import configure_logging
from adapters.settings import Settings


@pytest.fixture
def restored() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level
    structlog.reset_defaults()


@pytest.mark.usefixtures("restored")
def test_workflow_logger_lines_are_json_with_the_workflow_named(tmp_path: Path) -> None:
    log_file = tmp_path / "kehoach.log"
    configure_logging(Settings.model_validate({"KEHOACH_LOG_FORMAT": "json"}), to_file=log_file)

    # What `workflow.logger.error("notice_given_up", extra=...)` hands the standard library.
    logging.getLogger("temporalio.workflow").error(
        "notice_given_up",
        extra={
            "notice_key": "a/reminder",
            "temporal_workflow": {"workflow_id": "a", "run_id": "r"},
        },
    )
    logging.getLogger("temporalio.workflow").info("quiet_enough")
    logging.getLogger("asyncio").info("library_chatter")
    structlog.get_logger("kehoach").info("notice_sent", outbox_key="k")

    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert ["notice_given_up", "quiet_enough", "notice_sent"] == [e["event"] for e in lines]
    given_up = lines[0]
    assert ("error", "a/reminder", "a") == (
        given_up["level"],
        given_up["notice_key"],
        given_up["temporal_workflow"]["workflow_id"],
    )
    assert given_up["timestamp"].endswith("Z")
