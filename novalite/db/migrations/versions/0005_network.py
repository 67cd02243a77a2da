"""network service: networks, subnets, ports, ip_allocations, security groups

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = ("network",)
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "networks",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("admin_state_up", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("mtu", sa.Integer(), nullable=False),
        sa.Column("router_external", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_networks"),
    )
    op.create_index("ix_networks_project_id", "networks", ["project_id"])
    op.create_table(
        "subnets",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("cidr", sa.String(64), nullable=False),
        sa.Column("gateway_ip", sa.String(64), nullable=True),
        sa.Column("ip_version", sa.Integer(), nullable=False),
        sa.Column("enable_dhcp", sa.Boolean(), nullable=False),
        sa.Column("allocation_pools", sa.JSON(), nullable=False),
        sa.Column("dns_nameservers", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"],
                                name="fk_subnets_network_id_networks"),
        sa.PrimaryKeyConstraint("id", name="pk_subnets"),
    )
    op.create_index("ix_subnets_network_id", "subnets", ["network_id"])
    op.create_table(
        "ports",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("mac_address", sa.String(32), nullable=False),
        sa.Column("device_id", sa.String(255), nullable=False),
        sa.Column("device_owner", sa.String(255), nullable=False),
        sa.Column("binding_host_id", sa.String(255), nullable=False),
        sa.Column("binding_profile", sa.JSON(), nullable=False),
        sa.Column("admin_state_up", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["network_id"], ["networks.id"],
                                name="fk_ports_network_id_networks"),
        sa.PrimaryKeyConstraint("id", name="pk_ports"),
        sa.UniqueConstraint("mac_address", name="uq_ports_mac_address"),
    )
    op.create_index("ix_ports_network_id", "ports", ["network_id"])
    op.create_index("ix_ports_device_id", "ports", ["device_id"])
    op.create_index("ix_ports_project_id", "ports", ["project_id"])
    op.create_table(
        "ip_allocations",
        sa.Column("port_id", sa.String(36), nullable=False),
        sa.Column("subnet_id", sa.String(36), nullable=False),
        sa.Column("ip_address", sa.String(64), nullable=False),
        sa.Column("network_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"], ondelete="CASCADE",
                                name="fk_ip_allocations_port_id_ports"),
        sa.ForeignKeyConstraint(["subnet_id"], ["subnets.id"],
                                name="fk_ip_allocations_subnet_id_subnets"),
        sa.PrimaryKeyConstraint("port_id", "subnet_id", "ip_address",
                                name="pk_ip_allocations"),
        sa.UniqueConstraint("subnet_id", "ip_address", name="uq_ip_allocations_subnet_id_ip"),
    )
    op.create_index("ix_ip_allocations_ip_address", "ip_allocations", ["ip_address"])
    op.create_table(
        "security_groups",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_security_groups"),
    )
    op.create_index("ix_security_groups_project_id", "security_groups", ["project_id"])
    op.create_table(
        "security_group_rules",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("security_group_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("ethertype", sa.String(16), nullable=False),
        sa.Column("protocol", sa.String(40), nullable=True),
        sa.Column("port_range_min", sa.Integer(), nullable=True),
        sa.Column("port_range_max", sa.Integer(), nullable=True),
        sa.Column("remote_ip_prefix", sa.String(64), nullable=True),
        sa.Column("remote_group_id", sa.String(36), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(["security_group_id"], ["security_groups.id"],
                                ondelete="CASCADE",
                                name="fk_security_group_rules_security_group_id_security_groups"),
        sa.ForeignKeyConstraint(["remote_group_id"], ["security_groups.id"],
                                ondelete="CASCADE",
                                name="fk_security_group_rules_remote_group_id_security_groups"),
        sa.PrimaryKeyConstraint("id", name="pk_security_group_rules"),
    )
    op.create_index("ix_security_group_rules_group", "security_group_rules",
                    ["security_group_id"])
    op.create_table(
        "port_security_groups",
        sa.Column("port_id", sa.String(36), nullable=False),
        sa.Column("security_group_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(["port_id"], ["ports.id"], ondelete="CASCADE",
                                name="fk_port_security_groups_port_id_ports"),
        sa.ForeignKeyConstraint(["security_group_id"], ["security_groups.id"],
                                name="fk_port_security_groups_security_group_id_security_groups"),
        sa.PrimaryKeyConstraint("port_id", "security_group_id", name="pk_port_security_groups"),
    )
    op.create_index("ix_port_security_groups_group", "port_security_groups",
                    ["security_group_id"])
    op.create_table(
        "default_security_groups",
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("security_group_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(["security_group_id"], ["security_groups.id"],
                                ondelete="CASCADE",
                                name="fk_default_security_groups_security_group_id_security_groups"),
        sa.PrimaryKeyConstraint("project_id", name="pk_default_security_groups"),
    )


def downgrade() -> None:
    for table in ("default_security_groups", "port_security_groups", "security_group_rules",
                  "security_groups", "ip_allocations", "ports", "subnets", "networks"):
        op.drop_table(table)
