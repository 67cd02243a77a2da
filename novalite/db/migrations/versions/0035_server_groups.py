"""compute: server groups and their members (Nova's instance_groups)

Revision ID: 0035
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("project_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("policy", sa.String(length=255), nullable=False),
        sa.Column("rules", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_groups")),
        sa.UniqueConstraint("uuid", name=op.f("uq_instance_groups_uuid")),
    )
    op.create_index(op.f("ix_instance_groups_project_id"), "instance_groups", ["project_id"])
    op.create_table(
        "instance_group_members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("instance_uuid", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["instance_groups.id"], ondelete="CASCADE",
            name=op.f("fk_instance_group_members_group_id_instance_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_group_members")),
        sa.UniqueConstraint("instance_uuid",
                            name=op.f("uq_instance_group_members_instance_uuid")),
    )
    op.create_index(op.f("ix_instance_group_members_group_id"), "instance_group_members",
                    ["group_id"])
