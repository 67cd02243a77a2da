"""Networks: create, list, show, update, delete.

Neutron's in-use checks hold: a network with ports cannot go (409 ``NetworkInUse``),
one other projects use cannot be unshared (409 ``InvalidSharedSetting``), nor an
external one with router gateways made internal (409 ``ExternalNetworkInUse``).
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import wsgi
from novalite.network import exceptions as exc
from novalite.network import store
from novalite.network.api import access, agents, common, views

UPDATE = ("name", "description", "admin_state_up", "shared", "router:external", "mtu",
          "port_security_enabled")
CREATE = (*UPDATE, "project_id", "tenant_id", "availability_zone_hints")
READ_ONLY = ("id", "status", "subnets", "created_at", "updated_at", "revision_number", "tags",
             "availability_zones")
COLUMNS = {"id": ("id", "str"), "name": ("name", "str"), "project_id": ("project_id", "str"),
           "shared": ("shared", "bool"), "admin_state_up": ("admin_state_up", "bool"),
           "status": ("status", "str"), "router:external": ("router_external", "bool"),
           "description": ("description", "str"), "mtu": ("mtu", "int"),
           "port_security_enabled": ("port_security_enabled", "bool")}


def _values(body: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in body:
        values["name"] = common.to_str("name", body["name"])
    if "description" in body:
        values["description"] = common.to_str("description", body["description"])
    for key in ("admin_state_up", "shared"):
        if key in body:
            values[key] = common.to_bool(key, body[key])
    if "router:external" in body:
        values["router_external"] = common.to_bool("router:external", body["router:external"])
    if "mtu" in body:
        values["mtu"] = common.to_int("mtu", body["mtu"], 68, 9216)
    if "port_security_enabled" in body:
        values["port_security_enabled"] = common.to_bool("port_security_enabled",
                                                         body["port_security_enabled"])
    return values


def _view(network: dict[str, Any], zones: list[str] | None = None) -> dict[str, Any]:
    """With the availability zones of the DHCP agents serving it, once it has subnets."""
    if zones is None:
        zones = agents.zones(agents.DHCP_AGENT) if network["subnets"] else []
    return views.network(network, zones if network["subnets"] else [])


def _zone_hints(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(zone, str) for zone in value):
        raise common.invalid("availability_zone_hints", value, f"'{value}' is not a list "
                             "of strings")
    known = {agent["availability_zone"] for agent in store.list_agents(
        {"agent_type": [agents.DHCP_AGENT]}) if agent["availability_zone"]}
    for zone in value:
        if zone not in known:
            raise exc.AvailabilityZoneNotFound(availability_zone=zone)
    return list(dict.fromkeys(value))


@common.neutron_faults
def create(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "network")
    common.check_attributes("network", body, CREATE, READ_ONLY, "POST")
    owner = common.owner_from_body(ctxt, body, "network")
    values = _values(body)
    common.authorize(ctxt, "create_network", owner)
    if values.get("shared"):
        common.authorize(ctxt, "create_network:shared", owner)
    if values.get("router_external"):
        common.authorize(ctxt, "create_network:router:external", owner)
    if body.get("availability_zone_hints"):
        values["availability_zone_hints"] = _zone_hints(body["availability_zone_hints"])
    store.check_quota(owner, "network")
    network = store.create_network({**values, "project_id": owner})
    return common.render_one(request, "network", _view(network), status=201)


@common.neutron_faults
def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_network")
    sql, tags, rest = common.list_filters(request, COLUMNS)
    networks = store.list_networks(ctxt.project_id, ctxt.is_admin, sql, tags)
    zones = agents.zones(agents.DHCP_AGENT)
    return common.render_list(request, "networks", [_view(n, zones) for n in networks], rest)


@common.neutron_faults
def show(request: wsgi.Request, network_id: str) -> webob.Response:
    ctxt = request.context
    network = access.load_network(ctxt, network_id)
    common.authorize(ctxt, "get_network", network["project_id"])
    return common.render_one(request, "network", _view(network))


def _load_own(ctxt: Any, network_id: str, action: str) -> dict[str, Any]:
    network = access.load_network(ctxt, network_id)
    if not ctxt.is_admin and network["project_id"] != ctxt.project_id:
        # A shared network of another project: visible, not changeable.
        raise exc.PolicyNotAuthorized(action=f"network:{action}")
    common.authorize(ctxt, action, network["project_id"])
    return network


@common.neutron_faults
def update(request: wsgi.Request, network_id: str) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "network")
    common.check_attributes("network", body, UPDATE, READ_ONLY + (
        "project_id", "tenant_id", "availability_zone_hints"), "PUT")
    values = _values(body)
    network = _load_own(ctxt, network_id, "update_network")
    if "shared" in values and values["shared"] != network["shared"]:
        common.authorize(ctxt, "update_network:shared", network["project_id"])
    if "router_external" in values and values["router_external"] != network["router_external"]:
        common.authorize(ctxt, "update_network:router:external", network["project_id"])
    updated = store.update_network(network_id, values)
    if updated is None:
        raise exc.NetworkNotFound(net_id=network_id)
    return common.render_one(request, "network", _view(updated))


@common.neutron_faults
def delete(request: wsgi.Request, network_id: str) -> webob.Response:
    ctxt = request.context
    _load_own(ctxt, network_id, "delete_network")
    if not store.delete_network(network_id):
        raise exc.NetworkNotFound(net_id=network_id)
    return wsgi.empty_response()


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2.0/networks", index),
    wsgi.Route("POST", "/v2.0/networks", create),
    wsgi.Route("GET", "/v2.0/networks/{network_id}", show),
    wsgi.Route("PUT", "/v2.0/networks/{network_id}", update),
    wsgi.Route("DELETE", "/v2.0/networks/{network_id}", delete),
)
