"""network: Neutron's standard attributes (revision_number, tags), IPv6 address modes,
port security, allowed address pairs, extra DHCP options, availability zone hints

Revision ID: 0015
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0008"
branch_labels = None
depends_on = None

_REVISIONED = ("networks", "subnets", "ports", "security_groups", "security_group_rules")


def upgrade() -> None:
    for table in _REVISIONED:
        op.add_column(table, sa.Column("revision_number", sa.Integer(), nullable=False,
                                       server_default="0"))
    op.add_column("networks", sa.Column("port_security_enabled", sa.Boolean(),
                                        nullable=False, server_default=sa.true()))
    op.add_column("networks", sa.Column("availability_zone_hints", sa.JSON(), nullable=True))
    op.add_column("subnets", sa.Column("ipv6_ra_mode", sa.String(16), nullable=True))
    op.add_column("subnets", sa.Column("ipv6_address_mode", sa.String(16), nullable=True))
    op.add_column("ports", sa.Column("port_security_enabled", sa.Boolean(), nullable=False,
                                     server_default=sa.true()))
    op.add_column("ports", sa.Column("allowed_address_pairs", sa.JSON(), nullable=True))
    op.add_column("ports", sa.Column("extra_dhcp_opts", sa.JSON(), nullable=True))
    op.create_table(
        "network_tags",
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("tag", sa.String(255), nullable=False),
        sa.Column("resource_type", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("resource_id", "tag", name="pk_network_tags"),
    )
    op.create_index("ix_network_tags_tag", "network_tags", ["tag"])
