"""``/os-hosts`` (deprecated, removed at 2.43): the hosts of the enabled services, one
compute host's resources, and the host actions (Nova's hosts.py).

The host actions (enable/disable, maintenance mode, startup, shutdown, reboot) are what
Nova's libvirt driver answers for them: 501, after the host was checked to exist;
``os-services`` is where a host is enabled and disabled.
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common, services
from novalite.api.compute import schemas as validation
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import aggregates, instances, service_store
from novalite.placement import client as placement

_MAX = "2.42"
_ENABLE = {"type": "string", "enum": ["enable", "disable", "Enable", "Disable", "ENABLE",
                                      "DISABLE"]}
# Nova's schema lists ``anyOf`` among the properties, so an empty body passes it.
UPDATE = {"type": "object", "properties": {"status": _ENABLE, "maintenance_mode": _ENABLE},
          "additionalProperties": False}


def _begin(request: Request, action: str) -> None:
    common.require_version(request, maximum=_MAX)
    policy.authorize(request.context, f"os_compute_api:os-hosts:{action}", {})


def index(request: Request) -> webob.Response:
    _begin(request, "list")
    zones = aggregates.host_zones()
    wanted = request.GET.get("zone")
    hosts = []
    for service in service_store.list_services():
        if service["disabled"]:
            continue
        zone = services.zone_of(service, zones)
        if wanted and zone != wanted:
            continue
        hosts.append({"host_name": service["host"], "service": service["topic"],
                      "zone": zone})
    return wsgi.json_response({"hosts": hosts})


def _nodes(host: str) -> list[dict[str, Any]]:
    nodes = [node for node in placement.provider_summaries() if node["host"] == host]
    if not nodes:
        raise exception.ComputeHostNotFound(host=host)
    return nodes


def _resource(host: str, project: str, cpu: int, memory_mb: int, disk_gb: int
              ) -> dict[str, Any]:
    return {"resource": {"host": host, "project": project, "cpu": cpu,
                         "memory_mb": memory_mb, "disk_gb": disk_gb}}


def show(request: Request, host_name: str) -> webob.Response:
    _begin(request, "show")
    nodes = _nodes(host_name)

    def total(rc: str) -> int:
        return sum(int((n["inventories"].get(rc) or {}).get("total", 0)) for n in nodes)

    def used(rc: str) -> int:
        return sum(int(n["usages"].get(rc, 0)) for n in nodes)

    guests = instances.list_instances(None, {"host": host_name})
    resources = [
        _resource(host_name, "(total)", total("VCPU"), total("MEMORY_MB"), total("DISK_GB")),
        _resource(host_name, "(used_now)", used("VCPU"), used("MEMORY_MB"), used("DISK_GB")),
        _resource(host_name, "(used_max)", sum(g["vcpus"] for g in guests),
                  sum(g["memory_mb"] for g in guests),
                  sum(g["root_gb"] + g["ephemeral_gb"] for g in guests))]
    by_project: dict[str, dict[str, Any]] = {}
    for guest in guests:
        entry = by_project.setdefault(guest["project_id"], _resource(
            host_name, guest["project_id"], 0, 0, 0))["resource"]
        entry["cpu"] += guest["vcpus"]
        entry["memory_mb"] += guest["memory_mb"]
        entry["disk_gb"] += guest["root_gb"] + guest["ephemeral_gb"]
    resources.extend(by_project.values())
    return wsgi.json_response({"host": resources})


def update(request: Request, host_name: str) -> webob.Response:
    _begin(request, "update")
    body = common.body_of(request)
    validation.validate(UPDATE, body)
    if "status" not in body and "maintenance_mode" not in body:
        return wsgi.json_response({"host": host_name})
    _nodes(host_name)
    raise exception.FeatureNotSupported()


def _power_action(action: str) -> Any:
    def run(request: Request, host_name: str) -> webob.Response:
        _begin(request, action)
        _nodes(host_name)
        raise exception.FeatureNotSupported()

    return run


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-hosts", index),
    wsgi.Route("GET", "/os-hosts/{host_name}", show),
    wsgi.Route("PUT", "/os-hosts/{host_name}", update),
    wsgi.Route("GET", "/os-hosts/{host_name}/startup", _power_action("start")),
    wsgi.Route("GET", "/os-hosts/{host_name}/shutdown", _power_action("shutdown")),
    wsgi.Route("GET", "/os-hosts/{host_name}/reboot", _power_action("reboot")),
)
