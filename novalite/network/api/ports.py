"""Ports: create (with IP allocation), list, show, update, delete (releasing addresses).

Besides the core attributes a port has Neutron's ``port_security_enabled`` (default:
its network's; off means no security groups and no address pairs, and the data plane
filters nothing), ``allowed_address_pairs`` (more addresses it may send from) and
``extra_dhcp_opts`` (options its DHCP answers carry; an update merges them by name and
IP version, a null value removes one). A router's or floating IP's own port cannot be
deleted through this API.
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import wsgi
from novalite.common.context import RequestContext
from novalite.common.uuidutils import is_uuid
from novalite.network import exceptions as exc
from novalite.network import ipam, store
from novalite.network.api import access, common, views
from novalite.network.api import tags as tag_api

UPDATE = ("name", "description", "admin_state_up", "mac_address", "fixed_ips", "device_id",
          "device_owner", "security_groups", "binding:host_id", "binding:profile",
          "binding:vnic_type", "port_security_enabled", "allowed_address_pairs",
          "extra_dhcp_opts")
CREATE = (*UPDATE, "network_id", "project_id", "tenant_id", "tags")
READ_ONLY = ("id", "status", "created_at", "updated_at", "binding:vif_type",
             "binding:vif_details", "revision_number")
MAX_ADDRESS_PAIRS = 10  # Neutron's max_allowed_address_pair
SERVICE_OWNERS = (store.INTERFACE, store.GATEWAY, store.FLOATING_IP)
COLUMNS = {"id": ("id", "str"), "name": ("name", "str"), "network_id": ("network_id", "str"),
           "device_id": ("device_id", "str"), "device_owner": ("device_owner", "str"),
           "project_id": ("project_id", "str"), "mac_address": ("mac_address", "str"),
           "status": ("status", "str"), "admin_state_up": ("admin_state_up", "bool"),
           "binding:host_id": ("binding_host_id", "str"),
           "description": ("description", "str")}


def parse_fixed_ips(value: Any, field: str = "fixed_ips") -> list[dict[str, str]]:
    """``[{"subnet_id"?, "ip_address"?}]`` checked (IPv4 or IPv6 addresses)."""
    if not isinstance(value, list):
        raise common.invalid(field, value, f"'{value}' is not a list")
    requests = []
    for entry in value:
        if not isinstance(entry, dict) or not entry or set(entry) - {"subnet_id",
                                                                       "ip_address"}:
            raise common.invalid(field, value, f"'{entry}' is not a valid fixed IP; "
                                 "give subnet_id and/or ip_address")
        request: dict[str, str] = {}
        if "subnet_id" in entry:
            request["subnet_id"] = common.to_uuid(field, entry["subnet_id"])
        if "ip_address" in entry:
            try:
                request["ip_address"] = str(ipam.parse_ip(entry["ip_address"], None))
            except ipam.InvalidSubnet as error:
                raise common.invalid(field, value, str(error).rstrip(".")) from None
        requests.append(request)
    return requests


def _address_pairs(value: Any, mac: str | None) -> list[dict[str, Any]]:
    """``[{"ip_address": ip or cidr, "mac_address"?}]``; the port's MAC by default (None
    while the port has none yet: the store fills it in)."""
    if not isinstance(value, list):
        raise common.bad_request("port", "Allowed address pairs must be a list.")
    if len(value) > MAX_ADDRESS_PAIRS:
        raise exc.AllowedAddressPairExhausted(quota=MAX_ADDRESS_PAIRS)
    pairs: list[dict[str, Any]] = []
    for pair in value:
        if not isinstance(pair, dict) or set(pair) - {"ip_address", "mac_address"}:
            raise common.invalid("allowed_address_pairs", value, f"Unrecognized attribute(s) "
                                 f"'{pair}'")
        if "ip_address" not in pair:
            raise exc.InvalidInput(error_message="AllowedAddressPair must contain "
                                                 "ip_address")
        address = pair["ip_address"]
        try:
            if isinstance(address, str) and "/" in address:
                address = str(ipam.parse_cidr_any_length(
                    address, ipam.version_of(address.split("/")[0])))
            else:
                address = str(ipam.parse_ip(address, None))
        except (ipam.InvalidSubnet, ValueError):
            raise exc.InvalidInput(error_message=f"'{pair['ip_address']}' is not a valid IP "
                                                 "address") from None
        try:
            given = pair.get("mac_address") or mac
            pair_mac = ipam.normalize_mac(given) if given is not None else None
        except ipam.InvalidSubnet as error:
            raise exc.InvalidInput(error_message=str(error)) from None
        entry = {"ip_address": address, "mac_address": pair_mac}
        if entry in pairs:
            raise exc.DuplicateAddressPairInRequest(mac_address=pair_mac, ip_address=address)
        pairs.append(entry)
    return pairs


def _dhcp_opts(value: Any) -> list[dict[str, Any]]:
    """``[{"opt_name", "opt_value", "ip_version"?}]`` checked as Neutron's validator does
    (a null ``opt_value`` is kept: on update it removes the option)."""
    if not isinstance(value, list):
        raise common.invalid("extra_dhcp_opts", value, f"'{value}' is not a list")
    opts: list[dict[str, Any]] = []
    for opt in value:
        if not isinstance(opt, dict) or set(opt) - {"opt_name", "opt_value", "ip_version"}:
            raise common.invalid("extra_dhcp_opts", value, f"'{opt}' is not a valid DHCP "
                                 "option")
        name, option_value = opt.get("opt_name"), opt.get("opt_value")
        if not isinstance(name, str) or not name.strip() or len(name) > 64 or any(
                char in name for char in ",\n\r"):
            raise common.invalid("extra_dhcp_opts", value, f"'{name}' is not a valid "
                                 "option name")
        if option_value is not None and (not isinstance(option_value, str) or not
                                         option_value.strip() or len(option_value) > 255
                                         or any(char in option_value for char in "\n\r")):
            raise common.invalid("extra_dhcp_opts", value, f"'{option_value}' is not a "
                                 "valid option value")
        version = opt.get("ip_version", 4)
        if str(version) not in ("4", "6"):
            raise common.invalid("extra_dhcp_opts", value, f"'{version}' is not a valid IP "
                                 "version")
        opts.append({"opt_name": name, "opt_value": option_value,
                     "ip_version": int(version)})
    return opts


def _merge_dhcp_opts(current: list[dict[str, Any]], changes: list[dict[str, Any]]
                     ) -> list[dict[str, Any]]:
    merged = {(opt["opt_name"], opt["ip_version"]): opt for opt in current}
    for opt in changes:
        key = (opt["opt_name"], opt["ip_version"])
        if opt["opt_value"] is None:
            merged.pop(key, None)
        else:
            merged[key] = opt
    return list(merged.values())


def _security_groups(ctxt: RequestContext, value: Any, owner: str) -> list[str]:
    if not isinstance(value, list):
        raise common.invalid("security_groups", value, f"'{value}' is not a list")
    groups = []
    for group_id in value:
        group = store.get_security_group(group_id) if is_uuid(group_id) else None
        if group is None or (group["project_id"] != owner and not ctxt.is_admin):
            raise exc.SecurityGroupNotFound(id=group_id)
        groups.append(group["id"])
    return groups


def _status(binding_host: str, admin_state_up: bool) -> str:
    """``ACTIVE`` once bound to a host (and administratively up), else ``DOWN``."""
    return "ACTIVE" if binding_host and admin_state_up else "DOWN"


def _common_values(body: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in ("name", "description", "device_id", "device_owner"):
        if key in body:
            values[key] = common.to_str(key, body[key] if body[key] is not None else "")
    if "admin_state_up" in body:
        values["admin_state_up"] = common.to_bool("admin_state_up", body["admin_state_up"])
    if "binding:host_id" in body:
        host = body["binding:host_id"]
        values["binding_host_id"] = common.to_str("binding:host_id", host or "")
    if "binding:profile" in body:
        profile = body["binding:profile"]
        if profile is not None and not isinstance(profile, dict):
            raise common.invalid("binding:profile", profile, f"'{profile}' is not a "
                                 "dictionary")
        values["binding_profile"] = profile or {}
    if body.get("binding:vnic_type", "normal") != "normal":
        raise common.invalid("binding:vnic_type", body["binding:vnic_type"],
                             "only 'normal' is supported")
    if "mac_address" in body:
        try:
            values["mac_address"] = ipam.normalize_mac(body["mac_address"])
        except ipam.InvalidSubnet as error:
            raise common.invalid("mac_address", body["mac_address"], str(error)) from None
    if "port_security_enabled" in body:
        values["port_security_enabled"] = common.to_bool("port_security_enabled",
                                                         body["port_security_enabled"])
    return values


def _authorize_attributes(ctxt: RequestContext, action: str, values: dict[str, Any],
                          fixed_ips: list[dict[str, str]] | None,
                          network: dict[str, Any], owner: str) -> None:
    if fixed_ips and any("ip_address" in request for request in fixed_ips):
        common.authorize(ctxt, f"{action}:fixed_ips:ip_address", network["project_id"])
    if "port_security_enabled" in values:
        common.authorize(ctxt, f"{action}:port_security_enabled", network["project_id"])
    for key, rule in (("mac_address", "mac_address"), ("binding_host_id", "binding:host_id"),
                      ("binding_profile", "binding:profile")):
        if key in values:
            common.authorize(ctxt, f"{action}:{rule}", owner)


@common.neutron_faults
def create(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "port")
    common.check_attributes("port", body, CREATE, READ_ONLY, "POST")
    if "network_id" not in body:
        raise common.bad_request("port", "Failed to parse request. Required attribute "
                                         "'network_id' not specified")
    network = access.load_network(ctxt, common.to_uuid("network_id", body["network_id"]))
    owner = common.owner_from_body(ctxt, body, "port")
    common.authorize(ctxt, "create_port", owner)
    values = _common_values(body)
    fixed_ips = (parse_fixed_ips(body["fixed_ips"]) if body.get("fixed_ips") is not None
                 else None)
    _authorize_attributes(ctxt, "create_port", values, fixed_ips, network, owner)
    secured = values.setdefault("port_security_enabled",
                                network.get("port_security_enabled", True))
    if "security_groups" in body:
        groups = _security_groups(ctxt, body["security_groups"] or [], owner)
        if groups and not secured:
            raise exc.PortSecurityAndIPRequiredForSecurityGroups()
    elif values.get("device_owner", "").startswith("network:") or not secured:
        groups = []
    else:
        groups = [store.ensure_default_security_group(owner)]
    mac = values.pop("mac_address", None)
    if "allowed_address_pairs" in body:
        pairs = _address_pairs(body["allowed_address_pairs"] or [], mac)
        if pairs and not secured:
            raise exc.AddressPairAndPortSecurityRequired()
        values["allowed_address_pairs"] = pairs
    if body.get("extra_dhcp_opts"):
        values["extra_dhcp_opts"] = [opt for opt in _dhcp_opts(body["extra_dhcp_opts"])
                                     if opt["opt_value"] is not None]
    tags = tag_api.validate_tags(body["tags"]) if body.get("tags") is not None else []
    values.setdefault("admin_state_up", True)
    values["status"] = _status(values.get("binding_host_id", ""), values["admin_state_up"])
    store.check_quota(owner, "port")
    port = store.create_port({**values, "network_id": network["id"], "project_id": owner},
                             fixed_ips=fixed_ips, security_groups=groups, mac_address=mac,
                             tags=tags)
    return common.render_one(request, "port", views.port(port), status=201)


def _fixed_ip_filters(values: list[str]) -> list[tuple[str, str]]:
    result = []
    for value in values:
        key, _, wanted = value.partition("=")
        if key not in ("ip_address", "subnet_id") or not wanted:
            raise common.invalid("fixed_ips", value, "filter as fixed_ips=ip_address=X or "
                                 "fixed_ips=subnet_id=Y")
        result.append((key, wanted))
    return result


@common.neutron_faults
def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    common.authorize(ctxt, "get_port")
    filters = common.query_filters(request)
    fixed_ips = _fixed_ip_filters(filters.pop("fixed_ips", []))
    tags = common.pop_tag_filters(filters)
    sql, rest = common.sql_filters(filters, COLUMNS)
    ports = store.list_ports(ctxt.project_id, ctxt.is_admin, sql, fixed_ips, tags)
    return common.render_list(request, "ports", [views.port(p) for p in ports], rest)


@common.neutron_faults
def show(request: wsgi.Request, port_id: str) -> webob.Response:
    ctxt = request.context
    port = access.load_port(ctxt, port_id)
    common.authorize(ctxt, "get_port", port["project_id"])
    return common.render_one(request, "port", views.port(port))


def _load_own(ctxt: RequestContext, port_id: str, action: str) -> dict[str, Any]:
    port = access.load_port(ctxt, port_id)
    if ctxt.is_admin or port["project_id"] == ctxt.project_id:
        common.authorize(ctxt, action, port["project_id"])
    else:  # the owner of the network acts on a port of another project
        common.authorize(ctxt, action, ctxt.project_id)
    return port


@common.neutron_faults
def update(request: wsgi.Request, port_id: str) -> webob.Response:
    ctxt = request.context
    body = common.resource_body(request, "port")
    common.check_attributes("port", body, UPDATE, READ_ONLY + (
        "network_id", "project_id", "tenant_id", "tags"), "PUT")
    port = _load_own(ctxt, port_id, "update_port")
    network = store.get_network(port["network_id"])
    if network is None:
        raise exc.PortNotFound(port_id=port_id)
    values = _common_values(body)
    fixed_ips = parse_fixed_ips(body["fixed_ips"]) if "fixed_ips" in body else None
    changed = {key: value for key, value in values.items() if value != port.get(key)}
    _authorize_attributes(ctxt, "update_port", changed, fixed_ips, network,
                          port["project_id"])
    if "mac_address" in changed and port["binding_host_id"]:
        raise exc.MacAddressInUseByBoundPort(port_id=port_id)
    groups = (_security_groups(ctxt, body["security_groups"] or [], port["project_id"])
              if "security_groups" in body else None)
    secured = values.get("port_security_enabled", port["port_security_enabled"])
    if groups and not secured:
        raise exc.PortSecurityAndIPRequiredForSecurityGroups()
    if "allowed_address_pairs" in body:
        pairs = _address_pairs(body["allowed_address_pairs"] or [],
                               values.get("mac_address", port["mac_address"]))
        if pairs and not secured:
            raise exc.AddressPairAndPortSecurityRequired()
        values["allowed_address_pairs"] = pairs
    if "extra_dhcp_opts" in body:
        values["extra_dhcp_opts"] = _merge_dhcp_opts(port["extra_dhcp_opts"],
                                                     _dhcp_opts(body["extra_dhcp_opts"] or []))
    host = values.get("binding_host_id", port["binding_host_id"])
    values["status"] = _status(host, values.get("admin_state_up", port["admin_state_up"]))
    updated = store.update_port(port_id, values, fixed_ips=fixed_ips, security_groups=groups)
    if updated is None:
        raise exc.PortNotFound(port_id=port_id)
    return common.render_one(request, "port", views.port(updated))


def _service_owner(port: dict[str, Any]) -> bool:
    """Whether the router or floating IP the port belongs to is there."""
    if port["device_owner"] in (store.INTERFACE, store.GATEWAY):
        return store.get_router(port["device_id"]) is not None
    if port["device_owner"] == store.FLOATING_IP:
        return store.get_floatingip(port["device_id"]) is not None
    return False


@common.neutron_faults
def delete(request: wsgi.Request, port_id: str) -> webob.Response:
    ctxt = request.context
    port = _load_own(ctxt, port_id, "delete_port")
    if port["device_owner"] in SERVICE_OWNERS and _service_owner(port):
        raise exc.ServicePortInUse(port_id=port_id,
                                   reason=f"has device owner {port['device_owner']}")
    if not store.delete_port(port_id):
        raise exc.PortNotFound(port_id=port_id)
    return wsgi.empty_response()


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2.0/ports", index),
    wsgi.Route("POST", "/v2.0/ports", create),
    wsgi.Route("GET", "/v2.0/ports/{port_id}", show),
    wsgi.Route("PUT", "/v2.0/ports/{port_id}", update),
    wsgi.Route("DELETE", "/v2.0/ports/{port_id}", delete),
)
