"""The volume API (Cinder v3 subset) as a WSGI application behind the shared auth
middleware, and its server (which also starts the backends' work: ``manager``).

Paths are ``/v3/{project_id}/<collection>...``, or from microversion 3.67 on
``/v3/<collection>...``; the version documents are public. Catalog URL:
``http://host:8776/v3/%(project_id)s`` as ``volumev3`` and ``block-storage``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from novalite.common import auth, exception, wsgi
from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.identity.validation import default_validator
from novalite.policies import volume as volume_policies
from novalite.volume import manager
from novalite.volume.api import (
    actions,
    attachments,
    common,
    microversions,
    quotas,
    snapshots,
    types,
    versions,
    volumes,
)

WSGIApp = Callable[..., Iterable[bytes]]
#: the first path segment of every collection: anything else after /v3 is a project id
COLLECTIONS = frozenset({"volumes", "attachments", "snapshots", "types", "os-quota-sets",
                         "limits", "os-availability-zone", "extensions", "os-services"})


def fault_body(code: int, message: str) -> dict[str, Any]:
    return common.fault_body(code, message)


def make_router() -> wsgi.Router:
    return wsgi.build_router(fault_body, volumes.ROUTES, actions.ROUTES, attachments.ROUTES,
                             snapshots.ROUTES, types.ROUTES, quotas.ROUTES)


def _split(path: str) -> tuple[str | None, str] | None:
    """(project id or None, the rest) of a ``/v3/...`` path; None for another path."""
    if path != "/v3" and not path.startswith("/v3/"):
        return None
    rest = path[len("/v3"):]
    first = rest.strip("/").split("/", 1)[0]
    if not first or first in COLLECTIONS:
        return None, rest
    tail = rest[len(first) + 1:]
    return first, tail


class VolumeAPI:
    """Serves ``/`` and ``/v3[/{project_id}]/...`` with microversion negotiation."""

    def __init__(self, router: wsgi.Router) -> None:
        self.router = router

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path in ("", "/"):
            return versions.root(wsgi.Request(environ))(environ, start_response)
        split = _split(path)
        if split is None:
            return wsgi.fault_response(fault_body, 404, "The resource could not be found.")(
                environ, start_response)
        project_id, rest = split
        if rest in ("", "/"):
            return versions.v3(wsgi.Request(environ))(environ, start_response)
        ctxt: RequestContext | None = environ.get(wsgi.CONTEXT_KEY)
        if project_id is not None and ctxt is not None and ctxt.project_id != project_id \
                and not ctxt.is_admin:
            return wsgi.fault_response(
                fault_body, 400, f"Malformed request URL: URL's project_id '{project_id}' "
                f"doesn't match Context's project_id '{ctxt.project_id}'")(
                environ, start_response)
        try:
            version = microversions.negotiate(environ)
        except exception.NovaliteException as error:
            response = wsgi.fault_response(fault_body, error.code, error.message)
            for key, value in microversions.response_headers(microversions.MIN):
                response.headers[key] = value
            return response(environ, start_response)
        if project_id is None and not version.matches(
                minimum=microversions.PROJECT_ID_OPTIONAL_IN_URL):
            return wsgi.fault_response(fault_body, 404, "The resource could not be found.")(
                environ, start_response)
        prefix = f"/v3/{project_id}" if project_id is not None else "/v3"
        environ[microversions.ENVIRON_KEY] = version
        environ[common.PREFIX_KEY] = prefix
        environ[common.PROJECT_KEY] = project_id
        environ["PATH_INFO"] = rest
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
        headers = microversions.response_headers(version)

        def with_version(status: str, response_headers: list[tuple[str, str]],
                         exc_info: Any = None) -> Any:
            extra = list(headers)
            if status.startswith("413"):
                extra.append(("Retry-After", "0"))
            return start_response(status, response_headers + extra, exc_info)

        return self.router(environ, with_version)


def is_public(path: str) -> bool:
    """Version documents need no token (keystoneauth fetches them unauthenticated)."""
    stripped = path.rstrip("/")
    if stripped in ("", "/v3"):
        return True
    found = re.fullmatch(r"/v3/([^/]+)", stripped)
    return found is not None and found.group(1) not in COLLECTIONS


def make_app(validator: auth.TokenValidator | None = None) -> WSGIApp:
    """The volume API; ``validator`` defaults to the one ``[keystone_authtoken]`` selects."""
    volume_policies.register()
    return wsgi.guard(auth.AuthMiddleware(VolumeAPI(make_router()), fault_body,
                                          validator or default_validator(),
                                          public_paths=is_public, service_type="block-storage"),
                      fault_body)


class VolumeServer(wsgi.Server):
    """The API server; starting it starts the backends (tgtd ...) and their worker
    threads, stopping it waits for the work in flight and stops them."""

    def start(self) -> None:
        manager.get().start()
        super().start()

    def stop(self) -> None:
        super().stop()
        manager.get().stop()
        manager.reset()


def make_server(validator: auth.TokenValidator | None = None) -> wsgi.Server:
    """A (not yet started) server on ``[volume] bind_host:bind_port``."""
    return VolumeServer("volume", make_app(validator), CONF.volume.bind_host,
                        CONF.volume.bind_port, threads=CONF.volume.workers)
