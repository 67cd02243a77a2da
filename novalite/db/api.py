"""Engine and session handling for SQLite, PostgreSQL and MariaDB.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the many
threads of ``novalite up`` can share one file. Server databases get a sized pool.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from novalite.conf import CONF

_lock = threading.Lock()
_engine: Engine | None = None
_sessionmaker: sessionmaker[Session] | None = None
# SQLite allows one writer at a time. Rather than letting concurrent writers collide
# and back off inside SQLite's busy handler (sleeps of up to 100 ms, and "database is
# locked" for a reader that later writes), the threads of one process take turns
# here, and each transaction starts as BEGIN IMMEDIATE. Other processes still meet
# SQLite's own locking.
_sqlite_turn = threading.RLock()


def connection_url() -> str:
    if CONF.database.connection:
        return CONF.database.connection
    state = os.path.expanduser(CONF.state_path)
    return f"sqlite:///{os.path.join(state, 'novalite.sqlite')}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite() -> bool:
    return get_engine().dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(url, echo=CONF.database.connection_debug,
                               connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=CONF.database.connection_debug, pool_pre_ping=True,
                         pool_size=CONF.database.max_pool_size,
                         max_overflow=CONF.database.max_overflow)


def get_engine() -> Engine:
    global _engine, _sessionmaker
    with _lock:
        if _engine is None:
            _engine = make_engine(connection_url())
            _sessionmaker = sessionmaker(bind=_engine, expire_on_commit=False)
        return _engine


@contextlib.contextmanager
def session_scope() -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    engine = get_engine()
    assert _sessionmaker is not None
    turn = _sqlite_turn if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with turn:
        session = _sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def dispose() -> None:
    """Forget the engine (tests and config reloads point at another database)."""
    global _engine, _sessionmaker
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _sessionmaker = None
