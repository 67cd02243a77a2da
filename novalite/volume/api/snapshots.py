"""Snapshots: create (of an in-use volume with ``force``, or at 3.66+), list and detail,
show, update, delete, the admin actions, metadata."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import exception, wsgi
from novalite.volume import manager
from novalite.volume.api import access, common, schemas, views
from novalite.volume.api import microversions as mv
from novalite.volume.api.volumes import InvalidSnapshot
from novalite.volume.store import attachments, snapshots

_FILTERS = ("id", "name", "status", "volume_id", "project_id", "user_id", "size")


def create(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = common.body_of(request)
    common.validate(schemas.SNAPSHOT_CREATE, body)
    spec = body["snapshot"]
    volume = access.load_volume(ctxt, spec["volume_id"])
    common.authorize(ctxt, "volume:create_snapshot", volume["project_id"])
    force = common.parse_bool(spec.get("force", False), "force")
    if common.at_least(request, mv.SNAPSHOT_IN_USE):
        if "force" in spec and not force:
            raise common.invalid_input("force flag is invalid for this microversion: it "
                                       "may only be true")
        force = True
    allowed = ("available", "in-use") if force else ("available",)
    if volume["status"] not in allowed:
        raise attachments.InvalidVolume(reason=f"Volume {volume['id']} status must be "
                                               f"available, but current status is: "
                                               f"{volume['status']}.")
    snapshot = snapshots.create_snapshot(
        {"volume_id": volume["id"], "project_id": volume["project_id"],
         "user_id": ctxt.user_id, "name": spec.get("name", spec.get("display_name")),
         "description": spec.get("description", spec.get("display_description")),
         "size": volume["size"]}, spec.get("metadata") or {})
    manager.get().create_snapshot(volume, snapshot)
    return wsgi.json_response({"snapshot": views.snapshot_detail(request, snapshot)},
                              status=202)


def _list(request: wsgi.Request, detailed: bool) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "volume:get_all_snapshots")
    params = request.GET
    project = None if common.all_projects(request) else common.project_id(request)
    filters: dict[str, list[Any]] = {key: [params[key]] for key in _FILTERS
               if key in params and not (key == "project_id" and project is not None)}
    if "size" in filters:
        filters["size"] = [int(v) if str(v).isdigit() else -1 for v in filters["size"]]
    metadata = (common.parse_dict_filter(params["metadata"], "metadata")
                if "metadata" in params else {})
    sort = common.sort_params(request, snapshots.SORT_KEYS)
    limit, marker, offset = common.paging(request)
    found, count = snapshots.list_snapshots(project, filters, metadata, sort, limit, marker,
                                            offset)
    view = views.snapshot_detail if detailed else views.snapshot_summary
    body: dict[str, Any] = {"snapshots": [view(request, s) for s in found]}
    if limit and len(found) == limit:
        body["snapshots_links"] = common.next_link(
            request, "snapshots/detail" if detailed else "snapshots", found[-1]["id"])
    if common.at_least(request, mv.SUPPORT_COUNT_INFO) and common.parse_bool(
            params.get("with_count", False), "with_count"):
        body["count"] = count
    return wsgi.json_response(body)


def index(request: wsgi.Request) -> webob.Response:
    return _list(request, detailed=False)


def detail(request: wsgi.Request) -> webob.Response:
    return _list(request, detailed=True)


def show(request: wsgi.Request, snapshot_id: str) -> webob.Response:
    snapshot = access.load_snapshot(request.context, snapshot_id)
    common.authorize(request.context, "volume:get_snapshot", snapshot["project_id"])
    return wsgi.json_response({"snapshot": views.snapshot_detail(request, snapshot)})


def update(request: wsgi.Request, snapshot_id: str) -> webob.Response:
    body = common.body_of(request)
    common.validate(schemas.SNAPSHOT_UPDATE, body)
    snapshot = access.load_snapshot(request.context, snapshot_id)
    common.authorize(request.context, "volume:update_snapshot", snapshot["project_id"])
    spec = body["snapshot"]
    values = {}
    for key, alias in (("name", "display_name"), ("description", "display_description")):
        if key in spec or alias in spec:
            values[key] = spec.get(key, spec.get(alias))
    if not values:
        raise exception.Invalid(message="Missing required element 'snapshot' in request "
                                        "body.")
    snapshot = snapshots.update_snapshot(snapshot_id, values)
    return wsgi.json_response({"snapshot": views.snapshot_detail(request, snapshot)})


def _delete(snapshot: dict[str, Any], force: bool) -> None:
    if not snapshots.conditional_update(snapshot["id"], {"status": "deleting"},
                                        statuses=None if force else ("available", "error")):
        raise InvalidSnapshot(reason="Volume Snapshot status must be available or error and "
                                     "must not be part of a group.")
    manager.get().delete_snapshot(snapshot)


def delete(request: wsgi.Request, snapshot_id: str) -> webob.Response:
    snapshot = access.load_snapshot(request.context, snapshot_id)
    common.authorize(request.context, "volume:delete_snapshot", snapshot["project_id"])
    _delete(snapshot, force=False)
    return wsgi.empty_response(202)


def action(request: wsgi.Request, snapshot_id: str) -> webob.Response:
    ctxt = request.context
    body = common.body_of(request)
    if len(body) != 1:
        raise exception.Invalid(message="Malformed request body")
    (name, value), = body.items()
    snapshot = access.load_snapshot(ctxt, snapshot_id)
    if name == "os-reset_status":
        common.authorize(ctxt, "volume_extension:snapshot_admin_actions:reset_status",
                         snapshot["project_id"])
        if not isinstance(value, dict) or not isinstance(value.get("status"), str):
            raise common.invalid_input("Must specify 'status'")
        snapshots.update_snapshot(snapshot_id, {"status": value["status"]})
    elif name == "os-force_delete":
        common.authorize(ctxt, "volume_extension:snapshot_admin_actions:force_delete",
                         snapshot["project_id"])
        _delete(snapshot, force=True)
    else:
        raise exception.Invalid(message=f"There is no such action: {name}")
    return wsgi.empty_response(202)


def metadata_index(request: wsgi.Request, snapshot_id: str) -> webob.Response:
    snapshot = access.load_snapshot(request.context, snapshot_id)
    common.authorize(request.context, "volume:get_snapshot", snapshot["project_id"])
    return wsgi.json_response({"metadata": snapshot["metadata"]})


def _set_metadata(request: wsgi.Request, snapshot_id: str, replace: bool) -> webob.Response:
    body = common.body_of(request)
    common.validate(schemas.METADATA_BODY, body)
    snapshot = access.load_snapshot(request.context, snapshot_id)
    common.authorize(request.context, "volume:update_snapshot", snapshot["project_id"])
    return wsgi.json_response({"metadata": snapshots.set_metadata(
        snapshot_id, body["metadata"], replace=replace)})


def metadata_create(request: wsgi.Request, snapshot_id: str) -> webob.Response:
    return _set_metadata(request, snapshot_id, replace=False)


def metadata_update_all(request: wsgi.Request, snapshot_id: str) -> webob.Response:
    return _set_metadata(request, snapshot_id, replace=True)


def metadata_delete(request: wsgi.Request, snapshot_id: str, key: str) -> webob.Response:
    snapshot = access.load_snapshot(request.context, snapshot_id)
    common.authorize(request.context, "volume:update_snapshot", snapshot["project_id"])
    if not snapshots.delete_metadata(snapshot_id, key):
        raise exception.NotFound(message="Metadata item was not found")
    return wsgi.empty_response(200)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/snapshots", index),
    wsgi.Route("POST", "/snapshots", create),
    wsgi.Route("GET", "/snapshots/detail", detail),
    wsgi.Route("GET", "/snapshots/{snapshot_id}", show),
    wsgi.Route("PUT", "/snapshots/{snapshot_id}", update),
    wsgi.Route("DELETE", "/snapshots/{snapshot_id}", delete),
    wsgi.Route("POST", "/snapshots/{snapshot_id}/action", action),
    wsgi.Route("GET", "/snapshots/{snapshot_id}/metadata", metadata_index),
    wsgi.Route("POST", "/snapshots/{snapshot_id}/metadata", metadata_create),
    wsgi.Route("PUT", "/snapshots/{snapshot_id}/metadata", metadata_update_all),
    wsgi.Route("DELETE", "/snapshots/{snapshot_id}/metadata/{key}", metadata_delete),
)
