"""compute: the volumes of instances (Nova's block_device_mapping table)

Revision ID: 0026
Revises: 0040
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "block_device_mapping",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("instance_uuid", sa.String(length=36), nullable=False),
        sa.Column("source_type", sa.String(length=255), nullable=False),
        sa.Column("destination_type", sa.String(length=255), nullable=False),
        sa.Column("boot_index", sa.Integer(), nullable=True),
        sa.Column("device_name", sa.String(length=255), nullable=True),
        sa.Column("device_type", sa.String(length=255), nullable=True),
        sa.Column("disk_bus", sa.String(length=255), nullable=True),
        sa.Column("guest_format", sa.String(length=255), nullable=True),
        sa.Column("image_id", sa.String(length=36), nullable=True),
        sa.Column("volume_id", sa.String(length=36), nullable=True),
        sa.Column("snapshot_id", sa.String(length=36), nullable=True),
        sa.Column("volume_size", sa.Integer(), nullable=True),
        sa.Column("volume_type", sa.String(length=255), nullable=True),
        sa.Column("delete_on_termination", sa.Boolean(), nullable=False),
        sa.Column("attachment_id", sa.String(length=36), nullable=True),
        sa.Column("connection_info", sa.Text(), nullable=True),
        sa.Column("tag", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["instance_uuid"], ["instances.uuid"],
                                name=op.f("fk_block_device_mapping_instance_uuid_instances"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_block_device_mapping")),
        sa.UniqueConstraint("uuid", name=op.f("uq_block_device_mapping_uuid")),
    )
    op.create_index("ix_block_device_mapping_instance_uuid", "block_device_mapping",
                    ["instance_uuid"])
    op.create_index("ix_block_device_mapping_volume_id", "block_device_mapping",
                    ["volume_id"])


def downgrade() -> None:
    op.drop_index("ix_block_device_mapping_volume_id", table_name="block_device_mapping")
    op.drop_index("ix_block_device_mapping_instance_uuid", table_name="block_device_mapping")
    op.drop_table("block_device_mapping")
