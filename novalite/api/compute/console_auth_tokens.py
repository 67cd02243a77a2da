"""``GET /os-console-auth-tokens/{token}`` (admin): what a console token stands for.

Below 2.31 only RDP tokens could be shown (401 for any other, which is every token
here); from 2.31 every type: ``instance_uuid``, ``host``, ``port``,
``internal_access_path``. ``tls_port`` (2.99) exists only for spice-direct tokens,
which novalite does not make. 404 for an unknown or expired token.
"""

from __future__ import annotations

import webob

from novalite.api.compute import common
from novalite.api.compute.servers import compute_api
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request

RULE = "os_compute_api:os-console-auth-tokens"


def show(request: Request, token: str) -> webob.Response:
    policy.authorize(request.context, RULE, {"project_id": request.context.project_id})
    found = compute_api().get_console_token(token)
    if not common.at_least(request, "2.31") and found.console_type != "rdp-html5":
        raise exception.NotAuthenticated(
            message="The requested console type details are not accessible")
    return wsgi.json_response({"console": {
        "instance_uuid": found.instance_uuid, "host": found.host, "port": found.port,
        "internal_access_path": found.internal_access_path}})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-console-auth-tokens/{token}", show),
)
