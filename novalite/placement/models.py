"""Placement tables: one resource provider per compute node, its inventories, allocations.

``generation`` is bumped by every change to a provider's inventory or allocations, in
the same transaction; writers serialize on that row (see ``store.claim``) and readers
use it to tell cheaply which providers changed since they last looked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from novalite.db.base import Base, TimestampMixin


class ResourceProvider(TimestampMixin, Base):
    """A compute node as placement sees it, plus the facts the scheduler filters read."""

    __tablename__ = "resource_providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    #: the hypervisor hostname (Nova's nodename)
    name: Mapped[str] = mapped_column(String(255))
    #: the compute service's host (RPC server name, services.host)
    host: Mapped[str] = mapped_column(String(255), index=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    hypervisor_type: Mapped[str | None] = mapped_column(String(255))
    hypervisor_version: Mapped[int | None] = mapped_column(Integer)
    #: [[architecture, hypervisor_type, vm_mode], ...] as Nova's supported_instances
    supported_instances: Mapped[list[Any] | None] = mapped_column(JSON)
    traits: Mapped[list[Any] | None] = mapped_column(JSON)


class Inventory(Base):
    __tablename__ = "inventories"
    __table_args__ = (UniqueConstraint("resource_provider_id", "resource_class"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_provider_id: Mapped[int] = mapped_column(
        ForeignKey("resource_providers.id", ondelete="CASCADE"))
    resource_class: Mapped[str] = mapped_column(String(64))
    total: Mapped[int] = mapped_column(Integer)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    min_unit: Mapped[int] = mapped_column(Integer, default=1)
    max_unit: Mapped[int] = mapped_column(Integer)
    step_size: Mapped[int] = mapped_column(Integer, default=1)
    allocation_ratio: Mapped[float] = mapped_column(Float, default=1.0)


class Allocation(Base):
    __tablename__ = "allocations"
    __table_args__ = (
        Index("ix_allocations_rp_rc", "resource_provider_id", "resource_class"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_provider_id: Mapped[int] = mapped_column(
        ForeignKey("resource_providers.id", ondelete="CASCADE"))
    #: the instance (or migration) uuid holding the resources
    consumer_id: Mapped[str] = mapped_column(String(36), index=True)
    resource_class: Mapped[str] = mapped_column(String(64))
    used: Mapped[int] = mapped_column(Integer)
