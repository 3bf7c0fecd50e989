"""What every repository of the store shares: the pool, error mapping, row conversion.

Each method is one statement or one transaction, so nothing is half-written. Errors come
back as schemas.errors, never as asyncpg exceptions: `Conflict` when a unique key already
holds other data, `NotFound` for a missing row (or a reference to one), `StoreError` for a
broken rule. Activities turn those into non-retryable failures; connection errors stay
asyncpg's own so the retry policy handles them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import asyncpg

from schemas.base import Model
from schemas.errors import Conflict, NotFound, StoreError

# The same limits as the CHECK constraints in db/migrations/0001_init.sql. A report may
# have 100,000 characters (schemas.assignment.MAX_REPORT_CHARS); at most 4 bytes each in UTF-8.
MAX_BODY_BYTES = 400_000
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ERROR_CHARS = 4000

M = TypeVar("M", bound=Model)


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn asyncpg's integrity errors into kehoach's, naming the table and the key."""
    try:
        yield
    except asyncpg.UniqueViolationError as e:
        raise Conflict(f"{e.table_name}: {e.detail or e}") from e
    except asyncpg.ForeignKeyViolationError as e:
        raise NotFound(f"{e.table_name}: {e.detail or e}") from e
    except asyncpg.CheckViolationError as e:
        # Not e.detail: it repeats the whole row, report bodies included.
        raise StoreError(
            f"{e.table_name}: the value breaks the rule {e.constraint_name}"
            " (see db/migrations for what it allows)",
            message_vi="Dữ liệu không đúng quy định.",
        ) from e
    except (asyncpg.CharacterNotInRepertoireError, asyncpg.UntranslatableCharacterError) as e:
        # Text PostgreSQL cannot keep (NUL): retrying cannot help, so it is a refusal.
        raise StoreError(
            f"text the database cannot store: {e}",
            message_vi="Nội dung có ký tự không lưu được.",
        ) from e


def row_model(model: type[M], row: asyncpg.Record | None, missing: str) -> M:
    """The row as `model`, or NotFound saying what was `missing`."""
    if row is None:
        raise NotFound(missing)
    return model.model_validate(dict(row))


def aware(field: str, value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.utcoffset() is None:
        raise StoreError(
            f"{field}: got {value.isoformat()} without a time zone; expected an aware datetime"
        )
    return value


def check_body(body: str) -> None:
    size = len(body.encode())
    if size > MAX_BODY_BYTES:
        raise StoreError(
            f"body: got {size} bytes; expected at most {MAX_BODY_BYTES}",
            message_vi=f"Nội dung quá dài ({size} byte, tối đa {MAX_BODY_BYTES} byte).",
        )


class Repository:
    """A group of the store's tables, over one asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool[asyncpg.Record]) -> None:
        self._pool = pool
