"""Version documents, the extension list and (reported, not enforced) quotas."""

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
DEFAULT_QUOTA = {"network": 100, "subnet": 100, "port": 500, "security_group": 10,
                 "security_group_rule": 100, "router": 10, "floatingip": 50,
                 "rbac_policy": 10, "subnetpool": -1}


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


@common.neutron_faults
def quotas(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_quota", "")
    return wsgi.json_response({"quotas": []})


@common.neutron_faults
def quota(request: wsgi.Request, project_id: str) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_quota", project_id)
    return wsgi.json_response({"quota": dict(DEFAULT_QUOTA)})


@common.neutron_faults
def quota_details(request: wsgi.Request, project_id: str) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_quota", project_id)
    return wsgi.json_response({"quota": {name: {"limit": limit, "used": 0, "reserved": 0}
                                         for name, limit in DEFAULT_QUOTA.items()}})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/", versions),
    wsgi.Route("GET", "/v2.0", version),
    wsgi.Route("GET", "/v2.0/extensions", extensions),
    wsgi.Route("GET", "/v2.0/extensions/{alias}", extension),
    wsgi.Route("GET", "/v2.0/quotas", quotas),
    wsgi.Route("GET", "/v2.0/quotas/{project_id}/details", quota_details),
    wsgi.Route("GET", "/v2.0/quotas/{project_id}", quota),
)
