"""Networks: rows in, plain dicts out; a network's subnets go with it on delete.

A network is in use (``NetworkInUse``) while it has ports; changing ``shared`` to
false while other projects have ports or subnets on it is ``InvalidSharedSetting``,
making it non-external while routers have their gateway on it ``ExternalNetworkInUse``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network import exceptions as exc
from novalite.network.models import Network, Port, Subnet
from novalite.network.store import tags as tag_store
from novalite.network.store.base import column_in, new_id

NETWORK_COLUMNS = ("id", "name", "description", "project_id", "shared", "admin_state_up",
                   "status", "mtu", "router_external", "port_security_enabled",
                   "revision_number", "created_at", "updated_at")
ROUTER_GATEWAY = "network:router_gateway"


def _network_dict(row: Network, subnet_ids: list[str], tags: list[str]) -> dict[str, Any]:
    network = {column: getattr(row, column) for column in NETWORK_COLUMNS}
    network["availability_zone_hints"] = list(row.availability_zone_hints or [])
    network["subnets"] = subnet_ids
    network["tags"] = tags
    return network


def _one(session: Session, row: Network) -> dict[str, Any]:
    return _network_dict(row, _subnet_ids(session, [row.id])[row.id],
                         tag_store.tags_by_id(session, [row.id])[row.id])


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
        return _network_dict(row, [], [])


def get_network(network_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(Network, network_id)
        if row is None:
            return None
        return _one(session, row)


def list_networks(project_id: str | None, is_admin: bool,
                  filters: dict[str, list[Any]] | None = None,
                  tag_filters: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """Networks the caller sees (its own and shared ones; all for admin), filtered in SQL
    by the column filters given (``id``, ``name``, ``project_id``, ``shared`` ...) and
    the tag filters."""
    query = sa.select(Network)
    if not is_admin:
        query = query.where(sa.or_(Network.project_id == project_id, Network.shared.is_(True),
                                Network.router_external.is_(True)))
    for key, values in (filters or {}).items():
        query = query.where(column_in(getattr(Network, key), values))
    for condition in tag_store.conditions(Network.id, tag_filters or {}):
        query = query.where(condition)
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(Network.created_at, Network.id)).all()
        ids = [row.id for row in rows]
        subnets = _subnet_ids(session, ids)
        tags = tag_store.tags_by_id(session, ids)
        return [_network_dict(row, subnets[row.id], tags[row.id]) for row in rows]


def _check_shared_update(session: Session, row: Network) -> None:
    """Unsharing: nobody but the owner may have ports (other than the network's own
    router and floating IP ports) or subnets on it."""
    ports = set(session.scalars(sa.select(Port.project_id).where(
        Port.network_id == row.id, sa.not_(Port.device_owner.startswith("network:")))))
    subnets = set(session.scalars(sa.select(Subnet.project_id).where(
        Subnet.network_id == row.id)))
    if (ports | subnets) - {row.project_id}:
        raise exc.InvalidSharedSetting(network=row.name)


def update_network(network_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.scalars(sa.select(Network).where(Network.id == network_id)
                              .with_for_update()).first()
        if row is None:
            return None
        if values.get("shared") is False and row.shared:
            _check_shared_update(session, row)
        if values.get("router_external") is False and row.router_external:
            gateways = session.scalar(sa.select(sa.func.count()).select_from(Port).where(
                Port.network_id == network_id, Port.device_owner == ROUTER_GATEWAY))
            if gateways:
                raise exc.ExternalNetworkInUse(net_id=network_id)
        for key, value in values.items():
            setattr(row, key, value)
        row.revision_number = (row.revision_number or 0) + 1
        row.updated_at = utcnow()
        session.flush()
        return _one(session, row)


def delete_network(network_id: str) -> bool:
    """Delete a network and its subnets; ``NetworkInUse`` while ports remain on it
    (router interfaces, gateways and floating IPs included, as in Neutron)."""
    with db_api.session_scope() as session:
        if session.get(Network, network_id) is None:
            return False
        in_use = session.scalar(sa.select(sa.func.count()).select_from(Port)
                                .where(Port.network_id == network_id))
        if in_use:
            raise exc.NetworkInUse(net_id=network_id)
        for subnet_id in session.scalars(sa.select(Subnet.id).where(
                Subnet.network_id == network_id)):
            tag_store.delete_all(session, subnet_id)
        tag_store.delete_all(session, network_id)
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
        return _one(session, row)
