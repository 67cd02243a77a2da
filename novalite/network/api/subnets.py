"""Subnets (IPv4 and IPv6): create, list, show, update, delete.

IPv6 subnets take Neutron's ``ipv6_ra_mode`` / ``ipv6_address_mode`` (``slaac``,
``dhcpv6-stateful``, ``dhcpv6-stateless``; fixed at creation, equal when both are
given, a /64 for the automatic modes, DHCP enabled); the data plane's dnsmasq sends the
router advertisements and DHCPv6 answers they call for.
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import wsgi
from novalite.network import exceptions as exc
from novalite.network import ipam, store
from novalite.network.api import access, common, views

CREATE = ("name", "description", "network_id", "cidr", "ip_version", "gateway_ip",
          "enable_dhcp", "allocation_pools", "dns_nameservers", "host_routes",
          "project_id", "tenant_id", "ipv6_ra_mode", "ipv6_address_mode", "subnetpool_id",
          "use_default_subnetpool", "prefixlen")
UPDATE = ("name", "description", "gateway_ip", "enable_dhcp", "allocation_pools",
          "dns_nameservers", "host_routes")
READ_ONLY = ("id", "created_at", "updated_at", "revision_number", "tags")
COLUMNS = {"id": ("id", "str"), "name": ("name", "str"), "project_id": ("project_id", "str"),
           "network_id": ("network_id", "str"), "cidr": ("cidr", "str"),
           "gateway_ip": ("gateway_ip", "str"), "ip_version": ("ip_version", "int"),
           "enable_dhcp": ("enable_dhcp", "bool"), "description": ("description", "str"),
           "ipv6_ra_mode": ("ipv6_ra_mode", "str"),
           "ipv6_address_mode": ("ipv6_address_mode", "str")}
MAX_NAMESERVERS = 5
MAX_HOST_ROUTES = 20  # Neutron's max_subnet_host_routes default


def _invalid(error: ipam.InvalidSubnet) -> exc.NeutronError:
    if isinstance(error, ipam.GatewayInPool):
        return exc.GatewayConflictWithAllocationPools(ip_address=error.gateway,
                                                      pool=error.pool)
    return exc.InvalidInput(error_message=str(error).rstrip("."))


def _nameservers(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise common.invalid("dns_nameservers", value, f"'{value}' is not a list")
    if len(value) > MAX_NAMESERVERS:
        raise common.invalid("dns_nameservers", value,
                             f"at most {MAX_NAMESERVERS} nameservers are allowed")
    try:
        servers = [str(ipam.parse_ip(server, None)) for server in value]
    except ipam.InvalidSubnet as error:
        raise common.invalid("dns_nameservers", value, str(error).rstrip(".")) from None
    if len(set(servers)) != len(servers):
        raise common.invalid("dns_nameservers", value, "Duplicate nameserver")
    return servers


def _host_routes(value: Any, subnet_id: str | None = None, ip_version: int = 4
                 ) -> list[dict[str, str]]:
    """``[{"destination": cidr, "nexthop": ip}]`` checked as Neutron does: the two keys
    exactly, a valid destination (stored normalised) and next hop of the subnet's IP
    version, no duplicates, at most ``MAX_HOST_ROUTES``."""
    if not isinstance(value, list):
        raise common.invalid("host_routes", value, f"Invalid data format for hostroute: "
                                                   f"'{value}'")
    routes: list[dict[str, str]] = []
    for route in value:
        if not isinstance(route, dict) or set(route) != {"destination", "nexthop"}:
            raise common.invalid("host_routes", value, f"Invalid input. '{route}' must be a "
                                 "dictionary with keys: ['destination', 'nexthop']")
        try:
            destination = str(ipam.parse_cidr_any_length(route["destination"], ip_version))
            nexthop = str(ipam.parse_ip(route["nexthop"], ip_version))
        except ipam.InvalidSubnet as error:
            raise common.invalid("host_routes", value, str(error).rstrip(".")) from None
        normalised = {"destination": destination, "nexthop": nexthop}
        if normalised in routes:
            raise common.invalid("host_routes", value, f"Duplicate hostroute '{route}'")
        routes.append(normalised)
    if len(routes) > MAX_HOST_ROUTES:
        raise exc.InvalidInput(error_message=(
            f"Unable to complete operation for {subnet_id or 'the subnet'}. The number of "
            f"host routes exceeds the limit {MAX_HOST_ROUTES}"))
    return routes


def _no_extras(body: dict[str, Any]) -> None:
    """Accept only the empty values of features novalite lacks (subnet pools)."""
    for key in ("subnetpool_id", "prefixlen"):
        if body.get(key) is not None:
            raise common.bad_request("subnet", f"{key} is not supported")
    if body.get("use_default_subnetpool"):
        raise common.bad_request("subnet", "subnet pools are not supported")


def _ipv6_modes(body: dict[str, Any], ip_version: int, cidr: ipam.IPNetwork,
                enable_dhcp: bool) -> tuple[str | None, str | None]:
    """``ipv6_ra_mode`` and ``ipv6_address_mode`` checked as Neutron's _validate_subnet
    and _validate_ipv6_attributes do."""
    modes: dict[str, str | None] = {}
    for key in ("ipv6_ra_mode", "ipv6_address_mode"):
        value = body.get(key)
        if value is not None and value not in ipam.IPV6_MODES:
            raise exc.InvalidInput(error_message=(
                f"Invalid input for {key}. Reason: '{value}' is not in "
                f"{sorted(ipam.IPV6_MODES)}"))
        if value is not None and ip_version == 4:
            raise exc.InvalidInput(error_message=f"{key} is not valid when ip_version is 4")
        modes[key] = value
    ra_mode, address_mode = modes["ipv6_ra_mode"], modes["ipv6_address_mode"]
    if (ra_mode or address_mode) and not enable_dhcp:
        raise exc.InvalidInput(error_message="ipv6_ra_mode or ipv6_address_mode cannot be "
                                             "set when enable_dhcp is set to False")
    if ra_mode and address_mode and ra_mode != address_mode:
        raise exc.InvalidInput(error_message=(
            f"ipv6_ra_mode set to '{ra_mode}' with ipv6_address_mode set to "
            f"'{address_mode}' is not valid. If both attributes are set, they must be the "
            "same value"))
    if (address_mode or ra_mode) in ipam.AUTO_ADDRESS_MODES and cidr.prefixlen != 64:
        raise exc.InvalidInput(error_message=(
            f"Invalid CIDR {cidr} for IPv6 address mode. OpenStack uses the EUI-64 address "
            "format, which requires the prefix to be /64"))
    return ra_mode, address_mode


def _ip_version(body: dict[str, Any]) -> int:
    value = body.get("ip_version", 4)
    if value in (4, "4"):
        return 4
    if value in (6, "6"):
        return 6
    raise common.invalid("ip_version", value, f"'{value}' is not in [4, 6]")


def _matching(field: str, value: str, ip_version: int) -> None:
    try:
        ipam.parse_ip(value, None)
    except ipam.InvalidSubnet:
        return  # the full check below says what is wrong
    if ipam.version_of(value) != ip_version:
        raise exc.InvalidInput(error_message=(
            f"{field} '{value}' does not match the ip_version '{ip_version}'"))


@common.neutron_faults
def create(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "subnet")
    common.check_attributes("subnet", body, CREATE, READ_ONLY, "POST")
    _no_extras(body)
    if "network_id" not in body:
        raise common.bad_request("subnet", "Failed to parse request. Required attribute "
                                           "'network_id' not specified")
    network = access.load_network(ctxt, common.to_uuid("network_id", body["network_id"]))
    common.authorize(ctxt, "create_subnet", network["project_id"])
    owner = common.owner_from_body(ctxt, body, "subnet")
    version = _ip_version(body)
    if "cidr" not in body:
        raise common.bad_request("subnet", "Failed to parse request. Required attribute "
                                           "'cidr' not specified")
    enable_dhcp = common.to_bool("enable_dhcp", body.get("enable_dhcp", True))
    try:
        cidr = ipam.parse_cidr(body["cidr"])
        if cidr.version != version:
            raise ipam.InvalidSubnet(f"cidr '{body['cidr']}' does not match the ip_version "
                                     f"'{version}'")
        if "gateway_ip" in body and body["gateway_ip"] is None:
            gateway = None
        elif "gateway_ip" in body:
            _matching("gateway_ip", body["gateway_ip"], version)
            gateway = ipam.check_gateway(cidr, body["gateway_ip"])
        else:
            gateway = ipam.default_gateway(cidr)
        pools = (ipam.check_pools(cidr, body["allocation_pools"], gateway)
                 if body.get("allocation_pools") else ipam.default_pools(cidr, gateway))
    except ipam.InvalidSubnet as error:
        raise _invalid(error) from None
    ra_mode, address_mode = _ipv6_modes(body, version, cidr, enable_dhcp)
    values = {"network_id": network["id"], "project_id": owner, "cidr": str(cidr),
              "gateway_ip": gateway, "ip_version": version, "allocation_pools": pools,
              "name": common.to_str("name", body.get("name", "")),
              "description": common.to_str("description", body.get("description", "")),
              "enable_dhcp": enable_dhcp,
              "dns_nameservers": _nameservers(body.get("dns_nameservers") or []),
              "host_routes": _host_routes(body.get("host_routes") or [], None, version),
              "ipv6_ra_mode": ra_mode, "ipv6_address_mode": address_mode}
    store.check_quota(owner, "subnet")
    subnet = store.create_subnet(values)
    return common.render_one(request, "subnet", views.subnet(subnet), status=201)


@common.neutron_faults
def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_subnet")
    sql, tags, rest = common.list_filters(request, COLUMNS)
    subnets = store.list_subnets(ctxt.project_id, ctxt.is_admin, sql, tags)
    return common.render_list(request, "subnets", [views.subnet(s) for s in subnets], rest)


@common.neutron_faults
def show(request: wsgi.Request, subnet_id: str) -> webob.Response:
    ctxt = request.context
    subnet = access.load_subnet(ctxt, subnet_id)
    common.authorize(ctxt, "get_subnet", subnet["project_id"])
    return common.render_one(request, "subnet", views.subnet(subnet))


def _load_own(ctxt: Any, subnet_id: str, action: str) -> dict[str, Any]:
    subnet = access.load_subnet(ctxt, subnet_id)
    network = store.get_network(subnet["network_id"])
    owner = network["project_id"] if network else subnet["project_id"]
    if not ctxt.is_admin and ctxt.project_id not in (owner, subnet["project_id"]):
        raise exc.PolicyNotAuthorized(action=f"network:{action}")
    common.authorize(ctxt, action, ctxt.project_id if not ctxt.is_admin else owner)
    return subnet


@common.neutron_faults
def update(request: wsgi.Request, subnet_id: str) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "subnet")
    common.check_attributes("subnet", body, UPDATE, READ_ONLY + tuple(
        key for key in CREATE if key not in UPDATE), "PUT")
    subnet = _load_own(ctxt, subnet_id, "update_subnet")
    version = subnet["ip_version"]
    values: dict[str, Any] = {}
    for key in ("name", "description"):
        if key in body:
            values[key] = common.to_str(key, body[key])
    if "enable_dhcp" in body:
        values["enable_dhcp"] = common.to_bool("enable_dhcp", body["enable_dhcp"])
        if not values["enable_dhcp"] and (subnet["ipv6_ra_mode"]
                                          or subnet["ipv6_address_mode"]):
            raise exc.InvalidInput(error_message="Cannot disable enable_dhcp with ipv6 "
                                                 "attributes set")
    if "dns_nameservers" in body:
        values["dns_nameservers"] = _nameservers(body["dns_nameservers"] or [])
    if "host_routes" in body:
        values["host_routes"] = _host_routes(body["host_routes"] or [], subnet_id, version)
    cidr = ipam.parse_cidr(subnet["cidr"])
    try:
        gateway = subnet["gateway_ip"]
        if "gateway_ip" in body:
            if body["gateway_ip"] is not None:
                _matching("gateway_ip", body["gateway_ip"], version)
            gateway = (None if body["gateway_ip"] is None
                       else ipam.check_gateway(cidr, body["gateway_ip"]))
            values["gateway_ip"] = gateway
        pools = subnet["allocation_pools"]
        if "allocation_pools" in body:
            pools = ipam.check_pools(cidr, body["allocation_pools"], gateway)
            values["allocation_pools"] = pools
        holding = ipam.pool_holding(gateway, pools) if gateway is not None else None
        if gateway is not None and holding is not None:
            raise ipam.GatewayInPool(gateway, holding)
    except ipam.InvalidSubnet as error:
        raise _invalid(error) from None
    updated = store.update_subnet(subnet_id, values)
    if updated is None:
        raise exc.SubnetNotFound(subnet_id=subnet_id)
    return common.render_one(request, "subnet", views.subnet(updated))


@common.neutron_faults
def delete(request: wsgi.Request, subnet_id: str) -> webob.Response:
    ctxt = request.context
    _load_own(ctxt, subnet_id, "delete_subnet")
    if not store.delete_subnet(subnet_id):
        raise exc.SubnetNotFound(subnet_id=subnet_id)
    return wsgi.empty_response()


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2.0/subnets", index),
    wsgi.Route("POST", "/v2.0/subnets", create),
    wsgi.Route("GET", "/v2.0/subnets/{subnet_id}", show),
    wsgi.Route("PUT", "/v2.0/subnets/{subnet_id}", update),
    wsgi.Route("DELETE", "/v2.0/subnets/{subnet_id}", delete),
)
