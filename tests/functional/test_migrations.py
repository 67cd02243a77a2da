"""Migrations on a database that already holds data (SQLite, where some rebuild
tables): nothing the earlier revisions stored is lost on the way to the heads."""

from __future__ import annotations

import sqlalchemy as sa

from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.db import migration


def test_role_domain_migration_keeps_implied_roles_and_assignments(conf, tmp_path):
    CONF.set_override("connection", f"sqlite:///{tmp_path / 'old.sqlite'}", "database")
    db_api.dispose()
    try:
        migration.db_sync("0009")
        engine = db_api.get_engine()
        now = "2030-01-01 00:00:00"
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO identity_domains (id, name, enabled, created_at) "
                "VALUES ('default', 'Default', 1, :now)"), {"now": now})
            connection.execute(sa.text(
                "INSERT INTO identity_users (id, name, domain_id, enabled, created_at) "
                "VALUES ('u1', 'user', 'default', 1, :now)"), {"now": now})
            for role_id in ("r1", "r2"):
                connection.execute(sa.text(
                    "INSERT INTO identity_roles (id, name, created_at) "
                    "VALUES (:id, :id, :now)"), {"id": role_id, "now": now})
            connection.execute(sa.text(
                "INSERT INTO identity_implied_roles (prior_role_id, implied_role_id) "
                "VALUES ('r1', 'r2')"))
            connection.execute(sa.text(
                "INSERT INTO identity_role_assignments (target_type, target_id, user_id, "
                "role_id) VALUES ('project', 'p1', 'u1', 'r1')"))
        migration.db_sync()
        with engine.connect() as connection:
            assert connection.execute(sa.text(
                "SELECT id, domain_id FROM identity_roles ORDER BY id")).all() == [
                ("r1", "<<null>>"), ("r2", "<<null>>")]
            assert connection.execute(sa.text(
                "SELECT COUNT(*) FROM identity_implied_roles")).scalar() == 1
            assert connection.execute(sa.text(
                "SELECT role_id FROM identity_role_assignments")).all() == [("r1",)]
    finally:
        db_api.dispose()
        CONF.clear_override("connection", "database")


def test_the_volume_tables_match_their_models(db):
    """The migrations make the volume service's tables (and the block device mappings)
    exactly as the models declare them: nothing for autogenerate to add or change."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from novalite.db import all_models

    ours = {"volume_types", "volume_type_extra_specs", "volume_type_projects", "volumes",
            "volume_metadata", "volume_image_metadata", "volume_attachments",
            "volume_snapshots", "volume_snapshot_metadata", "volume_quotas",
            "volume_quota_locks"}
    with db_api.get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, all_models.metadata)

    def table_of(change: object) -> str | None:
        item = change[0] if isinstance(change, list) else change
        for part in item[1:]:  # type: ignore[index]
            name = getattr(part, "name", None) if hasattr(part, "columns") else None
            table = getattr(part, "table", None)
            if name in ours:
                return str(name)
            if table is not None and getattr(table, "name", None) in ours:
                return str(table.name)
            if isinstance(part, str) and part in ours:
                return part
        return None

    assert [change for change in diff if table_of(change)] == []
