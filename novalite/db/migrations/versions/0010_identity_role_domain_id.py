"""identity: domain-specific roles (role names unique per domain, '<<null>>' = global)

Revision ID: 0010
Revises: 0009

SQLite can only drop the old UNIQUE(name) by rebuilding identity_roles, and with
foreign keys on, dropping the old table cascades into the implied roles and the role
assignments: those rows are kept aside and put back after the rebuild.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NULL_DOMAIN = "<<null>>"  # Keystone's value for "no domain", so the unique key holds
_REFERRING = ("identity_implied_roles", "identity_role_assignments")


def upgrade() -> None:
    bind = op.get_bind()
    kept: list[tuple[sa.Table, list[dict[str, object]]]] = []
    if bind.dialect.name == "sqlite":
        for name in _REFERRING:
            table = sa.Table(name, sa.MetaData(), autoload_with=bind)
            kept.append((table, [dict(row._mapping) for row in bind.execute(sa.select(table))]))
    with op.batch_alter_table("identity_roles") as batch:
        batch.add_column(sa.Column("domain_id", sa.String(64), nullable=False,
                                   server_default=NULL_DOMAIN))
        batch.drop_constraint("uq_identity_roles_name", type_="unique")
        batch.create_unique_constraint("uq_identity_roles_name_domain_id",
                                       ["name", "domain_id"])
    for table, rows in kept:
        bind.execute(table.delete())
        if rows:
            bind.execute(table.insert(), rows)
