"""``GET /servers/{id}/diagnostics`` (admin): what the hypervisor says about a guest.

From 2.48 the body is Nova's standard diagnostics, those fields and no others (Nova's
response schema allows no more). Below 2.48 Nova's body is free-form (each driver its
own); there novalite also shows what makes the three kinds of reboot observable:
``pid`` (the hypervisor process) and ``defined_at`` (when the guest's definition was
made), beside the standard fields.
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute.servers import compute_api, get_instance
from novalite.common import wsgi
from novalite.common.wsgi import Request

STANDARD = ("state", "driver", "hypervisor", "hypervisor_os", "uptime", "config_drive",
            "num_cpus", "num_nics", "num_disks", "cpu_details", "nic_details", "disk_details",
            "memory_details")


def show(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, "os_compute_api:os-server-diagnostics")
    found: dict[str, Any] = dict(compute_api().get_diagnostics(request.context, instance))
    if common.at_least(request, "2.48"):
        found = {key: found.get(key) for key in STANDARD}
    return wsgi.json_response(found)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/servers/{server_id}/diagnostics", show),
)
