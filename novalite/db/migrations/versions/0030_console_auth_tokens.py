"""compute: console authorization tokens (Nova's console_auth_tokens)

Revision ID: 0030
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_auth_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=255), nullable=False),
        sa.Column("console_type", sa.String(length=255), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("internal_access_path", sa.String(length=255), nullable=True),
        sa.Column("instance_uuid", sa.String(length=36), nullable=False),
        sa.Column("access_url_base", sa.String(length=255), nullable=True),
        sa.Column("expires", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["instance_uuid"], ["instances.uuid"],
                                name=op.f("fk_console_auth_tokens_instance_uuid_instances"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_auth_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_auth_tokens_token_hash")),
    )
    op.create_index(op.f("ix_console_auth_tokens_instance_uuid"), "console_auth_tokens",
                    ["instance_uuid"])
    op.create_index(op.f("ix_console_auth_tokens_expires"), "console_auth_tokens",
                    ["expires"])
