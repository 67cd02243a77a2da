"""The compute API's network actions, done with the user's token on the network
service's ports as Nova's Neutron driver does them: addSecurityGroup and
removeSecurityGroup (the groups of every port of the server) and, up to microversion
2.43, addFloatingIp and removeFloatingIp (Neutron's ``/v2.0/floatingips``, associated
with the port of the fixed address; the info cache shows it as a floating address).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.compute.api_base import APIBase, Instance
from novalite.db import instances
from novalite.network import exceptions as network_exc
from novalite.network.client import NetworkClient


class SecurityGroupNotFound(exception.NotFound):
    msg_fmt = "Security group %(name)s not found for project %(project_id)s."


class SecurityGroupNotAssociated(exception.NotFound):
    msg_fmt = "Security group %(name)s not associated with the instance %(instance)s"


class NoUniqueMatch(exception.Conflict):
    msg_fmt = "Multiple security groups named %(name)s: use its id."


class InstanceHasNoPorts(exception.NotFound):
    msg_fmt = "instance_id %(instance)s could not be found as device id on any ports"


class SecurityGroupCannotBeApplied(exception.Invalid):
    msg_fmt = ("Network requires port_security_enabled and subnet associated in order to "
               "apply security groups.")


class NoFloatingIpSupport(exception.Invalid):
    msg_fmt = ("The network service has no floating IP support (no /v2.0/floatingips): "
               "%(reason)s")


class FloatingIpNotFound(exception.NotFound):
    msg_fmt = "Floating IP not found for address %(address)s."


class FloatingIpNotAssociated(exception.Conflict):
    msg_fmt = "Floating IP %(address)s is not associated with instance %(id)s."


def _fixed_ips(network_info: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(port id, address) of every fixed address of the server, in VIF order."""
    return [(vif["id"], ip["address"]) for vif in network_info
            for subnet in (vif.get("network") or {}).get("subnets", ())
            for ip in subnet.get("ips", ())]


def _with_floating(network_info: list[dict[str, Any]], fixed_address: str | None,
                   floating_address: str) -> list[dict[str, Any]]:
    """The info cache with ``floating_address`` on ``fixed_address`` (None: nowhere)."""
    result = []
    for vif in network_info:
        network = dict(vif.get("network") or {})
        subnets = []
        for subnet in network.get("subnets", ()):
            ips = []
            for ip in subnet.get("ips", ()):
                floating = [f for f in ip.get("floating_ips", ())
                            if f.get("address") != floating_address]
                if ip["address"] == fixed_address:
                    floating.append({"address": floating_address, "type": "floating",
                                     "version": ipaddress.ip_address(floating_address).version})
                ips.append({**ip, "floating_ips": floating})
            subnets.append({**subnet, "ips": ips})
        result.append({**vif, "network": {**network, "subnets": subnets}})
    return result


class NetworkActionsAPI(APIBase):
    # --- security groups ------------------------------------------------------------------

    @staticmethod
    def _group_id(client: NetworkClient, ctxt: RequestContext, name: str) -> str:
        groups = client.list_security_groups(project_id=ctxt.project_id)
        by_id = [group for group in groups if group["id"] == name]
        if by_id:
            return str(by_id[0]["id"])
        by_name = [group for group in groups if group.get("name") == name]
        if not by_name:
            raise SecurityGroupNotFound(name=name, project_id=ctxt.project_id)
        if len(by_name) > 1:
            raise NoUniqueMatch(name=name)
        return str(by_name[0]["id"])

    def add_security_group(self, ctxt: RequestContext, instance: Instance, name: str) -> None:
        client = NetworkClient(ctxt)
        group_id = self._group_id(client, ctxt, name)
        ports = client.list_ports(device_id=instance["uuid"])
        if not ports:
            raise InstanceHasNoPorts(instance=instance["uuid"])
        for port in ports:
            if port.get("port_security_enabled") is False or not port.get("fixed_ips"):
                raise SecurityGroupCannotBeApplied()
        for port in ports:
            groups = list(port.get("security_groups") or ())
            if group_id not in groups:
                client.update_port(port["id"], {"security_groups": [*groups, group_id]})

    def remove_security_group(self, ctxt: RequestContext, instance: Instance, name: str
                              ) -> None:
        client = NetworkClient(ctxt)
        group_id = self._group_id(client, ctxt, name)
        ports = client.list_ports(device_id=instance["uuid"])
        if not ports:
            raise InstanceHasNoPorts(instance=instance["uuid"])
        found = False
        for port in ports:
            groups = list(port.get("security_groups") or ())
            if group_id in groups:
                found = True
                client.update_port(port["id"], {
                    "security_groups": [g for g in groups if g != group_id]})
        if not found:
            raise SecurityGroupNotAssociated(name=name, instance=instance["uuid"])

    # --- floating IPs (to 2.43) ------------------------------------------------------------

    @staticmethod
    def _floating_ip(client: NetworkClient, address: str) -> dict[str, Any]:
        try:
            found = client.list_floatingips(floating_ip_address=address)
        except network_exc.NotFound as error:
            raise NoFloatingIpSupport(reason=error.message) from None
        if not found:
            raise FloatingIpNotFound(address=address)
        return found[0]

    def add_floating_ip(self, ctxt: RequestContext, instance: Instance, address: str,
                        fixed_address: str | None = None) -> None:
        network_info = list(instance.get("network_info") or [])
        if not network_info:
            raise exception.Invalid(message="Instance network is not ready yet")
        fixed = _fixed_ips(network_info)
        if not fixed:
            raise exception.Invalid(message="No fixed IPs associated to instance")
        if fixed_address is not None:
            chosen = [item for item in fixed if item[1] == fixed_address]
            if not chosen:
                raise exception.Invalid(message="Specified fixed address not assigned to "
                                                "instance")
        else:
            chosen = [item for item in fixed
                      if ipaddress.ip_address(item[1]).version == 4]
            if not chosen:
                raise exception.Invalid(
                    message=f"Unable to associate floating IP {address} to any fixed IPs "
                            f"for instance {instance['uuid']}. Instance has no fixed IPv4 "
                            "addresses to associate.")
        port_id, fixed_ip = chosen[0]
        client = NetworkClient(ctxt)
        floating = self._floating_ip(client, address)
        try:
            client.update_floatingip(str(floating["id"]), {"port_id": port_id,
                                                           "fixed_ip_address": fixed_ip})
        except exception.NovaliteException as error:
            if error.code >= 500:
                raise
            raise exception.Invalid(
                message=f"Unable to associate floating IP {address} to fixed IP {fixed_ip} "
                        f"for instance {instance['uuid']}. Error: {error.message}") from None
        instances.update(ctxt, instance["uuid"], {
            "network_info": _with_floating(network_info, fixed_ip, address)})

    def remove_floating_ip(self, ctxt: RequestContext, instance: Instance, address: str
                           ) -> None:
        client = NetworkClient(ctxt)
        floating = self._floating_ip(client, address)
        ports = {vif["id"] for vif in instance.get("network_info") or ()}
        if not floating.get("port_id") or floating["port_id"] not in ports:
            raise FloatingIpNotAssociated(address=address, id=instance["uuid"])
        client.update_floatingip(str(floating["id"]), {"port_id": None})
        instances.update(ctxt, instance["uuid"], {
            "network_info": _with_floating(list(instance.get("network_info") or []), None,
                                           address)})
