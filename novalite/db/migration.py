"""Schema migrations (Alembic), driven by ``novalite-manage db sync``."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from novalite.db import api as db_api

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return config


def db_sync(revision: str = "heads") -> None:
    """Bring the configured database up to ``revision`` (default: every branch's newest)."""
    command.upgrade(alembic_config(), revision)


def db_versions() -> tuple[str, ...]:
    """The revisions the database is at (one per migration branch)."""
    with db_api.get_engine().connect() as connection:
        return tuple(MigrationContext.configure(connection).get_current_heads())


def head_versions() -> tuple[str, ...]:
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())
