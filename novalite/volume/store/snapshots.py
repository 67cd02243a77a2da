"""Snapshot records: create (inside the quota transaction), get, list, compare-and-set
status, metadata, delete."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.volume.models import Snapshot, SnapshotMetadata
from novalite.volume.store import quotas
from novalite.volume.store.base import new_id, page, update_row

COLUMNS = tuple(column.name for column in Snapshot.__table__.columns)
SORT_KEYS: dict[str, Any] = {
    "id": Snapshot.id, "name": Snapshot.name, "status": Snapshot.status,
    "size": Snapshot.size, "created_at": Snapshot.created_at,
    "updated_at": Snapshot.updated_at, "volume_id": Snapshot.volume_id,
    "project_id": Snapshot.project_id}
FILTER_COLUMNS: dict[str, Any] = {
    "id": Snapshot.id, "name": Snapshot.name, "status": Snapshot.status,
    "volume_id": Snapshot.volume_id, "project_id": Snapshot.project_id,
    "user_id": Snapshot.user_id, "size": Snapshot.size}


class SnapshotNotFound(exception.NotFound):
    msg_fmt = "Snapshot %(snapshot_id)s could not be found."


def _load(session: Session, rows: Sequence[Snapshot]) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    metadata: dict[str, dict[str, str]] = {i: {} for i in ids}
    for start in range(0, len(ids), 500):
        for item in session.scalars(select(SnapshotMetadata).where(
                SnapshotMetadata.snapshot_id.in_(ids[start:start + 500]))):
            metadata[item.snapshot_id][item.key] = item.value
    return [{**{column: getattr(row, column) for column in COLUMNS},
             "metadata": metadata[row.id]} for row in rows]


def create_snapshot(values: dict[str, Any], metadata: dict[str, str] | None = None
                    ) -> dict[str, Any]:
    with db_api.session_scope() as session:
        quotas.check_and_reserve(session, values["project_id"], snapshots=1,
                                 gigabytes=int(values["size"]))
        row = Snapshot(**{"id": new_id(), "status": "creating", "progress": "0%",
                          "created_at": utcnow(), **values})
        session.add(row)
        session.flush()
        for key, value in (metadata or {}).items():
            session.add(SnapshotMetadata(snapshot_id=row.id, key=key, value=value))
        session.flush()
        return _load(session, [row])[0]


def get_snapshot(snapshot_id: str) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = session.get(Snapshot, snapshot_id)
        if row is None:
            raise SnapshotNotFound(snapshot_id=snapshot_id)
        return _load(session, [row])[0]


def list_snapshots(project_id: str | None, filters: dict[str, list[Any]] | None = None,
                   metadata: dict[str, str] | None = None,
                   sort: Sequence[tuple[str, str]] = (("created_at", "desc"),),
                   limit: int | None = None, marker: str | None = None, offset: int = 0
                   ) -> tuple[list[dict[str, Any]], int]:
    query = select(Snapshot)
    if project_id is not None:
        query = query.where(Snapshot.project_id == project_id)
    for key, values in (filters or {}).items():
        query = query.where(FILTER_COLUMNS[key].in_(values))
    for key, value in (metadata or {}).items():
        query = query.where(Snapshot.id.in_(select(SnapshotMetadata.snapshot_id).where(
            SnapshotMetadata.key == key, SnapshotMetadata.value == value)))
    with db_api.session_scope() as session:
        count = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        rows = page(session, query, Snapshot, sort, SORT_KEYS, limit, marker, offset)
        return _load(session, rows), count


def for_volume(volume_id: str) -> list[dict[str, Any]]:
    return list_snapshots(None, {"volume_id": [volume_id]})[0]


def conditional_update(snapshot_id: str, values: dict[str, Any],
                       statuses: Iterable[str] | None = None) -> bool:
    query = sql_update(Snapshot).where(Snapshot.id == snapshot_id)
    if statuses is not None:
        query = query.where(Snapshot.status.in_(list(statuses)))
    with db_api.session_scope() as session:
        result = session.execute(query.values(**values, updated_at=utcnow()))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def update_snapshot(snapshot_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return update_row(Snapshot, snapshot_id, values,
                      lambda: SnapshotNotFound(snapshot_id=snapshot_id), _load)


def set_metadata(snapshot_id: str, metadata: dict[str, str], replace: bool = False
                 ) -> dict[str, str]:
    with db_api.session_scope() as session:
        if session.get(Snapshot, snapshot_id) is None:
            raise SnapshotNotFound(snapshot_id=snapshot_id)
        if replace:
            session.execute(delete(SnapshotMetadata).where(
                SnapshotMetadata.snapshot_id == snapshot_id))
            session.flush()
        for key, value in metadata.items():
            row = session.get(SnapshotMetadata, (snapshot_id, key))
            if row is None:
                session.add(SnapshotMetadata(snapshot_id=snapshot_id, key=key, value=value))
            else:
                row.value = value
        session.flush()
        return {item.key: item.value for item in session.scalars(
            select(SnapshotMetadata).where(SnapshotMetadata.snapshot_id == snapshot_id))}


def delete_metadata(snapshot_id: str, key: str) -> bool:
    with db_api.session_scope() as session:
        result = session.execute(delete(SnapshotMetadata).where(
            SnapshotMetadata.snapshot_id == snapshot_id, SnapshotMetadata.key == key))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def delete_snapshot(snapshot_id: str) -> None:
    with db_api.session_scope() as session:
        session.execute(delete(Snapshot).where(Snapshot.id == snapshot_id))


def in_status(statuses: Iterable[str]) -> list[dict[str, Any]]:
    with db_api.session_scope() as session:
        rows = list(session.scalars(select(Snapshot).where(
            Snapshot.status.in_(list(statuses)))))
        return _load(session, rows)
