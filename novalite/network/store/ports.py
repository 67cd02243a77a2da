"""Ports and their addresses: rows in, plain dicts out.

IP allocation (``create_port``/``update_port``) is safe under any concurrency on
SQLite, PostgreSQL and MariaDB: the lowest free address of the pools is inserted
inside a savepoint and ``UNIQUE(subnet_id, ip_address)`` decides. A loser of that
race (an address asked for explicitly, or a writer that skipped the subnet lock)
rolls back only its savepoint, remembers the address as taken and tries the next;
when none is left the request fails with ``IpAddressGenerationFailure``. A deadlock
or serialization failure restarts the whole transaction.

IPv6 subnets in SLAAC or DHCPv6-stateless mode hand out no pool addresses: every port
of the network (but a router's interface) gets its EUI-64 address on each of them, as
in Neutron, and keeps it across address updates; a new MAC moves it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.orm import Session

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network import exceptions as exc
from novalite.network import ipam
from novalite.network.models import (
    FloatingIP,
    IPAllocation,
    Network,
    Port,
    PortSecurityGroup,
    Subnet,
)
from novalite.network.store import tags as tag_store
from novalite.network.store.base import column_in, new_id, with_retries

MAC_ATTEMPTS = 16
ROUTER_INTERFACE = "network:router_interface"

PORT_COLUMNS = ("id", "network_id", "project_id", "name", "description", "mac_address",
                "device_id", "device_owner", "binding_host_id", "binding_profile",
                "admin_state_up", "status", "port_security_enabled", "revision_number",
                "created_at", "updated_at")


def _is_router_port(device_owner: str | None) -> bool:
    return (device_owner or "").startswith(ROUTER_INTERFACE)


def _port_dicts(session: Session, rows: Sequence[Port]) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    ips: dict[str, list[dict[str, str]]] = {port_id: [] for port_id in ids}
    groups: dict[str, list[str]] = {port_id: [] for port_id in ids}
    if ids:
        for alloc in session.scalars(sa.select(IPAllocation).where(
                IPAllocation.port_id.in_(ids))):
            ips[alloc.port_id].append({"subnet_id": alloc.subnet_id,
                                       "ip_address": alloc.ip_address})
        for binding in session.scalars(sa.select(PortSecurityGroup).where(
                PortSecurityGroup.port_id.in_(ids))):
            groups[binding.port_id].append(binding.security_group_id)
    tags = tag_store.tags_by_id(session, ids)
    result = []
    for row in rows:
        port = {column: getattr(row, column) for column in PORT_COLUMNS}
        port["binding_profile"] = dict(row.binding_profile or {})
        port["fixed_ips"] = sorted(ips[row.id], key=lambda ip: (
            ip["subnet_id"], int(ipaddress.ip_address(ip["ip_address"]))))
        port["security_groups"] = sorted(groups[row.id])
        port["allowed_address_pairs"] = [dict(pair) for pair in row.allowed_address_pairs
                                         or []]
        port["extra_dhcp_opts"] = [dict(opt) for opt in row.extra_dhcp_opts or []]
        port["tags"] = tags[row.id]
        result.append(port)
    return result


def _allocate_next(session: Session, port_id: str, subnet: Subnet) -> str | None:
    """Insert the lowest free address of ``subnet`` for the port; None when it is full.

    Allocators of one subnet first take its row lock, so on PostgreSQL and MariaDB they
    queue instead of all racing for the same lowest address (which made every loser
    wait for the winner's commit only to fail and try again); the unique constraint
    stays the guarantee. MariaDB reads the addresses with a locking read, which sees
    the latest commits rather than the transaction's repeatable-read snapshot.
    """
    dialect = session.get_bind().dialect.name
    if dialect != "sqlite":  # SQLite writers are serialized already
        session.execute(sa.select(Subnet.id).where(Subnet.id == subnet.id).with_for_update())
    used_query = sa.select(IPAllocation.ip_address).where(IPAllocation.subnet_id == subnet.id)
    if dialect == "mysql":
        used_query = used_query.with_for_update(read=True)
    tried: set[str] = set()
    while True:
        used = set(session.scalars(used_query))
        candidate = ipam.first_free(subnet.allocation_pools or [], used | tried)
        if candidate is None:
            return None
        try:
            with session.begin_nested():
                session.add(IPAllocation(port_id=port_id, subnet_id=subnet.id,
                                         network_id=subnet.network_id, ip_address=candidate))
        except sqlalchemy.exc.IntegrityError:
            tried.add(candidate)
            continue
        return candidate


def _allocate_fixed(session: Session, port_id: str, subnet: Subnet, address: str) -> None:
    try:
        with session.begin_nested():
            session.add(IPAllocation(port_id=port_id, subnet_id=subnet.id,
                                     network_id=subnet.network_id, ip_address=address))
    except sqlalchemy.exc.IntegrityError:
        raise exc.IpAddressAlreadyAllocated(ip=address, subnet_id=subnet.id) from None


def _subnet_view(subnet: Subnet) -> dict[str, Any]:
    return {"ip_version": subnet.ip_version, "ipv6_address_mode": subnet.ipv6_address_mode}


def _auto(subnet: Subnet) -> bool:
    return ipam.is_auto_address(_subnet_view(subnet))


def _network_subnets(session: Session, network_id: str) -> list[Subnet]:
    return list(session.scalars(sa.select(Subnet).where(Subnet.network_id == network_id)
                                .order_by(Subnet.created_at, Subnet.id)))


def _resolve_fixed_ips(session: Session, network_id: str, requests: Sequence[dict[str, str]],
                       mac: str, router_port: bool) -> list[tuple[Subnet, str | None]]:
    """Turn ``[{"subnet_id"?, "ip_address"?}]`` into (subnet, address or None) pairs."""
    subnets = _network_subnets(session, network_id)
    by_id = {subnet.id: subnet for subnet in subnets}
    resolved: list[tuple[Subnet, str | None]] = []
    for request in requests:
        address = request.get("ip_address")
        subnet_id = request.get("subnet_id")
        if subnet_id is not None:
            subnet = by_id.get(subnet_id)
            if subnet is None:
                if session.get(Subnet, subnet_id) is None:
                    raise exc.SubnetNotFound(subnet_id=subnet_id)
                raise exc.InvalidInput(error_message=(
                    f"Failed to create port on network {network_id}, because fixed_ips "
                    f"included invalid subnet {subnet_id}"))
            if address is not None and not ipam.contains(subnet.cidr, address):
                raise exc.InvalidIpForSubnet(ip_address=address)
        else:
            subnet = next((s for s in subnets if ipam.contains(s.cidr, address or "")), None)
            if subnet is None:
                raise exc.InvalidIpForNetwork(ip_address=address)
        if _auto(subnet) and not router_port:
            own = ipam.eui64(subnet.cidr, mac)
            if address is not None and address != own:
                raise exc.InvalidInput(error_message=(
                    f"IPv6 address {address} cannot be directly assigned to a port on "
                    f"subnet {subnet.id} since the subnet is configured for automatic "
                    "addresses"))
            address = own
        if address is not None and address == subnet.gateway_ip and not router_port:
            raise exc.IpAddressAlreadyAllocated(ip=address, subnet_id=subnet.id)
        resolved.append((subnet, address))
    return resolved


def _allocate_auto(session: Session, port_id: str, subnets: Sequence[Subnet], mac: str,
                   skip: set[str]) -> None:
    """Every auto-address (SLAAC, DHCPv6 stateless) subnet's EUI-64 address of ``mac``."""
    for subnet in subnets:
        if _auto(subnet) and subnet.id not in skip:
            _allocate_fixed(session, port_id, subnet, ipam.eui64(subnet.cidr, mac))


def _allocate(session: Session, port_id: str, network_id: str,
              fixed_ips: Sequence[dict[str, str]] | None, mac: str,
              device_owner: str | None) -> None:
    router_port = _is_router_port(device_owner)
    subnets = _network_subnets(session, network_id)
    if fixed_ips is None:
        # No request: one address of each IP version from the first subnet with room
        # (auto-address subnets aside), as Neutron does.
        for version in (4, 6):
            pooled = [s for s in subnets if s.ip_version == version and not _auto(s)]
            if pooled and not any(_allocate_next(session, port_id, s) is not None
                                  for s in pooled):
                raise exc.IpAddressGenerationFailure(net_id=network_id)
        if not router_port:
            _allocate_auto(session, port_id, subnets, mac, set())
        return
    resolved = _resolve_fixed_ips(session, network_id, fixed_ips, mac, router_port)
    for subnet, address in resolved:
        if address is None:
            if _allocate_next(session, port_id, subnet) is None:
                raise exc.IpAddressGenerationFailure(net_id=network_id)
        else:
            _allocate_fixed(session, port_id, subnet, address)
    if not router_port:
        _allocate_auto(session, port_id, subnets, mac, {subnet.id for subnet, _ in resolved})


def _insert_port(session: Session, values: dict[str, Any], mac: str | None) -> Port:
    """Insert the port row, drawing a new random MAC on the (rare) collision."""
    for _ in range(MAC_ATTEMPTS):
        row = Port(**values, mac_address=mac or ipam.random_mac())
        try:
            with session.begin_nested():
                session.add(row)
        except sqlalchemy.exc.IntegrityError:
            if mac is not None:
                raise exc.MacAddressInUse(net_id=values["network_id"], mac=mac) from None
            continue
        return row
    raise exc.MacGenerationFailure(net_id=values["network_id"])


def create_port(values: dict[str, Any], fixed_ips: Sequence[dict[str, str]] | None = None,
                security_groups: Sequence[str] = (), mac_address: str | None = None,
                tags: Sequence[str] = ()) -> dict[str, Any]:
    """Create a port with its addresses and security groups in one transaction.

    ``fixed_ips`` None allocates one address from the network's first subnet with room;
    a list asks for ``{"subnet_id"}`` (next free), ``{"ip_address"}`` or both.
    """
    port_id = values.pop("id", None) or new_id()

    def work() -> dict[str, Any]:
        now = utcnow()
        with db_api.session_scope() as session:
            row = _insert_port(session, {**values, "id": port_id, "created_at": now,
                                         "updated_at": now}, mac_address)
            if row.allowed_address_pairs:  # a pair's MAC defaults to the port's
                row.allowed_address_pairs = [
                    {**pair, "mac_address": pair.get("mac_address") or row.mac_address}
                    for pair in row.allowed_address_pairs]
            for group_id in dict.fromkeys(security_groups):
                session.add(PortSecurityGroup(port_id=port_id, security_group_id=group_id))
            for tag in sorted(set(tags)):
                session.add(tag_store.ResourceTag(resource_id=port_id, tag=tag,
                                                  resource_type="ports"))
            session.flush()
            _allocate(session, port_id, values["network_id"], fixed_ips,  # last: it locks
                      row.mac_address, values.get("device_owner"))
            return _port_dicts(session, [row])[0]

    return with_retries(work)


def get_port(port_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Port, port_id)
        return _port_dicts(session, [row])[0] if row is not None else None


def list_ports(project_id: str | None, is_admin: bool,
               filters: dict[str, list[Any]] | None = None,
               fixed_ips: Sequence[tuple[str, str]] = (),
               tag_filters: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """Ports the caller sees (its own, and those on its networks; all for admin).
    ``fixed_ips`` are ``(key, value)`` with key ``ip_address`` or ``subnet_id``."""
    query = sa.select(Port)
    if not is_admin:
        mine = sa.select(Network.id).where(Network.project_id == project_id)
        query = query.where(sa.or_(Port.project_id == project_id, Port.network_id.in_(mine)))
    for key, values in (filters or {}).items():
        query = query.where(column_in(getattr(Port, key), values))
    for key, value in fixed_ips:
        query = query.where(Port.id.in_(sa.select(IPAllocation.port_id).where(
            getattr(IPAllocation, key) == value)))
    for condition in tag_store.conditions(Port.id, tag_filters or {}):
        query = query.where(condition)
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(Port.created_at, Port.id)).all()
        return _port_dicts(session, rows)


def update_port(port_id: str, values: dict[str, Any],
                fixed_ips: Sequence[dict[str, str]] | None = None,
                security_groups: Sequence[str] | None = None) -> dict[str, Any] | None:
    """Change a port. ``fixed_ips`` replaces its addresses: those still asked for (same
    subnet and address) are kept, the others released, the new ones allocated. The
    checks that depend on the port's final state run here, in its transaction: no
    security groups or address pairs on a port without port security; a floating IP
    whose address goes is disassociated."""

    def work() -> dict[str, Any] | None:
        with db_api.session_scope() as session:
            row = session.get(Port, port_id)
            if row is None:
                return None
            old_mac = row.mac_address
            if "mac_address" in values and values["mac_address"] != row.mac_address:
                taken = session.scalar(sa.select(Port.id).where(
                    Port.mac_address == values["mac_address"]))
                if taken:
                    raise exc.MacAddressInUse(net_id=row.network_id,
                                              mac=values["mac_address"])
            for key, value in values.items():
                setattr(row, key, value)
            row.revision_number = (row.revision_number or 0) + 1
            row.updated_at = utcnow()
            if security_groups is not None:
                session.execute(sa.delete(PortSecurityGroup).where(
                    PortSecurityGroup.port_id == port_id))
                for group_id in dict.fromkeys(security_groups):
                    session.add(PortSecurityGroup(port_id=port_id,
                                                  security_group_id=group_id))
            session.flush()
            _check_port_security(session, row)
            if fixed_ips is not None:
                _replace_fixed_ips(session, row, fixed_ips)
            if row.mac_address != old_mac:
                _move_auto_addresses(session, row)
            _release_floating_ips(session, row)
            session.flush()
            return _port_dicts(session, [row])[0]

    return with_retries(work)


def _check_port_security(session: Session, row: Port) -> None:
    if row.port_security_enabled:
        return
    groups = session.scalar(sa.select(sa.func.count()).select_from(PortSecurityGroup)
                            .where(PortSecurityGroup.port_id == row.id))
    if groups:
        raise exc.PortSecurityPortHasSecurityGroup()
    if row.allowed_address_pairs:
        raise exc.AddressPairAndPortSecurityRequired()


def _release_floating_ips(session: Session, row: Port) -> None:
    """A floating IP whose fixed address left the port is disassociated."""
    addresses = set(session.scalars(sa.select(IPAllocation.ip_address).where(
        IPAllocation.port_id == row.id)))
    for fip in session.scalars(sa.select(FloatingIP).where(FloatingIP.fixed_port_id == row.id)):
        if fip.fixed_ip_address not in addresses:
            fip.fixed_port_id = fip.fixed_ip_address = fip.router_id = None
            fip.status = "DOWN"
            fip.revision_number += 1
            fip.updated_at = utcnow()


def _replace_fixed_ips(session: Session, row: Port, requests: Sequence[dict[str, str]]
                       ) -> None:
    current = session.scalars(sa.select(IPAllocation).where(
        IPAllocation.port_id == row.id)).all()
    subnets = _network_subnets(session, row.network_id)
    router_port = _is_router_port(row.device_owner)
    auto = set() if router_port else {subnet.id for subnet in subnets if _auto(subnet)}
    # automatic addresses stay whatever the request says
    keep = {(alloc.subnet_id, alloc.ip_address) for alloc in current
            if alloc.subnet_id in auto}
    have = {(alloc.subnet_id, alloc.ip_address) for alloc in current}
    new: list[dict[str, str]] = []
    for request in requests:
        address = request.get("ip_address")
        subnet_id = request.get("subnet_id")
        if subnet_id in auto or any(key[1] == address for key in keep):
            continue
        match = next((key for key in have - keep if key[1] == address
                      and (subnet_id is None or key[0] == subnet_id)), None)
        if match is not None:
            keep.add(match)
        else:
            new.append(request)
    for alloc in current:
        if (alloc.subnet_id, alloc.ip_address) not in keep:
            session.delete(alloc)
    session.flush()
    for subnet, address in _resolve_fixed_ips(session, row.network_id, new,
                                              row.mac_address, router_port):
        if address is None:
            if _allocate_next(session, row.id, subnet) is None:
                raise exc.IpAddressGenerationFailure(net_id=row.network_id)
        else:
            _allocate_fixed(session, row.id, subnet, address)
    _allocate_auto(session, row.id, [s for s in subnets if s.id in auto], row.mac_address,
                   {key[0] for key in keep})


def _move_auto_addresses(session: Session, row: Port) -> None:
    """A new MAC: the EUI-64 addresses follow it."""
    if _is_router_port(row.device_owner):
        return
    subnets = {subnet.id: subnet for subnet in _network_subnets(session, row.network_id)
               if _auto(subnet)}
    for alloc in session.scalars(sa.select(IPAllocation).where(
            IPAllocation.port_id == row.id)).all():
        if alloc.subnet_id in subnets:
            session.delete(alloc)
            session.flush()
            _allocate_fixed(session, row.id, subnets[alloc.subnet_id],
                            ipam.eui64(subnets[alloc.subnet_id].cidr, row.mac_address))


def delete_port(port_id: str) -> bool:
    """Delete a port; its addresses, security group bindings and tags go with it, and a
    floating IP bound to it is disassociated (as in Neutron)."""
    with db_api.session_scope() as session:
        session.execute(sa.update(FloatingIP).where(FloatingIP.fixed_port_id == port_id)
                        .values(fixed_port_id=None, fixed_ip_address=None, router_id=None,
                                status="DOWN", updated_at=utcnow(),
                                revision_number=FloatingIP.revision_number + 1))
        session.execute(sa.delete(IPAllocation).where(IPAllocation.port_id == port_id))
        session.execute(sa.delete(PortSecurityGroup).where(PortSecurityGroup.port_id == port_id))
        tag_store.delete_all(session, port_id)
        result = session.execute(sa.delete(Port).where(Port.id == port_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def set_port_status(port_id: str, status: str) -> bool:
    """For the data plane: ``ACTIVE`` once plugged, ``DOWN`` when unplugged."""
    with db_api.session_scope() as session:
        result = session.execute(sa.update(Port).where(Port.id == port_id)
                                 .values(status=status, updated_at=utcnow()))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def count_allocations(subnet_id: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(IPAllocation)
    if subnet_id is not None:
        query = query.where(IPAllocation.subnet_id == subnet_id)
    with db_api.session_scope() as session:
        return int(session.scalar(query) or 0)
