"""``/os-availability-zone``: the zones of the compute services (their hosts'
aggregates' ``availability_zone``, else ``[DEFAULT] default_availability_zone``), plus
``internal`` for every other service in the admin detail view."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import services
from novalite.common import policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import aggregates, service_store


def _zones(include_internal: bool) -> dict[str, list[dict[str, Any]]]:
    zones: dict[str, list[dict[str, Any]]] = {}
    host_zones = aggregates.host_zones()
    for service in service_store.list_services():
        zone = services.zone_of(service, host_zones)
        if zone == services.INTERNAL_ZONE and not include_internal:
            continue
        zones.setdefault(zone, []).append(service)
    return zones


def _available(members: list[dict[str, Any]]) -> bool:
    return any(not service["disabled"] for service in members)


def index(request: Request) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-availability-zone:list")
    info = [{"zoneName": zone, "zoneState": {"available": _available(members)},
             "hosts": None} for zone, members in sorted(_zones(False).items())]
    return wsgi.json_response({"availabilityZoneInfo": info})


def detail(request: Request) -> webob.Response:
    policy.authorize(request.context, "os_compute_api:os-availability-zone:detail", {})
    info = []
    for zone, members in sorted(_zones(True).items()):
        hosts: dict[str, dict[str, Any]] = {}
        for service in members:
            hosts.setdefault(service["host"], {})[services.api_binary(service["binary"])] = {
                "available": not service["disabled"], "active": service["state"] == "up",
                "updated_at": service["updated_at"].isoformat()
                if service["updated_at"] else None}
        info.append({"zoneName": zone, "zoneState": {"available": _available(members)},
                     "hosts": hosts})
    return wsgi.json_response({"availabilityZoneInfo": info})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-availability-zone", index),
    wsgi.Route("GET", "/os-availability-zone/detail", detail),
)
