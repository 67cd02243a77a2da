"""Tables of the image service: images, their free-form properties, tags and members;
metadata definitions (metadefs) namespaces and resource types.

Deleted images are removed outright (rows and file): the API never shows them again.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from novalite.db.base import Base, PreciseDateTime, utcnow


class Image(Base):
    __tablename__ = "images"
    __table_args__ = (
        Index("ix_images_owner", "owner"),
        Index("ix_images_visibility", "visibility"),
        Index("ix_images_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(30), default="queued")
    visibility: Mapped[str] = mapped_column(String(20), default="shared")
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    os_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger)
    virtual_size: Mapped[int | None] = mapped_column(BigInteger)
    checksum: Mapped[str | None] = mapped_column(String(32))
    os_hash_algo: Mapped[str | None] = mapped_column(String(64))
    os_hash_value: Mapped[str | None] = mapped_column(String(128))
    disk_format: Mapped[str | None] = mapped_column(String(32))
    container_format: Mapped[str | None] = mapped_column(String(32))
    min_disk: Mapped[int] = mapped_column(Integer, default=0)
    min_ram: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(PreciseDateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(PreciseDateTime, default=utcnow,
                                                          onupdate=utcnow)

    properties: Mapped[list[ImageProperty]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin")
    tags: Mapped[list[ImageTag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin")


class ImageProperty(Base):
    __tablename__ = "image_properties"

    image_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ImageTag(Base):
    __tablename__ = "image_tags"

    image_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)


class ImageMember(Base):
    __tablename__ = "image_members"
    __table_args__ = (Index("ix_image_members_member", "member"),)

    image_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("images.id", ondelete="CASCADE"), primary_key=True)
    member: Mapped[str] = mapped_column(String(255), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)


class MetadefNamespace(Base):
    """A metadata definitions namespace; its objects, properties, tags and resource type
    associations are kept with it as JSON (``document``), changed with the row locked."""

    __tablename__ = "metadef_namespaces"
    __table_args__ = (Index("ix_metadef_namespaces_owner", "owner"),)

    namespace: Mapped[str] = mapped_column(String(80), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(32), default="private")
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(255))
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)


class MetadefResourceType(Base):
    __tablename__ = "metadef_resource_types"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)
