"""Tables of the network service.

``ip_allocations`` carries ``UNIQUE(subnet_id, ip_address)``: the database, not the
code, guarantees that an address is never handed out twice, whatever the number of
API processes allocating at once (see ``novalite.network.store.ports``).
``default_security_groups`` has one row per project (its primary key), so two
requests racing to create a project's ``default`` group cannot both win.

Every resource with Neutron's standard attributes has a ``revision_number`` (bumped on
each change, tags included) and its tags in ``network_tags``. Routers' gateway and
interface ports and floating IPs' external ports are ordinary ports, found by their
``device_owner`` and ``device_id`` as in Neutron.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from novalite.db.base import Base, utcnow


class Network(Base):
    __tablename__ = "networks"
    __table_args__ = (Index("ix_networks_project_id", "project_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    project_id: Mapped[str] = mapped_column(String(255))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    mtu: Mapped[int] = mapped_column(Integer, default=1500)
    router_external: Mapped[bool] = mapped_column(Boolean, default=False)
    port_security_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    availability_zone_hints: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)


class Subnet(Base):
    __tablename__ = "subnets"
    __table_args__ = (Index("ix_subnets_network_id", "network_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    network_id: Mapped[str] = mapped_column(String(36), ForeignKey("networks.id"))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    project_id: Mapped[str] = mapped_column(String(255))
    cidr: Mapped[str] = mapped_column(String(64))
    gateway_ip: Mapped[str | None] = mapped_column(String(64))
    ip_version: Mapped[int] = mapped_column(Integer, default=4)
    enable_dhcp: Mapped[bool] = mapped_column(Boolean, default=True)
    allocation_pools: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    dns_nameservers: Mapped[list[str]] = mapped_column(JSON, default=list)
    host_routes: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, default=list)
    ipv6_ra_mode: Mapped[str | None] = mapped_column(String(16))
    ipv6_address_mode: Mapped[str | None] = mapped_column(String(16))
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)


class Port(Base):
    __tablename__ = "ports"
    __table_args__ = (
        UniqueConstraint("mac_address", name="uq_ports_mac_address"),
        Index("ix_ports_network_id", "network_id"),
        Index("ix_ports_device_id", "device_id"),
        Index("ix_ports_project_id", "project_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    network_id: Mapped[str] = mapped_column(String(36), ForeignKey("networks.id"))
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    mac_address: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(255), default="")
    device_owner: Mapped[str] = mapped_column(String(255), default="")
    binding_host_id: Mapped[str] = mapped_column(String(255), default="")
    binding_profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="DOWN")
    port_security_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    allowed_address_pairs: Mapped[list[dict[str, str]] | None] = mapped_column(
        JSON, default=list)
    extra_dhcp_opts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)


class IPAllocation(Base):
    __tablename__ = "ip_allocations"
    __table_args__ = (
        UniqueConstraint("subnet_id", "ip_address", name="uq_ip_allocations_subnet_id_ip"),
        Index("ix_ip_allocations_ip_address", "ip_address"),
    )

    port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="CASCADE"), primary_key=True)
    subnet_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("subnets.id"), primary_key=True)
    ip_address: Mapped[str] = mapped_column(String(64), primary_key=True)
    network_id: Mapped[str] = mapped_column(String(36))


class SecurityGroup(Base):
    __tablename__ = "security_groups"
    __table_args__ = (Index("ix_security_groups_project_id", "project_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)


class SecurityGroupRule(Base):
    __tablename__ = "security_group_rules"
    __table_args__ = (Index("ix_security_group_rules_group", "security_group_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("security_groups.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255), default="")
    direction: Mapped[str] = mapped_column(String(16))
    ethertype: Mapped[str] = mapped_column(String(16), default="IPv4")
    protocol: Mapped[str | None] = mapped_column(String(40))
    port_range_min: Mapped[int | None] = mapped_column(Integer)
    port_range_max: Mapped[int | None] = mapped_column(Integer)
    remote_ip_prefix: Mapped[str | None] = mapped_column(String(64))
    remote_group_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("security_groups.id", ondelete="CASCADE"))
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)


class PortSecurityGroup(Base):
    __tablename__ = "port_security_groups"
    __table_args__ = (Index("ix_port_security_groups_group", "security_group_id"),)

    port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="CASCADE"), primary_key=True)
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("security_groups.id"), primary_key=True)


class DefaultSecurityGroup(Base):
    __tablename__ = "default_security_groups"

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    security_group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("security_groups.id", ondelete="CASCADE"))


class NetworkQuota(Base):
    """A project's override of one network quota default (-1: unlimited)."""

    __tablename__ = "network_quotas"

    project_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    resource: Mapped[str] = mapped_column(String(255), primary_key=True)
    hard_limit: Mapped[int] = mapped_column(Integer)


class ResourceTag(Base):
    """One tag of a resource with standard attributes (``resource_type``: its collection)."""

    __tablename__ = "network_tags"
    __table_args__ = (Index("ix_network_tags_tag", "tag"),)

    resource_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tag: Mapped[str] = mapped_column(String(255), primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(32))


class Router(Base):
    """A router; its gateway port (``gw_port_id``) sits on an external network."""

    __tablename__ = "routers"
    __table_args__ = (Index("ix_routers_project_id", "project_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    gw_port_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="SET NULL"))
    enable_snat: Mapped[bool] = mapped_column(Boolean, default=True)
    availability_zone_hints: Mapped[list[str]] = mapped_column(JSON, default=list)
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)


class FloatingIP(Base):
    """A floating IP: an address of an external network (held by ``floating_port_id``),
    DNATed to ``fixed_ip_address`` of ``fixed_port_id`` through ``router_id``. One fixed
    address has at most one floating IP per external network (the unique constraint)."""

    __tablename__ = "floatingips"
    __table_args__ = (
        UniqueConstraint("floating_network_id", "fixed_port_id", "fixed_ip_address",
                         name="uq_floatingips_fixed_address"),
        Index("ix_floatingips_project_id", "project_id"),
        Index("ix_floatingips_fixed_port_id", "fixed_port_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255), default="")
    floating_network_id: Mapped[str] = mapped_column(String(36), ForeignKey("networks.id"))
    floating_ip_address: Mapped[str] = mapped_column(String(64))
    floating_port_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="CASCADE"))
    fixed_port_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("ports.id", ondelete="SET NULL"))
    fixed_ip_address: Mapped[str | None] = mapped_column(String(64))
    router_id: Mapped[str | None] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16), default="DOWN")
    revision_number: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow,
                                                          onupdate=utcnow)


class Agent(Base):
    """A host's data plane as an agent of one type, alive while it keeps reporting."""

    __tablename__ = "network_agents"
    __table_args__ = (UniqueConstraint("agent_type", "host", name="uq_network_agents_type_host"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agent_type: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    host: Mapped[str] = mapped_column(String(255))
    availability_zone: Mapped[str | None] = mapped_column(String(255))
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(String(255))
    configurations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resources_synced: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    heartbeat_timestamp: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
