"""``/os-quota-sets``: show (with usage in ``/detail``), defaults, update, revert."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import quota_sets as schemas
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.compute import quotas as compute_quotas
from novalite.db import quotas

# Quotas Nova still stores and shows to old microversions; novalite does not enforce them.
_NOVA_NETWORK = ("fixed_ips", "floating_ips", "security_groups",
                 "security_group_rules")  # dropped at 2.36
_INJECTED = ("injected_files", "injected_file_content_bytes",
             "injected_file_path_bytes")  # dropped at 2.57


def _legacy_names(request: Request) -> tuple[str, ...]:
    names: tuple[str, ...] = ()
    if not common.at_least(request, "2.36"):
        names += _NOVA_NETWORK
    if not common.at_least(request, "2.57"):
        names += _INJECTED
    return names


def _legacy(request: Request, project_id: str | None) -> dict[str, int]:
    """The legacy quotas the microversion shows: the project's, or the defaults."""
    values = (quotas.get_legacy_limits(project_id) if project_id is not None
              else quotas.legacy_defaults())
    return {name: values[name] for name in _legacy_names(request)}


def _authorize(request: Request, action: str, project_id: str) -> None:
    policy.authorize(request.context, f"os_compute_api:os-quota-sets:{action}",
                     {"project_id": project_id})


def _body(request: Request, project_id: str | None, limits: dict[str, int],
          legacy: dict[str, int]) -> dict[str, Any]:
    body: dict[str, Any] = {**limits, **legacy}
    if project_id is not None:
        body["id"] = project_id
    return {"quota_set": body}


def show(request: Request, project_id: str) -> webob.Response:
    _authorize(request, "show", project_id)
    return wsgi.json_response(_body(request, project_id, compute_quotas.limits(project_id),
                                    _legacy(request, project_id)))


def detail(request: Request, project_id: str) -> webob.Response:
    _authorize(request, "detail", project_id)
    limits = compute_quotas.limits(project_id)
    used = quotas.usage(project_id, request.GET.get("user_id") or request.context.user_id)
    values: dict[str, Any] = {resource: {"limit": limit, "in_use": used.get(resource, 0),
                                         "reserved": 0}
                              for resource, limit in limits.items()}
    for resource, limit in _legacy(request, project_id).items():
        values[resource] = {"limit": limit, "in_use": 0, "reserved": 0}
    values["id"] = project_id
    return wsgi.json_response({"quota_set": values})


def defaults(request: Request, project_id: str) -> webob.Response:
    _authorize(request, "defaults", project_id)
    return wsgi.json_response(_body(request, project_id, compute_quotas.defaults(),
                                    _legacy(request, None)))


def update(request: Request, project_id: str) -> webob.Response:
    _authorize(request, "update", project_id)
    body = common.body_of(request)
    legacy = _legacy_names(request) + ("networks",) * (not common.at_least(request, "2.36"))
    validation.validate(schemas.update(legacy), body)
    values = dict(body["quota_set"])
    if "networks" in values:  # nova-network's, rejected as in Nova
        raise exception.Invalid(message="The networks quota has been removed")
    force = common.parse_bool(values.pop("force", False), "force")
    if compute_quotas.unified():
        # As Nova with unified limits: the limits live in identity, nothing is stored
        return wsgi.json_response(_body(request, None, compute_quotas.limits(project_id),
                                        _legacy(request, project_id)))
    wanted = {key: int(value) for key, value in values.items()
              if key in quotas.RESOURCES or key in legacy}
    if not force:
        used = quotas.usage(project_id, request.context.user_id)
        for resource, limit in wanted.items():
            if (resource in quotas.RESOURCES and limit != quotas.UNLIMITED
                    and limit < used.get(resource, 0)):
                raise exception.Invalid(
                    message=f"Quota limit {limit} for {resource} must be greater than or "
                            f"equal to already used and reserved {used[resource]}.")
    limits = quotas.update(project_id, wanted)
    return wsgi.json_response(_body(request, None, limits, _legacy(request, project_id)))


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
