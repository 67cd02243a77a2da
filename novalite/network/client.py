"""HTTP client of the network service, used by compute nodes with the caller's token
(boot flow steps 22–24), and ``network_info_for``, which turns a port into Nova's VIF.

The endpoint comes from the token's service catalog (type ``network``, public
interface; unversioned as Neutron registers it, ``/v2.0`` is added here); without a
catalog it falls back to this cloud's own network service address, as the image
client does. Errors come back as the network service's own exceptions
(``PortNotFound``, ``IpAddressGenerationFailure`` ...), chosen by the ``type`` of the
NeutronError body; the rest as ``novalite.common.service_client`` maps them.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import requests

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.common.service_client import ServiceClient, endpoint_from_catalog
from novalite.conf import CONF
from novalite.network import exceptions as exc

# NeutronError types mapped back to exceptions; anything else by status code.
_ERRORS: dict[str, type[exc.NeutronError]] = {
    cls.__name__: cls for cls in (
        exc.NetworkNotFound, exc.SubnetNotFound, exc.PortNotFound, exc.SecurityGroupNotFound,
        exc.IpAddressGenerationFailure, exc.IpAddressAlreadyAllocated, exc.MacAddressInUse,
        exc.InvalidIpForNetwork, exc.InvalidIpForSubnet, exc.NetworkInUse, exc.SubnetInUse,
        exc.PolicyNotAuthorized, exc.InvalidInput)}


def network_endpoint(ctxt: RequestContext) -> str:
    return NetworkClient(ctxt).endpoint


class NetworkClient(ServiceClient):
    service_type = "network"
    service_name = "network service"
    version = "/v2.0"

    def fallback_endpoint(self) -> str | None:
        return f"http://{CONF.public_host}:{CONF.network.bind_port}"

    def map_error(self, response: requests.Response, message: str
                  ) -> exception.NovaliteException | None:
        try:
            fault = response.json().get("NeutronError") or {}
        except (ValueError, AttributeError):
            fault = {}
        cls = _ERRORS.get(fault.get("type", "") if isinstance(fault, dict) else "")
        if cls is not None:
            return cls(message=message)
        if response.status_code == 404:
            return exc.NotFound(message=message)
        return None

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              params: Any = None) -> Any:
        return self._json(self.request(method, path, json=body, params=params))

    # ports
    def create_port(self, network_id: str, device_id: str,
                    security_groups: list[str] | None = None,
                    fixed_ip: str | None = None, **attributes: Any) -> dict[str, Any]:
        port: dict[str, Any] = {"network_id": network_id, "device_id": device_id,
                                "admin_state_up": True, **attributes}
        if security_groups is not None:
            port["security_groups"] = list(security_groups)
        if fixed_ip is not None:
            port["fixed_ips"] = [{"ip_address": fixed_ip}]
        return self._call("POST", "/ports", {"port": port})["port"]

    def update_port(self, port_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("PUT", f"/ports/{_quote(port_id)}", {"port": body})["port"]

    def show_port(self, port_id: str) -> dict[str, Any]:
        return self._call("GET", f"/ports/{_quote(port_id)}")["port"]

    def list_ports(self, **filters: Any) -> list[dict[str, Any]]:
        return self._call("GET", "/ports", params=_params(filters))["ports"]

    def delete_port(self, port_id: str) -> None:
        self._call("DELETE", f"/ports/{_quote(port_id)}")

    # networks and subnets
    def show_network(self, network_id: str) -> dict[str, Any]:
        return self._call("GET", f"/networks/{_quote(network_id)}")["network"]

    def list_networks(self, **filters: Any) -> list[dict[str, Any]]:
        return self._call("GET", "/networks", params=_params(filters))["networks"]

    def show_subnet(self, subnet_id: str) -> dict[str, Any]:
        return self._call("GET", f"/subnets/{_quote(subnet_id)}")["subnet"]

    def list_subnets(self, **filters: Any) -> list[dict[str, Any]]:
        return self._call("GET", "/subnets", params=_params(filters))["subnets"]

    # security groups
    def list_security_groups(self, **filters: Any) -> list[dict[str, Any]]:
        return self._call("GET", "/security-groups",
                          params=_params(filters))["security_groups"]

    def port_security_rules(self, port: dict[str, Any]) -> list[dict[str, Any]]:
        """The rules of the port's security groups, each rule naming a remote group also
        carrying ``remote_ip_prefixes``: the addresses of that group's ports on the port's
        network as of now (the data plane matches sources against them)."""
        group_ids = list(port.get("security_groups") or ())
        if not group_ids:
            return []
        groups = self.list_security_groups(id=group_ids)
        rules = [rule for group in groups for rule in group.get("security_group_rules", ())]
        remote = {rule["remote_group_id"] for rule in rules if rule.get("remote_group_id")}
        members: dict[str, list[str]] = {group_id: [] for group_id in remote}
        if remote:
            for other in self.list_ports(network_id=port["network_id"]):
                for group_id in remote.intersection(other.get("security_groups") or ()):
                    members[group_id].extend(
                        f"{ip['ip_address']}/{128 if ':' in ip['ip_address'] else 32}"
                        for ip in other.get("fixed_ips", ()))
        return [{**rule, "remote_ip_prefixes": members[rule["remote_group_id"]]}
                if rule.get("remote_group_id") else rule for rule in rules]

    # routers
    def list_routers(self, **filters: Any) -> list[dict[str, Any]]:
        return self._call("GET", "/routers", params=_params(filters))["routers"]

    # floating IPs
    def list_floatingips(self, **filters: Any) -> list[dict[str, Any]]:
        """``GET /floatingips``; ``NotFound`` when the service has no such resource."""
        return self._call("GET", "/floatingips", params=_params(filters))["floatingips"]

    def update_floatingip(self, floatingip_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("PUT", f"/floatingips/{_quote(floatingip_id)}",
                          {"floatingip": body})["floatingip"]

    def available(self) -> bool:
        """Whether this cloud has a network service (the catalog names one, or the token
        came without a catalog and this cloud's own answers)."""
        if endpoint_from_catalog(self.ctxt.service_catalog, "network"):
            return True
        if self.ctxt.service_catalog:
            return False
        return super().available()


def _quote(resource_id: str) -> str:
    return urllib.parse.quote(str(resource_id), safe="")


def _params(filters: dict[str, Any]) -> list[tuple[str, str]]:
    """``key=value`` pairs; a list repeats the key (Neutron's OR), booleans in lower case."""
    params = []
    for key, value in filters.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            params.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    return params


# Module-level functions with the context first, the shape compute code calls.
def create_port(ctxt: RequestContext, network_id: str, device_id: str,
                security_groups: list[str] | None = None, fixed_ip: str | None = None
                ) -> dict[str, Any]:
    return NetworkClient(ctxt).create_port(network_id, device_id, security_groups, fixed_ip)


def update_port(ctxt: RequestContext, port_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return NetworkClient(ctxt).update_port(port_id, body)


def show_port(ctxt: RequestContext, port_id: str) -> dict[str, Any]:
    return NetworkClient(ctxt).show_port(port_id)


def list_ports(ctxt: RequestContext, **filters: Any) -> list[dict[str, Any]]:
    return NetworkClient(ctxt).list_ports(**filters)


def delete_port(ctxt: RequestContext, port_id: str) -> None:
    NetworkClient(ctxt).delete_port(port_id)


def show_network(ctxt: RequestContext, network_id: str) -> dict[str, Any]:
    return NetworkClient(ctxt).show_network(network_id)


def list_networks(ctxt: RequestContext, **filters: Any) -> list[dict[str, Any]]:
    return NetworkClient(ctxt).list_networks(**filters)


def show_subnet(ctxt: RequestContext, subnet_id: str) -> dict[str, Any]:
    return NetworkClient(ctxt).show_subnet(subnet_id)


def network_info_for(port: dict[str, Any], network: dict[str, Any],
                     subnets: list[dict[str, Any]]) -> dict[str, Any]:
    """Nova's VIF dict (one entry of an instance's network_info) for a port.

    ``subnets`` are the subnet bodies of the network; only those the port has an
    address on are included, each with the port's addresses on it.
    """
    by_subnet: dict[str, list[str]] = {}
    for fixed_ip in port.get("fixed_ips", []):
        by_subnet.setdefault(fixed_ip["subnet_id"], []).append(fixed_ip["ip_address"])
    vif_subnets = [{
        "id": subnet["id"], "cidr": subnet["cidr"], "gateway": subnet.get("gateway_ip"),
        "dns": list(subnet.get("dns_nameservers") or []),
        "enable_dhcp": bool(subnet.get("enable_dhcp", True)),
        "ips": [{"address": address, "type": "fixed",
                 "version": 6 if ":" in address else 4}
                for address in by_subnet[subnet["id"]]],
        **({"ipv6_address_mode": subnet.get("ipv6_address_mode"),
            "ipv6_ra_mode": subnet.get("ipv6_ra_mode")}
           if subnet.get("ip_version") == 6 else {}),
    } for subnet in subnets if subnet["id"] in by_subnet]
    return {
        "id": port["id"], "address": port["mac_address"], "devname": "tap" + port["id"][:11],
        "type": "bridge", "active": port.get("status") == "ACTIVE",
        "network": {"id": network["id"], "label": network.get("name", ""),
                    "bridge": "brq" + network["id"][:11], "mtu": network.get("mtu"),
                    "subnets": vif_subnets},
    }
