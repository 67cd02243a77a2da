"""Floating IPs (the ``router`` extension's ``floatingips``, with ``fip-port-details``):
create, list, show, update (associate, disassociate), delete.

An address of an external network is taken by a port of that network; associating it
with a port's fixed IPv4 address needs a router with its gateway on that network and an
interface on the fixed address's subnet (``ExternalGatewayForFloatingIPNotFound``
otherwise), and the data plane of the port's host then DNATs the floating address to
the fixed one. ``/v2.0/floatingip_pools`` lists the external networks' IPv4 subnets.
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import wsgi
from novalite.common.context import RequestContext
from novalite.network import exceptions as exc
from novalite.network import ipam, nova_notifier, store
from novalite.network.api import access, common, views

CREATE = ("floating_network_id", "floating_ip_address", "subnet_id", "port_id",
          "fixed_ip_address", "description", "project_id", "tenant_id")
UPDATE = ("port_id", "fixed_ip_address", "description")
READ_ONLY = ("id", "status", "router_id", "created_at", "updated_at", "revision_number",
             "tags", "port_details")
COLUMNS = {"id": ("id", "str"), "floating_network_id": ("floating_network_id", "str"),
           "floating_ip_address": ("floating_ip_address", "str"),
           "router_id": ("router_id", "str"), "port_id": ("fixed_port_id", "str"),
           "fixed_ip_address": ("fixed_ip_address", "str"), "status": ("status", "str"),
           "project_id": ("project_id", "str"), "description": ("description", "str")}


def _ipv4(value: Any, field: str) -> str:
    try:
        return str(ipam.parse_ip(value, None))
    except ipam.InvalidSubnet:
        raise common.invalid(field, value, f"'{value}' is not a valid IP address") from None


def association(ctxt: RequestContext, project_id: str, floating_network_id: str,
                port_id: str, fixed_ip: str | None) -> dict[str, Any]:
    """``fixed_port_id``, ``fixed_ip_address`` and ``router_id`` for associating a
    floating IP of ``project_id`` on ``floating_network_id`` with the port, checked as
    Neutron checks them."""
    port = access.load_port(ctxt, port_id)
    if port["project_id"] != project_id and not ctxt.is_admin:
        raise common.bad_request("floatingip", "Cannot process floating IP association with "
                                 f"Port {port_id}, since that port is owned by a different "
                                 "tenant")
    if fixed_ip is not None:
        if ipam.version_of(fixed_ip) != 4:
            raise common.bad_request("floatingip", "Cannot process floating IP association "
                                     f"with {fixed_ip}, since that is not an IPv4 address")
        found = [ip for ip in port["fixed_ips"] if ip["ip_address"] == fixed_ip]
        if not found:
            raise common.bad_request("floatingip", f"Port {port_id} does not have fixed ip "
                                     f"{fixed_ip}")
    else:
        found = [ip for ip in port["fixed_ips"] if ipam.version_of(ip["ip_address"]) == 4]
        if not found:
            raise common.bad_request("floatingip", "Cannot add floating IP to port "
                                     f"{port_id} that has no fixed IPv4 addresses")
        if len(found) > 1:
            raise common.bad_request("floatingip", f"Port {port_id} has multiple fixed IPv4 "
                                     "addresses.  Must provide a specific IPv4 address when "
                                     "assigning a floating IP")
    subnet = store.get_subnet(found[0]["subnet_id"]) or {"id": found[0]["subnet_id"]}
    router_id = store.router_for_floating_ip(port["network_id"], subnet, floating_network_id)
    if router_id is None:
        raise exc.ExternalGatewayForFloatingIPNotFound(
            subnet_id=subnet["id"], external_network_id=floating_network_id, port_id=port_id)
    return {"fixed_port_id": port["id"], "fixed_ip_address": found[0]["ip_address"],
            "router_id": router_id, "status": "ACTIVE"}


DISASSOCIATED = {"fixed_port_id": None, "fixed_ip_address": None, "router_id": None,
                 "status": "DOWN"}


@common.neutron_faults
def create(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "floatingip")
    common.check_attributes("floatingip", body, CREATE, READ_ONLY, "POST")
    if "floating_network_id" not in body:
        raise common.bad_request("floatingip", "Failed to parse request. Required attribute "
                                 "'floating_network_id' not specified")
    owner = common.owner_from_body(ctxt, body, "floatingip")
    common.authorize(ctxt, "create_floatingip", owner)
    network = access.load_network(ctxt, common.to_uuid("floating_network_id",
                                                       body["floating_network_id"]))
    if not network["router_external"]:
        raise common.bad_request("floatingip", f"Network {network['id']} is not a valid "
                                 "external network")
    subnets = store.list_subnets(None, True, {"network_id": [network["id"]],
                                              "ip_version": [4]})
    if not subnets:
        raise common.bad_request("floatingip", f"Network {network['id']} does not contain "
                                 "any IPv4 subnet")
    fixed_ips: list[dict[str, str]] | None = None
    if body.get("floating_ip_address") is not None:
        common.authorize(ctxt, "create_floatingip:floating_ip_address", owner)
        fixed_ips = [{"ip_address": _ipv4(body["floating_ip_address"],
                                          "floating_ip_address")}]
    if body.get("subnet_id") is not None:
        subnet_id = common.to_uuid("subnet_id", body["subnet_id"])
        if subnet_id not in {subnet["id"] for subnet in subnets}:
            raise common.bad_request("floatingip", f"Subnet {subnet_id} is not an IPv4 "
                                     f"subnet of network {network['id']}")
        fixed_ips = [{**(fixed_ips or [{}])[0], "subnet_id": subnet_id}]
    if fixed_ips is None:
        fixed_ips = [{"subnet_id": subnet["id"]} for subnet in subnets[:1]]
    if body.get("fixed_ip_address") is not None and body.get("port_id") is None:
        raise common.bad_request("floatingip", "fixed_ip_address cannot be specified without "
                                 "a port_id")
    assoc = dict(DISASSOCIATED)
    if body.get("port_id") is not None:
        fixed_ip = (_ipv4(body["fixed_ip_address"], "fixed_ip_address")
                    if body.get("fixed_ip_address") is not None else None)
        assoc = association(ctxt, owner, network["id"],
                            common.to_uuid("port_id", body["port_id"]), fixed_ip)
    description = common.to_str("description", body.get("description") or "")
    store.check_quota(owner, "floatingip")
    fip_id = store.new_id()
    port = store.create_port({"network_id": network["id"], "project_id": "", "name": "",
                              "device_id": fip_id, "device_owner": store.FLOATING_IP,
                              "admin_state_up": True, "status": "N/A"}, fixed_ips=fixed_ips)
    address = next((ip["ip_address"] for ip in port["fixed_ips"]
                    if ipam.version_of(ip["ip_address"]) == 4), None)
    try:
        if address is None:
            raise exc.ExternalIpAddressExhausted(net_id=network["id"])
        fip = store.create_floatingip({
            "id": fip_id, "project_id": owner, "description": description,
            "floating_network_id": network["id"], "floating_ip_address": address,
            "floating_port_id": port["id"], **assoc})
    except Exception:
        store.delete_port(port["id"])
        raise
    nova_notifier.ports_changed([fip["fixed_port_id"]])
    return common.render_one(request, "floatingip", views.floatingip(fip), status=201)


@common.neutron_faults
def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_floatingip")
    sql, tags, rest = common.list_filters(request, COLUMNS)
    for key in ("fixed_port_id", "router_id", "fixed_ip_address"):
        if key in sql:  # an empty value asks for the unassociated ones
            sql[key] = [value or None for value in sql[key]]
    fips = store.list_floatingips(ctxt.project_id, ctxt.is_admin, sql, tags)
    return common.render_list(request, "floatingips", [views.floatingip(f) for f in fips],
                              rest)


@common.neutron_faults
def show(request: wsgi.Request, fip_id: str) -> webob.Response:
    ctxt = request.context
    fip = access.load_floatingip(ctxt, fip_id)
    common.authorize(ctxt, "get_floatingip", fip["project_id"])
    return common.render_one(request, "floatingip", views.floatingip(fip))


@common.neutron_faults
def update(request: wsgi.Request, fip_id: str) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "floatingip")
    common.check_attributes("floatingip", body, UPDATE, READ_ONLY + (
        "floating_network_id", "floating_ip_address", "subnet_id", "project_id",
        "tenant_id"), "PUT")
    fip = access.load_floatingip(ctxt, fip_id)
    common.authorize(ctxt, "update_floatingip", fip["project_id"])
    values: dict[str, Any] = {}
    if "description" in body:
        values["description"] = common.to_str("description", body["description"] or "")
    if body.get("fixed_ip_address") is not None and not body.get("port_id", fip[
            "fixed_port_id"]):
        raise common.bad_request("floatingip", "fixed_ip_address cannot be specified without "
                                 "a port_id")
    if "port_id" in body:
        if body["port_id"] is None:
            values.update(DISASSOCIATED)
        else:
            fixed_ip = (_ipv4(body["fixed_ip_address"], "fixed_ip_address")
                        if body.get("fixed_ip_address") is not None else None)
            values.update(association(ctxt, fip["project_id"], fip["floating_network_id"],
                                      common.to_uuid("port_id", body["port_id"]), fixed_ip))
    updated = store.update_floatingip(fip_id, values)
    if updated is None:
        raise exc.FloatingIPNotFound(floatingip_id=fip_id)
    if updated["fixed_port_id"] != fip["fixed_port_id"]:
        nova_notifier.ports_changed([fip["fixed_port_id"], updated["fixed_port_id"]])
    return common.render_one(request, "floatingip", views.floatingip(updated))


@common.neutron_faults
def delete(request: wsgi.Request, fip_id: str) -> webob.Response:
    ctxt = request.context
    fip = access.load_floatingip(ctxt, fip_id)
    common.authorize(ctxt, "delete_floatingip", fip["project_id"])
    port_id = store.delete_floatingip(fip_id)
    if port_id is None:
        raise exc.FloatingIPNotFound(floatingip_id=fip_id)
    store.delete_port(port_id)
    nova_notifier.ports_changed([fip["fixed_port_id"]])
    return wsgi.empty_response()


@common.neutron_faults
def pools(request: wsgi.Request) -> webob.Response:
    """``floatingip-pools``: each IPv4 subnet of an external network the caller sees."""
    ctxt = request.context
    common.authorize(ctxt, "get_floatingip_pool")
    external = [n for n in store.list_networks(ctxt.project_id, ctxt.is_admin,
                                               {"router_external": [True]})]
    found = []
    for network in external:
        for subnet in store.list_subnets(None, True, {"network_id": [network["id"]],
                                                      "ip_version": [4]}):
            found.append({"subnet_id": subnet["id"], "subnet_name": subnet["name"],
                          "network_id": network["id"], "cidr": subnet["cidr"],
                          "project_id": network["project_id"],
                          "tenant_id": network["project_id"]})
    return common.render_list(request, "floatingip_pools", found,
                              common.query_filters(request))


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2.0/floatingips", index),
    wsgi.Route("POST", "/v2.0/floatingips", create),
    wsgi.Route("GET", "/v2.0/floatingips/{fip_id}", show),
    wsgi.Route("PUT", "/v2.0/floatingips/{fip_id}", update),
    wsgi.Route("DELETE", "/v2.0/floatingips/{fip_id}", delete),
    wsgi.Route("GET", "/v2.0/floatingip_pools", pools),
)
