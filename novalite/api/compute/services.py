"""``/os-services``: list, update (2.53), legacy enable/disable/force-down, delete."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.common import exception, policy, wsgi
from novalite.common.uuidutils import is_uuid
from novalite.common.wsgi import Request
from novalite.conf import CONF
from novalite.db import aggregates, service_store
from novalite.db import instances as instance_db

INTERNAL_ZONE = "internal"

_HOST_BINARY = {"host": {"type": "string", "minLength": 1, "maxLength": 255},
                "binary": {"type": "string", "minLength": 1, "maxLength": 255}}
_REASON = {"type": "string", "minLength": 1, "maxLength": 255}
_LEGACY = {
    "enable": {"properties": _HOST_BINARY},
    "disable": {"properties": _HOST_BINARY},
    "disable-log-reason": {"properties": {**_HOST_BINARY, "disabled_reason": _REASON}},
    "force-down": {"properties": {**_HOST_BINARY, "forced_down": {"type": "boolean"}}},
}
_UPDATE = {"type": "object", "additionalProperties": False, "properties": {
    "status": {"type": "string", "enum": ["enabled", "disabled"]},
    "disabled_reason": _REASON, "forced_down": {"type": "boolean"}}}


def api_binary(binary: str) -> str:
    """Nova's name for a service binary (``novalite-compute`` shows as ``nova-compute``)."""
    return "nova-" + binary[len("novalite-"):] if binary.startswith("novalite-") else binary


def stored_binaries(binary: str) -> list[str]:
    if binary.startswith("nova-"):
        return [binary, "novalite-" + binary[len("nova-"):]]
    return [binary]


def zone_of(service: dict[str, Any], host_zones: dict[str, str]) -> str:
    """A compute service's zone is its host's aggregates' (``host_zones``, from
    ``aggregates.host_zones()``) or the default zone; every other service is internal."""
    if not service["binary"].endswith("-compute"):
        return INTERNAL_ZONE
    return host_zones.get(service["host"]) or CONF.default_availability_zone


def _view(request: Request, service: dict[str, Any], host_zones: dict[str, str]
          ) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": service["uuid"] if common.at_least(request, "2.53") else service["id"],
        "binary": api_binary(service["binary"]), "host": service["host"],
        "zone": zone_of(service, host_zones),
        "status": "disabled" if service["disabled"] else "enabled",
        "state": service["state"],
        "updated_at": service["updated_at"].isoformat() if service["updated_at"] else None,
        "disabled_reason": service["disabled_reason"]}
    if common.at_least(request, "2.11"):
        body["forced_down"] = bool(service["forced_down"])
    return body


def _list(binary: str | None, host: str | None) -> list[dict[str, Any]]:
    if binary is None:
        return service_store.list_services(host=host)
    found: list[dict[str, Any]] = []
    for name in stored_binaries(binary):
        found.extend(service_store.list_services(binary=name, host=host))
    return sorted(found, key=lambda service: service["id"])


def index(request: Request) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-services:list", {})
    found = _list(request.GET.get("binary"), request.GET.get("host"))
    zones = aggregates.host_zones()
    return wsgi.json_response({"services": [_view(request, s, zones) for s in found]})


def _find(request: Request, service_id: str) -> dict[str, Any]:
    if common.at_least(request, "2.53"):
        if not is_uuid(service_id):
            raise exception.Invalid(message=f"Invalid uuid {service_id}")
    elif not (service_id.isascii() and service_id.isdigit()):
        raise exception.Invalid(message=f"Invalid service id {service_id}")
    elif int(service_id) > validation.MAX_INT:  # a 32-bit column: no such service
        raise exception.Invalid(
            message=f"Invalid input received: id must be <= {validation.MAX_INT}")
    return service_store.get(service_id)


def update(request: Request, service_id: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-services:update", {})
    if service_id in _LEGACY:
        return _legacy_update(request, service_id)
    common.require_version(request, "2.53")
    body = common.body_of(request)
    validation.validate(_UPDATE, body)
    service = _find(request, service_id)
    if not service["binary"].endswith("-compute"):
        name = api_binary(service["binary"])
        raise exception.Invalid(message=f"Updating a {name} service is not supported. Only "
                                        "nova-compute services can be updated.")
    changes: dict[str, Any] = {}
    if body.get("status") == "enabled":
        if body.get("disabled_reason"):
            raise exception.Invalid(message="Specifying 'disabled_reason' with status "
                                            "'enabled' is invalid.")
        changes.update(disabled=False, disabled_reason=None)
    elif body.get("status") == "disabled":
        changes.update(disabled=True, disabled_reason=body.get("disabled_reason"))
    if "forced_down" in body:
        changes["forced_down"] = body["forced_down"]
    if not changes:
        raise exception.Invalid(message="No updates were requested. Fields 'status' or "
                                        "'forced_down' should be specified.")
    updated = service_store.set_state(service["uuid"], **changes)
    return wsgi.json_response({"service": _view(request, updated, aggregates.host_zones())})


def _legacy_update(request: Request, action: str) -> webob.Response:
    common.require_version(request, maximum="2.52")
    if action == "force-down":
        common.require_version(request, "2.11")
    body = common.body_of(request)
    schema = {"type": "object", "additionalProperties": False,
              "required": ["host", "binary"], **_LEGACY[action]}
    if action == "force-down":
        schema["required"] = ["host", "binary", "forced_down"]
    validation.validate(schema, body)
    found = _list(body["binary"], body["host"])
    if not found:
        raise exception.NotFound(message=f"Service {body['binary']} on host {body['host']} "
                                         "could not be found.")
    result: dict[str, Any] = {"host": body["host"], "binary": body["binary"]}
    if action == "force-down":
        service_store.set_state(found[0]["uuid"], forced_down=body["forced_down"])
        result["forced_down"] = body["forced_down"]
    else:
        disabled = action != "enable"
        reason = body.get("disabled_reason")
        service_store.set_state(found[0]["uuid"], disabled=disabled, disabled_reason=reason)
        result["status"] = "disabled" if disabled else "enabled"
        if action == "disable-log-reason":
            result["disabled_reason"] = reason
    return wsgi.json_response({"service": result})


def delete(request: Request, service_id: str) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-services:delete", {})
    service = _find(request, service_id)
    if service["binary"].endswith("-compute") and instance_db.list_instances(
            None, {"host": service["host"]}, limit=1):
        raise exception.Conflict(message="Unable to delete compute service that is hosting "
                                         "instances. Migrate or delete the instances first.")
    service_store.delete(service["uuid"])
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-services", index),
    wsgi.Route("PUT", "/os-services/{service_id}", update),
    wsgi.Route("DELETE", "/os-services/{service_id}", delete),
)
