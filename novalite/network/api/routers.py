"""Routers (the ``router`` and ``ext-gw-mode`` extensions): create, list, show, update
(name, state, external gateway), delete, and add/remove interfaces.

The gateway is a port on an external network holding the router's external address;
``enable_snat`` (default true) makes the data plane masquerade the router's subnets
behind it. An interface is a port on an internal subnet holding (by subnet) the
subnet's gateway address. Each step uses the ports of ``novalite.network.store``; a
failure after a port was made removes it again.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import webob

from novalite.common import wsgi
from novalite.common.context import RequestContext
from novalite.common.uuidutils import is_uuid
from novalite.network import exceptions as exc
from novalite.network import store
from novalite.network.api import access, agents, common, views
from novalite.network.api.ports import parse_fixed_ips

CREATE = ("name", "description", "admin_state_up", "external_gateway_info", "project_id",
          "tenant_id", "availability_zone_hints")
UPDATE = ("name", "description", "admin_state_up", "external_gateway_info")
READ_ONLY = ("id", "status", "created_at", "updated_at", "revision_number", "tags",
             "availability_zones")
COLUMNS = {"id": ("id", "str"), "name": ("name", "str"), "project_id": ("project_id", "str"),
           "admin_state_up": ("admin_state_up", "bool"), "status": ("status", "str"),
           "description": ("description", "str")}
GATEWAY_KEYS = ("network_id", "enable_snat", "external_fixed_ips")
UNSET = object()


def _view(router: dict[str, Any], zones: list[str] | None = None) -> dict[str, Any]:
    return views.router(router, agents.zones(agents.L3_AGENT) if zones is None else zones)


def _gateway_info(value: Any) -> dict[str, Any] | None:
    """``external_gateway_info`` checked: None/{} clears the gateway."""
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise common.invalid("external_gateway_info", value, f"'{value}' is not a dictionary")
    unknown = sorted(set(value) - set(GATEWAY_KEYS))
    if unknown:
        raise common.invalid("external_gateway_info", value, "Validation of dictionary's "
                             f"keys failed. Expected keys: {set(GATEWAY_KEYS)} Provided "
                             f"keys: {set(value)}")
    if "network_id" not in value:
        raise common.invalid("external_gateway_info", value, "Validation of dictionary's "
                             "keys failed. Expected keys: {'network_id'}")
    info: dict[str, Any] = {"network_id": common.to_uuid("network_id", value["network_id"])}
    if "enable_snat" in value:
        info["enable_snat"] = common.to_bool("enable_snat", value["enable_snat"])
    if value.get("external_fixed_ips") is not None:
        info["external_fixed_ips"] = parse_fixed_ips(value["external_fixed_ips"],
                                                     "external_fixed_ips")
    return info


def _authorize_gateway(ctxt: RequestContext, action: str, info: dict[str, Any] | None,
                       owner: str) -> None:
    if info is None:
        return
    common.authorize(ctxt, f"{action}:external_gateway_info:network_id", owner)
    for key in ("enable_snat", "external_fixed_ips"):
        if key in info:
            common.authorize(ctxt, f"{action}:external_gateway_info:{key}", owner)


def _check_overlap(new_subnets: list[dict[str, Any]], others: list[dict[str, Any]]) -> None:
    """Neutron's duplicate-subnet checks of a router: a subnet once, cidrs apart."""
    for subnet in new_subnets:
        for other in others:
            if other["subnet_id"] == subnet["id"]:
                raise common.bad_request("router", "Router already has a port on subnet "
                                         f"{subnet['id']}")
            if ipaddress.ip_network(other["cidr"]).overlaps(
                    ipaddress.ip_network(subnet["cidr"])):
                raise common.bad_request("router", f"Cidr {subnet['cidr']} of subnet "
                                         f"{subnet['id']} overlaps with cidr {other['cidr']} "
                                         f"of subnet {other['subnet_id']}")


def _gateway_subnets(router: dict[str, Any]) -> list[dict[str, Any]]:
    gateway = router.get("external_gateway_info")
    if not gateway:
        return []
    return [{"subnet_id": ip["subnet_id"],
             "cidr": (store.get_subnet(ip["subnet_id"]) or {}).get("cidr", "0.0.0.0/32")}
            for ip in gateway["external_fixed_ips"]]


def _clear_gateway(router: dict[str, Any]) -> None:
    gateway = router.get("external_gateway_info")
    if not gateway:
        return
    if store.floating_ips_of_router(router["id"]):
        raise exc.RouterExternalGatewayInUseByFloatingIp(router_id=router["id"],
                                                         net_id=gateway["network_id"])
    store.update_router(router["id"], {"gw_port_id": None})
    if router["gw_port_id"]:
        store.delete_port(router["gw_port_id"])


def _set_gateway(ctxt: RequestContext, router: dict[str, Any], info: dict[str, Any] | None
                 ) -> dict[str, Any]:
    """Make the router's gateway what ``info`` asks; returns the router as stored."""
    current = router.get("external_gateway_info")
    if info is None:
        _clear_gateway(router)
        return store.get_router(router["id"]) or router
    network = access.load_network(ctxt, info["network_id"])
    if not network["router_external"]:
        raise common.bad_request("router", f"Network {network['id']} is not an external "
                                 "network")
    fixed_ips = info.get("external_fixed_ips")
    subnets = store.list_subnets(None, True, {"network_id": [network["id"]]})
    for request in fixed_ips or ():
        if any(request.get("ip_address") == subnet["gateway_ip"] for subnet in subnets):
            raise common.bad_request("router", f"External IP {request['ip_address']} is the "
                                     "same as the gateway IP")
    snat = info.get("enable_snat", current["enable_snat"] if current else True)
    if current and current["network_id"] == network["id"]:
        if fixed_ips is not None and router["gw_port_id"]:
            store.update_port(router["gw_port_id"], {}, fixed_ips=fixed_ips)
        return store.update_router(router["id"], {"enable_snat": snat}) or router
    _clear_gateway(router)
    _check_overlap(subnets, store.interface_subnets(router["id"]))
    port = store.create_port({"network_id": network["id"], "project_id": "",
                              "device_id": router["id"], "device_owner": store.GATEWAY,
                              "admin_state_up": True, "status": "ACTIVE", "name": ""},
                             fixed_ips=fixed_ips)
    if not port["fixed_ips"]:
        store.delete_port(port["id"])
        raise exc.ExternalIpAddressExhausted(net_id=network["id"])
    updated = store.update_router(router["id"], {"gw_port_id": port["id"],
                                                 "enable_snat": snat})
    if updated is None:  # deleted meanwhile
        store.delete_port(port["id"])
        raise exc.RouterNotFound(router_id=router["id"])
    return updated


def _zone_hints(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(zone, str) for zone in value):
        raise common.invalid("availability_zone_hints", value, f"'{value}' is not a list "
                             "of strings")
    known = set(agents.zones(agents.L3_AGENT)) | {
        agent["availability_zone"] for agent in store.list_agents(
            {"agent_type": [agents.L3_AGENT]}) if agent["availability_zone"]}
    for zone in value:
        if zone not in known:
            raise exc.AvailabilityZoneNotFound(availability_zone=zone)
    return list(dict.fromkeys(value))


@common.neutron_faults
def create(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "router")
    common.check_attributes("router", body, CREATE, READ_ONLY, "POST")
    owner = common.owner_from_body(ctxt, body, "router")
    common.authorize(ctxt, "create_router", owner)
    info = _gateway_info(body.get("external_gateway_info"))
    _authorize_gateway(ctxt, "create_router", info, owner)
    values = {"project_id": owner,
              "name": common.to_str("name", body.get("name") or ""),
              "description": common.to_str("description", body.get("description") or ""),
              "admin_state_up": common.to_bool("admin_state_up",
                                               body.get("admin_state_up", True)),
              "availability_zone_hints": _zone_hints(body.get("availability_zone_hints")
                                                     or [])}
    store.check_quota(owner, "router")
    router = store.create_router(values)
    if info is not None:
        try:
            router = _set_gateway(ctxt, router, info)
        except Exception:
            store.delete_router(router["id"])
            raise
    return common.render_one(request, "router", _view(router), status=201)


@common.neutron_faults
def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_router")
    sql, tags, rest = common.list_filters(request, COLUMNS)
    zones = agents.zones(agents.L3_AGENT)
    routers = store.list_routers(ctxt.project_id, ctxt.is_admin, sql, tags)
    return common.render_list(request, "routers", [_view(r, zones) for r in routers], rest)


@common.neutron_faults
def show(request: wsgi.Request, router_id: str) -> webob.Response:
    ctxt = request.context
    router = access.load_router(ctxt, router_id)
    common.authorize(ctxt, "get_router", router["project_id"])
    return common.render_one(request, "router", _view(router))


@common.neutron_faults
def update(request: wsgi.Request, router_id: str) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "router")
    common.check_attributes("router", body, UPDATE, READ_ONLY + (
        "project_id", "tenant_id", "availability_zone_hints"), "PUT")
    router = access.load_router(ctxt, router_id)
    common.authorize(ctxt, "update_router", router["project_id"])
    values: dict[str, Any] = {}
    for key in ("name", "description"):
        if key in body:
            values[key] = common.to_str(key, body[key] or "")
    if "admin_state_up" in body:
        values["admin_state_up"] = common.to_bool("admin_state_up", body["admin_state_up"])
    if "external_gateway_info" in body:
        info = _gateway_info(body["external_gateway_info"])
        _authorize_gateway(ctxt, "update_router", info, router["project_id"])
        router = _set_gateway(ctxt, router, info)
    updated = store.update_router(router_id, values)
    if updated is None:
        raise exc.RouterNotFound(router_id=router_id)
    return common.render_one(request, "router", _view(updated))


@common.neutron_faults
def delete(request: wsgi.Request, router_id: str) -> webob.Response:
    ctxt = request.context
    router = access.load_router(ctxt, router_id)
    common.authorize(ctxt, "delete_router", router["project_id"])
    if store.list_ports(None, True, {"device_id": [router_id],
                                     "device_owner": [store.INTERFACE]}):
        raise exc.RouterInUse(router_id=router_id)
    _clear_gateway(router)
    if not store.delete_router(router_id):
        raise exc.RouterNotFound(router_id=router_id)
    return wsgi.empty_response()


def _interface_request(request: wsgi.Request, for_removal: bool) -> tuple[str | None,
                                                                          str | None]:
    body = request.json_body_dict()
    port_id, subnet_id = body.get("port_id"), body.get("subnet_id")
    if port_id is None and subnet_id is None:
        raise common.bad_request("router", "Either subnet_id or port_id must be specified")
    for value in (port_id, subnet_id):
        if value is not None and not is_uuid(value):
            raise common.bad_request("router", f"'{value}' is not a valid UUID")
    if not for_removal and port_id is not None and subnet_id is not None:
        raise common.bad_request("router", "Cannot specify both subnet-id and port-id")
    return port_id, subnet_id


def _interface_info(router: dict[str, Any], port: dict[str, Any],
                    subnet_ids: list[str]) -> dict[str, Any]:
    return {"id": router["id"], "tenant_id": port["project_id"],
            "project_id": port["project_id"], "port_id": port["id"],
            "network_id": port["network_id"], "subnet_id": subnet_ids[0],
            "subnet_ids": subnet_ids}


def _add_by_subnet(ctxt: RequestContext, router: dict[str, Any], subnet_id: str
                   ) -> dict[str, Any]:
    subnet = access.load_subnet(ctxt, subnet_id)
    if not subnet["gateway_ip"]:
        raise common.bad_request("router", "Subnet for router interface must have a "
                                 "gateway IP")
    if subnet["ip_version"] == 6 and subnet["ipv6_ra_mode"] is None and \
            subnet["ipv6_address_mode"] is not None:
        raise common.bad_request("router", f"IPv6 subnet {subnet['id']} configured to "
                                 "receive RAs from an external router cannot be added to "
                                 "Neutron Router.")
    _check_overlap([subnet], store.interface_subnets(router["id"])
                   + _gateway_subnets(router))
    return store.create_port({"network_id": subnet["network_id"],
                              "project_id": router["project_id"], "name": "",
                              "device_id": router["id"], "device_owner": store.INTERFACE,
                              "admin_state_up": True, "status": "ACTIVE"},
                             fixed_ips=[{"subnet_id": subnet["id"],
                                         "ip_address": subnet["gateway_ip"]}])


def _add_by_port(ctxt: RequestContext, router: dict[str, Any], port_id: str
                 ) -> dict[str, Any]:
    port = access.load_port(ctxt, port_id)
    if port["device_id"]:
        raise exc.PortInUse(port_id=port["id"], net_id=port["network_id"],
                            device_id=port["device_id"])
    if not port["fixed_ips"]:
        raise common.bad_request("router", "Router port must have at least one fixed IP")
    subnets = [store.get_subnet(ip["subnet_id"]) or {} for ip in port["fixed_ips"]]
    if len([s for s in subnets if s.get("ip_version") == 4]) > 1:
        raise common.bad_request("router", "Cannot have multiple IPv4 subnets on router "
                                 "port")
    _check_overlap(subnets, store.interface_subnets(router["id"]) + _gateway_subnets(router))
    updated = store.update_port(port["id"], {"device_id": router["id"],
                                             "device_owner": store.INTERFACE,
                                             "status": "ACTIVE"})
    if updated is None:
        raise exc.PortNotFound(port_id=port_id)
    return updated


@common.neutron_faults
def add_interface(request: wsgi.Request, router_id: str) -> webob.Response:
    ctxt = request.context
    port_id, subnet_id = _interface_request(request, for_removal=False)
    router = access.load_router(ctxt, router_id)
    common.authorize(ctxt, "add_router_interface", router["project_id"])
    port = (_add_by_port(ctxt, router, port_id) if port_id is not None
            else _add_by_subnet(ctxt, router, str(subnet_id)))
    if store.get_router(router_id) is None:  # deleted meanwhile: undo
        store.delete_port(port["id"])
        raise exc.RouterNotFound(router_id=router_id)
    store.update_router(router_id, {})
    return wsgi.json_response(_interface_info(
        router, port, [ip["subnet_id"] for ip in port["fixed_ips"]]))


def _check_floating_ips(router_id: str, subnets: list[dict[str, Any]]) -> None:
    for fip in store.floating_ips_of_router(router_id):
        for subnet in subnets:
            if fip["fixed_ip_address"] and ipaddress.ip_address(fip["fixed_ip_address"]) in \
                    ipaddress.ip_network(subnet["cidr"]):
                raise exc.RouterInterfaceInUseByFloatingIP(router_id=router_id,
                                                           subnet_id=subnet["id"])


@common.neutron_faults
def remove_interface(request: wsgi.Request, router_id: str) -> webob.Response:
    ctxt = request.context
    port_id, subnet_id = _interface_request(request, for_removal=True)
    router = access.load_router(ctxt, router_id)
    common.authorize(ctxt, "remove_router_interface", router["project_id"])
    interfaces = store.list_ports(None, True, {"device_id": [router_id],
                                               "device_owner": [store.INTERFACE]})
    if port_id is not None:
        port = next((p for p in interfaces if p["id"] == port_id), None)
        if port is None:
            raise exc.RouterInterfaceNotFound(router_id=router_id, port_id=port_id)
        port_subnets = [ip["subnet_id"] for ip in port["fixed_ips"]]
        if subnet_id is not None and subnet_id not in port_subnets:
            raise exc.SubnetMismatchForPort(port_id=port_id, subnet_id=subnet_id)
        removed = port_subnets
    else:
        access.load_subnet(ctxt, str(subnet_id))
        port = next((p for p in interfaces
                     if any(ip["subnet_id"] == subnet_id for ip in p["fixed_ips"])), None)
        if port is None:
            raise exc.RouterInterfaceNotFoundForSubnet(router_id=router_id,
                                                       subnet_id=subnet_id)
        removed = [str(subnet_id)]
    subnets = [s for s in (store.get_subnet(i) for i in removed) if s is not None]
    _check_floating_ips(router_id, subnets)
    remaining = [ip for ip in port["fixed_ips"] if ip["subnet_id"] not in removed]
    if remaining:
        store.update_port(port["id"], {}, fixed_ips=remaining)
    else:
        store.delete_port(port["id"])
    store.update_router(router_id, {})
    return wsgi.json_response(_interface_info(router, port, removed))


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2.0/routers", index),
    wsgi.Route("POST", "/v2.0/routers", create),
    wsgi.Route("GET", "/v2.0/routers/{router_id}", show),
    wsgi.Route("PUT", "/v2.0/routers/{router_id}", update),
    wsgi.Route("DELETE", "/v2.0/routers/{router_id}", delete),
    wsgi.Route("PUT", "/v2.0/routers/{router_id}/add_router_interface", add_interface),
    wsgi.Route("PUT", "/v2.0/routers/{router_id}/remove_router_interface", remove_interface),
)
