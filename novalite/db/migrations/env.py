"""Alembic environment: runs against the engine novalite is configured with."""

from alembic import context

from novalite.db import all_models
from novalite.db import api as db_api

config = context.config


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=all_models.metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    with db_api.get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=all_models.metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
