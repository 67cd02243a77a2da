"""identity: projects' extra properties (the keys Keystone stores beside its own)

Revision ID: 0009
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # JSON text: a JSON column has no equality on PostgreSQL, and projects are
    # selected DISTINCT
    op.add_column("identity_projects", sa.Column("extra", sa.Text(), nullable=True))
