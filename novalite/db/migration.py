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


def db_sync(revision: str = "head") -> None:
    """Bring the configured database up to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(), revision)


def db_version() -> str | None:
    with db_api.get_engine().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_version() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
