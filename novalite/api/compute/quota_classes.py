"""``/os-quota-class-sets/{class}``: show and update a quota class (Nova's
quota_classes.py). The ``default`` class is what every project without its own limits
gets: it overrides ``[quota]``, and ``os-quota-sets/{project}/defaults`` shows it.

Fields per microversion: before 2.50 the nova-network and injected-file quotas and no
server group ones; 2.50 drops the nova-network ones and shows the server group ones;
2.57 drops the injected-file ones.
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import quota_sets as schemas
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import quotas

_ENFORCED = ("instances", "cores", "ram", "metadata_items", "key_pairs")
_SERVER_GROUPS = ("server_groups", "server_group_members")
_NOVA_NETWORK = ("fixed_ips", "floating_ips", "security_groups", "security_group_rules")
_INJECTED = ("injected_files", "injected_file_content_bytes", "injected_file_path_bytes")


def _shown(request: Request) -> tuple[str, ...]:
    if common.at_least(request, "2.57"):
        return _ENFORCED + _SERVER_GROUPS
    if common.at_least(request, "2.50"):
        return _ENFORCED + _SERVER_GROUPS + _INJECTED
    return _ENFORCED + _INJECTED + _NOVA_NETWORK


def _settable(request: Request) -> tuple[str, ...]:
    """What the update schema of the microversion accepts (the server group quotas
    always, as Nova's schema has them)."""
    if common.at_least(request, "2.57"):
        return ()
    if common.at_least(request, "2.50"):
        return _INJECTED
    return _INJECTED + _NOVA_NETWORK + ("networks",)


def _body(request: Request, limits: dict[str, int], class_name: str | None
          ) -> dict[str, Any]:
    body: dict[str, Any] = {name: limits[name] for name in _shown(request)}
    if class_name is not None:
        body["id"] = class_name
    return {"quota_class_set": body}


def show(request: Request, class_name: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-quota-class-sets:show",
                     {"quota_class": class_name})
    return wsgi.json_response(_body(request, quotas.get_class(class_name), class_name))


def update(request: Request, class_name: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-quota-class-sets:update",
                     {"quota_class": class_name})
    if len(class_name) > 255:
        raise exception.Invalid(message="Invalid input received: quota_class_name has more "
                                        "than 255 characters.")
    body = common.body_of(request)
    schema = schemas.update(_settable(request))
    schema["properties"]["quota_class_set"] = schema["properties"].pop("quota_set")
    schema["required"] = ["quota_class_set"]
    del schema["properties"]["quota_class_set"]["properties"]["force"]
    validation.validate(schema, body)
    values = {key: int(value) for key, value in body["quota_class_set"].items()
              if key != "networks"}  # nova-network's: accepted, nothing to keep
    limits = quotas.update_class(class_name, values)
    return wsgi.json_response(_body(request, limits, None))


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-quota-class-sets/{class_name}", show),
    wsgi.Route("PUT", "/os-quota-class-sets/{class_name}", update),
)
