"""The deprecated network proxies older clients still call below 2.36, read from and
written to the network service with the caller's token (so its rules decide):
``/os-networks`` and ``/os-tenant-networks`` (list, show; creating and deleting answer
410 as in Nova without nova-network), ``/os-security-groups`` with
``/os-security-group-rules`` (Nova's format: ingress rules, ``ip_range``/``group``),
``/os-floating-ips`` and ``/os-floating-ip-pools``. All are a 404 from 2.36."""

from __future__ import annotations

import ipaddress
import urllib.parse
from typing import Any

import webob

from novalite.api.compute import common, faults
from novalite.api.compute import schemas as validation
from novalite.api.compute.server_info import rule_view
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.network.client import NetworkClient

MAX = "2.35"
GONE = "This resource is no longer available. No forwarding address is given."
_NETWORK_FIELDS = ("cidr", "netmask", "gateway", "broadcast", "dns1", "dns2", "cidr_v6",
                   "gateway_v6", "netmask_v6")
_NETWORK_ADMIN_FIELDS = (
    "created_at", "updated_at", "deleted_at", "deleted", "injected", "bridge", "vlan",
    "vpn_public_address", "vpn_public_port", "vpn_private_address", "dhcp_start",
    "project_id", "host", "bridge_interface", "multi_host", "priority", "rxtx_base", "mtu",
    "dhcp_server", "enable_dhcp", "share_address")


def _q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _begin(request: Request, rule: str) -> NetworkClient:
    common.require_version(request, maximum=MAX)
    policy.authorize(request.context, rule, {"project_id": request.context.project_id})
    return NetworkClient(request.context)


def _gone(request: Request, **params: str) -> webob.Response:
    common.require_version(request, maximum=MAX)
    request.context  # noqa: B018 - a token is still needed
    return wsgi.fault_response(faults.fault_body, 410, GONE)


def _one(found: list[dict[str, Any]], message: str) -> dict[str, Any]:
    if not found:
        raise exception.NotFound(message=message)
    return found[0]


# --- networks ----------------------------------------------------------------------------

def _network_view(request: Request, network: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {"id": network["id"], "label": network.get("name") or ""}
    shown.update(dict.fromkeys(_NETWORK_FIELDS))
    if request.context.is_admin:  # Nova's admin fields (nova-network's, none here)
        shown.update(dict.fromkeys(_NETWORK_ADMIN_FIELDS))
        shown["mtu"] = network.get("mtu")
        shown["project_id"] = network.get("project_id")
    return shown


def networks_index(request: Request) -> webob.Response:
    client = _begin(request, "os_compute_api:os-networks:list")
    return wsgi.json_response({"networks": [_network_view(request, n)
                                            for n in client.list_networks()]})


def networks_show(request: Request, network_id: str) -> webob.Response:
    client = _begin(request, "os_compute_api:os-networks:show")
    network = _one(client.list_networks(id=network_id), "Network could not be found.")
    return wsgi.json_response({"network": _network_view(request, network)})


def _tenant_network_view(client: NetworkClient, network: dict[str, Any]) -> dict[str, Any]:
    subnets = client.list_subnets(network_id=network["id"]) if network.get("subnets") else []
    return {"id": network["id"], "label": network.get("name") or "",
            "cidr": subnets[0]["cidr"] if subnets else None}


def tenant_networks_index(request: Request) -> webob.Response:
    client = _begin(request, "os_compute_api:os-tenant-networks:list")
    return wsgi.json_response({"networks": [_tenant_network_view(client, n)
                                            for n in client.list_networks()]})


def tenant_networks_show(request: Request, network_id: str) -> webob.Response:
    client = _begin(request, "os_compute_api:os-tenant-networks:show")
    network = _one(client.list_networks(id=network_id), "Network could not be found.")
    return wsgi.json_response({"network": _tenant_network_view(client, network)})


# --- security groups ---------------------------------------------------------------------

def _group_view(group: dict[str, Any], groups: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"id": group["id"], "name": group.get("name") or "",
            "description": group.get("description") or "",
            "tenant_id": group.get("project_id") or "",
            "rules": [rule_view(rule, groups) for rule in group.get("security_group_rules")
                      or () if rule.get("direction") == "ingress"]}


def _group(client: NetworkClient, group_id: str) -> dict[str, Any]:
    return _one(client.list_security_groups(id=group_id),
                f"Security group {group_id} not found.")


_GROUP_BODY = {"type": "object", "required": ["security_group"], "properties": {
    "security_group": {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": {"type": "string", "maxLength": 255}},
        "additionalProperties": False}}, "additionalProperties": False}
_PORT = {"type": ["integer", "string", "null"]}
_RULE_BODY = {"type": "object", "required": ["security_group_rule"], "properties": {
    "security_group_rule": {"type": "object", "required": ["parent_group_id"], "properties": {
        "parent_group_id": {"type": "string", "maxLength": 255},
        "ip_protocol": {"type": ["string", "null"], "maxLength": 255},
        "from_port": _PORT, "to_port": _PORT,
        "cidr": {"type": ["string", "null"], "maxLength": 255},
        "group_id": {"type": ["string", "null"], "maxLength": 255}},
        "additionalProperties": False}}, "additionalProperties": False}


def groups_index(request: Request) -> webob.Response:
    client = _begin(request, "os_compute_api:os-security-groups:get")
    filters: dict[str, Any] = {}
    if not (common.parse_bool(request.GET.get("all_tenants", "0"), "all_tenants")
            and request.context.is_admin):
        filters["project_id"] = request.context.project_id
    groups = client.list_security_groups(**filters)
    by_id = {group["id"]: group for group in groups}
    return wsgi.json_response({"security_groups": [_group_view(g, by_id) for g in groups]})


def groups_show(request: Request, group_id: str) -> webob.Response:
    client = _begin(request, "os_compute_api:os-security-groups:show")
    group = _group(client, group_id)
    return wsgi.json_response({"security_group": _group_view(group, {group["id"]: group})})


def groups_create(request: Request) -> webob.Response:
    body = common.body_of(request)
    validation.validate(_GROUP_BODY, body)
    client = _begin(request, "os_compute_api:os-security-groups:create")
    given = body["security_group"]
    group = client._call("POST", "/security-groups", {"security_group": {
        "name": given["name"], "description": given.get("description", "")}})[
            "security_group"]
    return wsgi.json_response({"security_group": _group_view(group, {group["id"]: group})})


def groups_update(request: Request, group_id: str) -> webob.Response:
    body = common.body_of(request)
    validation.validate(_GROUP_BODY, body)
    client = _begin(request, "os_compute_api:os-security-groups:update")
    _group(client, group_id)
    given = body["security_group"]
    group = client._call("PUT", f"/security-groups/{_q(group_id)}", {"security_group": {
        "name": given["name"], "description": given.get("description", "")}})[
            "security_group"]
    return wsgi.json_response({"security_group": _group_view(group, {group["id"]: group})})


def groups_delete(request: Request, group_id: str) -> webob.Response:
    client = _begin(request, "os_compute_api:os-security-groups:delete")
    _group(client, group_id)
    try:
        client._call("DELETE", f"/security-groups/{_q(group_id)}")
    except exception.Conflict as error:
        raise exception.Invalid(message=str(error)) from None
    return wsgi.empty_response(202)


def _port(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise exception.Invalid(message=f"Invalid port {name}: {value}") from None
    if not -1 <= number <= 65535:
        raise exception.Invalid(message=f"Invalid port range {value}")
    return number


def rules_create(request: Request) -> webob.Response:
    body = common.body_of(request)
    validation.validate(_RULE_BODY, body)
    client = _begin(request, "os_compute_api:os-security-groups:rule:create")
    given = body["security_group_rule"]
    parent = _group(client, given["parent_group_id"])
    protocol = (given.get("ip_protocol") or "").lower() or None
    if protocol not in (None, "tcp", "udp", "icmp"):
        raise exception.Invalid(message=f"Invalid IP protocol {given['ip_protocol']}.")
    low, high = _port(given.get("from_port"), "from_port"), _port(given.get("to_port"),
                                                                   "to_port")
    if protocol in ("tcp", "udp") and (low is None or high is None or low < 1 or low > high):
        raise exception.Invalid(message="Invalid port range: from_port must be between 1 "
                                        "and to_port.")
    if protocol == "icmp":  # -1: any type or code
        low, high = (None if low == -1 else low), (None if high == -1 else high)
    rule: dict[str, Any] = {"security_group_id": parent["id"], "direction": "ingress",
                            "protocol": protocol, "port_range_min": low,
                            "port_range_max": high}
    if given.get("group_id"):
        _group(client, given["group_id"])
        rule.update(remote_group_id=given["group_id"], ethertype="IPv4")
    else:
        cidr = given.get("cidr") or "0.0.0.0/0"
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise exception.Invalid(message=f"Invalid CIDR {cidr}.") from None
        rule.update(remote_ip_prefix=str(network),
                    ethertype="IPv6" if network.version == 6 else "IPv4")
    try:
        created = client._call("POST", "/security-group-rules",
                               {"security_group_rule": rule})["security_group_rule"]
    except exception.Conflict:
        raise exception.Invalid(message="This rule already exists in group "
                                        f"{parent['id']}") from None
    groups = {parent["id"]: parent}
    if given.get("group_id"):
        groups[given["group_id"]] = _group(client, given["group_id"])
    return wsgi.json_response({"security_group_rule": rule_view(created, groups)})


def rules_delete(request: Request, rule_id: str) -> webob.Response:
    client = _begin(request, "os_compute_api:os-security-groups:rule:delete")
    try:
        client._call("DELETE", f"/security-group-rules/{_q(rule_id)}")
    except exception.NotFound:
        raise exception.NotFound(message=f"Security group rule {rule_id} could not be "
                                         "found.") from None
    return wsgi.empty_response(202)


# --- floating IPs ------------------------------------------------------------------------

def _fip_view(client: NetworkClient, fip: dict[str, Any],
              names: dict[str, str]) -> dict[str, Any]:
    instance_id = None
    if fip.get("port_id"):
        port = client.list_ports(id=fip["port_id"])
        instance_id = port[0].get("device_id") or None if port else None
    return {"id": fip["id"], "ip": fip["floating_ip_address"],
            "fixed_ip": fip.get("fixed_ip_address"), "instance_id": instance_id,
            "pool": names.get(fip["floating_network_id"])}


def _pool_names(client: NetworkClient) -> dict[str, str]:
    return {n["id"]: n.get("name") or n["id"]
            for n in client.list_networks(**{"router:external": True})}


def _fip(client: NetworkClient, fip_id: str) -> dict[str, Any]:
    return _one(client.list_floatingips(id=fip_id),
                f"Floating IP not found for ID {fip_id}")


def fips_index(request: Request) -> webob.Response:
    client = _begin(request, "os_compute_api:os-floating-ips:list")
    names = _pool_names(client)
    found = client.list_floatingips(project_id=request.context.project_id)
    return wsgi.json_response({"floating_ips": [_fip_view(client, f, names) for f in found]})


def fips_show(request: Request, fip_id: str) -> webob.Response:
    client = _begin(request, "os_compute_api:os-floating-ips:show")
    return wsgi.json_response({"floating_ip": _fip_view(client, _fip(client, fip_id),
                                                        _pool_names(client))})


def fips_create(request: Request) -> webob.Response:
    body = request.json_body_dict() if request.body else {}
    validation.validate({"type": ["object", "null"], "properties": {
        "pool": {"type": ["string", "null"], "maxLength": 255}}}, body)
    client = _begin(request, "os_compute_api:os-floating-ips:create")
    names = _pool_names(client)
    pool = (body or {}).get("pool")
    if pool:
        network_id = next((i for i, name in names.items() if pool in (name, i)), None)
    else:
        network_id = next(iter(names), None)
    if network_id is None:
        raise exception.NotFound(message=f"Floating IP pool not found: {pool}" if pool
                                 else "No more floating IPs available.")
    fip = client._call("POST", "/floatingips", {"floatingip": {
        "floating_network_id": network_id}})["floatingip"]
    return wsgi.json_response({"floating_ip": _fip_view(client, fip, names)})


def fips_delete(request: Request, fip_id: str) -> webob.Response:
    client = _begin(request, "os_compute_api:os-floating-ips:delete")
    _fip(client, fip_id)
    client._call("DELETE", f"/floatingips/{_q(fip_id)}")
    return wsgi.empty_response(202)


def pools_index(request: Request) -> webob.Response:
    client = _begin(request, "os_compute_api:os-floating-ip-pools")
    return wsgi.json_response({"floating_ip_pools": [
        {"name": name} for name in _pool_names(client).values()]})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-networks", networks_index),
    wsgi.Route("GET", "/os-networks/{network_id}", networks_show),
    wsgi.Route("POST", "/os-networks", _gone),
    wsgi.Route("DELETE", "/os-networks/{network_id}", _gone),
    wsgi.Route("GET", "/os-tenant-networks", tenant_networks_index),
    wsgi.Route("GET", "/os-tenant-networks/{network_id}", tenant_networks_show),
    wsgi.Route("POST", "/os-tenant-networks", _gone),
    wsgi.Route("DELETE", "/os-tenant-networks/{network_id}", _gone),
    wsgi.Route("GET", "/os-security-groups", groups_index),
    wsgi.Route("POST", "/os-security-groups", groups_create),
    wsgi.Route("GET", "/os-security-groups/{group_id}", groups_show),
    wsgi.Route("PUT", "/os-security-groups/{group_id}", groups_update),
    wsgi.Route("DELETE", "/os-security-groups/{group_id}", groups_delete),
    wsgi.Route("POST", "/os-security-group-rules", rules_create),
    wsgi.Route("DELETE", "/os-security-group-rules/{rule_id}", rules_delete),
    wsgi.Route("GET", "/os-floating-ips", fips_index),
    wsgi.Route("POST", "/os-floating-ips", fips_create),
    wsgi.Route("GET", "/os-floating-ips/{fip_id}", fips_show),
    wsgi.Route("DELETE", "/os-floating-ips/{fip_id}", fips_delete),
    wsgi.Route("GET", "/os-floating-ip-pools", pools_index),
)
