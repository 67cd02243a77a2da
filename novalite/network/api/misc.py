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
# (alias, name, description), as neutron-lib defines them.
EXTENSIONS = [
    ("security-group", "security-group", "The security groups extension."),
    ("binding", "Port Binding", "Expose port bindings of a virtual port to external "
                                "application"),
    ("quotas", "Quota management support", "Expose functions for quotas management per "
                                           "project"),
    ("quota_details", "Quota details management support", "Expose functions for quotas "
                                                          "usage statistics per project"),
    ("external-net", "Neutron external network", "Adds external network attribute to "
                                                 "network resource."),
    ("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
    ("net-mtu-writable", "Network MTU (writable)", "Provides a writable MTU attribute for a "
                                                   "network resource."),
    ("standard-attr-description", "standard-attr-description", "Extension to add "
                                                               "descriptions to standard "
                                                               "attributes"),
    ("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at "
                                                       "fields to all Neutron resources "
                                                       "that have Neutron standard "
                                                       "attributes."),
    ("standard-attr-revisions", "Resource revision numbers", "This extension will display "
                                                             "the revision number of "
                                                             "neutron resources."),
    ("standard-attr-tag", "Tag support for resources with standard attribute: floatingip, "
                          "network, port, router, security_group, subnet",
     "Enables to set tag on resources with standard attribute."),
    ("tag-creation", "Tag creation extension", "Allow to create multiple tags (POST "
                                               "method)."),
    ("tag-ports-during-bulk-creation", "Tag Ports During Bulk Creation",
     "Allow to tag ports during bulk creation"),
    ("project-id", "project_id field enabled", "Extension that indicates that project_id "
                                               "field is enabled."),
    ("pagination", "Pagination support", "Extension that indicates that pagination is "
                                         "enabled."),
    ("sorting", "Sorting support", "Extension that indicates that sorting is enabled."),
    ("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 "
                                    "Neutron networks and access to external networks via a "
                                    "NAT gateway."),
    ("ext-gw-mode", "Neutron L3 Configurable external gateway mode",
     "Extension of the router abstraction for specifying whether SNAT should occur on the "
     "external gateway"),
    ("fip-port-details", "Floating IP Port Details Extension", "Add port_details attribute "
                                                               "to Floating IP resource"),
    ("floatingip-pools", "Floating IP Pools Extension", "Provides a floating IP pools API."),
    ("port-security", "Port Security", "Provides port security"),
    ("allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs"),
    ("extra_dhcp_opt", "Neutron Extra DHCP options",
     "Extra options configuration for DHCP. For example PXE boot options to DHCP clients "
     "can be specified (e.g. tftp-server, server-ip-address, bootfile-name)"),
    ("agent", "agent", "The agent management extension."),
    ("availability_zone", "Availability Zone", "The availability zone extension."),
    ("network_availability_zone", "Network Availability Zone", "Availability zone support "
                                                               "for network."),
    ("router_availability_zone", "Router Availability Zone", "Availability zone support "
                                                             "for router."),
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
