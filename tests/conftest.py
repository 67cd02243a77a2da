"""Fixtures every test layer shares: configuration, a migrated database, the RPC bus.

``NOVALITE_TEST_DB`` picks the database: ``sqlite`` (default), ``postgresql``
(127.0.0.1:5432, trust auth) or ``mysql`` (MariaDB on 127.0.0.1:3306, root). For the
server databases one scratch database is created per test session and emptied
after each test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from novalite.common import policy, rpc
from novalite.conf import CONF
from novalite.db import all_models, migration
from novalite.db import api as db_api

if not CONF._args:
    CONF([], project="novalite", default_config_files=[])

SERVER_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4",
}


def _admin_url(kind: str) -> str:
    return SERVER_URLS[kind].format(name="postgres" if kind == "postgresql" else "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    kind = os.environ.get("NOVALITE_TEST_DB", "sqlite")
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'novalite.sqlite'}"
        return
    name = f"novalite_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_admin_url(kind), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield SERVER_URLS[kind].format(name=name)
    finally:
        db_api.dispose()
        with admin.connect() as connection:
            if kind == "postgresql":
                connection.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
            connection.execute(sa.text(f"DROP DATABASE {name}"))
        admin.dispose()


@pytest.fixture
def conf(tmp_path, monkeypatch) -> Iterator[object]:
    """The global CONF pointed at a scratch state directory and the in-process bus.

    Every override set while the test runs (by it or by its fixtures) is cleared after
    it, so no option leaks into the next test."""
    overridden: set[tuple[str, str | None]] = set()
    set_override = CONF.set_override

    def recording_set_override(name: str, override: object, group: str | None = None
                               ) -> None:
        set_override(name, override, group)
        overridden.add((name, group))

    monkeypatch.setattr(CONF, "set_override", recording_set_override)
    CONF.set_override("state_path", str(tmp_path))
    CONF.set_override("transport_url", "kombu+memory:////")
    CONF.set_override("host", "test-host")
    CONF.set_override("compute_driver", "fake")
    yield CONF
    rpc.cleanup()
    policy.reset()
    for name, group in overridden:
        CONF.clear_override(name, group)


_synced: set[str] = set()


@pytest.fixture
def db(conf, database_url: str) -> Iterator[str]:
    """A migrated database, emptied after the test."""
    CONF.set_override("connection", database_url, "database")
    db_api.dispose()
    if database_url not in _synced:
        migration.db_sync()
        _synced.add(database_url)
    yield database_url
    engine = db_api.get_engine()
    with engine.begin() as connection:
        for table in reversed(all_models.metadata.sorted_tables):
            connection.execute(table.delete())
    db_api.dispose()
    CONF.clear_override("connection", "database")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses the database, so the PostgreSQL and MariaDB passes of
    ``tools/run-tests`` run exactly those (``-m db``). Tests that boot real guests run
    once: the database paths they take are the functional tests', which run on all three,
    and a guest costs seconds of CPU. A test marked ``postgresql_only`` runs on the
    PostgreSQL pass alone (deselected on the others): its own processes use a database
    of their own, one pass is enough."""
    kind = os.environ.get("NOVALITE_TEST_DB", "sqlite")
    faults = os.environ.get("NOVALITE_FAULT_TESTS") == "1"
    kept, deselected = [], []
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if item.get_closest_marker("faults") and not faults:
            deselected.append(item)  # `make faults` runs them (minutes of kills and restarts)
            continue
        if item.get_closest_marker("postgresql_only"):
            (kept if kind == "postgresql" else deselected).append(item)
            item.add_marker(pytest.mark.db)
            continue
        kept.append(item)
        if "db" in fixtures and not _REAL_GUESTS.intersection(fixtures):
            item.add_marker(pytest.mark.db)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


_REAL_GUESTS = {"libvirt_conf", "network_conf"}
