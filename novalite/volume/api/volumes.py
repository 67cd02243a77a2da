"""Volumes: create (blank, from an image, a snapshot or a volume), list and detail with
filters, sorting and paging, show, update, delete (cascade, force), summary, metadata."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.volume import images, manager
from novalite.volume.api import access, common, schemas, views
from novalite.volume.api import microversions as mv
from novalite.volume.store import attachments, snapshots, types, volumes

GIB = 1024 ** 3
#: statuses a volume may be deleted in without force (Cinder's volume API)
DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")
# Image record fields that are not properties; these are copied as volume image metadata.
_IMAGE_CORE = ("checksum", "container_format", "disk_format", "min_disk", "min_ram", "size")
_IMAGE_SKIP = frozenset({"id", "name", "status", "visibility", "protected", "owner",
                         "virtual_size", "created_at", "updated_at", "tags", "self", "file",
                         "schema", "os_hash_algo", "os_hash_value", "os_hidden",
                         "direct_url", "locations", "stores", *_IMAGE_CORE})


class InvalidSnapshot(exception.Invalid):
    msg_fmt = "Invalid snapshot: %(reason)s"


def _or(values: tuple[str, ...]) -> str:
    return " or ".join(values)


def in_use_message() -> str:
    return (f"Volume status must be {_or(DELETABLE)} and must not be migrating, attached, "
            "belong to a group, have snapshots, awaiting a transfer, or be disassociated "
            "from snapshots after volume transfer.")


# --- create ------------------------------------------------------------------------------

def _image_for(ctxt: RequestContext, image_ref: str) -> dict[str, Any]:
    image_id = str(image_ref).rstrip("/").rsplit("/", 1)[-1]
    try:
        image = images.ImageService(ctxt).get(image_id)
    except images.ImageNotFound:
        raise exception.Invalid(message="Invalid image identifier or unable to access "
                                        "requested image.") from None
    if image.get("status") != "active":
        raise exception.Invalid(message=f"Image {image_id} is not active.")
    return image


def image_metadata(image: dict[str, Any]) -> dict[str, str]:
    """What Cinder copies from an image into ``volume_image_metadata``."""
    found = {"image_id": str(image["id"]), "image_name": str(image.get("name") or "")}
    for key in _IMAGE_CORE:
        if image.get(key) is not None:
            found[key] = str(image[key])
    for key, value in image.items():
        if key not in _IMAGE_SKIP and key not in found and value is not None:
            found[key] = value if isinstance(value, str) else str(value)
    return found


def _size(value: Any) -> int | None:
    if value is None:
        return None
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    if size <= 0:
        raise common.invalid_input(
            f"Invalid volume size provided for create request: {value} (size argument "
            "must be an integer (or string representation of an integer) and greater than "
            "zero).")
    return size


def _check_image_fits(image: dict[str, Any], size: int) -> None:
    image_gb = -(-int(image.get("virtual_size") or image.get("size") or 0) // GIB)
    if image_gb > size:
        raise common.invalid_input(f"Size of specified image {image_gb}GB is larger than "
                                   f"volume size {size}GB.")
    min_disk = int(image.get("min_disk") or 0)
    if min_disk > size:
        raise common.invalid_input(f"Volume size {size}GB cannot be smaller than the image "
                                   f"minDisk size {min_disk}GB.")


def create(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = common.body_of(request)
    common.validate(schemas.VOLUME_CREATE, body)
    spec = body["volume"]
    common.authorize(ctxt, "volume:create")
    if spec.get("backup_id"):
        raise exception.NotFound(message=f"Backup {spec['backup_id']} could not be found.")
    size = _size(spec.get("size"))
    zone = spec.get("availability_zone") or CONF.volume.storage_availability_zone
    if zone != CONF.volume.storage_availability_zone:
        raise exception.Invalid(message=f"Availability zone '{zone}' is invalid.")
    snapshot = source = image = None
    parent: dict[str, Any] | None = None
    if spec.get("snapshot_id"):
        snapshot = access.load_snapshot(ctxt, spec["snapshot_id"])
        if snapshot["status"] != "available":
            raise InvalidSnapshot(reason="Originating snapshot status must be one of "
                                         "'available' values")
        parent = volumes.get_volume(snapshot["volume_id"])
        size = size or snapshot["size"]
        if size < snapshot["size"]:
            raise common.invalid_input(
                f"Volume size '{size}'GB cannot be smaller than the snapshot size "
                f"{snapshot['size']}GB. They must be >= original snapshot size.")
    elif spec.get("source_volid"):
        source = access.load_volume(ctxt, spec["source_volid"])
        if source["status"] not in ("available", "in-use"):
            raise volumes_invalid("Unable to create a volume from an originating source "
                                  "volume when its status is not one of: ['available', "
                                  "'in-use']")
        parent = source
        size = size or source["size"]
        if size < source["size"]:
            raise common.invalid_input(
                f"Volume size '{size}'GB cannot be smaller than original volume size  "
                f"{source['size']}GB. They must be >= original volume size.")
    image_ref = spec.get("imageRef") or spec.get("image_id")
    if image_ref:
        common.authorize(ctxt, "volume:create_from_image")
        image = _image_for(ctxt, image_ref)
        if size is None:
            size = max(1, -(-int(image.get("virtual_size") or image.get("size") or 0) // GIB),
                       int(image.get("min_disk") or 0))
        _check_image_fits(image, size)
    if size is None:
        raise common.invalid_input("Size must be specified to create a volume that is not "
                                   "made from a snapshot, a volume or an image.")
    if spec.get("volume_type"):
        volume_type = types.find_type(spec["volume_type"], ctxt.project_id, ctxt.is_admin)
    elif parent is not None and parent["volume_type_id"]:
        volume_type = types.get_type(parent["volume_type_id"])
    else:
        volume_type = types.default_type()
    backend = types.backend_of(volume_type)
    multiattach = common.parse_bool(spec.get("multiattach", False), "multiattach") or (
        volume_type["extra_specs"].get("multiattach") == "<is> True")
    values = {"project_id": common.project_id(request), "user_id": ctxt.user_id,
              "name": spec.get("name", spec.get("display_name")),
              "description": spec.get("description", spec.get("display_description")),
              "size": size, "availability_zone": zone, "volume_type_id": volume_type["id"],
              "backend": backend, "snapshot_id": snapshot["id"] if snapshot else None,
              "source_volid": source["id"] if source else None,
              "bootable": bool(image) or bool(parent and parent["bootable"]),
              "multiattach": multiattach}
    inherited = dict(parent["image_metadata"]) if parent is not None else {}
    volume = volumes.create_volume(values, spec.get("metadata") or {},
                                   image_metadata(image) if image else inherited)
    if snapshot is not None and parent is not None:
        snapshot = {**snapshot, "backend": parent["backend"]}
    manager.get().create_volume(ctxt, volume, image=image, snapshot=snapshot, source=source)
    return wsgi.json_response({"volume": views.volume_detail(request, volume)}, status=202)


def volumes_invalid(reason: str) -> attachments.InvalidVolume:
    return attachments.InvalidVolume(reason=reason)


# --- read --------------------------------------------------------------------------------

_FILTERS = ("id", "name", "status", "availability_zone", "bootable", "size", "user_id",
            "migration_status", "volume_type_id", "multiattach", "project_id")
_NOT_FILTERS = frozenset({"limit", "marker", "offset", "sort", "sort_key", "sort_dir",
                          "all_tenants", "with_count", "metadata", "glance_metadata",
                          "created_at", "updated_at", "group_id", "volume_type",
                          "is_public", "fields"})


def _list(request: wsgi.Request, detailed: bool) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "volume:get_all")
    params = request.GET
    project = None if common.all_projects(request) else common.project_id(request)
    filters: dict[str, list[Any]] = {}
    like: dict[str, str] = {}
    for key, value in params.items():
        if key in _NOT_FILTERS:
            continue
        if key.endswith("~") and key[:-1] in ("name", "status", "description") \
                and common.at_least(request, mv.LIKE_FILTER):
            like[key[:-1]] = value
        elif key in _FILTERS:
            if key == "project_id" and project is not None:
                continue  # only with all_tenants, as in Cinder
            if key in ("bootable", "multiattach"):
                filters[key] = [common.parse_bool(value, key)]
            elif key == "size":
                filters[key] = [int(value)] if value.isdigit() else [-1]
            else:
                filters.setdefault(key, []).append(value)
        elif common.at_least(request, mv.RESOURCE_FILTER) and not ctxt.is_admin:
            raise common.invalid_input(f"Invalid filters {key} are found in query options.")
    if "volume_type" in params:
        try:
            wanted = types.find_type(params["volume_type"], ctxt.project_id, ctxt.is_admin)
            filters["volume_type_id"] = [wanted["id"]]
        except exception.NotFound:
            filters["volume_type_id"] = ["-"]
    metadata = (common.parse_dict_filter(params["metadata"], "metadata")
                if "metadata" in params else {})
    image_meta = (common.parse_dict_filter(params["glance_metadata"], "glance_metadata")
                  if "glance_metadata" in params and common.at_least(
                      request, mv.VOLUME_LIST_GLANCE_METADATA) else {})
    times = [common.parse_time_filter(key, value) for key in ("created_at", "updated_at")
             for value in params.getall(key)
             if common.at_least(request, mv.VOLUME_TIME_COMPARISON_FILTER)]
    sort = common.sort_params(request, volumes.SORT_KEYS)
    limit, marker, offset = common.paging(request)
    try:
        found, count = volumes.list_volumes(project, filters, metadata, like, times,
                                            image_meta, sort, limit, marker, offset)
    except exception.Invalid as error:
        raise common.invalid_input(error.message) from None
    collection = "volumes/detail" if detailed else "volumes"
    return wsgi.json_response(views.volume_list(request, found, detailed, count, limit,
                                                collection))


def index(request: wsgi.Request) -> webob.Response:
    return _list(request, detailed=False)


def detail(request: wsgi.Request) -> webob.Response:
    return _list(request, detailed=True)


def show(request: wsgi.Request, volume_id: str) -> webob.Response:
    ctxt = request.context
    volume = access.load_volume(ctxt, volume_id)
    common.authorize(ctxt, "volume:get", volume["project_id"])
    return wsgi.json_response({"volume": views.volume_detail(request, volume)})


def summary(request: wsgi.Request) -> webob.Response:
    common.require_version(request, mv.VOLUME_SUMMARY)
    ctxt = request.context
    common.authorize(ctxt, "volume:get_all")
    project = None if common.all_projects(request) else common.project_id(request)
    count, size = volumes.summary(project)
    body: dict[str, Any] = {"total_count": count, "total_size": size}
    if common.at_least(request, mv.VOLUME_SUMMARY_METADATA):
        merged: dict[str, list[str]] = {}
        for volume in volumes.list_volumes(project)[0]:
            for key, value in volume["metadata"].items():
                merged.setdefault(key, [])
                if value not in merged[key]:
                    merged[key].append(value)
        body["metadata"] = merged
    return wsgi.json_response({"volume-summary": body})


# --- update / delete ---------------------------------------------------------------------

def update(request: wsgi.Request, volume_id: str) -> webob.Response:
    ctxt = request.context
    body = common.body_of(request)
    common.validate(schemas.VOLUME_UPDATE, body)
    volume = access.load_volume(ctxt, volume_id)
    common.authorize(ctxt, "volume:update", volume["project_id"])
    spec = body["volume"]
    values = {}
    for key, alias in (("name", "display_name"), ("description", "display_description")):
        if key in spec or alias in spec:
            values[key] = spec.get(key, spec.get(alias))
    if values:
        volume = volumes.update_volume(volume_id, values)
    if spec.get("metadata") is not None:
        volumes.set_metadata(volume_id, spec["metadata"], replace=True)
        volume = volumes.get_volume(volume_id)
    return wsgi.json_response({"volume": views.volume_detail(request, volume)})


def delete_volume(ctxt: RequestContext, volume: dict[str, Any], cascade: bool,
                  force: bool) -> None:
    """Cinder's checks, then ``deleting`` and the work (shared with os-force_delete)."""
    if cascade:
        bad = [s for s in snapshots.for_volume(volume["id"])
               if s["status"] not in ("available", "error", "deleting") and not force]
        if bad:
            raise volumes_invalid(in_use_message())
    changed = volumes.conditional_update(
        volume["id"], {"status": "deleting"}, statuses=None if force else DELETABLE,
        attach_statuses=("detached",), no_snapshots=not cascade)
    if changed and attachments.list_attachments(None, volume_id=volume["id"]):
        volumes.update_volume(volume["id"], {"status": volume["status"]})
        changed = False
    if not changed:
        raise volumes_invalid(in_use_message())
    for snapshot in snapshots.for_volume(volume["id"]):
        snapshots.update_snapshot(snapshot["id"], {"status": "deleting"})
    manager.get().delete_volume(volumes.get_volume(volume["id"]), cascade=cascade)


def delete(request: wsgi.Request, volume_id: str) -> webob.Response:
    ctxt = request.context
    volume = access.load_volume(ctxt, volume_id)
    common.authorize(ctxt, "volume:delete", volume["project_id"])
    cascade = common.parse_bool(request.GET.get("cascade", False), "cascade")
    force = False
    if common.at_least(request, mv.VOLUME_DELETE_FORCE):
        force = common.parse_bool(request.GET.get("force", False), "force")
    if force:
        common.authorize(ctxt, "volume:force_delete", volume["project_id"])
    delete_volume(ctxt, volume, cascade, force)
    return wsgi.empty_response(202)


# --- metadata ----------------------------------------------------------------------------

def _metadata_volume(request: wsgi.Request, volume_id: str, action: str) -> dict[str, Any]:
    volume = access.load_volume(request.context, volume_id)
    common.authorize(request.context, f"volume:{action}", volume["project_id"])
    return volume


def metadata_index(request: wsgi.Request, volume_id: str) -> webob.Response:
    volume = _metadata_volume(request, volume_id, "get_volume_metadata")
    return wsgi.json_response({"metadata": volume["metadata"]})


def metadata_create(request: wsgi.Request, volume_id: str) -> webob.Response:
    body = common.body_of(request)
    common.validate(schemas.METADATA_BODY, body)
    _metadata_volume(request, volume_id, "create_volume_metadata")
    return wsgi.json_response({"metadata": volumes.set_metadata(volume_id,
                                                                 body["metadata"])})


def metadata_update_all(request: wsgi.Request, volume_id: str) -> webob.Response:
    body = common.body_of(request)
    common.validate(schemas.METADATA_BODY, body)
    _metadata_volume(request, volume_id, "update_volume_metadata")
    return wsgi.json_response({"metadata": volumes.set_metadata(
        volume_id, body["metadata"], replace=True)})


def metadata_show(request: wsgi.Request, volume_id: str, key: str) -> webob.Response:
    volume = _metadata_volume(request, volume_id, "get_volume_metadata")
    if key not in volume["metadata"]:
        raise exception.NotFound(message=f"Volume {volume_id} has no metadata with key "
                                         f"{key}.")
    return wsgi.json_response({"meta": {key: volume["metadata"][key]}})


def metadata_update(request: wsgi.Request, volume_id: str, key: str) -> webob.Response:
    body = common.body_of(request)
    common.validate(schemas.META_ITEM, body)
    if list(body["meta"]) != [key]:
        raise exception.Invalid(message="Request body and URI mismatch")
    _metadata_volume(request, volume_id, "update_volume_metadata")
    volumes.set_metadata(volume_id, body["meta"])
    return wsgi.json_response({"meta": body["meta"]})


def metadata_delete(request: wsgi.Request, volume_id: str, key: str) -> webob.Response:
    _metadata_volume(request, volume_id, "delete_volume_metadata")
    if not volumes.delete_metadata(volume_id, key):
        raise exception.NotFound(message=f"Volume {volume_id} has no metadata with key "
                                         f"{key}.")
    return wsgi.empty_response(200)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/volumes", index),
    wsgi.Route("POST", "/volumes", create),
    wsgi.Route("GET", "/volumes/detail", detail),
    wsgi.Route("GET", "/volumes/summary", summary),
    wsgi.Route("GET", "/volumes/{volume_id}", show),
    wsgi.Route("PUT", "/volumes/{volume_id}", update),
    wsgi.Route("DELETE", "/volumes/{volume_id}", delete),
    wsgi.Route("GET", "/volumes/{volume_id}/metadata", metadata_index),
    wsgi.Route("POST", "/volumes/{volume_id}/metadata", metadata_create),
    wsgi.Route("PUT", "/volumes/{volume_id}/metadata", metadata_update_all),
    wsgi.Route("GET", "/volumes/{volume_id}/metadata/{key}", metadata_show),
    wsgi.Route("PUT", "/volumes/{volume_id}/metadata/{key}", metadata_update),
    wsgi.Route("DELETE", "/volumes/{volume_id}/metadata/{key}", metadata_delete),
)
