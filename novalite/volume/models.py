"""Tables of the volume service: volumes with their metadata and image metadata,
attachments, snapshots, volume types and quotas.

Deleted volumes and snapshots are removed outright (rows and backend data): the API
never shows them again, as with images.
"""

from __future__ import annotations

import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from novalite.db.base import Base, PreciseDateTime, utcnow


class VolumeType(Base):
    __tablename__ = "volume_types"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime.datetime] = mapped_column(PreciseDateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(PreciseDateTime, onupdate=utcnow)


class VolumeTypeExtraSpec(Base):
    __tablename__ = "volume_type_extra_specs"

    volume_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("volume_types.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class VolumeTypeProject(Base):
    """A project that may use a private volume type."""

    __tablename__ = "volume_type_projects"

    volume_type_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("volume_types.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)


class Volume(Base):
    __tablename__ = "volumes"
    __table_args__ = (Index("ix_volumes_project_id", "project_id"),
                      Index("ix_volumes_created_at", "created_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), default="creating")
    #: the status before a transition that may be rolled back (os-roll_detaching)
    previous_status: Mapped[str | None] = mapped_column(String(32))
    #: detached or attached: whether any attachment is complete
    attach_status: Mapped[str] = mapped_column(String(32), default="detached")
    availability_zone: Mapped[str] = mapped_column(String(255))
    volume_type_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("volume_types.id"))
    #: the backend (an entry of [volume] enabled_backends) holding the data
    backend: Mapped[str] = mapped_column(String(64))
    snapshot_id: Mapped[str | None] = mapped_column(String(36))
    source_volid: Mapped[str | None] = mapped_column(String(36))
    bootable: Mapped[bool] = mapped_column(Boolean, default=False)
    multiattach: Mapped[bool] = mapped_column(Boolean, default=False)
    readonly: Mapped[bool] = mapped_column(Boolean, default=False)
    migration_status: Mapped[str | None] = mapped_column(String(32))
    #: where the backend keeps the data (a file path)
    provider_location: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(PreciseDateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(PreciseDateTime, onupdate=utcnow)


class VolumeMetadata(Base):
    __tablename__ = "volume_metadata"

    volume_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("volumes.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class VolumeImageMetadata(Base):
    """The properties of the image a volume was made from (``volume_image_metadata``)."""

    __tablename__ = "volume_image_metadata"

    volume_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("volumes.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class VolumeAttachment(Base):
    __tablename__ = "volume_attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volume_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("volumes.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str] = mapped_column(String(255))
    instance_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    attached_host: Mapped[str | None] = mapped_column(String(255))
    mountpoint: Mapped[str | None] = mapped_column(String(255))
    #: reserved, attaching, attached, detaching, error_attaching, error_detaching
    attach_status: Mapped[str] = mapped_column(String(32), default="reserved")
    attach_mode: Mapped[str | None] = mapped_column(String(8))
    connector: Mapped[str | None] = mapped_column(Text)  # JSON
    connection_info: Mapped[str | None] = mapped_column(Text)  # JSON
    attach_time: Mapped[datetime.datetime | None] = mapped_column(PreciseDateTime)
    detach_time: Mapped[datetime.datetime | None] = mapped_column(PreciseDateTime)
    created_at: Mapped[datetime.datetime] = mapped_column(PreciseDateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(PreciseDateTime, onupdate=utcnow)


class Snapshot(Base):
    __tablename__ = "volume_snapshots"
    __table_args__ = (Index("ix_volume_snapshots_project_id", "project_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volume_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("volumes.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="creating")
    progress: Mapped[str | None] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    provider_location: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime.datetime] = mapped_column(PreciseDateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime | None] = mapped_column(PreciseDateTime, onupdate=utcnow)


class SnapshotMetadata(Base):
    __tablename__ = "volume_snapshot_metadata"

    snapshot_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("volume_snapshots.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class VolumeQuota(Base):
    """A project's override of one ``[volume] quota_*`` default."""

    __tablename__ = "volume_quotas"

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    resource: Mapped[str] = mapped_column(String(255), primary_key=True)
    hard_limit: Mapped[int] = mapped_column(Integer)


class VolumeQuotaLock(Base):
    """One row per project, locked (SELECT ... FOR UPDATE) while usage is checked."""

    __tablename__ = "volume_quota_locks"

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
