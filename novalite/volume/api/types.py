"""Volume types: list, show (``default`` too), create, update, delete, extra specs and
project access (admin, as Cinder's ``types_manage``)."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import exception, wsgi
from novalite.volume.api import common, schemas, views
from novalite.volume.store import types

_MANAGE = "volume_extension:types_manage"


def _one(request: wsgi.Request, volume_type: dict[str, Any]) -> webob.Response:
    return wsgi.json_response({"volume_type": views.volume_type(request, volume_type)})


def _load(request: wsgi.Request, type_id: str) -> dict[str, Any]:
    ctxt = request.context
    if type_id == "default":
        return types.default_type()
    return types.get_type(type_id, ctxt.project_id, ctxt.is_admin)


def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "volume_extension:type_get_all")
    is_public = None
    if "is_public" in request.GET and ctxt.is_admin:
        raw = request.GET["is_public"].lower()
        is_public = None if raw == "none" else common.parse_bool(raw, "is_public")
    elif not ctxt.is_admin:
        is_public = None
    found = types.list_types(ctxt.project_id, ctxt.is_admin, is_public)
    return wsgi.json_response({"volume_types": [views.volume_type(request, t)
                                                for t in found]})


def show(request: wsgi.Request, type_id: str) -> webob.Response:
    common.authorize(request.context, "volume_extension:type_get")
    return _one(request, _load(request, type_id))


def create(request: wsgi.Request) -> webob.Response:
    common.authorize(request.context, _MANAGE)
    body = common.body_of(request)
    common.validate(schemas.TYPE_CREATE, body)
    spec = body["volume_type"]
    is_public = common.parse_bool(spec.get("os-volume-type-access:is_public", True),
                                  "is_public")
    created = types.create_type(spec["name"].strip(), spec.get("description"), is_public,
                                spec.get("extra_specs") or {})
    return _one(request, created)


def update(request: wsgi.Request, type_id: str) -> webob.Response:
    common.authorize(request.context, _MANAGE)
    body = common.body_of(request)
    common.validate(schemas.TYPE_UPDATE, body)
    spec = body["volume_type"]
    if not spec:
        raise common.invalid_input("Specify volume type name, description, is_public or a "
                                   "combination thereof.")
    values: dict[str, Any] = {}
    if spec.get("name"):
        values["name"] = spec["name"].strip()
    if "description" in spec:
        values["description"] = spec["description"]
    if "is_public" in spec:
        values["is_public"] = common.parse_bool(spec["is_public"], "is_public")
    return _one(request, types.update_type(type_id, values))


def delete(request: wsgi.Request, type_id: str) -> webob.Response:
    common.authorize(request.context, _MANAGE)
    types.delete_type(type_id)
    return wsgi.empty_response(202)


def extra_specs_index(request: wsgi.Request, type_id: str) -> webob.Response:
    common.authorize(request.context, "volume_extension:types_extra_specs:index")
    return wsgi.json_response({"extra_specs": _load(request, type_id)["extra_specs"]})


def extra_specs_create(request: wsgi.Request, type_id: str) -> webob.Response:
    common.authorize(request.context, _MANAGE)
    body = common.body_of(request)
    common.validate(schemas.EXTRA_SPECS, body)
    types.set_extra_specs(type_id, body["extra_specs"])
    return wsgi.json_response({"extra_specs": body["extra_specs"]})


def extra_spec_show(request: wsgi.Request, type_id: str, key: str) -> webob.Response:
    common.authorize(request.context, "volume_extension:types_extra_specs:show")
    specs = _load(request, type_id)["extra_specs"]
    if key not in specs:
        raise exception.NotFound(message=f"Volume Type {type_id} has no extra specs with key "
                                         f"{key}.")
    return wsgi.json_response({key: specs[key]})


def extra_spec_update(request: wsgi.Request, type_id: str, key: str) -> webob.Response:
    common.authorize(request.context, _MANAGE)
    body = common.body_of(request)
    if list(body) != [key] or not isinstance(body[key], str):
        raise exception.Invalid(message="Request body and URI mismatch")
    types.set_extra_specs(type_id, body)
    return wsgi.json_response(body)


def extra_spec_delete(request: wsgi.Request, type_id: str, key: str) -> webob.Response:
    common.authorize(request.context, _MANAGE)
    if not types.delete_extra_spec(type_id, key):
        raise exception.NotFound(message=f"Volume Type {type_id} has no extra specs with key "
                                         f"{key}.")
    return wsgi.empty_response(202)


def access_index(request: wsgi.Request, type_id: str) -> webob.Response:
    common.authorize(request.context, "volume_extension:volume_type_access")
    found = _load(request, type_id)
    if found["is_public"]:
        raise exception.NotFound(message="Access list not available for public volume "
                                         "types.")
    return wsgi.json_response({"volume_type_access": [
        {"volume_type_id": type_id, "project_id": project} for project in found["projects"]]})


def action(request: wsgi.Request, type_id: str) -> webob.Response:
    common.authorize(request.context, "volume_extension:volume_type_access:addProjectAccess")
    body = common.body_of(request)
    if len(body) != 1:
        raise exception.Invalid(message="Malformed request body")
    (name, value), = body.items()
    common.validate(schemas.TYPE_ACCESS, value)
    if name == "addProjectAccess":
        if _load(request, type_id)["is_public"]:
            raise common.invalid_input("Invalid volume type: Type access modification is not "
                                       "applicable to public volume type.")
        types.add_project_access(type_id, value["project"])
    elif name == "removeProjectAccess":
        if not types.remove_project_access(type_id, value["project"]):
            raise exception.NotFound(message=f"Volume type access not found for {type_id} / "
                                             f"{value['project']} combination.")
    else:
        raise exception.Invalid(message=f"There is no such action: {name}")
    return wsgi.empty_response(202)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/types", index),
    wsgi.Route("POST", "/types", create),
    wsgi.Route("GET", "/types/{type_id}", show),
    wsgi.Route("PUT", "/types/{type_id}", update),
    wsgi.Route("DELETE", "/types/{type_id}", delete),
    wsgi.Route("GET", "/types/{type_id}/extra_specs", extra_specs_index),
    wsgi.Route("POST", "/types/{type_id}/extra_specs", extra_specs_create),
    wsgi.Route("GET", "/types/{type_id}/extra_specs/{key}", extra_spec_show),
    wsgi.Route("PUT", "/types/{type_id}/extra_specs/{key}", extra_spec_update),
    wsgi.Route("DELETE", "/types/{type_id}/extra_specs/{key}", extra_spec_delete),
    wsgi.Route("GET", "/types/{type_id}/os-volume-type-access", access_index),
    wsgi.Route("POST", "/types/{type_id}/action", action),
)
