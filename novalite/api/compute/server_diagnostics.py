"""``GET /servers/{id}/diagnostics`` (admin): what the hypervisor says about a guest.

Beyond Nova's 2.48 fields it carries ``pid`` (the hypervisor process) and
``defined_at`` (when the guest's definition was made), which make the three kinds
of reboot observable.
"""

from __future__ import annotations

import webob

from novalite.api.compute.servers import compute_api, get_instance
from novalite.common import wsgi
from novalite.common.wsgi import Request


def show(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, "os_compute_api:os-server-diagnostics")
    return wsgi.json_response(compute_api().get_diagnostics(request.context, instance))


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/servers/{server_id}/diagnostics", show),
)
