"""JSON views of networks, subnets, ports and security groups, in Neutron v2.0's shapes.

Every resource carries both ``project_id`` and the older ``tenant_id``.
"""

from __future__ import annotations

from typing import Any

from novalite.network.api.common import isotime

VIF_TYPE = "bridge"  # the linuxbridge data plane


def bridge_name(network_id: str) -> str:
    return "brq" + network_id[:11]


def _standard(row: dict[str, Any]) -> dict[str, Any]:
    return {"tenant_id": row["project_id"], "project_id": row["project_id"],
            "description": row.get("description", ""),
            "created_at": isotime(row["created_at"]), "updated_at": isotime(row["updated_at"])}


def network(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "admin_state_up": row["admin_state_up"],
            "status": row["status"], "subnets": list(row["subnets"]), "shared": row["shared"],
            "mtu": row["mtu"], "router:external": row["router_external"], **_standard(row)}


def subnet(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "network_id": row["network_id"],
            "ip_version": row["ip_version"], "cidr": row["cidr"],
            "gateway_ip": row["gateway_ip"], "enable_dhcp": row["enable_dhcp"],
            "allocation_pools": row["allocation_pools"],
            "dns_nameservers": row["dns_nameservers"],
            "host_routes": [dict(route) for route in row.get("host_routes") or []],
            "ipv6_ra_mode": None, "ipv6_address_mode": None, "subnetpool_id": None,
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
            "binding:profile": row["binding_profile"], **_standard(row)}


def security_group_rule(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "security_group_id": row["security_group_id"],
            "direction": row["direction"], "ethertype": row["ethertype"],
            "protocol": row["protocol"], "port_range_min": row["port_range_min"],
            "port_range_max": row["port_range_max"],
            "remote_ip_prefix": row["remote_ip_prefix"],
            "remote_group_id": row["remote_group_id"], **_standard(row)}


def security_group(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"],
            "security_group_rules": [security_group_rule(rule)
                                     for rule in row["security_group_rules"]],
            **_standard(row)}
