"""image service: metadata definitions (metadef namespaces with their objects,
properties, tags and resource type associations, and resource types)

Revision ID: 0013
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metadef_namespaces",
        sa.Column("namespace", sa.String(80), nullable=False),
        sa.Column("display_name", sa.String(80), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("visibility", sa.String(32), nullable=False),
        sa.Column("protected", sa.Boolean(), nullable=False),
        sa.Column("owner", sa.String(255), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("namespace", name=op.f("pk_metadef_namespaces")),
    )
    op.create_index("ix_metadef_namespaces_owner", "metadef_namespaces", ["owner"])
    op.create_table(
        "metadef_resource_types",
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("protected", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_metadef_resource_types")),
    )


def downgrade() -> None:
    op.drop_table("metadef_resource_types")
    op.drop_index("ix_metadef_namespaces_owner", table_name="metadef_namespaces")
    op.drop_table("metadef_namespaces")
