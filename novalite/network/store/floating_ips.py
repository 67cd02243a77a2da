"""Floating IPs: rows in, plain dicts out.

The address is held by a port of the external network (``network:floatingip``, no
project); deleting the floating IP deletes that port. ``UNIQUE(floating_network_id,
fixed_port_id, fixed_ip_address)`` keeps one fixed address from getting two floating
IPs of one network, whatever the concurrency.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.orm import Session

from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.network import exceptions as exc
from novalite.network.models import FloatingIP, IPAllocation, Port
from novalite.network.store import tags as tag_store
from novalite.network.store.base import column_in, new_id

FIP_COLUMNS = ("id", "project_id", "description", "floating_network_id",
               "floating_ip_address", "floating_port_id", "fixed_port_id",
               "fixed_ip_address", "router_id", "status", "revision_number", "created_at",
               "updated_at")
PORT_DETAILS = ("name", "network_id", "mac_address", "admin_state_up", "status",
                "device_id", "device_owner")


def _fip_dicts(session: Session, rows: Sequence[FloatingIP]) -> list[dict[str, Any]]:
    port_ids = [row.fixed_port_id for row in rows if row.fixed_port_id]
    ports = {port.id: port for port in session.scalars(
        sa.select(Port).where(Port.id.in_(port_ids)))} if port_ids else {}
    tags = tag_store.tags_by_id(session, [row.id for row in rows])
    result = []
    for row in rows:
        fip = {column: getattr(row, column) for column in FIP_COLUMNS}
        port = ports.get(row.fixed_port_id or "")
        fip["port_details"] = ({key: getattr(port, key) for key in PORT_DETAILS}
                               if port is not None else None)
        fip["binding_host_id"] = port.binding_host_id if port is not None else None
        fip["tags"] = tags[row.id]
        result.append(fip)
    return result


def _conflict(session: Session, fip_id: str, network_id: str, port_id: str | None,
              address: str | None) -> exc.NeutronError:
    other = session.scalars(sa.select(FloatingIP).where(
        FloatingIP.floating_network_id == network_id, FloatingIP.fixed_port_id == port_id,
        FloatingIP.fixed_ip_address == address, FloatingIP.id != fip_id)).first()
    return exc.FloatingIPPortAlreadyAssociated(
        port_id=port_id, fip_id=other.id if other else fip_id,
        floating_ip_address=other.floating_ip_address if other else "", fixed_ip=address,
        net_id=network_id)


def create_floatingip(values: dict[str, Any]) -> dict[str, Any]:
    """Insert a floating IP; the port holding its address exists already."""
    now = utcnow()
    with db_api.session_scope() as session:
        row = FloatingIP(id=values.pop("id", None) or new_id(), created_at=now,
                         updated_at=now, **values)
        try:
            with session.begin_nested():
                session.add(row)
        except sqlalchemy.exc.IntegrityError:
            raise _conflict(session, row.id, values["floating_network_id"],
                            values.get("fixed_port_id"), values.get("fixed_ip_address")
                            ) from None
        session.flush()
        return _fip_dicts(session, [row])[0]


def get_floatingip(fip_id: str) -> dict[str, Any] | None:
    with db_api.session_scope() as session:
        row = session.get(FloatingIP, fip_id)
        return _fip_dicts(session, [row])[0] if row is not None else None


def list_floatingips(project_id: str | None, is_admin: bool,
                     filters: dict[str, list[Any]] | None = None,
                     tag_filters: dict[str, list[str]] | None = None
                     ) -> list[dict[str, Any]]:
    query = sa.select(FloatingIP)
    if not is_admin:
        query = query.where(FloatingIP.project_id == project_id)
    for key, values in (filters or {}).items():
        column = getattr(FloatingIP, key)
        nulls = [value for value in values if value is None]
        given = [value for value in values if value is not None]
        conditions = ([column_in(column, given)] if given else []) + (
            [column.is_(None)] if nulls else [])
        query = query.where(sa.or_(*conditions))
    for condition in tag_store.conditions(FloatingIP.id, tag_filters or {}):
        query = query.where(condition)
    with db_api.session_scope() as session:
        rows = session.scalars(query.order_by(FloatingIP.created_at, FloatingIP.id)).all()
        return _fip_dicts(session, rows)


def update_floatingip(fip_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    """Change a floating IP (its association: ``fixed_port_id``, ``fixed_ip_address``,
    ``router_id``); the fixed address must still be on the port when it commits."""
    with db_api.session_scope() as session:
        row = session.scalars(sa.select(FloatingIP).where(FloatingIP.id == fip_id)
                              .with_for_update()).first()
        if row is None:
            return None
        port_id = values.get("fixed_port_id", row.fixed_port_id)
        address = values.get("fixed_ip_address", row.fixed_ip_address)
        if port_id is not None and session.scalar(sa.select(IPAllocation.port_id).where(
                IPAllocation.port_id == port_id,
                IPAllocation.ip_address == address)) is None:
            raise exc.PortNotFound(port_id=port_id)
        network_id = row.floating_network_id
        try:
            with session.begin_nested():
                for key, value in values.items():
                    setattr(row, key, value)
                row.revision_number = (row.revision_number or 0) + 1
                row.updated_at = utcnow()
                session.flush()
        except sqlalchemy.exc.IntegrityError:
            raise _conflict(session, fip_id, network_id, port_id, address) from None
        return _fip_dicts(session, [row])[0]


def delete_floatingip(fip_id: str) -> str | None:
    """Delete the row; returns the id of the port that held the address (None: no such
    floating IP). The caller deletes that port."""
    with db_api.session_scope() as session:
        row = session.get(FloatingIP, fip_id)
        if row is None:
            return None
        port_id = row.floating_port_id
        tag_store.delete_all(session, fip_id)
        session.delete(row)
        return port_id
