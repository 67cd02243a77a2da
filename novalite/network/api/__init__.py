"""The network API (Neutron v2.0 subset) as a WSGI application behind the shared auth
middleware.

``make_app(validator)`` builds it; ``make_server(validator)`` binds it to
``[network] bind_host``/``bind_port``. The version documents are public, everything
else needs a token. Catalog URL: the bare ``http://host:9696`` (clients add ``/v2.0``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from novalite.common import auth, wsgi
from novalite.conf import CONF
from novalite.network.api import (
    common,
    misc,
    networks,
    ports,
    quotas,
    security_groups,
    subnets,
)
from novalite.policies import network as network_policies

WSGIApp = Callable[..., Iterable[bytes]]
PUBLIC_PATHS = frozenset({"", "/", "/v2.0", "/v2.0/"})


def fault_body(code: int, message: str) -> dict[str, Any]:
    return common.fault_body(code, message)


def _crud(router: wsgi.Router, collection: str, param: str, module: Any) -> None:
    router.add("GET", f"/v2.0/{collection}", module.index)
    router.add("POST", f"/v2.0/{collection}", module.create)
    router.add("GET", f"/v2.0/{collection}/{{{param}}}", module.show)
    router.add("PUT", f"/v2.0/{collection}/{{{param}}}", module.update)
    router.add("DELETE", f"/v2.0/{collection}/{{{param}}}", module.delete)


def make_router() -> wsgi.Router:
    router = wsgi.Router(fault_body)
    router.add("GET", "/", misc.versions)
    router.add("GET", "/v2.0", misc.version)
    router.add("GET", "/v2.0/extensions", misc.extensions)
    router.add("GET", "/v2.0/extensions/{alias}", misc.extension)
    router.add("GET", "/v2.0/quotas", quotas.index)
    router.add("GET", "/v2.0/quotas/{project_id}/details", quotas.details)
    router.add("GET", "/v2.0/quotas/{project_id}", quotas.show)
    router.add("PUT", "/v2.0/quotas/{project_id}", quotas.update)
    router.add("DELETE", "/v2.0/quotas/{project_id}", quotas.delete)
    _crud(router, "networks", "network_id", networks)
    _crud(router, "subnets", "subnet_id", subnets)
    _crud(router, "ports", "port_id", ports)
    _crud(router, "security-groups", "group_id", security_groups)
    router.add("GET", "/v2.0/security-group-rules", security_groups.index_rules)
    router.add("POST", "/v2.0/security-group-rules", security_groups.create_rule)
    router.add("GET", "/v2.0/security-group-rules/{rule_id}", security_groups.show_rule)
    router.add("DELETE", "/v2.0/security-group-rules/{rule_id}", security_groups.delete_rule)
    return router


class _StripJsonSuffix:
    """Neutron also answers ``/v2.0/networks.json`` (old clients ask for it)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.endswith(".json"):
            environ["PATH_INFO"] = path[:-5]
        return self.app(environ, start_response)


def make_app(validator: auth.TokenValidator | None = None) -> WSGIApp:
    """The network API; ``validator`` defaults to the one ``[keystone_authtoken]`` selects."""
    network_policies.register()
    return _StripJsonSuffix(auth.AuthMiddleware(
        make_router(), fault_body, validator, public_paths=lambda path: path in PUBLIC_PATHS))


def make_server(validator: auth.TokenValidator | None = None) -> wsgi.Server:
    """A (not yet started) server on ``[network] bind_host:bind_port``."""
    return wsgi.Server("network", make_app(validator), CONF.network.bind_host,
                       CONF.network.bind_port, threads=CONF.network.workers)
