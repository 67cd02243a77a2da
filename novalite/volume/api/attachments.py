"""The attachments API (3.27+; ``os-complete`` 3.44): how Nova attaches a volume.

``POST`` reserves (the volume ``reserved``), ``PUT`` with the host's connector exports
the volume to it and returns ``connection_info`` (``attaching``), ``os-complete``
marks it attached (``in-use``), ``DELETE`` lets go (``available`` again)."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import exception, wsgi
from novalite.volume import manager
from novalite.volume.api import access, common, schemas, views
from novalite.volume.api import microversions as mv
from novalite.volume.store import attachments, volumes


def _connect(volume: dict[str, Any], attachment: dict[str, Any],
             connector: dict[str, Any]) -> dict[str, Any]:
    try:
        info = manager.get().connect(volume, connector)
    except exception.NovaliteException:
        attachments.set_status(attachment["id"], "error_attaching")
        raise
    info = {**info, "attachment_id": attachment["id"]}
    return attachments.connect(attachment["id"], connector, info)


def create(request: wsgi.Request) -> webob.Response:
    common.require_version(request, mv.NEW_ATTACH)
    ctxt = request.context
    body = common.body_of(request)
    common.validate(schemas.ATTACHMENT_CREATE, body)
    spec = body["attachment"]
    if not spec.get("instance_uuid"):
        raise exception.Invalid(message="Must specify 'instance_uuid' to create attachment.")
    volume = access.load_volume(ctxt, spec["volume_uuid"])
    common.authorize(ctxt, "volume:attachment_create", volume["project_id"])
    mode = spec.get("mode") if common.at_least(request, mv.ATTACHMENT_CREATE_MODE_ARG) \
        else None
    attachment = attachments.reserve(volume["id"], spec["instance_uuid"],
                                     volume["project_id"], mode)
    if spec.get("connector"):
        attachment = _connect(volumes.get_volume(volume["id"]), attachment,
                              spec["connector"])
    return wsgi.json_response({"attachment": views.attachment_detail(attachment)})


def update(request: wsgi.Request, attachment_id: str) -> webob.Response:
    common.require_version(request, mv.NEW_ATTACH)
    ctxt = request.context
    body = common.body_of(request)
    common.validate(schemas.ATTACHMENT_UPDATE, body)
    attachment = access.load_attachment(ctxt, attachment_id)
    common.authorize(ctxt, "volume:attachment_update", attachment["project_id"])
    connector = body["attachment"]["connector"]
    if not connector:
        raise exception.Invalid(message="Must specify 'connector' to update attachment.")
    volume = volumes.get_volume(attachment["volume_id"])
    attachment = _connect(volume, attachment, connector)
    return wsgi.json_response({"attachment": views.attachment_detail(attachment)})


def complete(request: wsgi.Request, attachment_id: str) -> webob.Response:
    common.require_version(request, mv.NEW_ATTACH_COMPLETION)
    ctxt = request.context
    body = common.body_of(request)
    if list(body) != ["os-complete"]:
        raise exception.Invalid(message=f"There is no such action: {', '.join(body)}")
    attachment = access.load_attachment(ctxt, attachment_id)
    common.authorize(ctxt, "volume:attachment_complete", attachment["project_id"])
    attachments.complete(attachment_id)
    return wsgi.empty_response(204)


def delete(request: wsgi.Request, attachment_id: str) -> webob.Response:
    common.require_version(request, mv.NEW_ATTACH)
    ctxt = request.context
    attachment = access.load_attachment(ctxt, attachment_id)
    common.authorize(ctxt, "volume:attachment_delete", attachment["project_id"])
    gone, others = attachments.delete(attachment_id)
    if gone["connection_info"]:
        manager.get().disconnect(volumes.get_volume(gone["volume_id"]), gone["connector"])
    return wsgi.json_response({"attachments": [views.attachment_summary(a) for a in others]})


def _list(request: wsgi.Request, detailed: bool) -> webob.Response:
    common.require_version(request, mv.NEW_ATTACH)
    ctxt = request.context
    common.authorize(ctxt, "volume:attachment_get_all")
    params = request.GET
    project = None if common.all_projects(request) else common.project_id(request)
    found = attachments.list_attachments(
        project, volume_id=params.get("volume_id"),
        instance_uuid=params.get("instance_id") or params.get("instance_uuid"),
        status=params.get("status") or params.get("attach_status"))
    view = views.attachment_detail if detailed else views.attachment_summary
    return wsgi.json_response({"attachments": [view(a) for a in found]})


def index(request: wsgi.Request) -> webob.Response:
    return _list(request, detailed=False)


def detail(request: wsgi.Request) -> webob.Response:
    return _list(request, detailed=True)


def show(request: wsgi.Request, attachment_id: str) -> webob.Response:
    common.require_version(request, mv.NEW_ATTACH)
    attachment = access.load_attachment(request.context, attachment_id)
    common.authorize(request.context, "volume:attachment_get", attachment["project_id"])
    return wsgi.json_response({"attachment": views.attachment_detail(attachment)})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/attachments", index),
    wsgi.Route("POST", "/attachments", create),
    wsgi.Route("GET", "/attachments/detail", detail),
    wsgi.Route("GET", "/attachments/{attachment_id}", show),
    wsgi.Route("PUT", "/attachments/{attachment_id}", update),
    wsgi.Route("DELETE", "/attachments/{attachment_id}", delete),
    wsgi.Route("POST", "/attachments/{attachment_id}/action", complete),
)
