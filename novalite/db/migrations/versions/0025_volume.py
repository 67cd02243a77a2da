"""volume service: volume types, volumes, their metadata and image metadata, attachments,
snapshots, quotas

Revision ID: 0025
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

#: microseconds on MySQL/MariaDB too (novalite.db.base.PreciseDateTime)
PRECISE_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

revision = "0025"
down_revision = "0001"
branch_labels = ("volume",)
depends_on = None


def _fk(table: str, column: str, target: str, cascade: bool = True) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=f"fk_{table}_{column}_{referred}",
                                   ondelete="CASCADE" if cascade else None)


def upgrade() -> None:
    op.create_table(
        "volume_types",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(255), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("created_at", PRECISE_DATETIME, nullable=False),
        sa.Column("updated_at", PRECISE_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_volume_types"),
        sa.UniqueConstraint("name", name="uq_volume_types_name"),
    )
    op.create_table(
        "volume_type_extra_specs",
        sa.Column("volume_type_id", sa.String(36), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        _fk("volume_type_extra_specs", "volume_type_id", "volume_types.id"),
        sa.PrimaryKeyConstraint("volume_type_id", "key", name="pk_volume_type_extra_specs"),
    )
    op.create_table(
        "volume_type_projects",
        sa.Column("volume_type_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        _fk("volume_type_projects", "volume_type_id", "volume_types.id"),
        sa.PrimaryKeyConstraint("volume_type_id", "project_id",
                                name="pk_volume_type_projects"),
    )
    op.create_table(
        "volumes",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("description", sa.String(255), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("previous_status", sa.String(32), nullable=True),
        sa.Column("attach_status", sa.String(32), nullable=False),
        sa.Column("availability_zone", sa.String(255), nullable=False),
        sa.Column("volume_type_id", sa.String(36), nullable=True),
        sa.Column("backend", sa.String(64), nullable=False),
        sa.Column("snapshot_id", sa.String(36), nullable=True),
        sa.Column("source_volid", sa.String(36), nullable=True),
        sa.Column("bootable", sa.Boolean(), nullable=False),
        sa.Column("multiattach", sa.Boolean(), nullable=False),
        sa.Column("readonly", sa.Boolean(), nullable=False),
        sa.Column("migration_status", sa.String(32), nullable=True),
        sa.Column("provider_location", sa.String(255), nullable=True),
        sa.Column("created_at", PRECISE_DATETIME, nullable=False),
        sa.Column("updated_at", PRECISE_DATETIME, nullable=True),
        _fk("volumes", "volume_type_id", "volume_types.id", cascade=False),
        sa.PrimaryKeyConstraint("id", name="pk_volumes"),
    )
    op.create_index("ix_volumes_project_id", "volumes", ["project_id"])
    op.create_index("ix_volumes_created_at", "volumes", ["created_at"])
    for table in ("volume_metadata", "volume_image_metadata"):
        op.create_table(
            table,
            sa.Column("volume_id", sa.String(36), nullable=False),
            sa.Column("key", sa.String(255), nullable=False),
            sa.Column("value", sa.Text() if table == "volume_image_metadata"
                      else sa.String(255), nullable=False),
            _fk(table, "volume_id", "volumes.id"),
            sa.PrimaryKeyConstraint("volume_id", "key", name=f"pk_{table}"),
        )
    op.create_table(
        "volume_attachments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("volume_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("instance_uuid", sa.String(36), nullable=True),
        sa.Column("attached_host", sa.String(255), nullable=True),
        sa.Column("mountpoint", sa.String(255), nullable=True),
        sa.Column("attach_status", sa.String(32), nullable=False),
        sa.Column("attach_mode", sa.String(8), nullable=True),
        sa.Column("connector", sa.Text(), nullable=True),
        sa.Column("connection_info", sa.Text(), nullable=True),
        sa.Column("attach_time", PRECISE_DATETIME, nullable=True),
        sa.Column("detach_time", PRECISE_DATETIME, nullable=True),
        sa.Column("created_at", PRECISE_DATETIME, nullable=False),
        sa.Column("updated_at", PRECISE_DATETIME, nullable=True),
        _fk("volume_attachments", "volume_id", "volumes.id"),
        sa.PrimaryKeyConstraint("id", name="pk_volume_attachments"),
    )
    op.create_index("ix_volume_attachments_volume_id", "volume_attachments", ["volume_id"])
    op.create_index("ix_volume_attachments_instance_uuid", "volume_attachments",
                    ["instance_uuid"])
    op.create_table(
        "volume_snapshots",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("volume_id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("description", sa.String(255), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("progress", sa.String(32), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("provider_location", sa.String(255), nullable=True),
        sa.Column("created_at", PRECISE_DATETIME, nullable=False),
        sa.Column("updated_at", PRECISE_DATETIME, nullable=True),
        _fk("volume_snapshots", "volume_id", "volumes.id"),
        sa.PrimaryKeyConstraint("id", name="pk_volume_snapshots"),
    )
    op.create_index("ix_volume_snapshots_volume_id", "volume_snapshots", ["volume_id"])
    op.create_index("ix_volume_snapshots_project_id", "volume_snapshots", ["project_id"])
    op.create_table(
        "volume_snapshot_metadata",
        sa.Column("snapshot_id", sa.String(36), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        _fk("volume_snapshot_metadata", "snapshot_id", "volume_snapshots.id"),
        sa.PrimaryKeyConstraint("snapshot_id", "key", name="pk_volume_snapshot_metadata"),
    )
    op.create_table(
        "volume_quotas",
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("resource", sa.String(255), nullable=False),
        sa.Column("hard_limit", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("project_id", "resource", name="pk_volume_quotas"),
    )
    op.create_table(
        "volume_quota_locks",
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("project_id", name="pk_volume_quota_locks"),
    )


def downgrade() -> None:
    for table in ("volume_quota_locks", "volume_quotas", "volume_snapshot_metadata",
                  "volume_snapshots", "volume_attachments", "volume_image_metadata",
                  "volume_metadata", "volumes", "volume_type_projects",
                  "volume_type_extra_specs", "volume_types"):
        op.drop_table(table)
