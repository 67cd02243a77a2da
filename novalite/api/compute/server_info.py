"""What a server has, read through sub-resources: ``/servers/{id}/ips`` (and by network
label: addresses with ``version`` and ``addr`` only, as Nova's ips view),
``/servers/{id}/os-security-groups`` (its ports' groups in Nova's format, ingress
rules; gone from 2.36), ``/servers/{id}/topology`` (2.78) and
``/servers/{id}/os-server-password`` (the encrypted password the guest posted to the
metadata service; DELETE clears it)."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute.servers import get_instance
from novalite.common import exception, metadata_tree, wsgi
from novalite.common.wsgi import Request
from novalite.compute import network
from novalite.db import instances
from novalite.network.client import NetworkClient


def _addresses(instance: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {label: [{"version": entry["version"], "addr": entry["addr"]} for entry in entries]
            for label, entries in network.addresses(instance.get("network_info") or []).items()}


def ips_index(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, "os_compute_api:ips:index")
    return wsgi.json_response({"addresses": _addresses(instance)})


def ips_show(request: Request, server_id: str, network_label: str) -> webob.Response:
    instance = get_instance(request, server_id, "os_compute_api:ips:show")
    addresses = _addresses(instance)
    if network_label not in addresses:
        raise exception.NotFound(message="Instance is not a member of specified network")
    return wsgi.json_response({network_label: addresses[network_label]})


def rule_view(rule: dict[str, Any], groups: dict[str, dict[str, Any]]) -> dict[str, Any]:
    protocol = rule.get("protocol")
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if protocol and low is None and high is None:
        low, high = (1, 65535) if str(protocol).upper() in ("TCP", "UDP") else (-1, -1)
    shown: dict[str, Any] = {"id": rule["id"], "parent_group_id": rule["security_group_id"],
                             "ip_protocol": protocol, "from_port": low, "to_port": high,
                             "group": {}, "ip_range": {}}
    remote = rule.get("remote_group_id")
    if remote:
        group = groups.get(remote, {})
        shown["group"] = {"name": group.get("name"), "tenant_id": group.get("project_id")}
    else:
        default = "::/0" if rule.get("ethertype") == "IPv6" else "0.0.0.0/0"
        shown["ip_range"] = {"cidr": rule.get("remote_ip_prefix") or default}
    return shown


def security_groups_index(request: Request, server_id: str) -> webob.Response:
    common.require_version(request, maximum="2.35")
    instance = get_instance(request, server_id, "os_compute_api:os-security-groups:list")
    client = NetworkClient(request.context)
    ports = client.list_ports(device_id=instance["uuid"])
    group_ids = sorted({group for port in ports for group in port.get("security_groups") or ()})
    found = client.list_security_groups(id=group_ids) if group_ids else []
    by_id = {group["id"]: group for group in found}
    body = [{"id": group["id"], "name": group.get("name"),
             "description": group.get("description"), "tenant_id": group.get("project_id"),
             "rules": [rule_view(rule, by_id) for rule in group.get("security_group_rules") or ()
                       if rule.get("direction") == "ingress"]}
            for group in found]
    return wsgi.json_response({"security_groups": body})


def topology(request: Request, server_id: str) -> webob.Response:
    """2.78: the guest's NUMA topology; novalite's guests have none (no ``hw:numa_*``
    placement), which Nova shows as no nodes."""
    common.require_version(request, "2.78")
    get_instance(request, server_id, "os_compute_api:servers:topology:index")
    return wsgi.json_response({"nodes": [], "pagesize_kb": None})


def password_index(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, "os_compute_api:os-server-password:show")
    password = metadata_tree.extract_password(instance.get("system_metadata") or {})
    return wsgi.json_response({"password": password or ""})


def password_clear(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, "os_compute_api:os-server-password:clear")
    system_metadata = dict(instance.get("system_metadata") or {})
    system_metadata.update(metadata_tree.convert_password(""))
    instances.update(request.context, instance["uuid"], {"system_metadata": system_metadata})
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/servers/{server_id}/ips", ips_index),
    wsgi.Route("GET", "/servers/{server_id}/ips/{network_label}", ips_show),
    wsgi.Route("GET", "/servers/{server_id}/os-security-groups", security_groups_index),
    wsgi.Route("GET", "/servers/{server_id}/topology", topology),
    wsgi.Route("GET", "/servers/{server_id}/os-server-password", password_index),
    wsgi.Route("DELETE", "/servers/{server_id}/os-server-password", password_clear),
)
