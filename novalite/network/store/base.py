"""What every network store module shares: ids, the retry loop for transactions the
database aborts (deadlock, serialization failure), and the ``IN`` filter helper."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy.exc

LOG = logging.getLogger(__name__)
T = TypeVar("T")

TRANSACTION_ATTEMPTS = 10
# MySQL/MariaDB: deadlock, lock wait timeout; PostgreSQL: deadlock, serialization failure.
_RETRYABLE_CODES = {"1213", "1205", "40P01", "40001"}


def new_id() -> str:
    return str(uuid.uuid4())


def _is_retryable(error: sqlalchemy.exc.DBAPIError) -> bool:
    original = error.orig
    args = getattr(original, "args", ())
    code = str(args[0]) if args else ""
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code in _RETRYABLE_CODES or sqlstate in _RETRYABLE_CODES


def with_retries(work: Callable[[], T]) -> T:
    """Run one transaction, again from the start when the database asks for it."""
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            return work()
        except sqlalchemy.exc.OperationalError as error:
            if not _is_retryable(error) or attempt == TRANSACTION_ATTEMPTS - 1:
                raise
            LOG.debug("Retrying a network transaction after %s", error.orig)
    raise AssertionError("unreachable")


def column_in(column: Any, values: Sequence[Any]) -> Any:
    return column == values[0] if len(values) == 1 else column.in_(values)
