"""The compute side of networking (Nova's ``nova/network/neutron.py``), over the network
service's HTTP API with the user's token (boot flow steps 22–24).

The API process validates what a create asks for (``validate_requested_networks``);
the compute node turns it into ports (``allocate_for_instance``) before the guest is
spawned, and releases them when the instance goes (``deallocate_for_instance``): ports it
made are deleted, ports the user brought (``--port``) are only unbound, as in Nova.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.identity.client import ServiceAuth
from novalite.network import client as network_client
from novalite.network import exceptions as network_exc
from novalite.objects import Instance

LOG = logging.getLogger(__name__)
Request = dict[str, Any]  # {"network_id"?, "port_id"?, "fixed_ip"?}
Vif = dict[str, Any]
DEVICE_OWNER = "compute:nova"


class NetworkNotFound(exception.Invalid):
    msg_fmt = "Network %(network_id)s could not be found."


class PortNotFound(exception.Invalid):
    msg_fmt = "Port %(port_id)s could not be found."


class PortInUse(exception.Conflict):
    msg_fmt = "Port %(port_id)s is still in use."


class MultipleNetworks(exception.Conflict):
    msg_fmt = ("Multiple possible networks found, use a Network ID to be more "
               "specific.")


class SecurityGroupNotFound(exception.Invalid):
    msg_fmt = "Security group %(name)s not found for project %(project_id)s."


def _client(ctxt: RequestContext) -> network_client.NetworkClient:
    return network_client.NetworkClient(ctxt)


def _service_client() -> network_client.NetworkClient | None:
    """The network service as this node's service user (``[neutron]`` credentials; without
    an ``auth_url``, this cloud's own identity), for what only an admin may do: binding a
    port to a host. None when no password is set."""
    if not CONF.neutron.password:
        return None
    return network_client.NetworkClient(service_user=ServiceAuth.for_group("neutron"))


def _bind(port: dict[str, Any], host: str | None) -> dict[str, Any]:
    """Bind ``port`` to ``host`` (it turns ACTIVE), as Nova does after creating it."""
    admin = _service_client() if host else None
    if admin is None:
        return port
    return admin.update_port(port["id"], {"binding:host_id": host})


def validate_requested_networks(ctxt: RequestContext, networks: Any) -> list[Request] | str:
    """What ``networks`` of a create asks for, checked against the network service:
    ``"none"``, or the list of requests (``"auto"`` resolved to the one network the
    project may use, or to none when it has none)."""
    if networks == "none":
        return "none"
    client = _client(ctxt)
    if networks in (None, "auto"):
        if not client.available():
            return "none"
        own = [n for n in client.list_networks(project_id=ctxt.project_id)
               if not n.get("shared")]
        candidates = own or client.list_networks(shared=True)
        if len(candidates) > 1:
            raise MultipleNetworks()
        return [{"network_id": candidates[0]["id"]}] if candidates else "none"
    requests: list[Request] = []
    for network in networks:
        request: Request = {}
        if network.get("port"):
            try:
                port = client.show_port(network["port"])
            except network_exc.NotFound:
                raise PortNotFound(port_id=network["port"]) from None
            if port.get("device_id"):
                raise PortInUse(port_id=network["port"])
            request = {"port_id": port["id"], "network_id": port["network_id"]}
        elif network.get("uuid"):
            try:
                client.show_network(network["uuid"])
            except network_exc.NotFound:
                raise NetworkNotFound(network_id=network["uuid"]) from None
            request = {"network_id": network["uuid"]}
        if network.get("fixed_ip"):
            request["fixed_ip"] = network["fixed_ip"]
        if network.get("tag"):
            request["tag"] = network["tag"]
        if request:
            requests.append(request)
    return requests


def allocate_for_instance(ctxt: RequestContext, instance: Instance,
                          requested: list[Request] | str | None,
                          security_groups: list[str] | None = None,
                          host: str | None = None) -> list[Vif]:
    """Ports for ``instance`` as asked; on any failure the ports made so far are released
    and the error goes on (the build then fails or is rescheduled)."""
    if not requested or isinstance(requested, str):
        return []  # "none" ("auto" was resolved by the API)
    client = _client(ctxt)
    group_ids = _security_group_ids(client, ctxt, security_groups or [])
    vifs: list[Vif] = []
    try:
        for request in requested:
            if request.get("port_id"):
                port = client.update_port(request["port_id"], {
                    "device_id": instance.uuid, "device_owner": DEVICE_OWNER})
                preserve = True
            else:
                port = client.create_port(
                    request["network_id"], instance.uuid, security_groups=group_ids,
                    fixed_ip=request.get("fixed_ip"), device_owner=DEVICE_OWNER,
                    name="")
                preserve = False
            try:
                port = _bind(port, host)
            except Exception:
                if not preserve:
                    client.delete_port(port["id"])
                raise
            vif = _vif(client, port)
            vif["preserve_on_delete"] = preserve
            vifs.append(vif)
    except Exception:
        deallocate_for_instance(ctxt, instance, vifs)
        raise
    return vifs


def _security_group_ids(client: network_client.NetworkClient, ctxt: RequestContext,
                        names: list[str]) -> list[str] | None:
    """Security group names (or ids) → ids; None leaves the port in ``default``."""
    if not names:
        return None
    groups = client.list_security_groups(project_id=ctxt.project_id)
    ids = []
    for name in names:
        match = [g["id"] for g in groups if name in (g["id"], g["name"])]
        if not match:
            raise SecurityGroupNotFound(name=name, project_id=ctxt.project_id)
        ids.append(match[0])
    return ids


def _vif(client: network_client.NetworkClient, port: dict[str, Any],
         with_floating: bool = False) -> Vif:
    network = client.show_network(port["network_id"])
    subnets = [client.show_subnet(fixed["subnet_id"]) for fixed in port.get("fixed_ips", ())]
    vif = network_client.network_info_for(port, network, subnets)
    vif["security_group_rules"] = client.port_security_rules(port)
    if with_floating:
        _add_floating_ips(client, vif)
    return vif


def _add_floating_ips(client: network_client.NetworkClient, vif: Vif) -> None:
    """The floating IPs associated with the port, on the fixed addresses they map to
    (a network service without floating IPs has none)."""
    try:
        found = client.list_floatingips(port_id=vif["id"])
    except exception.NotFound:
        return
    by_fixed: dict[str, list[dict[str, Any]]] = {}
    for fip in found:
        address = str(fip["floating_ip_address"])
        by_fixed.setdefault(str(fip.get("fixed_ip_address")), []).append(
            {"address": address, "type": "floating",
             "version": ipaddress.ip_address(address).version})
    for subnet in (vif.get("network") or {}).get("subnets", ()):
        for ip in subnet.get("ips", ()):
            ip["floating_ips"] = by_fixed.get(ip["address"], [])


def security_group_rules(port_ids: list[str]) -> dict[str, list[dict[str, Any]]] | None:
    """The current rules of each port (as the data plane takes them), read as the
    service user; None when this node has no service credentials."""
    admin = _service_client()
    if admin is None or not port_ids:
        return None
    return {port["id"]: admin.port_security_rules(port)
            for port in admin.list_ports(id=list(port_ids))}


ROUTER_INTERFACE = "network:router_interface"


def _bridge(network_id: str) -> str:
    return "brq" + network_id[:11]   # as network_info_for names a network's bridge


def _ipv4(address: str | None) -> bool:
    return bool(address) and ":" not in str(address)


def l3_state() -> dict[str, Any] | None:
    """The routers and floating IPs as this node's data plane takes them (read as the
    service user, as Neutron's L3 agent gets them): external networks with the routers'
    gateway addresses and the floating IPs on them, each router's IPv4 subnets and its
    gateway, and each associated floating IP's fixed address. None when this node has no
    service credentials. Routers that are administratively down are left out."""
    admin = _service_client()
    if admin is None:
        return None
    routers = [r for r in admin.list_routers() if r.get("admin_state_up", True)]
    interfaces = admin.list_ports(device_owner=ROUTER_INTERFACE) if routers else []
    floating = [f for f in admin.list_floatingips()
                if f.get("port_id") and f.get("router_id") and _ipv4(f.get("fixed_ip_address"))]
    up = {router["id"] for router in routers}
    floating = [f for f in floating if f["router_id"] in up]
    subnet_ids = {ip["subnet_id"] for port in interfaces for ip in port.get("fixed_ips", ())}
    for router in routers:
        gateway = router.get("external_gateway_info") or {}
        subnet_ids.update(ip["subnet_id"] for ip in gateway.get("external_fixed_ips") or ())
    external_ids = {(r.get("external_gateway_info") or {}).get("network_id")
                    for r in routers} | {f["floating_network_id"] for f in floating}
    external_ids.discard(None)
    subnets = {s["id"]: s for s in admin.list_subnets(network_id=sorted(external_ids))} \
        if external_ids else {}
    missing = subnet_ids - set(subnets)
    if missing:
        subnets.update({s["id"]: s for s in admin.list_subnets(id=sorted(missing))})
    externals: dict[str, dict[str, Any]] = {}

    def external(network_id: str) -> dict[str, Any] | None:
        if network_id not in externals:
            subnet = next((s for s in sorted(subnets.values(), key=lambda s: s["id"])
                           if s["network_id"] == network_id and s.get("ip_version") == 4),
                          None)
            if subnet is None:
                return None
            externals[network_id] = {"network_id": network_id, "bridge": _bridge(network_id),
                                     "cidr": subnet["cidr"],
                                     "gateway_ip": subnet.get("gateway_ip"),
                                     "router_ips": [], "floating_ips": []}
        return externals[network_id]

    result_routers = []
    for router in sorted(routers, key=lambda r: r["id"]):
        entry: dict[str, Any] = {"router_id": router["id"], "interfaces": [],
                                 "gateway_bridge": None, "gateway_ip": None,
                                 "enable_snat": True}
        for port in interfaces:
            if port.get("device_id") != router["id"]:
                continue
            for ip in port.get("fixed_ips", ()):
                subnet = subnets.get(ip["subnet_id"])
                if subnet is not None and subnet.get("ip_version") == 4:
                    entry["interfaces"].append({"bridge": _bridge(port["network_id"]),
                                                "cidr": subnet["cidr"]})
        gateway = router.get("external_gateway_info") or {}
        ext = external(gateway["network_id"]) if gateway.get("network_id") else None
        address = next((ip["ip_address"] for ip in gateway.get("external_fixed_ips") or ()
                        if _ipv4(ip.get("ip_address"))), None)
        if ext is not None and address:
            ext["router_ips"].append(address)
            entry.update(gateway_bridge=ext["bridge"], gateway_ip=address,
                         enable_snat=bool(gateway.get("enable_snat", True)))
        result_routers.append(entry)
    result_floating = []
    for fip in sorted(floating, key=lambda f: f["floating_ip_address"]):
        ext = external(fip["floating_network_id"])
        if ext is None:
            continue
        ext["floating_ips"].append(fip["floating_ip_address"])
        result_floating.append({"floating_ip": fip["floating_ip_address"],
                                "fixed_ip": fip["fixed_ip_address"], "bridge": ext["bridge"]})
    return {"externals": [externals[k] for k in sorted(externals)],
            "routers": result_routers, "floating_ips": result_floating}


def deallocate_for_instance(ctxt: RequestContext, instance: Instance,
                            network_info: list[Vif], only: list[str] | None = None) -> None:
    """Delete the ports made for ``instance``, unbind the ones it was given, and (unless
    ``only`` names the ports) sweep any other port still bound to it; nothing here fails
    the caller."""
    requested = instance.requested_networks
    if not network_info and not only and (not requested or requested == "none"):
        return  # it never asked for a port
    client = _client(ctxt)
    preserved = {vif["id"] for vif in network_info if vif.get("preserve_on_delete")}
    ports: list[dict[str, Any]] = [{"id": port_id} for port_id in only or ()]
    if only is None:
        try:
            ports = client.list_ports(device_id=instance.uuid)
        except Exception:
            LOG.exception("cannot list the ports of %s", instance.uuid)
            ports = [{"id": vif["id"]} for vif in network_info]
    for port in ports:
        try:
            if port["id"] in preserved:
                client.update_port(port["id"], {"device_id": "", "device_owner": ""})
                admin = _service_client()
                if admin is not None:
                    admin.update_port(port["id"], {"binding:host_id": ""})
            else:
                client.delete_port(port["id"])
        except network_exc.NotFound:
            pass
        except Exception:
            LOG.exception("release of port %s of %s failed", port["id"], instance.uuid)


def bind_ports(ctxt: RequestContext, network_info: list[Vif], host: str) -> list[Vif]:
    """Bind the instance's ports to ``host`` (it moved there, or comes back from being
    shelved); the VIFs, active where the binding took."""
    admin = _service_client()
    if admin is None:
        return list(network_info)
    bound = []
    for vif in network_info:
        try:
            port = admin.update_port(vif["id"], {"binding:host_id": host})
        except network_exc.NotFound:
            LOG.warning("port %s is gone; it is not bound to %s", vif["id"], host)
            continue
        bound.append({**vif, "active": port.get("status") == "ACTIVE"})
    return bound


def unbind_ports(ctxt: RequestContext, network_info: list[Vif]) -> None:
    """Unbind the instance's ports from their host (the instance left it, keeping its
    ports and addresses: a shelve offload)."""
    admin = _service_client()
    if admin is None:
        return
    for vif in network_info:
        try:
            admin.update_port(vif["id"], {"binding:host_id": ""})
        except network_exc.NotFound:
            pass


def refresh_network_info(ctxt: RequestContext, instance: Instance) -> list[Vif]:
    """The instance's VIFs read again from its ports (addresses, floating IPs and rules
    as the network service has them now), in the order the instance had them."""
    client = _client(ctxt)
    ports = {port["id"]: port for port in client.list_ports(device_id=instance.uuid)}
    order = [vif["id"] for vif in instance.network_info]
    ids = order + sorted(set(ports) - set(order))
    refreshed = []
    previous = {vif["id"]: vif for vif in instance.network_info}
    for port_id in ids:
        if port_id not in ports:
            continue
        vif = _vif(client, ports[port_id], with_floating=True)
        vif["preserve_on_delete"] = bool(previous.get(port_id, {}).get("preserve_on_delete"))
        refreshed.append(vif)
    return refreshed


def security_groups_by_server(ctxt: RequestContext, instances: list[dict[str, Any]]
                              ) -> dict[str, list[dict[str, str]]]:
    """``{server uuid: [{"name"}]}`` from the groups of the servers' ports, each group once
    (by id when it has no name), as Nova's server views show them; servers without
    ports are left out (Nova omits the key), and so is everything when the network
    service cannot answer."""
    server_ids = [instance["uuid"] for instance in instances if instance.get("network_info")]
    if not server_ids:
        return {}
    client = _client(ctxt)
    try:
        ports = client.list_ports(device_id=server_ids)
        group_ids = sorted({group for port in ports for group in port.get("security_groups")
                            or ()})
        groups = {group["id"]: group for group in client.list_security_groups(id=group_ids)
                  } if group_ids else {}
    except exception.NovaliteException as error:
        LOG.warning("Could not read the servers' security groups: %s", error)
        return {}
    result: dict[str, list[dict[str, str]]] = {}
    for port in ports:
        for group_id in port.get("security_groups") or ():
            if group_id in groups:  # a group the caller may not see is left out, as in Nova
                entry = {"name": groups[group_id].get("name") or group_id}
                listed = result.setdefault(port["device_id"], [])
                if entry not in listed:
                    listed.append(entry)
    return result


def addresses(network_info: list[Vif]) -> dict[str, list[dict[str, Any]]]:
    """The ``addresses`` of a server view, as Nova builds it from the info cache."""
    result: dict[str, list[dict[str, Any]]] = {}
    for vif in network_info or ():
        network = vif.get("network") or {}
        entries = result.setdefault(network.get("label") or network.get("id", ""), [])
        for subnet in network.get("subnets", ()):
            for ip in subnet.get("ips", ()):
                entries.append({"version": ip.get("version", 4), "addr": ip["address"],
                                "OS-EXT-IPS:type": ip.get("type", "fixed"),
                                "OS-EXT-IPS-MAC:mac_addr": vif.get("address")})
                for floating in ip.get("floating_ips", ()):
                    entries.append({"version": floating.get("version", 4),
                                    "addr": floating["address"],
                                    "OS-EXT-IPS:type": "floating",
                                    "OS-EXT-IPS-MAC:mac_addr": vif.get("address")})
    return result
