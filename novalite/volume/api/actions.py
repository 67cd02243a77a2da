"""``POST /volumes/{id}/action``: the volume actions Nova and the clients use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import webob

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.volume import images, manager, notify
from novalite.volume.api import access, common, schemas
from novalite.volume.api import microversions as mv
from novalite.volume.api.volumes import delete_volume, volumes_invalid
from novalite.volume.store import quotas, volumes

Action = Callable[[wsgi.Request, dict[str, Any], Any], webob.Response]


def _transition(volume: dict[str, Any], values: dict[str, Any], statuses: tuple[str, ...],
                message: str, attach_statuses: tuple[str, ...] | None = None) -> None:
    if not volumes.conditional_update(volume["id"], values, statuses=statuses,
                                      attach_statuses=attach_statuses):
        raise volumes_invalid(message)


def _reserve(request: wsgi.Request, volume: dict[str, Any], body: Any) -> webob.Response:
    statuses = ("available", "in-use") if volume["multiattach"] else ("available",)
    _transition(volume, {"status": "attaching", "previous_status": volume["status"]},
                statuses, f"Volume status must be {' or '.join(statuses)} to reserve, but "
                          f"the status is {volume['status']}.")
    return wsgi.empty_response(202)


def _unreserve(request: wsgi.Request, volume: dict[str, Any], body: Any) -> webob.Response:
    back = volume.get("previous_status") or "available"
    if back not in ("available", "in-use"):
        back = "available"
    volumes.conditional_update(volume["id"], {"status": back, "previous_status": None},
                               statuses=("attaching",))
    return wsgi.empty_response(202)


def _begin_detaching(request: wsgi.Request, volume: dict[str, Any], body: Any
                     ) -> webob.Response:
    _transition(volume, {"status": "detaching", "previous_status": "in-use"}, ("in-use",),
                "Unable to detach volume. Volume status must be 'in-use' and attach_status "
                "must be 'attached' to detach.", attach_statuses=("attached",))
    return wsgi.empty_response(202)


def _roll_detaching(request: wsgi.Request, volume: dict[str, Any], body: Any
                    ) -> webob.Response:
    volumes.conditional_update(volume["id"], {"status": "in-use", "previous_status": None},
                               statuses=("detaching",))
    return wsgi.empty_response(202)


def _force_delete(request: wsgi.Request, volume: dict[str, Any], body: Any
                  ) -> webob.Response:
    common.authorize(request.context, "volume_extension:volume_admin_actions:force_delete",
                     volume["project_id"])
    delete_volume(request.context, volume, cascade=False, force=True)
    return wsgi.empty_response(202)


def _extend(request: wsgi.Request, volume: dict[str, Any], body: Any) -> webob.Response:
    ctxt = request.context
    common.validate(schemas.EXTEND, body)
    new_size = int(body["new_size"])
    attached = volume["status"] == "in-use"
    if attached:
        if not common.at_least(request, mv.VOLUME_EXTEND_INUSE):
            raise volumes_invalid(f"Volume {volume['id']} status must be 'available' to "
                                  f"extend, currently {volume['status']}.")
        common.authorize(ctxt, "volume:extend_attached_volume", volume["project_id"])
    else:
        common.authorize(ctxt, "volume:extend", volume["project_id"])
    if new_size <= volume["size"]:
        raise common.invalid_input(f"New size for extend must be greater than current "
                                   f"size. (current: {volume['size']}, extended: {new_size}).")
    _check_extend_quota(volume, new_size)
    allowed = ("available", "in-use") if common.at_least(request, mv.VOLUME_EXTEND_INUSE) \
        else ("available",)
    _transition(volume, {"status": "extending"}, allowed,
                f"Volume {volume['id']} status must be {' or '.join(allowed)} to extend, "
                f"currently {volume['status']}.")
    on_done = None
    if attached:
        servers = [a["instance_uuid"] for a in volume["attachments"]
                   if a["attach_status"] == "attached" and a["instance_uuid"]]

        def on_done(grown: dict[str, Any]) -> None:
            notify.volume_extended(ctxt, grown, servers)

    manager.get().extend_volume(volume, new_size, on_done)
    return wsgi.empty_response(202)


def _check_extend_quota(volume: dict[str, Any], new_size: int) -> None:
    from novalite.db import api as db_api

    with db_api.session_scope() as session:
        quotas.check_and_reserve(session, volume["project_id"],
                                 gigabytes=new_size - volume["size"])


def _set_bootable(request: wsgi.Request, volume: dict[str, Any], body: Any
                  ) -> webob.Response:
    common.validate(schemas.SET_BOOTABLE, body)
    common.authorize(request.context, "volume:update", volume["project_id"])
    volumes.update_volume(volume["id"], {
        "bootable": common.parse_bool(body["bootable"], "bootable")})
    return wsgi.empty_response(200)


def _readonly(request: wsgi.Request, volume: dict[str, Any], body: Any) -> webob.Response:
    common.validate(schemas.READONLY, body)
    common.authorize(request.context, "volume:update_readonly_flag", volume["project_id"])
    if volume["status"] != "available":
        raise volumes_invalid(f"Volume {volume['id']} status must be available to update "
                              f"readonly flag, but current status is: {volume['status']}.")
    volumes.update_volume(volume["id"], {
        "readonly": common.parse_bool(body["readonly"], "readonly")})
    return wsgi.empty_response(202)


def _upload_image(request: wsgi.Request, volume: dict[str, Any], body: Any
                  ) -> webob.Response:
    ctxt = request.context
    common.validate(schemas.UPLOAD_IMAGE, body)
    common.authorize(ctxt, "volume_extension:volume_actions:upload_image",
                     volume["project_id"])
    force = common.parse_bool(body.get("force", False), "force")
    visibility = body.get("visibility", "private") if common.at_least(request, "3.1") \
        else "private"
    if visibility == "public":
        common.authorize(ctxt, "volume_extension:volume_actions:upload_public",
                         volume["project_id"])
    statuses = ("available", "in-use") if force else ("available",)
    if volume["status"] not in statuses:
        raise volumes_invalid(f"Volume {volume['id']} status must be available or in-use "
                              f"(with force), but current status is: {volume['status']}.")
    disk_format = body.get("disk_format", "raw")
    if disk_format not in ("raw", "qcow2"):
        raise common.invalid_input(f"Unsupported disk format for this cloud: {disk_format}")
    properties = {key: value for key, value in volume["image_metadata"].items()
                  if key not in ("image_id", "image_name", "checksum", "size",
                                 "container_format", "disk_format", "min_disk", "min_ram")}
    record: dict[str, Any] = {"name": body["image_name"], "disk_format": disk_format,
                              "container_format": body.get("container_format", "bare"),
                              "visibility": visibility, "min_disk": volume["size"],
                              **properties}
    if "protected" in body and common.at_least(request, "3.1"):
        record["protected"] = common.parse_bool(body["protected"], "protected")
    image = images.ImageService(ctxt).create(record)
    _transition(volume, {"status": "uploading"}, statuses,
                f"Volume {volume['id']} status changed while the image was made.")
    manager.get().upload_to_image(ctxt, volume, image, disk_format)
    return wsgi.json_response({"os-volume_upload_image": {
        "id": volume["id"], "updated_at": common.isotime(volume["updated_at"]),
        "status": "uploading", "display_description": volume["description"],
        "size": volume["size"], "volume_type": volume["volume_type"],
        "image_id": image["id"], "container_format": record["container_format"],
        "disk_format": disk_format, "image_name": body["image_name"]}}, status=202)


def _reset_status(request: wsgi.Request, volume: dict[str, Any], body: Any
                  ) -> webob.Response:
    common.validate(schemas.RESET_STATUS, body)
    common.authorize(request.context, "volume_extension:volume_admin_actions:reset_status",
                     volume["project_id"])
    if not body:
        raise common.invalid_input("Must specify 'status', 'attach_status' or "
                                   "'migration_status' for update.")
    values = {key: body[key] for key in ("status", "attach_status", "migration_status")
              if key in body}
    volumes.update_volume(volume["id"], values)
    return wsgi.empty_response(202)


def _image_metadata(request: wsgi.Request, volume: dict[str, Any], body: Any
                    ) -> webob.Response:
    common.validate(schemas.IMAGE_METADATA, body)
    common.authorize(request.context, "volume_extension:volume_image_metadata:set",
                     volume["project_id"])
    return wsgi.json_response({"metadata": volumes.set_metadata(
        volume["id"], body["metadata"], image=True)})


def _unset_image_metadata(request: wsgi.Request, volume: dict[str, Any], body: Any
                          ) -> webob.Response:
    common.validate(schemas.UNSET_IMAGE_METADATA, body)
    common.authorize(request.context, "volume_extension:volume_image_metadata:remove",
                     volume["project_id"])
    if not volumes.delete_metadata(volume["id"], body["key"], image=True):
        raise exception.NotFound(message=f"Glance metadata for volume/snapshot "
                                         f"{volume['id']} cannot be found.")
    return wsgi.empty_response(200)


def _show_image_metadata(request: wsgi.Request, volume: dict[str, Any], body: Any
                         ) -> webob.Response:
    common.authorize(request.context, "volume_extension:volume_image_metadata:show",
                     volume["project_id"])
    return wsgi.json_response({"metadata": volume["image_metadata"]})


ACTIONS: dict[str, tuple[str, Action]] = {
    "os-reserve": ("volume_extension:volume_actions:reserve", _reserve),
    "os-unreserve": ("volume_extension:volume_actions:unreserve", _unreserve),
    "os-begin_detaching": ("volume_extension:volume_actions:begin_detaching",
                           _begin_detaching),
    "os-roll_detaching": ("volume_extension:volume_actions:roll_detaching", _roll_detaching),
    "os-force_delete": ("", _force_delete),
    "os-extend": ("", _extend),
    "os-set_bootable": ("", _set_bootable),
    "os-update_readonly_flag": ("", _readonly),
    "os-volume_upload_image": ("", _upload_image),
    "os-reset_status": ("", _reset_status),
    "os-set_image_metadata": ("", _image_metadata),
    "os-unset_image_metadata": ("", _unset_image_metadata),
    "os-show_image_metadata": ("", _show_image_metadata),
}


def action(request: wsgi.Request, volume_id: str) -> webob.Response:
    ctxt: RequestContext = request.context
    body = common.body_of(request)
    if len(body) != 1:
        raise exception.Invalid(message="Malformed request body")
    (name, value), = body.items()
    if name not in ACTIONS:
        raise exception.Invalid(message=f"There is no such action: {name}")
    volume = access.load_volume(ctxt, volume_id)
    rule, handler = ACTIONS[name]
    if rule:
        common.authorize(ctxt, rule, volume["project_id"])
    return handler(request, volume, value if value is not None else {})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("POST", "/volumes/{volume_id}/action", action),
)
