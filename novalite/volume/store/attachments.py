"""Attachments (Cinder's 3.27+ attach flow) and the volume states they move, each step one
transaction with the volume's row locked:

    reserve   volume available → reserved            attachment reserved
    update    volume reserved → attaching            attachment attaching (connector set)
    complete  volume → in-use, attach_status attached attachment attached
    delete    volume → available (in-use while others remain), the attachment gone
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from novalite.common import exception
from novalite.db import api as db_api
from novalite.db.base import utcnow
from novalite.volume.models import Volume, VolumeAttachment
from novalite.volume.store.base import dumps, new_id
from novalite.volume.store.volumes import VolumeNotFound, attachment_dict


class AttachmentNotFound(exception.NotFound):
    msg_fmt = "VolumeAttachment %(id)s could not be found."


class InvalidVolume(exception.Invalid):
    msg_fmt = "Invalid volume: %(reason)s"


def _or(values: Iterable[str]) -> str:
    return " or ".join(values)


def _volume(session: Session, volume_id: str) -> Volume:
    row = session.scalars(select(Volume).where(Volume.id == volume_id)
                          .with_for_update()).first()
    if row is None:
        raise VolumeNotFound(volume_id=volume_id)
    return row


def _attachment(session: Session, attachment_id: str) -> VolumeAttachment:
    row = session.get(VolumeAttachment, attachment_id)
    if row is None:
        raise AttachmentNotFound(id=attachment_id)
    return row


def reserve(volume_id: str, instance_uuid: str, project_id: str,
            attach_mode: str | None = None) -> dict[str, Any]:
    """A new attachment of ``volume_id`` to ``instance_uuid``: the volume must be
    available (or, multiattach, already in use by others)."""
    with db_api.session_scope() as session:
        volume = _volume(session, volume_id)
        allowed = (("available", "in-use", "downloading", "reserved") if volume.multiattach
                   else ("available", "downloading"))
        if volume.status not in allowed:
            raise InvalidVolume(reason=f"Volume {volume_id} status must be {_or(allowed)} "
                                       f"to reserve, but the current status is "
                                       f"{volume.status}.")
        if not volume.multiattach and session.scalars(select(VolumeAttachment.id).where(
                VolumeAttachment.volume_id == volume_id)).first():
            raise InvalidVolume(reason=f"Volume {volume_id} is already attached and is not "
                                       "multiattach.")
        if volume.status in ("available", "downloading"):
            volume.previous_status = volume.status
            volume.status = "reserved"
        row = VolumeAttachment(id=new_id(), volume_id=volume_id, project_id=project_id,
                               instance_uuid=instance_uuid, attach_status="reserved",
                               attach_mode=attach_mode or ("ro" if volume.readonly else "rw"),
                               created_at=utcnow())
        session.add(row)
        session.flush()
        return attachment_dict(row)


def get(attachment_id: str) -> dict[str, Any]:
    with db_api.session_scope() as session:
        return attachment_dict(_attachment(session, attachment_id))


def list_attachments(project_id: str | None, volume_id: str | None = None,
                     instance_uuid: str | None = None, status: str | None = None
                     ) -> list[dict[str, Any]]:
    query = select(VolumeAttachment).order_by(VolumeAttachment.created_at)
    if project_id is not None:
        query = query.where(VolumeAttachment.project_id == project_id)
    if volume_id is not None:
        query = query.where(VolumeAttachment.volume_id == volume_id)
    if instance_uuid is not None:
        query = query.where(VolumeAttachment.instance_uuid == instance_uuid)
    if status is not None:
        query = query.where(VolumeAttachment.attach_status == status)
    with db_api.session_scope() as session:
        return [attachment_dict(row) for row in session.scalars(query)]


def connect(attachment_id: str, connector: dict[str, Any], connection_info: dict[str, Any]
            ) -> dict[str, Any]:
    """The connector is known and the backend exported the volume to it: attaching."""
    with db_api.session_scope() as session:
        row = _attachment(session, attachment_id)
        volume = _volume(session, row.volume_id)
        row.connector = dumps(connector)
        row.connection_info = dumps(connection_info)
        row.attached_host = connector.get("host")
        row.mountpoint = connector.get("mountpoint")
        if connector.get("mode") in ("rw", "ro"):
            row.attach_mode = connector["mode"]
        if row.attach_status == "reserved":
            row.attach_status = "attaching"
        if volume.status in ("reserved", "available"):
            volume.status = "attaching"
        session.flush()
        return attachment_dict(row)


def complete(attachment_id: str) -> dict[str, Any]:
    with db_api.session_scope() as session:
        row = _attachment(session, attachment_id)
        volume = _volume(session, row.volume_id)
        row.attach_status = "attached"
        row.attach_time = utcnow()
        volume.status = "in-use"
        volume.previous_status = None
        volume.attach_status = "attached"
        session.flush()
        return attachment_dict(row)


def delete(attachment_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Remove the attachment and settle the volume's state; (the attachment, the others
    of the volume still on the same host)."""
    with db_api.session_scope() as session:
        row = _attachment(session, attachment_id)
        volume = _volume(session, row.volume_id)
        gone = attachment_dict(row)
        session.delete(row)
        session.flush()
        others = list(session.scalars(select(VolumeAttachment).where(
            VolumeAttachment.volume_id == volume.id)))
        attached = [other for other in others if other.attach_status == "attached"]
        if attached:
            volume.status, volume.attach_status = "in-use", "attached"
        elif others:
            volume.status, volume.attach_status = "reserved", "detached"
        else:
            volume.status, volume.attach_status = "available", "detached"
        volume.previous_status = None
        session.flush()
        return gone, [attachment_dict(other) for other in others
                      if other.attached_host and other.attached_host == gone["attached_host"]]


def set_status(attachment_id: str, status: str) -> None:
    with db_api.session_scope() as session:
        _attachment(session, attachment_id).attach_status = status
