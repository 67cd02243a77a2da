"""Host aggregates (``os-aggregates``): hosts, metadata, and availability zones.

An aggregate's ``availability_zone`` metadata puts its hosts in that zone; a host is
in one zone at most, so adding a host, or setting the zone of an aggregate, is refused
when one of its hosts already is in another (Nova's ``is_safe_to_update_az``), and a
zone does not move while its hosts run instances. ``host_zones`` and ``by_host`` are
what the scheduler, the zones list and the services list read.
"""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.db.compute_models import (
    Aggregate,
    AggregateHost,
    AggregateMetadata,
    Instance,
)

ZONE_KEY = "availability_zone"
# the action each refusal names (Nova's InvalidAggregateAction* messages)
ADD, UPDATE, UPDATE_META, DELETE = (
    "Cannot add host to aggregate", "Cannot update aggregate",
    "Cannot update metadata of aggregate", "Cannot remove host from aggregate")


def _refuse(action: str, aggregate_id: int, reason: str, code: int) -> exception.NovaliteException:
    message = f"{action} {aggregate_id}. Reason: {reason}."
    return exception.Conflict(message=message) if code == 409 else exception.Invalid(
        message=message)


def _load(session: Session, rows: list[Aggregate]) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    hosts: dict[int, list[str]] = {i: [] for i in ids}
    metadata: dict[int, dict[str, str]] = {i: {} for i in ids}
    if ids:
        for aggregate_id, host in session.execute(
                select(AggregateHost.aggregate_id, AggregateHost.host)
                .where(AggregateHost.aggregate_id.in_(ids)).order_by(AggregateHost.id)):
            hosts[aggregate_id].append(host)
        for aggregate_id, key, value in session.execute(
                select(AggregateMetadata.aggregate_id, AggregateMetadata.key,
                       AggregateMetadata.value).where(AggregateMetadata.aggregate_id.in_(ids))):
            metadata[aggregate_id][key] = value
    return [{"id": row.id, "uuid": row.uuid, "name": row.name, "hosts": hosts[row.id],
             "metadata": metadata[row.id],
             "availability_zone": metadata[row.id].get(ZONE_KEY),
             "created_at": row.created_at, "updated_at": row.updated_at} for row in rows]


def _find(session: Session, aggregate_id: int) -> Aggregate:
    row = session.get(Aggregate, aggregate_id)
    if row is None:
        raise exception.AggregateNotFound(aggregate_id=aggregate_id)
    return row


def list_aggregates() -> list[dict[str, Any]]:
    with db_api.session_scope() as session:
        return _load(session, list(session.scalars(select(Aggregate).order_by(Aggregate.id))))


def get(aggregate_id: int) -> dict[str, Any]:
    with db_api.session_scope() as session:
        return _load(session, [_find(session, aggregate_id)])[0]


def create(name: str, availability_zone: str | None = None) -> dict[str, Any]:
    try:
        with db_api.session_scope() as session:
            if session.scalars(select(Aggregate.id).where(Aggregate.name == name)).first():
                raise exception.AggregateNameExists(aggregate_name=name)
            row = Aggregate(uuid=str(uuidlib.uuid4()), name=name)
            session.add(row)
            session.flush()
            if availability_zone:
                session.add(AggregateMetadata(aggregate_id=row.id, key=ZONE_KEY,
                                              value=availability_zone))
                session.flush()
            return _load(session, [row])[0]
    except IntegrityError:
        raise exception.AggregateNameExists(aggregate_name=name) from None


def _zones_of(session: Session, hosts: Iterable[str], besides: int) -> list[str]:
    """The zones other aggregates than ``besides`` put any of ``hosts`` in."""
    hosts = list(hosts)
    if not hosts:
        return []
    query = (select(AggregateMetadata.value)
             .join(AggregateHost, AggregateHost.aggregate_id == AggregateMetadata.aggregate_id)
             .where(AggregateMetadata.key == ZONE_KEY, AggregateHost.host.in_(hosts),
                    AggregateMetadata.aggregate_id != besides).distinct())
    return sorted(session.scalars(query))


def _check_zone(session: Session, row: Aggregate, metadata: dict[str, Any], action: str,
                code: int, hosts: list[str] | None = None, check_instances: bool = False
                ) -> None:
    """Nova's ``is_safe_to_update_az``: one zone per host, and no zone moves under
    running instances."""
    if ZONE_KEY not in metadata:
        return
    zone = metadata[ZONE_KEY]
    if not zone:
        raise _refuse(action, row.id, f"Aggregate {row.name} does not support empty named "
                                      "availability zone", code)
    current = _load(session, [row])[0]
    hosts = hosts if hosts is not None else current["hosts"]
    conflicting = [other for other in _zones_of(session, hosts, row.id) if other != zone]
    if conflicting:
        raise _refuse(action, row.id, "One or more hosts already in availability zone(s) "
                                      f"{conflicting}", code)
    if check_instances and current["availability_zone"] != zone and hosts:
        running = session.scalar(select(func.count(Instance.id)).where(
            Instance.host.in_(hosts), Instance.deleted.is_(False)))
        if running:
            raise _refuse(action, row.id, "One or more hosts contain instances in this zone",
                          code)


def _set_metadata(session: Session, row: Aggregate, metadata: dict[str, Any]) -> None:
    existing = {item.key: item for item in session.scalars(
        select(AggregateMetadata).where(AggregateMetadata.aggregate_id == row.id))}
    for key, value in metadata.items():
        if value is None:
            if key in existing:
                session.delete(existing[key])
        elif key in existing:
            existing[key].value = str(value)
        else:
            session.add(AggregateMetadata(aggregate_id=row.id, key=key, value=str(value)))
    row.updated_at = utcnow()
    session.flush()


def update(aggregate_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """``name`` and/or ``availability_zone`` (400 when the zone cannot move)."""
    try:
        with db_api.session_scope() as session:
            row = _find(session, aggregate_id)
            if "name" in values:
                if session.scalars(select(Aggregate.id).where(
                        Aggregate.name == values["name"], Aggregate.id != row.id)).first():
                    raise exception.AggregateNameExists(aggregate_name=values["name"])
                row.name = values["name"]
                row.updated_at = utcnow()
                session.flush()
            if ZONE_KEY in values:
                metadata = {ZONE_KEY: values[ZONE_KEY]}
                _check_zone(session, row, metadata, UPDATE, 400, check_instances=True)
                _set_metadata(session, row, metadata)
            return _load(session, [row])[0]
    except IntegrityError:
        raise exception.AggregateNameExists(aggregate_name=values.get("name")) from None


def set_metadata(aggregate_id: int, metadata: dict[str, Any]) -> dict[str, Any]:
    """Merge ``metadata`` (a None value removes its key)."""
    with db_api.session_scope() as session:
        row = _find(session, aggregate_id)
        _check_zone(session, row, metadata, UPDATE_META, 400, check_instances=True)
        _set_metadata(session, row, metadata)
        return _load(session, [row])[0]


def delete(aggregate_id: int) -> None:
    with db_api.session_scope() as session:
        row = _find(session, aggregate_id)
        if session.scalars(select(AggregateHost.id).where(
                AggregateHost.aggregate_id == row.id)).first():
            raise _refuse(DELETE, row.id, "Host aggregate is not empty", 400)
        session.delete(row)


def add_host(aggregate_id: int, host: str) -> dict[str, Any]:
    try:
        with db_api.session_scope() as session:
            row = _find(session, aggregate_id)
            current = _load(session, [row])[0]
            _check_zone(session, row, current["metadata"], ADD, 409, hosts=[host])
            if host in current["hosts"]:
                raise exception.AggregateHostExists(aggregate_id=row.id, host=host)
            session.add(AggregateHost(aggregate_id=row.id, host=host))
            session.flush()
            return _load(session, [row])[0]
    except IntegrityError:
        raise exception.AggregateHostExists(aggregate_id=aggregate_id, host=host) from None


def remove_host(aggregate_id: int, host: str) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = _find(session, aggregate_id)
        found = session.scalars(select(AggregateHost).where(
            AggregateHost.aggregate_id == row.id, AggregateHost.host == host)).first()
        if found is None:
            raise exception.AggregateHostNotFound(aggregate_id=row.id, host=host)
        session.delete(found)
        session.flush()
        return _load(session, [row])[0]


def by_host() -> dict[str, list[dict[str, Any]]]:
    """host -> the aggregates it is in, each as {id, name, metadata}: one read for the
    scheduler's host states."""
    result: dict[str, list[dict[str, Any]]] = {}
    for aggregate in list_aggregates():
        entry = {"id": aggregate["id"], "name": aggregate["name"],
                 "metadata": dict(aggregate["metadata"])}
        for host in aggregate["hosts"]:
            result.setdefault(host, []).append(entry)
    return result


def host_zones() -> dict[str, str]:
    """host -> the zone its aggregates put it in (hosts in no zoned aggregate absent)."""
    query = (select(AggregateHost.host, AggregateMetadata.value)
             .join(AggregateMetadata,
                   AggregateMetadata.aggregate_id == AggregateHost.aggregate_id)
             .where(AggregateMetadata.key == ZONE_KEY).order_by(AggregateHost.id))
    with db_api.session_scope() as session:
        zones: dict[str, str] = {}
        for host, zone in session.execute(query):
            zones.setdefault(host, zone)
        return zones
