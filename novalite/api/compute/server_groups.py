"""``/os-server-groups``: create, list, show, delete (Nova's server_groups.py).

A group has one policy: ``policies`` (a one-item list, affinity and anti-affinity,
the soft ones from 2.15) before 2.64, ``policy`` plus ``rules`` from 2.64. Members
join with the ``group`` scheduler hint of a server create; only members that are not
deleted are shown.
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas.servers import NAME
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import server_groups

_HARD = ["anti-affinity", "affinity"]
_SOFT = ["soft-anti-affinity", "soft-affinity"]
_POSITIVE = {"type": ["integer", "string"], "pattern": r"^[0-9]*$", "minimum": 1,
             "maximum": validation.MAX_INT}


def _create_schema(request: Request) -> dict[str, Any]:
    group: dict[str, Any] = {"type": "object", "properties": {"name": NAME},
                             "required": ["name"], "additionalProperties": False}
    if common.at_least(request, "2.64"):
        group["properties"]["policy"] = {"type": "string", "enum": _HARD + _SOFT}
        group["properties"]["rules"] = {
            "type": "object", "properties": {"max_server_per_host": _POSITIVE},
            "additionalProperties": False}
        group["required"].append("policy")
    else:
        allowed = _HARD + _SOFT if common.at_least(request, "2.15") else _HARD
        group["properties"]["policies"] = {
            "type": "array", "items": {"type": "string", "enum": allowed},
            "uniqueItems": True, "minItems": 1, "maxItems": 1}
        group["required"].append("policies")
    return {"type": "object", "properties": {"server_group": group},
            "required": ["server_group"], "additionalProperties": False}


def _view(request: Request, group: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": group["uuid"], "name": group["name"]}
    if common.at_least(request, "2.64"):
        body["policy"] = group["policy"]
        body["rules"] = dict(group["rules"])
    else:
        body["policies"] = [group["policy"]]
        body["metadata"] = {}
    body["members"] = list(group["members"])
    if common.at_least(request, "2.13"):
        body["project_id"] = group["project_id"]
        body["user_id"] = group["user_id"]
    return body


def _offset(request: Request) -> int:
    raw = request.GET.get("offset")
    if raw is None:
        return 0
    if not raw.isdigit():
        raise exception.ValidationError(
            message=f"Invalid input for query parameters offset. Value: {raw}. '{raw}' "
                    "does not match '^[0-9]*$'")
    return int(raw)


def index(request: Request) -> webob.Response:
    ctxt = request.context
    policy.authorize(ctxt, "os_compute_api:os-server-groups:index")
    if common.at_least(request, "2.75"):
        unknown = sorted(set(request.GET) - {"all_projects", "limit", "offset"})
        if unknown:
            raise exception.ValidationError(
                message=f"Invalid input for query parameters {unknown[0]}. Additional "
                        "properties are not allowed")
    limit, _ = common.page_params(request)
    offset = _offset(request)
    project_id: str | None = ctxt.project_id
    if "all_projects" in request.GET and ctxt.is_admin:
        policy.authorize(ctxt, "os_compute_api:os-server-groups:index:all_projects")
        project_id = None
    groups = server_groups.list_groups(project_id, limit=limit, offset=offset)
    return wsgi.json_response({"server_groups": [_view(request, g) for g in groups]})


def _get(request: Request, group_id: str, action: str) -> dict[str, Any]:
    group = server_groups.get(group_id)
    policy.authorize(request.context, f"os_compute_api:os-server-groups:{action}",
                     {"project_id": group["project_id"]})
    return group


def show(request: Request, group_id: str) -> webob.Response:
    return wsgi.json_response({"server_group": _view(request, _get(request, group_id,
                                                                   "show"))})


def create(request: Request) -> webob.Response:
    ctxt = request.context
    policy.authorize(ctxt, "os_compute_api:os-server-groups:create")
    body = common.body_of(request)
    validation.validate(_create_schema(request), body)
    values = body["server_group"]
    rules: dict[str, int] = {}
    if common.at_least(request, "2.64"):
        chosen = values["policy"]
        rules = {key: int(value) for key, value in (values.get("rules") or {}).items()}
        if chosen != "anti-affinity" and rules:
            raise exception.Invalid(message="Only anti-affinity policy supports rules.")
    else:
        chosen = values["policies"][0]
    group = server_groups.create(str(ctxt.project_id), str(ctxt.user_id), values["name"],
                                 chosen, rules)
    return wsgi.json_response({"server_group": _view(request, group)})


def delete(request: Request, group_id: str) -> webob.Response:
    _get(request, group_id, "delete")
    server_groups.delete(group_id)
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-server-groups", index),
    wsgi.Route("POST", "/os-server-groups", create),
    wsgi.Route("GET", "/os-server-groups/{group_id}", show),
    wsgi.Route("DELETE", "/os-server-groups/{group_id}", delete),
)
