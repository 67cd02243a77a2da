"""JSON views of the network service's resources, in Neutron v2.0's shapes.

Every resource carries both ``project_id`` and the older ``tenant_id``, and Neutron's
standard attributes: ``description``, ``created_at``/``updated_at``,
``revision_number`` and (but security group rules) ``tags``.
"""

from __future__ import annotations

from typing import Any

from novalite.network.api.common import isotime

VIF_TYPE = "bridge"  # the linuxbridge data plane


def bridge_name(network_id: str) -> str:
    return "brq" + network_id[:11]


def _standard(row: dict[str, Any], tagged: bool = True) -> dict[str, Any]:
    body = {"tenant_id": row["project_id"], "project_id": row["project_id"],
            "description": row.get("description") or "",
            "created_at": isotime(row["created_at"]), "updated_at": isotime(row["updated_at"]),
            "revision_number": row.get("revision_number") or 0}
    if tagged:
        body["tags"] = list(row.get("tags") or [])
    return body


def network(row: dict[str, Any], zones: list[str] | None = None) -> dict[str, Any]:
    """``zones``: the availability zones the network is served in (its hosts' agents)."""
    return {"id": row["id"], "name": row["name"], "admin_state_up": row["admin_state_up"],
            "status": row["status"], "subnets": list(row["subnets"]), "shared": row["shared"],
            "mtu": row["mtu"], "router:external": row["router_external"],
            "port_security_enabled": row.get("port_security_enabled", True),
            "availability_zone_hints": list(row.get("availability_zone_hints") or []),
            "availability_zones": list(zones or []), **_standard(row)}


def subnet(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "network_id": row["network_id"],
            "ip_version": row["ip_version"], "cidr": row["cidr"],
            "gateway_ip": row["gateway_ip"], "enable_dhcp": row["enable_dhcp"],
            "allocation_pools": row["allocation_pools"],
            "dns_nameservers": row["dns_nameservers"],
            "host_routes": [dict(route) for route in row.get("host_routes") or []],
            "ipv6_ra_mode": row.get("ipv6_ra_mode"),
            "ipv6_address_mode": row.get("ipv6_address_mode"), "subnetpool_id": None,
            **_standard(row)}


def port(row: dict[str, Any]) -> dict[str, Any]:
    bound = bool(row["binding_host_id"])
    details = ({"connectivity": "l2", "port_filter": True,
                "bridge_name": bridge_name(row["network_id"])} if bound else {})
    return {"id": row["id"], "name": row["name"], "network_id": row["network_id"],
            "mac_address": row["mac_address"], "admin_state_up": row["admin_state_up"],
            "status": row["status"], "device_id": row["device_id"],
            "device_owner": row["device_owner"],
            "fixed_ips": [dict(ip) for ip in row["fixed_ips"]],
            "security_groups": list(row["security_groups"]),
            "binding:host_id": row["binding_host_id"],
            "binding:vif_type": VIF_TYPE if bound else "unbound",
            "binding:vif_details": details, "binding:vnic_type": "normal",
            "binding:profile": row["binding_profile"],
            "port_security_enabled": row.get("port_security_enabled", True),
            "allowed_address_pairs": [dict(pair) for pair in
                                      row.get("allowed_address_pairs") or []],
            "extra_dhcp_opts": [dict(opt) for opt in row.get("extra_dhcp_opts") or []],
            **_standard(row)}


def security_group_rule(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "security_group_id": row["security_group_id"],
            "direction": row["direction"], "ethertype": row["ethertype"],
            "protocol": row["protocol"], "port_range_min": row["port_range_min"],
            "port_range_max": row["port_range_max"],
            "remote_ip_prefix": row["remote_ip_prefix"],
            "remote_group_id": row["remote_group_id"], **_standard(row, tagged=False)}


def security_group(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"],
            "security_group_rules": [security_group_rule(rule)
                                     for rule in row["security_group_rules"]],
            **_standard(row)}


def router(row: dict[str, Any], zones: list[str] | None = None) -> dict[str, Any]:
    gateway = row.get("external_gateway_info")
    return {"id": row["id"], "name": row["name"], "admin_state_up": row["admin_state_up"],
            "status": row["status"],
            "external_gateway_info": ({
                "network_id": gateway["network_id"], "enable_snat": gateway["enable_snat"],
                "external_fixed_ips": [dict(ip) for ip in gateway["external_fixed_ips"]]}
                if gateway else None),
            "availability_zone_hints": list(row.get("availability_zone_hints") or []),
            "availability_zones": list(zones or []), **_standard(row)}


def floatingip(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "floating_ip_address": row["floating_ip_address"],
            "floating_network_id": row["floating_network_id"], "router_id": row["router_id"],
            "port_id": row["fixed_port_id"], "fixed_ip_address": row["fixed_ip_address"],
            "status": row["status"],
            "port_details": dict(row["port_details"]) if row.get("port_details") else None,
            **_standard(row)}


def _agent_time(value: Any) -> str | None:
    """Agents' timestamps are ``YYYY-MM-DD HH:MM:SS``, as Neutron shows them."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else None


def agent(row: dict[str, Any], alive: bool) -> dict[str, Any]:
    return {"id": row["id"], "agent_type": row["agent_type"], "binary": row["binary"],
            "topic": row["topic"], "host": row["host"],
            "availability_zone": row["availability_zone"],
            "admin_state_up": row["admin_state_up"], "alive": alive,
            "description": row["description"], "configurations": row["configurations"],
            "resources_synced": row["resources_synced"],
            "created_at": _agent_time(row["created_at"]),
            "started_at": _agent_time(row["started_at"]),
            "heartbeat_timestamp": _agent_time(row["heartbeat_timestamp"])}
