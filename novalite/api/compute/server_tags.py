"""``/servers/{id}/tags`` (2.26): list, replace, delete all; check, add, delete one."""

from __future__ import annotations

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas.servers import TAG
from novalite.api.compute.servers import get_instance
from novalite.common import exception, wsgi
from novalite.common.wsgi import Request
from novalite.db import instances

_RULE = "os_compute_api:os-server-tags:"
MAX_TAGS = 50


def _tagged(request: Request, server_id: str, rule: str) -> dict:
    common.require_version(request, "2.26")
    return get_instance(request, server_id, _RULE + rule)


def index(request: Request, server_id: str) -> webob.Response:
    return wsgi.json_response({"tags": _tagged(request, server_id, "index")["tags"]})


def update_all(request: Request, server_id: str) -> webob.Response:
    instance = _tagged(request, server_id, "update_all")
    body = request.json_body_dict()
    validation.validate({"type": "object", "properties": {"tags": {
        "type": "array", "items": TAG, "maxItems": MAX_TAGS}}, "required": ["tags"],
        "additionalProperties": False}, body)
    tags = instances.set_tags(request.context, instance["uuid"], body["tags"])
    return wsgi.json_response({"tags": tags})


def delete_all(request: Request, server_id: str) -> webob.Response:
    instance = _tagged(request, server_id, "delete_all")
    instances.set_tags(request.context, instance["uuid"], [])
    return wsgi.empty_response(204)


def show(request: Request, server_id: str, tag: str) -> webob.Response:
    instance = _tagged(request, server_id, "show")
    if tag not in instance["tags"]:
        raise exception.NotFound(message=f"Tag {tag} could not be found.")
    return wsgi.empty_response(204)


def update(request: Request, server_id: str, tag: str) -> webob.Response:
    instance = _tagged(request, server_id, "update")
    validation.validate(TAG, tag, "tag")
    if tag in instance["tags"]:
        return wsgi.empty_response(204)
    if len(instance["tags"]) >= MAX_TAGS:
        raise exception.Invalid(message=f"The number of tags exceeded the per-server limit "
                                        f"{MAX_TAGS}")
    instances.add_tag(request.context, instance["uuid"], tag)
    location = f"{common.links(request, 'servers', instance['uuid'])[0]['href']}/tags/{tag}"
    return wsgi.empty_response(201, headers={"Location": location})


def delete(request: Request, server_id: str, tag: str) -> webob.Response:
    instance = _tagged(request, server_id, "delete")
    if tag not in instance["tags"]:
        raise exception.NotFound(message=f"Tag {tag} could not be found.")
    instances.delete_tag(request.context, instance["uuid"], tag)
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/servers/{server_id}/tags", index),
    wsgi.Route("PUT", "/servers/{server_id}/tags", update_all),
    wsgi.Route("DELETE", "/servers/{server_id}/tags", delete_all),
    wsgi.Route("GET", "/servers/{server_id}/tags/{tag}", show),
    wsgi.Route("PUT", "/servers/{server_id}/tags/{tag}", update),
    wsgi.Route("DELETE", "/servers/{server_id}/tags/{tag}", delete),
)
