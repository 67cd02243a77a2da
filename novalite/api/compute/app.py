"""The Compute API v2.1 WSGI application.

``make_app`` = auth middleware → ``ComputeAPI`` (URL prefix and microversion
handling, response headers) → router of every resource module. Each resource
module's ``ROUTES`` table (``wsgi.Route``: method, path, handler) goes into the router
in ``RESOURCES`` order; tests may add more modules through ``extra_resources``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from novalite.api.compute import (
    aggregates,
    attach_interfaces,
    availability_zones,
    common,
    console_auth_tokens,
    extensions,
    faults,
    flavors,
    hosts,
    hypervisors,
    images,
    instance_actions,
    instance_usage_audit_log,
    keypairs,
    limits,
    microversions,
    migrations,
    network_proxies,
    quota_classes,
    quota_sets,
    remote_consoles,
    removed,
    server_actions,
    server_diagnostics,
    server_external_events,
    server_groups,
    server_info,
    server_metadata,
    server_tags,
    servers,
    services,
    simple_tenant_usage,
    versions,
    volume_attachments,
    volumes,
)
from novalite.common import auth, exception, wsgi
from novalite.common.context import RequestContext
from novalite.identity.validation import default_validator

RESOURCES: tuple[ModuleType, ...] = (
    flavors, keypairs, quota_sets, quota_classes, limits, services, availability_zones,
    hypervisors, servers, server_actions, server_metadata, server_tags, server_diagnostics,
    instance_actions, attach_interfaces, server_groups, aggregates, hosts,
    simple_tenant_usage, instance_usage_audit_log, removed, remote_consoles,
    console_auth_tokens, volume_attachments, volumes, extensions, images, migrations,
    server_info, server_external_events, network_proxies)
_PROJECT = re.compile(r"^/([0-9a-f-]+)(/.*)$")


class ComputeAPI:
    """Serves ``/`` and ``/v2.1[/{project_id}]/...`` with microversion negotiation."""

    def __init__(self, router: wsgi.Router) -> None:
        self.router = router

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path in ("", "/"):
            return versions.root(wsgi.Request(environ))(environ, start_response)
        if path != "/v2.1" and not path.startswith("/v2.1/"):
            return wsgi.fault_response(faults.fault_body, 404, "The resource could not be "
                                       "found.")(environ, start_response)
        rest = path[len("/v2.1"):]
        prefix = "/v2.1"
        found = _PROJECT.match(rest)
        if found is not None:
            project_id, rest = found.group(1), found.group(2)
            prefix = f"/v2.1/{project_id}"
            ctxt: RequestContext | None = environ.get(wsgi.CONTEXT_KEY)
            if ctxt is not None and ctxt.project_id != project_id and not ctxt.is_admin:
                return wsgi.fault_response(
                    faults.fault_body, 400, f"Malformed request URL: URL's project_id "
                    f"'{project_id}' doesn't match Context's project_id "
                    f"'{ctxt.project_id}'")(environ, start_response)
        if rest in ("", "/"):
            return versions.v21(wsgi.Request(environ))(environ, start_response)
        try:
            version = microversions.negotiate(environ)
        except exception.NovaliteException as error:
            response = wsgi.fault_response(faults.fault_body, error.code, error.message)
            for key, value in microversions.response_headers(microversions.MIN):
                response.headers[key] = value
            return response(environ, start_response)
        environ[microversions.ENVIRON_KEY] = version
        environ[common.PREFIX_KEY] = prefix
        environ["PATH_INFO"] = rest
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
        headers = microversions.response_headers(version)

        def with_version(status: str, response_headers: list[tuple[str, str]],
                         exc_info: Any = None) -> Any:
            return start_response(status, response_headers + headers, exc_info)

        return self.router(environ, with_version)


def is_public(path: str) -> bool:
    """Version documents need no token (keystoneauth fetches them unauthenticated)."""
    stripped = path.rstrip("/")
    return stripped in ("", "/v2.1") or bool(re.fullmatch(r"/v2\.1/[0-9a-f-]+", stripped))


def build_router(extra_resources: Iterable[ModuleType] = ()) -> wsgi.Router:
    return wsgi.build_router(faults.fault_body,
                             *(module.ROUTES for module in (*RESOURCES, *extra_resources)))


def make_app(validator: auth.TokenValidator | None = None,
             extra_resources: Iterable[ModuleType] = ()) -> Callable[..., Iterable[bytes]]:
    """The Compute API as a WSGI app; ``validator`` defaults to ``[keystone_authtoken]``'s."""
    from novalite.policies import compute as compute_policies

    compute_policies.register()
    api = ComputeAPI(build_router(extra_resources))
    return wsgi.guard(auth.AuthMiddleware(api, faults.fault_body,
                                          validator=validator or default_validator(),
                                          public_paths=is_public, service_type="compute"),
                      faults.fault_body)
