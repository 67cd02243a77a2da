"""The deprecated proxies to the volume service below microversion 2.36: ``/os-volumes``
and ``/os-snapshots`` (Nova's ``volumes.py`` ``VolumeController`` and
``SnapshotController``), with Nova's camelCase views of Cinder's records. From 2.36
they are gone (404), as in Nova."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.volume.client import VolumeClient, VolumeNotFound

_RULE = "os_compute_api:os-volumes"
_MAX_NAME = 255


def _client(request: Request) -> VolumeClient:
    if common.at_least(request, "2.36"):
        raise exception.NotFound(message="The resource could not be found.")
    policy.authorize(request.context, _RULE, {"project_id": request.context.project_id})
    return VolumeClient(request.context)


def _volume_view(volume: dict[str, Any], detail: bool = True) -> dict[str, Any]:
    attachments = [{"id": a.get("attachment_id") or a.get("id"),
                    "volumeId": volume["id"], "serverId": a.get("server_id"),
                    "device": a.get("device")}
                   for a in volume.get("attachments") or ()] or [{}]
    body: dict[str, Any] = {
        "id": volume["id"], "status": volume.get("status"), "size": volume.get("size"),
        "availabilityZone": volume.get("availability_zone"),
        "createdAt": volume.get("created_at"), "attachments": attachments,
        "displayName": volume.get("name"), "displayDescription": volume.get("description"),
        "volumeType": volume.get("volume_type"), "snapshotId": volume.get("snapshot_id"),
        "metadata": volume.get("metadata") or {}}
    return body


def _snapshot_view(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {"id": snapshot["id"], "volumeId": snapshot.get("volume_id"),
            "status": snapshot.get("status"), "size": snapshot.get("size"),
            "createdAt": snapshot.get("created_at"), "displayName": snapshot.get("name"),
            "displayDescription": snapshot.get("description")}


def _body(request: Request, key: str) -> dict[str, Any]:
    body = request.json_body_dict()
    spec = body.get(key)
    if not isinstance(spec, dict):
        raise exception.ValidationError(message=f"Invalid input for field/attribute {key}.")
    for name in ("display_name", "display_description"):
        value = spec.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > _MAX_NAME):
            raise exception.ValidationError(
                message=f"Invalid input for field/attribute {name}.")
    return spec


def volume_index(request: Request) -> webob.Response:
    volumes = _client(request).list_volumes()
    return wsgi.json_response({"volumes": [_volume_view(v) for v in volumes]})


def volume_show(request: Request, volume_id: str) -> webob.Response:
    try:
        volume = _client(request).get(volume_id)
    except VolumeNotFound as error:
        raise exception.NotFound(message=error.message) from None
    return wsgi.json_response({"volume": _volume_view(volume)})


def volume_create(request: Request) -> webob.Response:
    client = _client(request)
    spec = _body(request, "volume")
    size = spec.get("size")
    if isinstance(size, str) and size.isdigit():
        size = int(size)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise exception.ValidationError(message="Invalid input for field/attribute size.")
    body: dict[str, Any] = {"size": size, "name": spec.get("display_name"),
                            "description": spec.get("display_description")}
    for ours, theirs in (("volume_type", "volume_type"), ("snapshot_id", "snapshot_id"),
                         ("availability_zone", "availability_zone"),
                         ("metadata", "metadata")):
        if spec.get(ours) is not None:
            body[theirs] = spec[ours]
    volume = client.create_volume(body)
    return wsgi.json_response({"volume": _volume_view(volume)})


def volume_delete(request: Request, volume_id: str) -> webob.Response:
    client = _client(request)
    try:
        client.get(volume_id)
    except VolumeNotFound as error:
        raise exception.NotFound(message=error.message) from None
    client.delete_volume(volume_id)
    return webob.Response(status=202)


def snapshot_index(request: Request) -> webob.Response:
    snapshots = _client(request).list_snapshots()
    return wsgi.json_response({"snapshots": [_snapshot_view(s) for s in snapshots]})


def snapshot_show(request: Request, snapshot_id: str) -> webob.Response:
    snapshot = _client(request).get_snapshot(snapshot_id)
    return wsgi.json_response({"snapshot": _snapshot_view(snapshot)})


def snapshot_create(request: Request) -> webob.Response:
    client = _client(request)
    spec = _body(request, "snapshot")
    volume_id = spec.get("volume_id")
    if not isinstance(volume_id, str) or not volume_id:
        raise exception.ValidationError(message="Invalid input for field/attribute "
                                                "volume_id.")
    force = spec.get("force", False)
    if isinstance(force, str):
        force = force.lower() in ("true", "1", "yes")
    snapshot = client.create_snapshot(volume_id, spec.get("display_name") or "",
                                      force=bool(force),
                                      description=spec.get("display_description"))
    return wsgi.json_response({"snapshot": _snapshot_view(snapshot)})


def snapshot_delete(request: Request, snapshot_id: str) -> webob.Response:
    _client(request).delete_snapshot(snapshot_id)
    return webob.Response(status=202)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-volumes", volume_index),
    wsgi.Route("GET", "/os-volumes/detail", volume_index),
    wsgi.Route("POST", "/os-volumes", volume_create),
    wsgi.Route("GET", "/os-volumes/{volume_id}", volume_show),
    wsgi.Route("DELETE", "/os-volumes/{volume_id}", volume_delete),
    wsgi.Route("GET", "/os-snapshots", snapshot_index),
    wsgi.Route("GET", "/os-snapshots/detail", snapshot_index),
    wsgi.Route("POST", "/os-snapshots", snapshot_create),
    wsgi.Route("GET", "/os-snapshots/{snapshot_id}", snapshot_show),
    wsgi.Route("DELETE", "/os-snapshots/{snapshot_id}", snapshot_delete),
)
