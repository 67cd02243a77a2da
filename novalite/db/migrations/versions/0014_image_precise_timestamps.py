"""image service: images keep microseconds in their timestamps on MySQL/MariaDB too
(DATETIME(6), as novalite.db.base.PreciseDateTime): Nova's backup rotation keeps the
newest images by created_at, and backups made within one second tied there

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "mysql":
        return  # PostgreSQL and SQLite keep microseconds already
    for column in ("created_at", "updated_at"):
        op.alter_column("images", column, type_=mysql.DATETIME(fsp=6),
                        existing_type=sa.DateTime(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "mysql":
        return
    for column in ("created_at", "updated_at"):
        op.alter_column("images", column, type_=sa.DateTime(),
                        existing_type=mysql.DATETIME(fsp=6), existing_nullable=False)
