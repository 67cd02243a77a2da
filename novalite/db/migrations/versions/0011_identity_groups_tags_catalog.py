"""identity: groups (membership, role assignments), project tags, region parents, endpoint
groups and project endpoints (OS-EP-FILTER), policy blobs

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_groups",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("domain_id", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["domain_id"], ["identity_domains.id"],
                                name=op.f("fk_identity_groups_domain_id_identity_domains")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_groups")),
        sa.UniqueConstraint("domain_id", "name", name=op.f("uq_identity_groups_domain_id_name")),
    )
    op.create_table(
        "identity_group_memberships",
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["identity_groups.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_group_memberships_group_id_identity_groups")),
        sa.ForeignKeyConstraint(["user_id"], ["identity_users.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_group_memberships_user_id_identity_users")),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_identity_group_memberships")),
    )
    op.create_index("ix_group_memberships_user", "identity_group_memberships", ["user_id"])
    op.create_table(
        "identity_group_role_assignments",
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("role_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["identity_groups.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_group_role_assignments_group_id_identity_groups")),
        sa.ForeignKeyConstraint(["role_id"], ["identity_roles.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_group_role_assignments_role_id_identity_roles")),
        sa.PrimaryKeyConstraint("group_id", "target_type", "target_id", "role_id",
                                name=op.f("pk_identity_group_role_assignments")),
    )
    op.create_table(
        "identity_project_tags",
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["identity_projects.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_project_tags_project_id_identity_projects")),
        sa.PrimaryKeyConstraint("project_id", "name", name=op.f("pk_identity_project_tags")),
    )
    op.add_column("identity_regions", sa.Column("parent_region_id", sa.String(255),
                                                nullable=True))
    op.create_table(
        "identity_endpoint_groups",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_endpoint_groups")),
    )
    op.create_table(
        "identity_project_endpoint_groups",
        sa.Column("endpoint_group_id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_group_id"], ["identity_endpoint_groups.id"],
                                ondelete="CASCADE",
                                name="fk_identity_project_endpoint_groups_group"),
        sa.PrimaryKeyConstraint("endpoint_group_id", "project_id",
                                name=op.f("pk_identity_project_endpoint_groups")),
    )
    op.create_table(
        "identity_project_endpoints",
        sa.Column("endpoint_id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["identity_endpoints.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_project_endpoints_endpoint_id_identity_endpoints")),
        sa.PrimaryKeyConstraint("endpoint_id", "project_id",
                                name=op.f("pk_identity_project_endpoints")),
    )
    op.create_table(
        "identity_policies",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("blob", sa.Text(), nullable=False),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_policies")),
    )
