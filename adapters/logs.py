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
    to that file as JSON lines. Other libraries' logging is kept to warnings and above.
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
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            redact_links,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(
        level=max(level, logging.WARNING), stream=stream,
        format="%(asctime)s %(levelname)s %(name)s %(message)s", force=True,
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RedactLinks())


class _RedactLinks(logging.Filter):
    """The same for other libraries' records (uvicorn's, for one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
