"""The volumes of instances (Nova's block_device_mapping rows), read and written by the
API process and the conductor; plain dicts (``BlockDeviceMapping.from_dict`` makes the
objects that cross RPC). ``connection_info`` is JSON text, as in Nova."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select

from novalite.common import exception
from novalite.db import api as db_api
from novalite.db.compute_models import BlockDeviceMappingRow

_COLUMNS = tuple(column.name for column in BlockDeviceMappingRow.__table__.columns
                 if column.name not in ("created_at", "updated_at"))


class VolumeBDMNotFound(exception.NotFound):
    msg_fmt = "No volume Block Device Mapping with id %(volume_id)s."


def _to_dict(row: BlockDeviceMappingRow) -> dict[str, Any]:
    return {column: getattr(row, column) for column in _COLUMNS}


def create(values: dict[str, Any]) -> dict[str, Any]:
    """A new mapping (``uuid`` generated when absent)."""
    unknown = set(values) - set(_COLUMNS)
    if unknown:
        raise ValueError(f"not block device fields: {', '.join(sorted(unknown))}")
    row_values = {key: value for key, value in values.items() if key != "id"}
    row_values["uuid"] = row_values.get("uuid") or str(uuidlib.uuid4())
    row_values["delete_on_termination"] = bool(row_values.get("delete_on_termination"))
    with db_api.session_scope() as session:
        row = BlockDeviceMappingRow(**row_values)
        session.add(row)
        session.flush()
        return _to_dict(row)


def list_for_instances(instance_uuids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """{instance uuid: its volume mappings, boot disk first then by id}."""
    wanted = list(dict.fromkeys(instance_uuids))
    found: dict[str, list[dict[str, Any]]] = {uuid: [] for uuid in wanted}
    if not wanted:
        return found
    with db_api.session_scope() as session:
        rows = session.scalars(select(BlockDeviceMappingRow).where(
            BlockDeviceMappingRow.instance_uuid.in_(wanted)).order_by(
            BlockDeviceMappingRow.id)).all()
        for row in rows:
            found[row.instance_uuid].append(_to_dict(row))
    for mappings in found.values():
        mappings.sort(key=lambda bdm: (bdm["boot_index"] != 0, bdm["id"]))
    return found


def list_for_instance(instance_uuid: str) -> list[dict[str, Any]]:
    return list_for_instances([instance_uuid])[instance_uuid]


def get_by_volume(instance_uuid: str, volume_id: str) -> dict[str, Any]:
    """The mapping of ``volume_id`` on the instance; ``VolumeBDMNotFound`` else."""
    for bdm in list_for_instance(instance_uuid):
        if bdm["volume_id"] == volume_id:
            return bdm
    raise VolumeBDMNotFound(volume_id=volume_id)


def instances_of_volume(volume_id: str) -> list[str]:
    with db_api.session_scope() as session:
        return list(session.scalars(select(BlockDeviceMappingRow.instance_uuid).where(
            BlockDeviceMappingRow.volume_id == volume_id)).all())


def update(bdm_id: int, values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(_COLUMNS)
    if unknown:
        raise ValueError(f"not block device fields: {', '.join(sorted(unknown))}")
    with db_api.session_scope() as session:
        row = session.get(BlockDeviceMappingRow, bdm_id)
        if row is None:
            raise exception.NotFound(message=f"Block device mapping {bdm_id} not found")
        for key, value in values.items():
            if key not in ("id", "uuid"):
                setattr(row, key, value)
        session.flush()
        return _to_dict(row)


def destroy(bdm_id: int) -> None:
    with db_api.session_scope() as session:
        session.execute(delete(BlockDeviceMappingRow).where(
            BlockDeviceMappingRow.id == bdm_id))


def destroy_for_instance(instance_uuid: str) -> None:
    with db_api.session_scope() as session:
        session.execute(delete(BlockDeviceMappingRow).where(
            BlockDeviceMappingRow.instance_uuid == instance_uuid))


def save_for_instance(instance_uuid: str, mappings: list[dict[str, Any]]) -> None:
    """Write what the compute node learnt of the instance's mappings (the volumes it
    made, their attachments and connections); each is matched by ``id``."""
    with db_api.session_scope() as session:
        for values in mappings:
            row = session.get(BlockDeviceMappingRow, values.get("id"))
            if row is None or row.instance_uuid != instance_uuid:
                continue
            for key in ("volume_id", "attachment_id", "connection_info", "device_name"):
                if key in values:
                    setattr(row, key, values[key])
