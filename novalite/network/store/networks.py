"""Networks: rows in, plain dicts out; a network's subnets go with it on delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network import exceptions as exc
from novalite.network.models import Network, Port, Subnet
from novalite.network.store.base import column_in, new_id

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
        query = query.where(column_in(getattr(Network, key), values))
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
