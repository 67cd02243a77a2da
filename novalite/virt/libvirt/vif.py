"""Host-side plumbing of a guest's network interfaces (the nova-network FlatDHCP model).

Every network's bridge, its dnsmasq and the metadata proxy live in one network
namespace (``[network] namespace``), so the host's own network is never touched. A
guest NIC is a plain tap (libvirt ``type='ethernet'``) that QEMU opens in the root
namespace; once the domain runs, ``plug`` moves it into the namespace, onto its
network's bridge, gives the port its static DHCP lease and its security group rules.
After a hard reboot, a start or a resume QEMU opens a new tap and ``plug`` runs again.

The ports plugged on this host are kept in ``ports.json`` under the state directory:
they give dnsmasq its leases and the metadata proxy the instance behind a source IP,
and survive a restart of the compute service.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from novalite.conf import CONF
from novalite.virt.driver import VIF, Instance, NetworkInfo
from novalite.virt.libvirt.config import GuestInterface

if TYPE_CHECKING:
    from novalite.network.linux import DataPlane

LOG = logging.getLogger(__name__)


class PortRecord(TypedDict):
    """One port plugged on this host, as ``ports.json`` keeps it (by port id)."""

    network_id: str
    mac: str
    ip: str
    hostname: str
    instance_uuid: str
    project_id: str
    tap: str
    #: of the security group rules last applied to the port (set by ``update_rules``)
    rules_digest: NotRequired[str]
    #: the port's IPv6 addresses
    ip6: NotRequired[list[str]]


def _fixed_ip(vif: VIF) -> tuple[dict[str, Any], str] | None:
    """The VIF's first IPv4 subnet and address."""
    for subnet in (vif.get("network") or {}).get("subnets", ()):
        for ip in subnet.get("ips", ()):
            if ip.get("version", 4) == 4:
                return subnet, ip["address"]
    return None


def _ipv6(vif: VIF) -> tuple[dict[str, Any], list[str]] | None:
    """The VIF's first IPv6 subnet with a gateway, and the port's addresses on it."""
    for subnet in (vif.get("network") or {}).get("subnets", ()):
        addresses = [ip["address"] for ip in subnet.get("ips", ()) if ip.get("version") == 6]
        if addresses and subnet.get("gateway"):
            return subnet, addresses
    return None


def _ipv6_mode(subnet: dict[str, Any]) -> str | None:
    """How dnsmasq serves the subnet: its RA mode, else its address mode; neither is
    Neutron's DHCPv6-stateful when DHCP is on."""
    mode = subnet.get("ipv6_ra_mode") or subnet.get("ipv6_address_mode")
    if mode:
        return str(mode)
    return "dhcpv6-stateful" if subnet.get("enable_dhcp", True) else None


_planes: dict[tuple[str, str], DataPlane] = {}
_planes_lock = threading.Lock()


def _data_plane(namespace: str, state_dir: str) -> DataPlane:
    """One data plane per namespace in a process: its metadata proxy owns
    169.254.169.254:80 there, however many compute nodes the process runs."""
    from novalite.network.linux import DataPlane

    with _planes_lock:
        key = (namespace, os.path.abspath(state_dir))
        if key not in _planes:
            os.makedirs(state_dir, exist_ok=True)
            _planes[key] = DataPlane(namespace, state_dir)
        return _planes[key]


class VifDriver:
    def __init__(self, state_dir: str | None = None, namespace: str | None = None) -> None:
        self.state_dir = state_dir or os.path.join(CONF.state_path, "network")
        self.namespace = namespace or CONF.network.namespace
        self._plane: DataPlane | None = None
        self._lock = threading.RLock()
        self._ports_file = os.path.join(self.state_dir, "ports.json")
        self._ports_cache: tuple[tuple[int, int, int], dict[str, PortRecord]] | None = None

    # --- the data plane, made on first use ----------------------------------------------

    @property
    def plane(self) -> DataPlane:
        if self._plane is None:
            self._plane = _data_plane(self.namespace, self.state_dir)
        return self._plane

    def _ensure_metadata_proxy(self) -> None:
        host = CONF.metadata_listen if CONF.metadata_listen not in ("0.0.0.0", "::") else (
            "127.0.0.1")
        upstream = f"http://{host}:{CONF.metadata_listen_port}"
        self.plane.start_metadata_proxy(self.lookup, upstream,
                                        CONF.neutron.metadata_proxy_shared_secret)

    def _ports(self) -> dict[str, PortRecord]:
        """ports.json, parsed again only when it was replaced: the metadata proxy asks on
        every request. A copy, so callers may change it before ``_save_ports``."""
        try:
            stat = os.stat(self._ports_file)
        except OSError:
            return {}
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self._ports_cache is None or self._ports_cache[0] != version:
            try:
                with open(self._ports_file) as handle:
                    self._ports_cache = (version, dict(json.load(handle)))
            except (OSError, ValueError):
                return {}
        return {key: value.copy() for key, value in self._ports_cache[1].items()}

    def _save_ports(self, ports: dict[str, PortRecord]) -> None:
        os.makedirs(self.state_dir, exist_ok=True)
        scratch = f"{self._ports_file}.tmp"
        with open(scratch, "w") as handle:
            json.dump(ports, handle)
        os.replace(scratch, self._ports_file)

    def lookup(self, network_id: str, ip: str) -> tuple[str, str] | None:
        """The instance and project behind ``ip`` on ``network_id`` (metadata proxy)."""
        for port in self._ports().values():
            if port["network_id"] == network_id and port["ip"] == ip:
                return port["instance_uuid"], port["project_id"]
        return None

    def _leases(self, network_id: str) -> list[tuple[str, str, str]]:
        return [(p["mac"], p["ip"], p["hostname"]) for p in self._ports().values()
                if p["network_id"] == network_id]

    def _leases6(self, network_id: str) -> dict[str, str]:
        """The DHCPv6 addresses by MAC (DHCPv6-stateful networks only)."""
        info = self.plane.networks().get(network_id)
        if info is None or info.ipv6_mode != "dhcpv6-stateful":
            return {}
        return {p["mac"]: p["ip6"][0] for p in self._ports().values()
                if p["network_id"] == network_id and p.get("ip6")}

    def _set_hosts(self, network_id: str) -> None:
        self.plane.set_hosts(network_id, self._leases(network_id), self._leases6(network_id))

    # --- the driver's interface ---------------------------------------------------------

    def get_config(self, vif: VIF) -> GuestInterface | None:
        """The guest NIC for ``vif``: a tap named after the port."""
        if not vif.get("address") or not vif.get("devname"):
            return None
        return GuestInterface(mac_address=vif["address"], target_dev=vif["devname"],
                              mtu=(vif.get("network") or {}).get("mtu"))

    def prepare(self, instance: Instance, vif: VIF) -> None:
        """Before the guest starts: its network (bridge, dnsmasq, metadata proxy), its
        static lease and its security group rules, so its first DHCP request is answered."""
        found = _fixed_ip(vif)
        if found is None:
            LOG.warning("vif %s of %s has no IPv4 address: not plugged", vif.get("id"),
                        instance.get("uuid"))
            return
        subnet, ip = found
        network = vif["network"]
        found6 = _ipv6(vif)
        v6: dict[str, Any] = {}
        if found6 is not None:
            v6 = {"cidr6": found6[0]["cidr"], "gateway6": found6[0]["gateway"],
                  "ipv6_mode": _ipv6_mode(found6[0])}
        with self._lock:
            self.plane.ensure_network(network["id"], network["bridge"], subnet["cidr"],
                                      subnet["gateway"], mtu=network.get("mtu") or 1500,
                                      **v6)
            self._ensure_metadata_proxy()
            ports = self._ports()
            ports[vif["id"]] = {"network_id": network["id"], "mac": vif["address"], "ip": ip,
                                "hostname": instance.get("hostname") or "",
                                "instance_uuid": instance["uuid"],
                                "project_id": instance.get("project_id") or "",
                                "tap": vif["devname"],
                                "ip6": list(found6[1]) if found6 is not None else []}
            self._save_ports(ports)
            self._set_hosts(network["id"])
        self.update_rules(vif)

    def update_rules(self, vif: VIF) -> None:
        """The port's security group rules into the data plane, when they differ from
        what was applied last (kept in ports.json)."""
        rules = vif.get("security_group_rules") or []
        digest = hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()
        with self._lock:
            ports = self._ports()
            port = ports.get(vif.get("id", ""))
            if port is None or port.get("rules_digest") == digest:
                return
            self.plane.set_port_rules(vif["id"], port["tap"], port["mac"], port["ip"], rules,
                                      ip6=port.get("ip6") or [])
            port["rules_digest"] = digest
            self._save_ports(ports)

    def plug(self, instance: Instance, vif: VIF) -> None:
        """Once QEMU runs: its tap for ``vif`` into the namespace, onto the bridge."""
        port = self._ports().get(vif.get("id", ""))
        if port is None:
            self.prepare(instance, vif)
            port = self._ports().get(vif.get("id", ""))
            if port is None:
                return
        with self._lock:
            self.plane.plug_tap(port["network_id"], port["tap"])

    def unplug(self, instance: Instance, vif: VIF) -> None:
        """Remove the host side of ``vif``; must not fail when it is already gone."""
        with self._lock:
            ports = self._ports()
            port = ports.pop(vif.get("id", ""), None)
            if port is None:
                return
            self._save_ports(ports)
            self.plane.unplug_tap(port["tap"])
            self.plane.remove_port_rules(vif["id"])
            self._set_hosts(port["network_id"])

    def apply_l3(self, state: dict[str, Any]) -> None:
        """Routers and floating IPs (``compute.network.l3_state``) into the data plane,
        when they differ from what was applied last; nothing is made before the first
        router or floating IP."""
        from novalite.network.linux import l3

        wanted = l3.from_dict(self._local_floating_ips(state))
        with self._lock:
            current = self.plane.l3_state()
            if current == wanted or (current is None and not wanted.routers
                                     and not wanted.floating_ips):
                return
            self.plane.apply_l3(wanted)

    def _local_floating_ips(self, state: dict[str, Any]) -> dict[str, Any]:
        """Only the floating IPs of ports plugged in this data plane: the namespace of
        another host must not answer for them (it has no way to the guest)."""
        plugged = {port["ip"] for port in self._ports().values()}
        floating = [f for f in state.get("floating_ips") or () if f["fixed_ip"] in plugged]
        kept = {f["floating_ip"] for f in floating}
        externals = [{**e, "floating_ips": [ip for ip in e.get("floating_ips") or ()
                                            if ip in kept]}
                     for e in state.get("externals") or ()]
        return {**state, "floating_ips": floating, "externals": externals}

    def resume_host(self) -> None:
        """After a restart of the compute service: the networks of the ports still plugged
        here up again (dnsmasq is found by its pid file) and the metadata proxy serving."""
        ports = self._ports()
        if not ports:
            return
        with self._lock:
            for network_id in {port["network_id"] for port in ports.values()}:
                info = self.plane.networks().get(network_id)
                if info is not None:
                    self.plane.ensure_network(**asdict(info))
            self._ensure_metadata_proxy()

    def stop(self) -> None:
        """Stop what runs inside this process (the metadata proxy); dnsmasq stays."""
        if self._plane is not None:
            self._plane.stop_metadata_proxy()

    def prepare_all(self, instance: Instance, network_info: NetworkInfo) -> None:
        for vif in network_info:
            self.prepare(instance, vif)

    def plug_all(self, instance: Instance, network_info: NetworkInfo) -> None:
        for vif in network_info:
            self.plug(instance, vif)

    def unplug_all(self, instance: Instance, network_info: NetworkInfo) -> None:
        for vif in network_info:
            try:
                self.unplug(instance, vif)
            except Exception:
                LOG.exception("unplug of vif %s failed", vif.get("id"))
