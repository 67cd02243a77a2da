"""Waiting out a database restart: a request that could not reach the database is run
again once it answers, for up to ``[database] reconnect_timeout`` seconds.

Only errors that say the connection failed or was lost count (nothing was committed
then: a transaction whose connection went away is rolled back by the server); any
other error is the request's own and goes to the caller at once.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import exc

from novalite.conf import CONF

LOG = logging.getLogger(__name__)
T = TypeVar("T")

#: what the drivers say when the server is gone (psycopg, PyMySQL) or shutting down
_LOST = ("connection failed", "connection refused", "server closed the connection",
         "terminating connection", "the database system is starting up",
         "the database system is shutting down", "can't connect to", "lost connection",
         "server has gone away", "connection is closed", "consuming input failed")


def is_disconnect(error: BaseException) -> bool:
    if not isinstance(error, exc.DBAPIError | exc.InvalidatePoolError):
        return False
    if getattr(error, "connection_invalidated", False) or isinstance(
            error, exc.InvalidatePoolError):
        return True
    text = str(getattr(error, "orig", None) or error).lower()
    return isinstance(error, exc.OperationalError | exc.InterfaceError) and any(
        phrase in text for phrase in _LOST)


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, again (every second) while the database is unreachable."""
    deadline = time.monotonic() + CONF.database.reconnect_timeout
    attempt = 0
    while True:
        try:
            return fn(*args, **kwargs)
        except Exception as error:
            attempt += 1
            if not is_disconnect(error) or time.monotonic() >= deadline:
                raise
            LOG.warning("database unreachable (%s, attempt %d): trying again",
                        type(error).__name__, attempt)
            time.sleep(1.0)


class RetryingEndpoint:
    """An RPC endpoint whose public methods wait out a database restart (``call``)."""

    def __init__(self, endpoint: object) -> None:
        self._endpoint = endpoint
        self.target = getattr(endpoint, "target", None)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._endpoint, name)
        if name.startswith("_") or not callable(value):
            return value

        @functools.wraps(value)
        def retrying(*args: Any, **kwargs: Any) -> Any:
            return call(value, *args, **kwargs)

        return retrying
