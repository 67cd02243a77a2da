"""Subnets: rows in, plain dicts out; overlapping cidrs on one network are refused.

A subnet is in use while a port holds an address of it (a router interface too); its
gateway cannot move while a port (a router's interface) holds the current one."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network import exceptions as exc
from novalite.network import ipam
from novalite.network.models import IPAllocation, Network, Subnet
from novalite.network.store import tags as tag_store
from novalite.network.store.base import column_in, new_id

SUBNET_COLUMNS = ("id", "network_id", "name", "description", "project_id", "cidr",
                  "gateway_ip", "ip_version", "enable_dhcp", "allocation_pools",
                  "dns_nameservers", "host_routes", "ipv6_ra_mode", "ipv6_address_mode",
                  "revision_number", "created_at", "updated_at")


def _subnet_dict(row: Subnet, tags: list[str]) -> dict[str, Any]:
    subnet = {column: getattr(row, column) for column in SUBNET_COLUMNS}
    subnet["allocation_pools"] = [dict(pool) for pool in row.allocation_pools or []]
    subnet["dns_nameservers"] = list(row.dns_nameservers or [])
    subnet["host_routes"] = [dict(route) for route in row.host_routes or []]
    subnet["tags"] = tags
    return subnet


def _one(session: Any, row: Subnet) -> dict[str, Any]:
    return _subnet_dict(row, tag_store.tags_by_id(session, [row.id])[row.id])


def create_subnet(values: dict[str, Any]) -> dict[str, Any]:
    """Insert a subnet; ``InvalidInput`` when its cidr overlaps another on the network.
    The network row is locked (``FOR UPDATE``) so two overlapping creates serialize."""
    now = utcnow()
    with db_api.session_scope() as session:
        network = session.scalars(sa.select(Network).where(Network.id == values["network_id"])
                                  .with_for_update()).first()
        if network is None:
            raise exc.NetworkNotFound(net_id=values["network_id"])
        others = session.scalars(sa.select(Subnet.cidr).where(
            Subnet.network_id == values["network_id"])).all()
        if ipam.overlaps(values["cidr"], others):
            raise exc.InvalidInput(error_message=(
                f"Requested subnet with cidr: {values['cidr']} for network: "
                f"{values['network_id']} overlaps with another subnet"))
        row = Subnet(id=values.pop("id", None) or new_id(), created_at=now, updated_at=now,
                     **values)
        session.add(row)
        session.flush()
        return _subnet_dict(row, [])


def get_subnet(subnet_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Subnet, subnet_id)
        return _one(session, row) if row is not None else None


def list_subnets(project_id: str | None, is_admin: bool,
                 filters: dict[str, list[Any]] | None = None,
                 tag_filters: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """Subnets of networks the caller sees (shared and external ones too), and its own."""
    query = sa.select(Subnet)
    if not is_admin:
        visible = sa.select(Network.id).where(sa.or_(Network.project_id == project_id,
                                                     Network.shared.is_(True),
                                                     Network.router_external.is_(True)))
        query = query.where(sa.or_(Subnet.project_id == project_id,
                                   Subnet.network_id.in_(visible)))
    for key, values in (filters or {}).items():
        query = query.where(column_in(getattr(Subnet, key), values))
    for condition in tag_store.conditions(Subnet.id, tag_filters or {}):
        query = query.where(condition)
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(Subnet.created_at, Subnet.id)).all()
        tags = tag_store.tags_by_id(session, [row.id for row in rows])
        return [_subnet_dict(row, tags[row.id]) for row in rows]


def update_subnet(subnet_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Subnet, subnet_id)
        if row is None:
            return None
        if "gateway_ip" in values and values["gateway_ip"] != row.gateway_ip \
                and row.gateway_ip is not None:
            holder = session.scalar(sa.select(IPAllocation.port_id).where(
                IPAllocation.subnet_id == subnet_id,
                IPAllocation.ip_address == row.gateway_ip))
            if holder is not None:
                raise exc.GatewayIpInUse(ip_address=row.gateway_ip, port_id=holder)
        for key, value in values.items():
            setattr(row, key, value)
        row.revision_number = (row.revision_number or 0) + 1
        row.updated_at = utcnow()
        session.flush()
        return _one(session, row)


def delete_subnet(subnet_id: str) -> bool:
    """Delete a subnet; ``SubnetInUse`` while a port holds an address from it."""
    with db_api.session_scope() as session:
        if session.get(Subnet, subnet_id) is None:
            return False
        in_use = session.scalar(sa.select(sa.func.count()).select_from(IPAllocation)
                                .where(IPAllocation.subnet_id == subnet_id))
        if in_use:
            raise exc.SubnetInUse(subnet_id=subnet_id)
        tag_store.delete_all(session, subnet_id)
        session.execute(sa.delete(Subnet).where(Subnet.id == subnet_id))
        return True
