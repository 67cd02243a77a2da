"""Volume records: create (inside the quota transaction), get, list with Cinder's filters,
compare-and-set updates of the status, metadata, image metadata, delete.

A volume reads as a dict of its columns plus ``metadata``, ``image_metadata``,
``attachments`` (the attachment dicts of ``novalite.volume.store.attachments``),
``volume_type`` (the type's name) and ``snapshot_count``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.volume.models import (
    Snapshot,
    Volume,
    VolumeAttachment,
    VolumeImageMetadata,
    VolumeMetadata,
    VolumeType,
)
from novalite.volume.store import quotas
from novalite.volume.store.base import loads, new_id, page, update_row

COLUMNS = tuple(column.name for column in Volume.__table__.columns)
SORT_KEYS: dict[str, Any] = {
    "id": Volume.id, "name": Volume.name, "status": Volume.status, "size": Volume.size,
    "created_at": Volume.created_at, "updated_at": Volume.updated_at,
    "availability_zone": Volume.availability_zone, "bootable": Volume.bootable,
    "project_id": Volume.project_id, "user_id": Volume.user_id,
    "description": Volume.description, "volume_type_id": Volume.volume_type_id}
#: the list filters that are columns (API name → column)
FILTER_COLUMNS: dict[str, Any] = {
    "id": Volume.id, "name": Volume.name, "status": Volume.status, "size": Volume.size,
    "availability_zone": Volume.availability_zone, "bootable": Volume.bootable,
    "user_id": Volume.user_id, "project_id": Volume.project_id,
    "volume_type_id": Volume.volume_type_id, "multiattach": Volume.multiattach,
    "snapshot_id": Volume.snapshot_id, "source_volid": Volume.source_volid,
    "migration_status": Volume.migration_status, "description": Volume.description}


class VolumeNotFound(exception.NotFound):
    msg_fmt = "Volume %(volume_id)s could not be found."


def attachment_dict(row: VolumeAttachment) -> dict[str, Any]:
    return {"id": row.id, "volume_id": row.volume_id, "project_id": row.project_id,
            "instance_uuid": row.instance_uuid, "attached_host": row.attached_host,
            "mountpoint": row.mountpoint, "attach_status": row.attach_status,
            "attach_mode": row.attach_mode, "connector": loads(row.connector),
            "connection_info": loads(row.connection_info), "attach_time": row.attach_time,
            "detach_time": row.detach_time, "created_at": row.created_at}


def _load(session: Session, rows: Sequence[Volume]) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    metadata: dict[str, dict[str, str]] = {i: {} for i in ids}
    image_metadata: dict[str, dict[str, str]] = {i: {} for i in ids}
    attachments: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    snapshot_counts: dict[str, int] = {}
    type_names = dict(session.execute(select(VolumeType.id, VolumeType.name)).tuples().all())
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for item in session.scalars(select(VolumeMetadata).where(
                VolumeMetadata.volume_id.in_(chunk))):
            metadata[item.volume_id][item.key] = item.value
        for image_item in session.scalars(select(VolumeImageMetadata).where(
                VolumeImageMetadata.volume_id.in_(chunk))):
            image_metadata[image_item.volume_id][image_item.key] = image_item.value
        for attachment in session.scalars(select(VolumeAttachment).where(
                VolumeAttachment.volume_id.in_(chunk)).order_by(VolumeAttachment.created_at)):
            attachments[attachment.volume_id].append(attachment_dict(attachment))
        snapshot_counts.update(session.execute(
            select(Snapshot.volume_id, func.count(Snapshot.id))
            .where(Snapshot.volume_id.in_(chunk)).group_by(Snapshot.volume_id)).tuples().all())
    found = []
    for row in rows:
        values = {column: getattr(row, column) for column in COLUMNS}
        values.update(metadata=metadata[row.id], image_metadata=image_metadata[row.id],
                      attachments=attachments[row.id],
                      volume_type=type_names.get(row.volume_type_id or ""),
                      snapshot_count=snapshot_counts.get(row.id, 0))
        found.append(values)
    return found


def create_volume(values: dict[str, Any], metadata: dict[str, str] | None = None,
                  image_metadata: dict[str, str] | None = None,
                  check_quota: bool = True) -> dict[str, Any]:
    """Insert a volume (status ``creating``) after the atomic quota check."""
    with db_api.session_scope() as session:
        if check_quota:
            quotas.check_and_reserve(session, values["project_id"], volumes=1,
                                     gigabytes=int(values["size"]))
        row = Volume(**{"id": new_id(), "status": "creating", "attach_status": "detached",
                        "created_at": utcnow(), **values})
        session.add(row)
        session.flush()
        for key, value in (metadata or {}).items():
            session.add(VolumeMetadata(volume_id=row.id, key=key, value=value))
        for key, value in (image_metadata or {}).items():
            session.add(VolumeImageMetadata(volume_id=row.id, key=key, value=str(value)))
        session.flush()
        return _load(session, [row])[0]


def get_volume(volume_id: str) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = session.get(Volume, volume_id)
        if row is None:
            raise VolumeNotFound(volume_id=volume_id)
        return _load(session, [row])[0]


def find_volume(volume_id: str) -> dict[str, Any] | None:
    try:
        return get_volume(volume_id)
    except VolumeNotFound:
        return None


def _filtered(project_id: str | None, filters: dict[str, list[Any]],
              metadata: dict[str, str], like: dict[str, str],
              times: Iterable[tuple[str, str, datetime.datetime]]) -> Any:
    query = select(Volume)
    if project_id is not None:
        query = query.where(Volume.project_id == project_id)
    for key, values in filters.items():
        column = FILTER_COLUMNS[key]
        if any(value is None for value in values):
            query = query.where(or_(column.is_(None), column.in_(
                [value for value in values if value is not None])))
        else:
            query = query.where(column.in_(values))
    for key, value in metadata.items():
        query = query.where(Volume.id.in_(select(VolumeMetadata.volume_id).where(
            VolumeMetadata.key == key, VolumeMetadata.value == value)))
    for key, value in like.items():
        query = query.where(FILTER_COLUMNS[key].like(f"%{value}%"))
    operators = {"gt": "__gt__", "gte": "__ge__", "lt": "__lt__", "lte": "__le__",
                 "eq": "__eq__", "neq": "__ne__"}
    for key, operator, moment in times:
        column = Volume.created_at if key == "created_at" else Volume.updated_at
        query = query.where(getattr(column, operators[operator])(moment))
    return query


def list_volumes(project_id: str | None, filters: dict[str, list[Any]] | None = None,
                 metadata: dict[str, str] | None = None, like: dict[str, str] | None = None,
                 times: Iterable[tuple[str, str, datetime.datetime]] = (),
                 image_metadata: dict[str, str] | None = None,
                 sort: Sequence[tuple[str, str]] = (("created_at", "desc"),),
                 limit: int | None = None, marker: str | None = None, offset: int = 0
                 ) -> tuple[list[dict[str, Any]], int]:
    """The volumes of ``project_id`` (every project's for None) that match; and how many
    match in all (Cinder's ``count``, before paging)."""
    times = list(times)
    query = _filtered(project_id, filters or {}, metadata or {}, like or {}, times)
    for key, value in (image_metadata or {}).items():
        query = query.where(Volume.id.in_(select(VolumeImageMetadata.volume_id).where(
            VolumeImageMetadata.key == key, VolumeImageMetadata.value == value)))
    with db_api.session_scope() as session:
        count = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        rows = page(session, query, Volume, sort, SORT_KEYS, limit, marker, offset)
        return _load(session, rows), count


def conditional_update(volume_id: str, values: dict[str, Any],
                       statuses: Iterable[str] | None = None,
                       attach_statuses: Iterable[str] | None = None,
                       no_snapshots: bool = False) -> bool:
    """Write ``values`` only while the volume's status is one of ``statuses`` (and its
    attach_status one of ``attach_statuses``; and it has no snapshot, with
    ``no_snapshots``): the compare-and-swap every state change is. Whether it did."""
    query = sql_update(Volume).where(Volume.id == volume_id)
    if statuses is not None:
        query = query.where(Volume.status.in_(list(statuses)))
    if attach_statuses is not None:
        query = query.where(Volume.attach_status.in_(list(attach_statuses)))
    if no_snapshots:
        query = query.where(~select(Snapshot.id).where(
            Snapshot.volume_id == volume_id).exists())
    with db_api.session_scope() as session:
        result = session.execute(query.values(**values, updated_at=utcnow()))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def update_volume(volume_id: str, values: dict[str, Any]) -> dict[str, Any]:
    return update_row(Volume, volume_id, values, lambda: VolumeNotFound(volume_id=volume_id), _load)


def set_metadata(volume_id: str, metadata: dict[str, str], replace: bool = False,
                 image: bool = False) -> dict[str, str]:
    """Merge (or with ``replace`` set) the volume's metadata, or its image metadata."""
    model: type[VolumeImageMetadata] | type[VolumeMetadata] = (
        VolumeImageMetadata if image else VolumeMetadata)
    with db_api.session_scope() as session:
        if session.get(Volume, volume_id) is None:
            raise VolumeNotFound(volume_id=volume_id)
        if replace:
            session.execute(delete(model).where(model.volume_id == volume_id))
            session.flush()
        for key, value in metadata.items():
            row: Any = session.get(model, (volume_id, key))
            if row is None:
                session.add(model(volume_id=volume_id, key=key, value=value))
            else:
                row.value = value
        session.flush()
        items: Any = session.scalars(select(model).where(model.volume_id == volume_id))
        return {item.key: item.value for item in items}


def delete_metadata(volume_id: str, key: str, image: bool = False) -> bool:
    model: type[VolumeImageMetadata] | type[VolumeMetadata] = (
        VolumeImageMetadata if image else VolumeMetadata)
    with db_api.session_scope() as session:
        result = session.execute(delete(model).where(model.volume_id == volume_id,
                                                     model.key == key))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def delete_volume(volume_id: str) -> None:
    """Remove the record (its metadata, attachments and snapshots go with it)."""
    with db_api.session_scope() as session:
        session.execute(delete(Snapshot).where(Snapshot.volume_id == volume_id))
        session.execute(delete(Volume).where(Volume.id == volume_id))


def summary(project_id: str | None) -> tuple[int, int]:
    """(count, total size) of the volumes of a project (or all)."""
    query = select(func.count(Volume.id), func.coalesce(func.sum(Volume.size), 0))
    if project_id is not None:
        query = query.where(Volume.project_id == project_id)
    with db_api.session_scope() as session:
        count, size = session.execute(query).one()
        return int(count), int(size)


def in_status(statuses: Iterable[str]) -> list[dict[str, Any]]:
    """Every volume in one of ``statuses`` (the service's start-up clean-up)."""
    with db_api.session_scope() as session:
        rows = list(session.scalars(select(Volume).where(Volume.status.in_(list(statuses)))))
        return _load(session, rows)
