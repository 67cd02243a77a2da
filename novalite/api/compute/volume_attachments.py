"""``/servers/{id}/os-volume_attachments``: list, show, attach and detach a server's
volumes, as Nova's ``volumes.py`` ``VolumeAttachmentController`` (fields by microversion:
``tag`` 2.70, ``delete_on_termination`` 2.79, ``attachment_id`` and ``bdm_uuid`` instead
of ``id`` in reads from 2.89)."""

from __future__ import annotations

import uuid
from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute.servers import compute_api, get_instance
from novalite.common import exception, wsgi
from novalite.common.wsgi import Request
from novalite.objects import BlockDeviceMapping
from novalite.volume.client import VolumeNotFound

_RULE = "os_compute_api:os-volumes-attachments"
_MAX_TAG = 60


def _view(request: Request, server_id: str, bdm: BlockDeviceMapping,
          created: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "device": f"/dev/{bdm.device_name}" if bdm.device_name else None,
        "serverId": server_id, "volumeId": bdm.volume_id}
    if created or not common.at_least(request, "2.89"):
        body["id"] = bdm.volume_id
    if common.at_least(request, "2.70"):
        body["tag"] = bdm.tag
    if common.at_least(request, "2.79"):
        body["delete_on_termination"] = bool(bdm.delete_on_termination)
    if not created and common.at_least(request, "2.89"):
        body["attachment_id"] = bdm.attachment_id
        body["bdm_uuid"] = bdm.uuid
    return body


def index(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, f"{_RULE}:index")
    found = compute_api().volume_attachments(instance)
    limit, offset = _page(request)
    page = found[offset:offset + limit] if limit is not None else found[offset:]
    return wsgi.json_response({"volumeAttachments": [
        _view(request, server_id, bdm) for bdm in page]})


def _page(request: Request) -> tuple[int | None, int]:
    def number(name: str) -> int | None:
        raw = request.GET.get(name)
        if raw is None:
            return None
        if not raw.isdigit() or len(raw) > 9:
            raise exception.ValidationError(
                message=f"Invalid input for query parameters {name}.")
        return int(raw)

    return number("limit"), number("offset") or 0


def show(request: Request, server_id: str, volume_id: str) -> webob.Response:
    instance = get_instance(request, server_id, f"{_RULE}:show")
    bdm = compute_api().volume_attachment(instance, volume_id)
    return wsgi.json_response({"volumeAttachment": _view(request, server_id, bdm)})


def _attach_body(request: Request) -> dict[str, Any]:
    body = request.json_body_dict()
    spec = body.get("volumeAttachment")
    if not isinstance(spec, dict) or set(body) != {"volumeAttachment"}:
        raise exception.ValidationError(
            message="Invalid input for field/attribute volumeAttachment.")
    allowed = {"volumeId", "device"}
    if common.at_least(request, "2.49"):
        allowed.add("tag")
    if common.at_least(request, "2.79"):
        allowed.add("delete_on_termination")
    extra = set(spec) - allowed
    if extra:
        raise exception.ValidationError(
            message="Additional properties are not allowed "
                    f"({', '.join(repr(k) for k in sorted(extra))} "
                    f"{'was' if len(extra) == 1 else 'were'} unexpected)")
    volume_id = spec.get("volumeId")
    if not isinstance(volume_id, str) or not _uuid_like(volume_id):
        raise exception.ValidationError(
            message="Invalid input for field/attribute volumeId.")
    device = spec.get("device")
    if device is not None and (not isinstance(device, str) or len(device) > 255
                               or not device.startswith("/dev/")):
        raise exception.ValidationError(message="Invalid input for field/attribute device.")
    tag = spec.get("tag")
    if tag is not None and (not isinstance(tag, str) or not 0 < len(tag) <= _MAX_TAG
                            or "/" in tag or "," in tag):
        raise exception.ValidationError(message="Invalid input for field/attribute tag.")
    delete = spec.get("delete_on_termination", False)
    if not isinstance(delete, bool):
        raise exception.ValidationError(
            message="Invalid input for field/attribute delete_on_termination.")
    return {"volume_id": volume_id, "device": device, "tag": tag, "delete": delete}


def _uuid_like(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def create(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, f"{_RULE}:create")
    spec = _attach_body(request)
    try:
        bdm = compute_api().attach_volume(
            request.context, instance, spec["volume_id"], device=spec["device"],
            tag=spec["tag"], delete_on_termination=spec["delete"])
    except VolumeNotFound as error:
        raise exception.NotFound(message=error.message) from None
    return wsgi.json_response({"volumeAttachment": _view(request, server_id, bdm,
                                                          created=True)})


def update(request: Request, server_id: str, volume_id: str) -> webob.Response:
    """From 2.85, ``delete_on_termination`` of an attachment (the same ``volumeId``).
    Swapping a volume for another (``volumeId`` a different volume, an admin's call in
    Nova) is not supported here: 400, rather than a half-done swap."""
    instance = get_instance(request, server_id, f"{_RULE}:update")
    body = request.json_body_dict()
    spec = body.get("volumeAttachment")
    if not isinstance(spec, dict) or set(body) != {"volumeAttachment"}:
        raise exception.ValidationError(
            message="Invalid input for field/attribute volumeAttachment.")
    allowed = {"volumeId"}
    if common.at_least(request, "2.85"):
        allowed |= {"delete_on_termination", "device", "tag", "id", "serverId"}
    extra = set(spec) - allowed
    if extra:
        raise exception.ValidationError(
            message="Additional properties are not allowed "
                    f"({', '.join(repr(k) for k in sorted(extra))} "
                    f"{'was' if len(extra) == 1 else 'were'} unexpected)")
    new_volume = spec.get("volumeId")
    if not isinstance(new_volume, str) or not _uuid_like(new_volume):
        raise exception.ValidationError(message="Invalid input for field/attribute volumeId.")
    bdm = compute_api().volume_attachment(instance, volume_id)
    if new_volume != volume_id:
        raise exception.Invalid(message="Swapping the volume of an attachment for another "
                                        "is not supported by this cloud.")
    if not common.at_least(request, "2.85"):
        raise exception.Invalid(message="The volume was not changed (swap needs another "
                                        "volume).")
    for key in ("device", "tag", "serverId", "id"):
        current = {"device": f"/dev/{bdm.device_name}", "tag": bdm.tag,
                   "serverId": server_id, "id": volume_id}[key]
        if key in spec and spec[key] != current:
            raise exception.Invalid(message=f"Changing '{key}' of an attachment is not "
                                            "supported.")
    if "delete_on_termination" in spec:
        if not isinstance(spec["delete_on_termination"], bool):
            raise exception.ValidationError(
                message="Invalid input for field/attribute delete_on_termination.")
        compute_api().update_volume_attachment(instance, volume_id,
                                               spec["delete_on_termination"])
    return webob.Response(status=202)


def delete(request: Request, server_id: str, volume_id: str) -> webob.Response:
    instance = get_instance(request, server_id, f"{_RULE}:delete")
    compute_api().detach_volume(request.context, instance, volume_id)
    return webob.Response(status=202)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/servers/{server_id}/os-volume_attachments", index),
    wsgi.Route("POST", "/servers/{server_id}/os-volume_attachments", create),
    wsgi.Route("GET", "/servers/{server_id}/os-volume_attachments/{volume_id}", show),
    wsgi.Route("PUT", "/servers/{server_id}/os-volume_attachments/{volume_id}", update),
    wsgi.Route("DELETE", "/servers/{server_id}/os-volume_attachments/{volume_id}", delete),
)
