"""APIs Nova has removed but still routes, answering ``410 Gone`` to every method (Nova's
``agents.py``, ``cells.py``, ``fping.py``... raise ``HTTPGone``), so clients get Nova's
answer rather than a 404: the guest agent builds (``os-agents``), cells v1, nova-network
(``os-fping``, ``os-fixed-ips``, ``os-floating-ips-bulk``, ``os-floating-ip-dns``,
``os-security-group-default-rules``, the ``os-networks`` association actions), the
cloudpipe and certificate services and the XenAPI consoles."""

from __future__ import annotations

import webob

from novalite.api.compute import faults
from novalite.common import wsgi
from novalite.common.wsgi import Request

GONE = "This resource is no longer available. No forwarding address is given."
COLLECTIONS = ("os-agents", "os-cells", "os-fping", "os-fixed-ips", "os-floating-ips-bulk",
               "os-floating-ip-dns", "os-security-group-default-rules", "os-cloudpipe",
               "os-certificates")
_METHODS = ("GET", "POST", "PUT", "DELETE")


def gone(request: Request, **params: str) -> webob.Response:
    request.context  # noqa: B018 - a token is still needed, as in front of Nova
    return wsgi.fault_response(faults.fault_body, 410, GONE)


def _routes() -> tuple[wsgi.Route, ...]:
    routes: list[wsgi.Route] = []
    for collection in COLLECTIONS:
        for path in (f"/{collection}", f"/{collection}/{{item}}",
                     f"/{collection}/{{item}}/{{sub}}"):
            routes.extend(wsgi.Route(method, path, gone) for method in _METHODS)
    routes.append(wsgi.Route("POST", "/os-networks/add", gone))
    routes.append(wsgi.Route("POST", "/os-networks/{network_id}/action", gone))
    for path in ("/servers/{server_id}/consoles", "/servers/{server_id}/consoles/{item}"):
        routes.extend(wsgi.Route(method, path, gone) for method in _METHODS)
    return tuple(routes)


ROUTES: tuple[wsgi.Route, ...] = _routes()
