"""``/os-quota-sets``: show (with usage in ``/detail``), defaults, update, revert."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import quota_sets as schemas
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import quotas

# Quotas Nova still shows to old microversions; novalite does not enforce them.
_NOVA_NETWORK = {"fixed_ips": -1, "floating_ips": 10, "security_groups": 10,
                 "security_group_rules": 20}  # dropped at 2.36
_INJECTED = {"injected_files": 5, "injected_file_content_bytes": 10240,
             "injected_file_path_bytes": 255}  # dropped at 2.57


def _legacy(request: Request) -> dict[str, int]:
    extra: dict[str, int] = {}
    if not common.at_least(request, "2.36"):
        extra.update(_NOVA_NETWORK)
    if not common.at_least(request, "2.57"):
        extra.update(_INJECTED)
    return extra


def _authorize(request: Request, action: str, project_id: str) -> None:
    policy.authorize(request.context, f"os_compute_api:os-quota-sets:{action}",
                     {"project_id": project_id})


def _body(request: Request, project_id: str | None, limits: dict[str, int]) -> dict[str, Any]:
    body: dict[str, Any] = {**limits, **_legacy(request)}
    if project_id is not None:
        body["id"] = project_id
    return {"quota_set": body}


def show(request: Request, project_id: str) -> webob.Response:
    _authorize(request, "show", project_id)
    return wsgi.json_response(_body(request, project_id, quotas.get_limits(project_id)))


def detail(request: Request, project_id: str) -> webob.Response:
    _authorize(request, "detail", project_id)
    limits = quotas.get_limits(project_id)
    used = quotas.usage(project_id, request.GET.get("user_id") or request.context.user_id)
    values: dict[str, Any] = {resource: {"limit": limit, "in_use": used.get(resource, 0),
                                         "reserved": 0}
                              for resource, limit in limits.items()}
    for resource, limit in _legacy(request).items():
        values[resource] = {"limit": limit, "in_use": 0, "reserved": 0}
    values["id"] = project_id
    return wsgi.json_response({"quota_set": values})


def defaults(request: Request, project_id: str) -> webob.Response:
    _authorize(request, "defaults", project_id)
    return wsgi.json_response(_body(request, project_id, quotas.defaults()))


def update(request: Request, project_id: str) -> webob.Response:
    _authorize(request, "update", project_id)
    body = common.body_of(request)
    legacy = tuple(_legacy(request)) + ("networks",) * (not common.at_least(request, "2.36"))
    validation.validate(schemas.update(legacy), body)
    values = dict(body["quota_set"])
    force = common.parse_bool(values.pop("force", False), "force")
    wanted = {key: int(value) for key, value in values.items() if key in quotas.RESOURCES}
    if not force:
        used = quotas.usage(project_id, request.context.user_id)
        for resource, limit in wanted.items():
            if limit != quotas.UNLIMITED and limit < used.get(resource, 0):
                raise exception.Invalid(
                    message=f"Quota limit {limit} for {resource} must be greater than or "
                            f"equal to already used and reserved {used[resource]}.")
    limits = quotas.update(project_id, wanted)
    return wsgi.json_response(_body(request, None, limits))


def delete(request: Request, project_id: str) -> webob.Response:
    _authorize(request, "delete", project_id)
    quotas.delete_project(project_id)
    return wsgi.empty_response(202)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-quota-sets/{project_id}/defaults", defaults),
    wsgi.Route("GET", "/os-quota-sets/{project_id}/detail", detail),
    wsgi.Route("GET", "/os-quota-sets/{project_id}", show),
    wsgi.Route("PUT", "/os-quota-sets/{project_id}", update),
    wsgi.Route("DELETE", "/os-quota-sets/{project_id}", delete),
)
