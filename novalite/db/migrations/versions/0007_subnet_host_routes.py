"""network: subnets' host_routes ([{destination, nexthop}], NULL read as none)

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subnets", sa.Column("host_routes", sa.JSON(), nullable=True))
