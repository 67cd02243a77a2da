"""Routers: rows in, plain dicts out.

A router's gateway is a port on an external network (``device_owner``
``network:router_gateway``, no project, as Neutron hides it) named by ``gw_port_id``;
its interfaces are ports with ``device_owner`` ``network:router_interface`` and the
router's id as ``device_id``. The ports themselves are made and deleted through
``novalite.network.store.ports``; this module links them and answers what the L3
checks ask (which subnets a router reaches, which routers serve a floating IP).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network import exceptions as exc
from novalite.network.models import FloatingIP, IPAllocation, Port, Router, Subnet
from novalite.network.store import tags as tag_store
from novalite.network.store.base import column_in, new_id

GATEWAY = "network:router_gateway"
INTERFACE = "network:router_interface"
FLOATING_IP = "network:floatingip"
ROUTER_COLUMNS = ("id", "project_id", "name", "description", "admin_state_up", "status",
                  "gw_port_id", "enable_snat", "revision_number", "created_at", "updated_at")


def _allocations(session: Session, port_ids: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    result: dict[str, list[dict[str, str]]] = {port_id: [] for port_id in port_ids}
    if port_ids:
        for alloc in session.scalars(sa.select(IPAllocation).where(
                IPAllocation.port_id.in_(list(port_ids)))
                .order_by(IPAllocation.subnet_id, IPAllocation.ip_address)):
            result[alloc.port_id].append({"subnet_id": alloc.subnet_id,
                                          "ip_address": alloc.ip_address})
    return result


def _router_dicts(session: Session, rows: Sequence[Router]) -> list[dict[str, Any]]:
    gw_ids = [row.gw_port_id for row in rows if row.gw_port_id]
    gw_networks: dict[str, str] = {
        port_id: network_id for port_id, network_id in session.execute(
            sa.select(Port.id, Port.network_id).where(Port.id.in_(gw_ids)))} if gw_ids else {}
    gw_ips = _allocations(session, gw_ids)
    tags = tag_store.tags_by_id(session, [row.id for row in rows])
    result = []
    for row in rows:
        router = {column: getattr(row, column) for column in ROUTER_COLUMNS}
        router["availability_zone_hints"] = list(row.availability_zone_hints or [])
        router["tags"] = tags[row.id]
        router["external_gateway_info"] = None
        if row.gw_port_id and row.gw_port_id in gw_networks:
            router["external_gateway_info"] = {
                "network_id": gw_networks[row.gw_port_id], "enable_snat": row.enable_snat,
                "external_fixed_ips": gw_ips[row.gw_port_id]}
        result.append(router)
    return result


def create_router(values: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    with db_api.session_scope() as session:
        row = Router(id=values.pop("id", None) or new_id(), created_at=now, updated_at=now,
                     status="ACTIVE", **values)
        session.add(row)
        session.flush()
        return _router_dicts(session, [row])[0]


def get_router(router_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Router, router_id)
        return _router_dicts(session, [row])[0] if row is not None else None


def list_routers(project_id: str | None, is_admin: bool,
                 filters: dict[str, list[Any]] | None = None,
                 tag_filters: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    query = sa.select(Router)
    if not is_admin:
        query = query.where(Router.project_id == project_id)
    for key, values in (filters or {}).items():
        query = query.where(column_in(getattr(Router, key), values))
    for condition in tag_store.conditions(Router.id, tag_filters or {}):
        query = query.where(condition)
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(Router.created_at, Router.id)).all()
        return _router_dicts(session, rows)


def update_router(router_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    """Change a router's columns (``gw_port_id`` and ``enable_snat`` included)."""
    with db_api.session_scope() as session:
        row = session.get(Router, router_id)
        if row is None:
            return None
        for key, value in values.items():
            setattr(row, key, value)
        row.revision_number = (row.revision_number or 0) + 1
        row.updated_at = utcnow()
        session.flush()
        return _router_dicts(session, [row])[0]


def delete_router(router_id: str) -> bool:
    """Delete a router without interfaces (``RouterInUse`` otherwise); its gateway port
    must be gone already."""
    with db_api.session_scope() as session:
        row = session.scalars(sa.select(Router).where(Router.id == router_id)
                              .with_for_update()).first()
        if row is None:
            return False
        interfaces = session.scalar(sa.select(sa.func.count()).select_from(Port).where(
            Port.device_id == router_id, Port.device_owner == INTERFACE))
        if interfaces:
            raise exc.RouterInUse(router_id=router_id)
        tag_store.delete_all(session, router_id)
        session.delete(row)
        return True


def interface_subnets(router_id: str) -> list[dict[str, Any]]:
    """``{"port_id", "subnet_id", "ip_address", "cidr", "network_id", "ip_version"}`` of
    every address of the router's interfaces."""
    with db_api.session_scope() as session:
        rows = session.execute(
            sa.select(Port.id, IPAllocation.subnet_id, IPAllocation.ip_address, Subnet.cidr,
                      Subnet.network_id, Subnet.ip_version)
            .join(IPAllocation, IPAllocation.port_id == Port.id)
            .join(Subnet, Subnet.id == IPAllocation.subnet_id)
            .where(Port.device_id == router_id, Port.device_owner == INTERFACE)
            .order_by(Port.created_at, Port.id))
        return [{"port_id": port_id, "subnet_id": subnet_id, "ip_address": address,
                 "cidr": cidr, "network_id": network_id, "ip_version": version}
                for port_id, subnet_id, address, cidr, network_id, version in rows]


def floating_ips_of_router(router_id: str) -> list[dict[str, Any]]:
    """The associated floating IPs that go through ``router_id``."""
    with db_api.session_scope() as session:
        return [{"id": fip.id, "fixed_ip_address": fip.fixed_ip_address,
                 "floating_network_id": fip.floating_network_id}
                for fip in session.scalars(sa.select(FloatingIP).where(
                    FloatingIP.router_id == router_id))]


def router_for_floating_ip(internal_network_id: str, subnet: dict[str, Any],
                           external_network_id: str) -> str | None:
    """The router that joins ``subnet`` (through an interface on
    ``internal_network_id``) to ``external_network_id``: the one whose interface
    holds the subnet's gateway when there are several, as Neutron picks."""
    with db_api.session_scope() as session:
        gateways = sa.select(Router.id).join(Port, Port.id == Router.gw_port_id).where(
            Port.network_id == external_network_id)
        rows = session.execute(
            sa.select(Port.device_id, IPAllocation.ip_address)
            .join(IPAllocation, IPAllocation.port_id == Port.id)
            .where(Port.network_id == internal_network_id, Port.device_owner == INTERFACE,
                   IPAllocation.subnet_id == subnet["id"], Port.device_id.in_(gateways))
            .order_by(Port.created_at)).all()
    for router_id, address in rows:
        if address == subnet.get("gateway_ip"):
            return str(router_id)
    return str(rows[0][0]) if rows else None
