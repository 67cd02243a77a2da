"""Database operations of the network service: rows in, plain dicts out.

IP allocation (``create_port``/``update_port``) is safe under any concurrency on
SQLite, PostgreSQL and MariaDB: the lowest free address of the pools is inserted
inside a savepoint and ``UNIQUE(subnet_id, ip_address)`` decides. A loser of that
race (an address asked for explicitly, or a writer that skipped the subnet lock)
rolls back only its savepoint, remembers the address as taken and tries the next;
when none is left the request fails with ``IpAddressGenerationFailure``. A deadlock
or serialization failure restarts the whole transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.orm import Session

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network import exceptions as exc
from novalite.network import ipam
from novalite.network.models import (
    DefaultSecurityGroup,
    IPAllocation,
    Network,
    Port,
    PortSecurityGroup,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)

LOG = logging.getLogger(__name__)
T = TypeVar("T")

MAC_ATTEMPTS = 16
TRANSACTION_ATTEMPTS = 10
# MySQL/MariaDB: deadlock, lock wait timeout; PostgreSQL: deadlock, serialization failure.
_RETRYABLE_CODES = {"1213", "1205", "40P01", "40001"}


def new_id() -> str:
    return str(uuid.uuid4())


def _is_retryable(error: sqlalchemy.exc.DBAPIError) -> bool:
    original = error.orig
    args = getattr(original, "args", ())
    code = str(args[0]) if args else ""
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return code in _RETRYABLE_CODES or sqlstate in _RETRYABLE_CODES


def _with_retries(work: Callable[[], T]) -> T:
    """Run one transaction, again from the start when the database asks for it."""
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            return work()
        except sqlalchemy.exc.OperationalError as error:
            if not _is_retryable(error) or attempt == TRANSACTION_ATTEMPTS - 1:
                raise
            LOG.debug("Retrying a network transaction after %s", error.orig)
    raise AssertionError("unreachable")


def _in(column: Any, values: Sequence[Any]) -> Any:
    return column == values[0] if len(values) == 1 else column.in_(values)


# ---------------------------------------------------------------------------- networks

NETWORK_COLUMNS = ("id", "name", "description", "project_id", "shared", "admin_state_up",
                   "status", "mtu", "router_external", "created_at", "updated_at")


def _network_dict(row: Network, subnet_ids: list[str]) -> dict[str, Any]:
    network = {column: getattr(row, column) for column in NETWORK_COLUMNS}
    network["subnets"] = subnet_ids
    return network


def _subnet_ids(session: Session, network_ids: Sequence[str]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {network_id: [] for network_id in network_ids}
    if not network_ids:
        return result
    rows = session.execute(sa.select(Subnet.network_id, Subnet.id)
                           .where(Subnet.network_id.in_(network_ids))
                           .order_by(Subnet.created_at, Subnet.id))
    for network_id, subnet_id in rows:
        result[network_id].append(subnet_id)
    return result


def create_network(values: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    with db_api.session_scope() as session:
        row = Network(id=values.pop("id", None) or new_id(), created_at=now, updated_at=now,
                      **values)
        session.add(row)
        session.flush()
        return _network_dict(row, [])


def get_network(network_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Network, network_id)
        if row is None:
            return None
        return _network_dict(row, _subnet_ids(session, [row.id])[row.id])


def list_networks(project_id: str | None, is_admin: bool,
                  filters: dict[str, list[Any]] | None = None) -> list[dict[str, Any]]:
    """Networks the caller sees (its own and shared ones; all for admin), filtered in SQL
    by the column filters given (``id``, ``name``, ``project_id``, ``shared`` ...)."""
    query = sa.select(Network)
    if not is_admin:
        query = query.where(sa.or_(Network.project_id == project_id, Network.shared.is_(True)))
    for key, values in (filters or {}).items():
        query = query.where(_in(getattr(Network, key), values))
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(Network.created_at, Network.id)).all()
        subnets = _subnet_ids(session, [row.id for row in rows])
        return [_network_dict(row, subnets[row.id]) for row in rows]


def update_network(network_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Network, network_id)
        if row is None:
            return None
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        session.flush()
        return _network_dict(row, _subnet_ids(session, [row.id])[row.id])


def delete_network(network_id: str) -> bool:
    """Delete a network and its subnets; ``NetworkInUse`` while ports remain on it."""
    with db_api.session_scope() as session:
        if session.get(Network, network_id) is None:
            return False
        in_use = session.scalar(sa.select(sa.func.count()).select_from(Port)
                                .where(Port.network_id == network_id))
        if in_use:
            raise exc.NetworkInUse(net_id=network_id)
        session.execute(sa.delete(Subnet).where(Subnet.network_id == network_id))
        session.execute(sa.delete(Network).where(Network.id == network_id))
        return True


def find_network_by_name(name: str, project_id: str | None = None) -> dict[str, Any] | None:
    query = sa.select(Network).where(Network.name == name)
    if project_id is not None:
        query = query.where(Network.project_id == project_id)
    with db_api.session_scope() as session:
        row = session.scalars(query.order_by(Network.created_at)).first()
        if row is None:
            return None
        return _network_dict(row, _subnet_ids(session, [row.id])[row.id])


# ----------------------------------------------------------------------------- subnets

SUBNET_COLUMNS = ("id", "network_id", "name", "description", "project_id", "cidr",
                  "gateway_ip", "ip_version", "enable_dhcp", "allocation_pools",
                  "dns_nameservers", "created_at", "updated_at")


def _subnet_dict(row: Subnet) -> dict[str, Any]:
    subnet = {column: getattr(row, column) for column in SUBNET_COLUMNS}
    subnet["allocation_pools"] = [dict(pool) for pool in row.allocation_pools or []]
    subnet["dns_nameservers"] = list(row.dns_nameservers or [])
    return subnet


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
        return _subnet_dict(row)


def get_subnet(subnet_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Subnet, subnet_id)
        return _subnet_dict(row) if row is not None else None


def list_subnets(project_id: str | None, is_admin: bool,
                 filters: dict[str, list[Any]] | None = None) -> list[dict[str, Any]]:
    """Subnets of networks the caller sees, and its own."""
    query = sa.select(Subnet)
    if not is_admin:
        visible = sa.select(Network.id).where(sa.or_(Network.project_id == project_id,
                                                     Network.shared.is_(True)))
        query = query.where(sa.or_(Subnet.project_id == project_id,
                                   Subnet.network_id.in_(visible)))
    for key, values in (filters or {}).items():
        query = query.where(_in(getattr(Subnet, key), values))
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(Subnet.created_at, Subnet.id)).all()
        return [_subnet_dict(row) for row in rows]


def update_subnet(subnet_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Subnet, subnet_id)
        if row is None:
            return None
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        session.flush()
        return _subnet_dict(row)


def delete_subnet(subnet_id: str) -> bool:
    """Delete a subnet; ``SubnetInUse`` while a port holds an address from it."""
    with db_api.session_scope() as session:
        if session.get(Subnet, subnet_id) is None:
            return False
        in_use = session.scalar(sa.select(sa.func.count()).select_from(IPAllocation)
                                .where(IPAllocation.subnet_id == subnet_id))
        if in_use:
            raise exc.SubnetInUse(subnet_id=subnet_id)
        session.execute(sa.delete(Subnet).where(Subnet.id == subnet_id))
        return True


# ------------------------------------------------------------------------------- ports

PORT_COLUMNS = ("id", "network_id", "project_id", "name", "description", "mac_address",
                "device_id", "device_owner", "binding_host_id", "binding_profile",
                "admin_state_up", "status", "created_at", "updated_at")


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
    result = []
    for row in rows:
        port = {column: getattr(row, column) for column in PORT_COLUMNS}
        port["binding_profile"] = dict(row.binding_profile or {})
        port["fixed_ips"] = sorted(ips[row.id], key=lambda ip: (
            ip["subnet_id"], ipam.parse_ip(ip["ip_address"])))
        port["security_groups"] = sorted(groups[row.id])
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


def _resolve_fixed_ips(session: Session, network_id: str,
                       requests: Sequence[dict[str, str]]) -> list[tuple[Subnet, str | None]]:
    """Turn ``[{"subnet_id"?, "ip_address"?}]`` into (subnet, address or None) pairs."""
    subnets = session.scalars(sa.select(Subnet).where(Subnet.network_id == network_id)
                              .order_by(Subnet.created_at, Subnet.id)).all()
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
        if address is not None and address == subnet.gateway_ip:
            raise exc.IpAddressAlreadyAllocated(ip=address, subnet_id=subnet.id)
        resolved.append((subnet, address))
    return resolved


def _allocate(session: Session, port_id: str, network_id: str,
              fixed_ips: Sequence[dict[str, str]] | None) -> None:
    if fixed_ips is None:
        # No request: one address from the first subnet with room, as Neutron does.
        subnets = session.scalars(sa.select(Subnet).where(Subnet.network_id == network_id)
                                  .order_by(Subnet.created_at, Subnet.id)).all()
        if not subnets:
            return
        for subnet in subnets:
            if _allocate_next(session, port_id, subnet) is not None:
                return
        raise exc.IpAddressGenerationFailure(net_id=network_id)
    for subnet, address in _resolve_fixed_ips(session, network_id, fixed_ips):
        if address is None:
            if _allocate_next(session, port_id, subnet) is None:
                raise exc.IpAddressGenerationFailure(net_id=network_id)
        else:
            _allocate_fixed(session, port_id, subnet, address)


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
                security_groups: Sequence[str] = (), mac_address: str | None = None
                ) -> dict[str, Any]:
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
            for group_id in dict.fromkeys(security_groups):
                session.add(PortSecurityGroup(port_id=port_id, security_group_id=group_id))
            session.flush()
            _allocate(session, port_id, values["network_id"], fixed_ips)  # last: it locks
            return _port_dicts(session, [row])[0]

    return _with_retries(work)


def get_port(port_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Port, port_id)
        return _port_dicts(session, [row])[0] if row is not None else None


def list_ports(project_id: str | None, is_admin: bool,
               filters: dict[str, list[Any]] | None = None,
               fixed_ips: Sequence[tuple[str, str]] = ()) -> list[dict[str, Any]]:
    """Ports the caller sees (its own, and those on its networks; all for admin).
    ``fixed_ips`` are ``(key, value)`` with key ``ip_address`` or ``subnet_id``."""
    query = sa.select(Port)
    if not is_admin:
        mine = sa.select(Network.id).where(Network.project_id == project_id)
        query = query.where(sa.or_(Port.project_id == project_id, Port.network_id.in_(mine)))
    for key, values in (filters or {}).items():
        query = query.where(_in(getattr(Port, key), values))
    for key, value in fixed_ips:
        query = query.where(Port.id.in_(sa.select(IPAllocation.port_id).where(
            getattr(IPAllocation, key) == value)))
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(Port.created_at, Port.id)).all()
        return _port_dicts(session, rows)


def update_port(port_id: str, values: dict[str, Any],
                fixed_ips: Sequence[dict[str, str]] | None = None,
                security_groups: Sequence[str] | None = None) -> dict[str, Any] | None:
    """Change a port. ``fixed_ips`` replaces its addresses: those still asked for (same
    subnet and address) are kept, the others released, the new ones allocated."""

    def work() -> dict[str, Any] | None:
        with db_api.session_scope() as session:
            row = session.get(Port, port_id)
            if row is None:
                return None
            if "mac_address" in values and values["mac_address"] != row.mac_address:
                taken = session.scalar(sa.select(Port.id).where(
                    Port.mac_address == values["mac_address"]))
                if taken:
                    raise exc.MacAddressInUse(net_id=row.network_id,
                                              mac=values["mac_address"])
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            if fixed_ips is not None:
                _replace_fixed_ips(session, row, fixed_ips)
            if security_groups is not None:
                session.execute(sa.delete(PortSecurityGroup).where(
                    PortSecurityGroup.port_id == port_id))
                for group_id in dict.fromkeys(security_groups):
                    session.add(PortSecurityGroup(port_id=port_id,
                                                  security_group_id=group_id))
            session.flush()
            return _port_dicts(session, [row])[0]

    return _with_retries(work)


def _replace_fixed_ips(session: Session, row: Port, requests: Sequence[dict[str, str]]
                       ) -> None:
    current = session.scalars(sa.select(IPAllocation).where(
        IPAllocation.port_id == row.id)).all()
    keep: set[tuple[str, str]] = set()
    new: list[dict[str, str]] = []
    have = {(alloc.subnet_id, alloc.ip_address) for alloc in current}
    for request in requests:
        address = request.get("ip_address")
        subnet_id = request.get("subnet_id")
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
    if new:
        _allocate(session, row.id, row.network_id, new)


def delete_port(port_id: str) -> bool:
    """Delete a port; its addresses and security group bindings go with it."""
    with db_api.session_scope() as session:
        session.execute(sa.delete(IPAllocation).where(IPAllocation.port_id == port_id))
        session.execute(sa.delete(PortSecurityGroup).where(PortSecurityGroup.port_id == port_id))
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


# --------------------------------------------------------------------- security groups

GROUP_COLUMNS = ("id", "project_id", "name", "description", "created_at", "updated_at")
RULE_COLUMNS = ("id", "security_group_id", "project_id", "description", "direction",
                "ethertype", "protocol", "port_range_min", "port_range_max",
                "remote_ip_prefix", "remote_group_id", "created_at", "updated_at")
DEFAULT_GROUP = "default"


def _rule_dict(row: SecurityGroupRule, default_groups: Iterable[str] = ()) -> dict[str, Any]:
    rule = {column: getattr(row, column) for column in RULE_COLUMNS}
    rule["belongs_to_default_sg"] = row.security_group_id in set(default_groups)
    return rule


def _default_ids(session: Session, group_ids: Sequence[str]) -> set[str]:
    if not group_ids:
        return set()
    return set(session.scalars(sa.select(DefaultSecurityGroup.security_group_id).where(
        DefaultSecurityGroup.security_group_id.in_(group_ids))))


def _group_dicts(session: Session, rows: Sequence[SecurityGroup]) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    defaults = _default_ids(session, ids)
    rules: dict[str, list[dict[str, Any]]] = {group_id: [] for group_id in ids}
    if ids:
        for rule in session.scalars(sa.select(SecurityGroupRule).where(
                SecurityGroupRule.security_group_id.in_(ids))
                .order_by(SecurityGroupRule.created_at, SecurityGroupRule.id)):
            rules[rule.security_group_id].append(_rule_dict(rule, defaults))
    result = []
    for row in rows:
        group = {column: getattr(row, column) for column in GROUP_COLUMNS}
        group["security_group_rules"] = rules[row.id]
        group["is_default"] = row.id in defaults
        result.append(group)
    return result


def _add_rule(session: Session, group: SecurityGroup, **values: Any) -> SecurityGroupRule:
    now = utcnow()
    row = SecurityGroupRule(id=new_id(), security_group_id=group.id,
                            project_id=group.project_id, created_at=now, updated_at=now,
                            **{"description": "", "ethertype": "IPv4", **values})
    session.add(row)
    return row


def _insert_group(session: Session, project_id: str, name: str, description: str
                  ) -> SecurityGroup:
    now = utcnow()
    row = SecurityGroup(id=new_id(), project_id=project_id, name=name,
                        description=description, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    _add_rule(session, row, direction="egress")
    return row


def ensure_default_security_group(project_id: str) -> str:
    """The project's ``default`` group, created on first use (egress anywhere, ingress
    from members of the same group), as Neutron does. Safe against concurrent callers."""
    with db_api.session_scope() as session:
        existing = session.get(DefaultSecurityGroup, project_id)
        if existing is not None:
            return existing.security_group_id
    try:
        with db_api.session_scope() as session:
            group = _insert_group(session, project_id, DEFAULT_GROUP, "Default security group")
            _add_rule(session, group, direction="ingress", remote_group_id=group.id)
            session.add(DefaultSecurityGroup(project_id=project_id,
                                             security_group_id=group.id))
            session.flush()
            return group.id
    except sqlalchemy.exc.IntegrityError:
        with db_api.session_scope() as session:
            existing = session.get(DefaultSecurityGroup, project_id)
            assert existing is not None
            return existing.security_group_id


def create_security_group(project_id: str, name: str, description: str) -> dict[str, Any]:
    """A new group that allows all egress, as Neutron's new groups do."""
    with db_api.session_scope() as session:
        row = _insert_group(session, project_id, name, description)
        session.flush()
        return _group_dicts(session, [row])[0]


def get_security_group(group_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(SecurityGroup, group_id)
        return _group_dicts(session, [row])[0] if row is not None else None


def list_security_groups(project_id: str | None, is_admin: bool,
                         filters: dict[str, list[Any]] | None = None
                         ) -> list[dict[str, Any]]:
    query = sa.select(SecurityGroup)
    if not is_admin:
        query = query.where(SecurityGroup.project_id == project_id)
    for key, values in (filters or {}).items():
        query = query.where(_in(getattr(SecurityGroup, key), values))
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(SecurityGroup.created_at,
                                              SecurityGroup.id)).all()
        return _group_dicts(session, rows)


def update_security_group(group_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(SecurityGroup, group_id)
        if row is None:
            return None
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        session.flush()
        return _group_dicts(session, [row])[0]


def delete_security_group(group_id: str, allow_default: bool = False) -> bool:
    with db_api.session_scope() as session:
        row = session.get(SecurityGroup, group_id)
        if row is None:
            return False
        if not allow_default and session.scalar(sa.select(DefaultSecurityGroup.project_id)
                                                .where(DefaultSecurityGroup.security_group_id
                                                       == group_id)):
            raise exc.SecurityGroupCannotRemoveDefault()
        in_use = session.scalar(sa.select(sa.func.count()).select_from(PortSecurityGroup)
                                .where(PortSecurityGroup.security_group_id == group_id))
        if in_use:
            raise exc.SecurityGroupInUse(id=group_id, reason="in use")
        session.execute(sa.delete(DefaultSecurityGroup).where(
            DefaultSecurityGroup.security_group_id == group_id))
        session.execute(sa.delete(SecurityGroupRule).where(sa.or_(
            SecurityGroupRule.security_group_id == group_id,
            SecurityGroupRule.remote_group_id == group_id)))
        session.delete(row)
        return True


_RULE_IDENTITY = ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
                  "remote_ip_prefix", "remote_group_id")


def create_security_group_rule(group_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """Add a rule; ``SecurityGroupRuleExists`` when an identical one is there. The group
    row is locked so two identical concurrent creates cannot both pass the check."""
    with db_api.session_scope() as session:
        group = session.scalars(sa.select(SecurityGroup).where(SecurityGroup.id == group_id)
                                .with_for_update()).first()
        if group is None:
            raise exc.SecurityGroupNotFound(id=group_id)
        for rule in session.scalars(sa.select(SecurityGroupRule).where(
                SecurityGroupRule.security_group_id == group_id)):
            if all(getattr(rule, key) == values.get(key) for key in _RULE_IDENTITY):
                raise exc.SecurityGroupRuleExists(rule_id=rule.id)
        row = _add_rule(session, group, **values)
        session.flush()
        return _rule_dict(row, _default_ids(session, [group_id]))


def get_security_group_rule(rule_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(SecurityGroupRule, rule_id)
        if row is None:
            return None
        return _rule_dict(row, _default_ids(session, [row.security_group_id]))


def list_security_group_rules(project_id: str | None, is_admin: bool,
                              filters: dict[str, list[Any]] | None = None
                              ) -> list[dict[str, Any]]:
    query = sa.select(SecurityGroupRule)
    if not is_admin:
        mine = sa.select(SecurityGroup.id).where(SecurityGroup.project_id == project_id)
        query = query.where(sa.or_(SecurityGroupRule.project_id == project_id,
                                   SecurityGroupRule.security_group_id.in_(mine)))
    for key, values in (filters or {}).items():
        query = query.where(_in(getattr(SecurityGroupRule, key), values))
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(SecurityGroupRule.created_at,
                                              SecurityGroupRule.id)).all()
        defaults = _default_ids(session, list({row.security_group_id for row in rows}))
        return [_rule_dict(row, defaults) for row in rows]


def delete_security_group_rule(rule_id: str) -> bool:
    with db_api.session_scope() as session:
        result = session.execute(sa.delete(SecurityGroupRule).where(
            SecurityGroupRule.id == rule_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
