"""structlog, configured once at process start."""

import logging
import sys
from pathlib import Path
from typing import TextIO

import structlog
from structlog.typing import EventDict, WrappedLogger

from adapters.links import redact
from adapters.settings import Settings


def redact_links(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """No sign-in or action link token reaches a log line, whatever logged it (a path, an
    error message, a traceback): each is replaced by a marker."""
    return {k: redact(v) if isinstance(v, str) else v for k, v in event.items()}


def configure_logging(settings: Settings, *, to_file: Path | None = None) -> None:
    """Contextvars first, ISO UTC timestamps, JSON in production, console for a person.

    With `to_file` (as `kehoach up` does, so the terminal stays readable) every record goes
    to that file as JSON lines. Standard-library records are rendered the same way; other
    libraries' are kept to warnings and above, `workflow.logger`'s follow KEHOACH_LOG_LEVEL.
    """
    level = getattr(logging, settings.log_level)
    stream: TextIO = sys.stderr
    renderer: structlog.types.Processor
    if to_file is not None:
        to_file.parent.mkdir(parents=True, exist_ok=True)
        stream = to_file.open("a", encoding="utf-8", buffering=1)
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    elif settings.log_format == "json":
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            redact_links,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    # The standard library's records (Temporal's workflow.logger among them, with the
    # workflow's id, run and type in `temporal_workflow`) go through the same renderer, so
    # a worker's output is one kind of line; link tokens are redacted there too.
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                *shared,
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(),
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    handler.addFilter(_RedactLinks())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(max(level, logging.WARNING))  # other libraries: warnings and above
    logging.getLogger(WORKFLOW_LOGGER).setLevel(level)


WORKFLOW_LOGGER = "temporalio.workflow"
"""The logger behind `workflow.logger`: kept at kehoach's own level, not the libraries'."""


class _RedactLinks(logging.Filter):
    """The same for other libraries' records (uvicorn's, for one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
