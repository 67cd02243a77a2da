"""Who sees what: a project sees its own volumes, snapshots and attachments, an admin
every project's; anything else is answered 404, exactly like what does not exist."""

from __future__ import annotations

from typing import Any

from novalite.common.context import RequestContext
from novalite.common.uuidutils import is_uuid
from novalite.volume.store import attachments, snapshots, volumes


def _visible(ctxt: RequestContext, item: dict[str, Any]) -> bool:
    return ctxt.is_admin or item["project_id"] == ctxt.project_id


def load_volume(ctxt: RequestContext, volume_id: str) -> dict[str, Any]:
    volume = volumes.find_volume(volume_id) if is_uuid(volume_id) else None
    if volume is None or not _visible(ctxt, volume):
        raise volumes.VolumeNotFound(volume_id=volume_id)
    return volume


def load_snapshot(ctxt: RequestContext, snapshot_id: str) -> dict[str, Any]:
    if not is_uuid(snapshot_id):
        raise snapshots.SnapshotNotFound(snapshot_id=snapshot_id)
    try:
        snapshot = snapshots.get_snapshot(snapshot_id)
    except snapshots.SnapshotNotFound:
        raise snapshots.SnapshotNotFound(snapshot_id=snapshot_id) from None
    if not _visible(ctxt, snapshot):
        raise snapshots.SnapshotNotFound(snapshot_id=snapshot_id)
    return snapshot


def load_attachment(ctxt: RequestContext, attachment_id: str) -> dict[str, Any]:
    if not is_uuid(attachment_id):
        raise attachments.AttachmentNotFound(id=attachment_id)
    attachment = attachments.get(attachment_id)
    if not _visible(ctxt, attachment):
        raise attachments.AttachmentNotFound(id=attachment_id)
    return attachment
