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
from novalite.identity.validation import default_validator
from novalite.network.api import (
    agents,
    common,
    floating_ips,
    misc,
    networks,
    ports,
    quotas,
    routers,
    security_groups,
    subnets,
    tags,
)
from novalite.policies import network as network_policies

WSGIApp = Callable[..., Iterable[bytes]]
PUBLIC_PATHS = frozenset({"", "/", "/v2.0", "/v2.0/"})


def fault_body(code: int, message: str) -> dict[str, Any]:
    return common.fault_body(code, message)


def make_router() -> wsgi.Router:
    return wsgi.build_router(fault_body, misc.ROUTES, quotas.ROUTES, networks.ROUTES,
                             subnets.ROUTES, ports.ROUTES, security_groups.ROUTES,
                             routers.ROUTES, floating_ips.ROUTES, agents.ROUTES, tags.ROUTES)


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
    return wsgi.guard(_StripJsonSuffix(auth.AuthMiddleware(
        make_router(), fault_body, validator or default_validator(),
        public_paths=lambda path: path in PUBLIC_PATHS)), fault_body)


def make_server(validator: auth.TokenValidator | None = None) -> wsgi.Server:
    """A (not yet started) server on ``[network] bind_host:bind_port``."""
    return wsgi.Server("network", make_app(validator), CONF.network.bind_host,
                       CONF.network.bind_port, threads=CONF.network.workers)
