"""Version documents and the extension list."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import wsgi
from novalite.network import exceptions as exc
from novalite.network.api import common

RESOURCES = ("network", "subnet", "port", "security_group", "security_group_rule", "quota",
             "extension")
_UPDATED = "2013-02-03T10:00:00-00:00"
# Only what this service really does; clients (OSC, the SDK, Nova) decide by these.
EXTENSIONS = [
    ("security-group", "security-group", "The security groups extension."),
    ("binding", "Port Binding", "Expose port bindings of a virtual port to external "
                                "application"),
    ("quotas", "Quota management support", "Expose functions for quotas management per "
                                           "project"),
    ("external-net", "Neutron external network", "Adds external network attribute to "
                                                 "network resource."),
    ("network-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
    ("net-mtu-writable", "Network MTU (writable)", "Provides a writable MTU attribute for a "
                                                   "network resource."),
    ("standard-attr-description", "standard-attr-description", "Extension to add "
                                                               "descriptions to standard "
                                                               "attributes"),
    ("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at "
                                                       "fields to all Neutron resources "
                                                       "that have Neutron standard "
                                                       "attributes."),
    ("project-id", "project_id field enabled", "Extension that indicates that project_id "
                                               "field is enabled."),
]
def _version_href(request: wsgi.Request) -> str:
    return f"{request.host_url}/v2.0/"


def versions(request: wsgi.Request) -> webob.Response:
    return wsgi.json_response({"versions": [{"id": "v2.0", "status": "CURRENT", "links": [
        {"rel": "self", "href": _version_href(request)}]}]})


def version(request: wsgi.Request) -> webob.Response:
    resources = [{"name": name, "collection": f"{name}s",
                  "links": [{"rel": "self", "href": f"{_version_href(request)}"
                             f"{name.replace('_', '-')}s"}]} for name in RESOURCES]
    return wsgi.json_response({"resources": resources})


def _extension(alias: str, name: str, description: str) -> dict[str, Any]:
    return {"alias": alias, "name": name, "description": description, "updated": _UPDATED,
            "links": []}


@common.neutron_faults
def extensions(request: wsgi.Request) -> webob.Response:
    request.context  # noqa: B018 - needs a token, as in Neutron
    return wsgi.json_response({"extensions": [_extension(*ext) for ext in EXTENSIONS]})


@common.neutron_faults
def extension(request: wsgi.Request, alias: str) -> webob.Response:
    request.context  # noqa: B018
    for ext in EXTENSIONS:
        if ext[0] == alias:
            return wsgi.json_response({"extension": _extension(*ext)})
    raise exc.ExtensionNotFound(extension_alias=alias)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/", versions),
    wsgi.Route("GET", "/v2.0", version),
    wsgi.Route("GET", "/v2.0/extensions", extensions),
    wsgi.Route("GET", "/v2.0/extensions/{alias}", extension),
)
