"""identity: application credentials (roles, access rules), credentials, unified limits
(registered limits and project limits)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_application_credentials",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("secret_hash", sa.String(255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("unrestricted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["identity_users.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_application_credentials_user_id_identity_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_application_credentials")),
        sa.UniqueConstraint("user_id", "name",
                            name=op.f("uq_identity_application_credentials_user_id_name")),
    )
    op.create_table(
        "identity_application_credential_roles",
        sa.Column("application_credential_id", sa.String(64), nullable=False),
        sa.Column("role_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["application_credential_id"],
                                ["identity_application_credentials.id"], ondelete="CASCADE",
                                name="fk_identity_app_cred_roles_app_cred"),
        sa.ForeignKeyConstraint(["role_id"], ["identity_roles.id"], ondelete="CASCADE",
                                name="fk_identity_app_cred_roles_role"),
        sa.PrimaryKeyConstraint("application_credential_id", "role_id",
                                name=op.f("pk_identity_application_credential_roles")),
    )
    op.create_table(
        "identity_access_rules",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("path", sa.String(128), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["identity_users.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_access_rules_user_id_identity_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_access_rules")),
        sa.UniqueConstraint("user_id", "service", "path", "method",
                            name=op.f("uq_identity_access_rules_user_id_service_path_method")),
    )
    op.create_table(
        "identity_application_credential_access_rules",
        sa.Column("application_credential_id", sa.String(64), nullable=False),
        sa.Column("access_rule_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["application_credential_id"],
                                ["identity_application_credentials.id"], ondelete="CASCADE",
                                name="fk_identity_app_cred_rules_app_cred"),
        sa.ForeignKeyConstraint(["access_rule_id"], ["identity_access_rules.id"],
                                name="fk_identity_app_cred_rules_rule"),
        sa.PrimaryKeyConstraint("application_credential_id", "access_rule_id",
                                name="pk_identity_application_credential_access_rules"),
    )
    op.create_table(
        "identity_credentials",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("blob", sa.Text(), nullable=False),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["identity_users.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_credentials_user_id_identity_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_credentials")),
    )
    op.create_index("ix_identity_credentials_user", "identity_credentials", ["user_id"])
    op.create_table(
        "identity_registered_limits",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("region_id", sa.String(255), nullable=True),
        sa.Column("resource_name", sa.String(255), nullable=False),
        sa.Column("default_limit", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["identity_catalog_services.id"],
                                ondelete="CASCADE",
                                name="fk_identity_registered_limits_service"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_registered_limits")),
    )
    op.create_table(
        "identity_limits",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("registered_limit_id", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=True),
        sa.Column("domain_id", sa.String(64), nullable=True),
        sa.Column("resource_limit", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["registered_limit_id"], ["identity_registered_limits.id"],
                                name="fk_identity_limits_registered"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_limits")),
    )
    op.create_index("ix_identity_limits_project", "identity_limits", ["project_id"])
