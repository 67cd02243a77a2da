"""compute: the instances' network info cache (Nova's instance_info_caches)

Revision ID: 0006
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("instances", sa.Column("network_info", sa.Text(), nullable=True))
    op.add_column("instances", sa.Column("requested_networks", sa.Text(), nullable=True))
