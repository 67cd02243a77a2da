"""network: routers and floating IPs

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "routers",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("admin_state_up", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("gw_port_id", sa.String(36), nullable=True),
        sa.Column("enable_snat", sa.Boolean(), nullable=False),
        sa.Column("availability_zone_hints", sa.JSON(), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False, server_default="0"),
        *_timestamps(),
        sa.ForeignKeyConstraint(["gw_port_id"], ["ports.id"], ondelete="SET NULL",
                                name="fk_routers_gw_port_id_ports"),
        sa.PrimaryKeyConstraint("id", name="pk_routers"),
    )
    op.create_index("ix_routers_project_id", "routers", ["project_id"])
    op.create_table(
        "floatingips",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("floating_network_id", sa.String(36), nullable=False),
        sa.Column("floating_ip_address", sa.String(64), nullable=False),
        sa.Column("floating_port_id", sa.String(36), nullable=False),
        sa.Column("fixed_port_id", sa.String(36), nullable=True),
        sa.Column("fixed_ip_address", sa.String(64), nullable=True),
        sa.Column("router_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False, server_default="0"),
        *_timestamps(),
        sa.ForeignKeyConstraint(["floating_network_id"], ["networks.id"],
                                name="fk_floatingips_floating_network_id_networks"),
        sa.ForeignKeyConstraint(["floating_port_id"], ["ports.id"], ondelete="CASCADE",
                                name="fk_floatingips_floating_port_id_ports"),
        sa.ForeignKeyConstraint(["fixed_port_id"], ["ports.id"], ondelete="SET NULL",
                                name="fk_floatingips_fixed_port_id_ports"),
        sa.PrimaryKeyConstraint("id", name="pk_floatingips"),
        sa.UniqueConstraint("floating_network_id", "fixed_port_id", "fixed_ip_address",
                            name="uq_floatingips_fixed_address"),
    )
    op.create_index("ix_floatingips_project_id", "floatingips", ["project_id"])
    op.create_index("ix_floatingips_fixed_port_id", "floatingips", ["fixed_port_id"])
