"""DataPlane: bridges, dnsmasq, taps, port rules and the metadata proxy in one namespace."""

from __future__ import annotations

import fcntl
import ipaddress
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from typing import Any

from novalite.network.linux import l3, nft
from novalite.network.linux.commands import DataPlaneError, netns_path, run
from novalite.network.linux.dnsmasq import (
    DnsmasqProcess,
    dnsmasq_args,
    hostsfile_text,
    stale_leases,
)
from novalite.network.linux.l3 import ExternalNetwork, L3State
from novalite.network.linux.metadata_proxy import METADATA_IP, MetadataLookup, MetadataProxy

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class NetworkInfo:
    """What ensure_network was last told about a network (kept in state_dir)."""

    network_id: str
    bridge: str
    cidr: str
    gateway_ip: str
    dns_domain: str
    mtu: int
    #: the network's IPv6 subnet, the namespace's address on it and how guests get theirs
    cidr6: str | None = None
    gateway6: str | None = None
    ipv6_mode: str | None = None


def _safe_name(value: str, what: str) -> str:
    if not _NAME.match(value) or value in (".", ".."):
        raise DataPlaneError(f"invalid {what}: {value!r}")
    return value


class DataPlane:
    """The host data plane inside network namespace `namespace` (created on first use).

    state_dir holds, per network, the dnsmasq pid, leases, hostsfile and log, and what
    the network was set up with; a new DataPlane over the same state_dir (after a
    restart) finds the running dnsmasq processes again. Calls are serialized by a lock
    file in state_dir, so several threads or processes may share one.
    """

    def __init__(self, namespace: str, state_dir: str) -> None:
        self.namespace = _safe_name(namespace, "namespace name")
        self.state_dir = os.path.abspath(state_dir)
        self._proxy: MetadataProxy | None = None
        self._local = threading.local()
        self._namespace_ready = False

    # -- helpers ------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                yield
            finally:
                self._local.depth = depth
            return
        os.makedirs(self.state_dir, exist_ok=True)
        with open(os.path.join(self.state_dir, "lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._local.depth = 1
            try:
                yield
            finally:
                self._local.depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ip(self, *args: str, check: bool = True) -> str:
        return run(["ip", "-n", self.namespace, *args], check=check).stdout

    def _nft(self, script: str | None = None, *args: str) -> str:
        command = ["ip", "netns", "exec", self.namespace, "nft"]
        command += ["-f", "-"] if script is not None else list(args)
        return run(command, stdin=script).stdout

    def _network_dir(self, network_id: str) -> str:
        return os.path.join(self.state_dir, "networks", _safe_name(network_id, "network id"))

    def _dnsmasq(self, info: NetworkInfo) -> DnsmasqProcess:
        directory = self._network_dir(info.network_id)
        pid_file = os.path.join(directory, "dnsmasq.pid")
        args = dnsmasq_args(
            bridge=info.bridge, cidr=info.cidr, gateway_ip=info.gateway_ip,
            dns_domain=info.dns_domain, mtu=info.mtu, pid_file=pid_file,
            hosts_file=os.path.join(directory, "hosts"),
            leases_file=os.path.join(directory, "leases"),
            log_file=os.path.join(directory, "dnsmasq.log"), cidr6=info.cidr6,
            ipv6_mode=info.ipv6_mode)
        return DnsmasqProcess(self.namespace, args, pid_file)

    def _link_exists(self, name: str, in_namespace: bool = True) -> bool:
        command = ["ip", "-n", self.namespace] if in_namespace else ["ip"]
        return run([*command, "link", "show", "dev", name], check=False).returncode == 0

    # -- networks -------------------------------------------------------------------

    def networks(self) -> dict[str, NetworkInfo]:
        """Every network ensure_network set up (and delete_network did not remove)."""
        root = os.path.join(self.state_dir, "networks")
        found: dict[str, NetworkInfo] = {}
        if not os.path.isdir(root):
            return found
        for network_id in sorted(os.listdir(root)):
            try:
                with open(os.path.join(root, network_id, "network.json")) as handle:
                    found[network_id] = NetworkInfo(**json.load(handle))
            except (OSError, ValueError, TypeError):
                continue
        return found

    def network_of(self, ip: str) -> str | None:
        """The id of the network whose subnet holds `ip`, else None."""
        try:
            address = ipaddress.IPv4Address(ip)
        except ValueError:
            return None
        for network_id, info in self.networks().items():
            if address in ipaddress.IPv4Network(info.cidr, strict=False):
                return network_id
        return None

    def ensure_namespace(self) -> None:
        """Creates the namespace (loopback up, br_netfilter on) unless it already works."""
        if self._namespace_ready and os.path.exists(netns_path(self.namespace)):
            return
        with self._locked():
            if os.path.exists(netns_path(self.namespace)):
                if run(["ip", "-n", self.namespace, "link", "show", "lo"],
                       check=False).returncode == 0:
                    self._namespace_settings()
                    self._namespace_ready = True
                    return
                run(["ip", "netns", "delete", self.namespace], check=False)
            run(["ip", "netns", "add", self.namespace])
            self._namespace_settings()
            self._namespace_ready = True

    def _namespace_settings(self) -> None:
        self._ip("link", "set", "lo", "up")
        # Bridged IPv4 goes through the inet family hooks (security groups need conntrack).
        result = run(["ip", "netns", "exec", self.namespace, "sysctl", "-q", "-w",
                      "net.bridge.bridge-nf-call-iptables=1"], check=False)
        if result.returncode != 0:
            raise DataPlaneError("br_netfilter is required (net.bridge.bridge-nf-call-iptables)",
                                 result.args, result.stderr, result.returncode)
        run(["ip", "netns", "exec", self.namespace, "sysctl", "-q", "-w",
             "net.bridge.bridge-nf-call-ip6tables=1"])

    def ensure_network(self, network_id: str, bridge: str, cidr: str, gateway_ip: str,
                       dns_domain: str = "novalocal", mtu: int = 1500,
                       cidr6: str | None = None, gateway6: str | None = None,
                       ipv6_mode: str | None = None) -> None:
        """Bridge with the gateway and metadata addresses, and its dnsmasq, running.

        With an IPv6 subnet (`cidr6`, the namespace's address `gateway6` on it) dnsmasq
        also sends router advertisements and serves DHCPv6 as `ipv6_mode` says (slaac,
        dhcpv6-stateless, dhcpv6-stateful). Idempotent; starts dnsmasq again if it died
        and restarts it if its arguments changed. Networks in one namespace share its
        routing table, so their subnets must not overlap.
        """
        network = ipaddress.IPv4Network(cidr, strict=False)
        gateway = ipaddress.IPv4Address(gateway_ip)
        network6 = ipaddress.IPv6Network(cidr6, strict=False) if cidr6 else None
        gateway6_address = ipaddress.IPv6Address(gateway6) if gateway6 else None
        if network6 is not None and (gateway6_address is None
                                     or gateway6_address not in network6):
            raise DataPlaneError(f"IPv6 gateway {gateway6} is not in {cidr6}")
        info = NetworkInfo(network_id=_safe_name(network_id, "network id"),
                           bridge=nft.validate_ifname(bridge), cidr=str(network),
                           gateway_ip=str(gateway), dns_domain=dns_domain, mtu=int(mtu),
                           cidr6=str(network6) if network6 else None,
                           gateway6=str(gateway6_address) if network6 else None,
                           ipv6_mode=ipv6_mode if network6 else None)
        if not 68 <= info.mtu <= 65535:
            raise DataPlaneError(f"invalid MTU: {mtu}")
        with self._locked():
            for other in self.networks().values():
                if other.network_id == network_id:
                    continue
                if other.bridge == info.bridge:
                    raise DataPlaneError(f"bridge {bridge} already serves {other.network_id}")
                if ipaddress.IPv4Network(other.cidr).overlaps(network):
                    raise DataPlaneError(
                        f"{network} overlaps {other.cidr} of network {other.network_id}")
                if network6 is not None and other.cidr6 and \
                        ipaddress.IPv6Network(other.cidr6).overlaps(network6):
                    raise DataPlaneError(
                        f"{network6} overlaps {other.cidr6} of network {other.network_id}")
            self.ensure_namespace()
            if not self._link_exists(info.bridge):
                self._ip("link", "add", info.bridge, "type", "bridge")
            self._ip("link", "set", info.bridge, "mtu", str(info.mtu))
            wanted = {f"{gateway}/{network.prefixlen}", f"{METADATA_IP}/32"}
            if network6 is not None:
                wanted.add(f"{gateway6_address}/{network6.prefixlen}")
            present = self._addresses(info.bridge)
            for stale in present - wanted:
                self._ip("addr", "del", stale, "dev", info.bridge)
            for missing in wanted - present:
                # no duplicate address detection: dnsmasq binds it at once
                self._ip("addr", "add", missing, "dev", info.bridge,
                         *(["nodad"] if ":" in missing else []))
            self._ip("link", "set", info.bridge, "up")
            directory = self._network_dir(network_id)
            os.makedirs(directory, exist_ok=True)
            hosts = os.path.join(directory, "hosts")
            if not os.path.exists(hosts):
                _write_atomically(hosts, "")
            _write_atomically(os.path.join(directory, "network.json"),
                              json.dumps(asdict(info), indent=1))
            self._dnsmasq(info).ensure()
            state = self.l3_state()
            if state is not None and info.bridge not in state.all_bridges():
                self._apply_l3_rules(state)   # routed traffic to the new bridge is filtered

    def _addresses(self, device: str) -> set[str]:
        data = json.loads(self._ip("-j", "addr", "show", "dev", device) or "[]")
        return {f"{entry['local']}/{entry['prefixlen']}"
                for link in data for entry in link.get("addr_info", [])
                if entry.get("family") == "inet"
                or (entry.get("family") == "inet6" and entry.get("scope") == "global")}

    def _info(self, network_id: str) -> NetworkInfo:
        info = self.networks().get(network_id)
        if info is None:
            raise DataPlaneError(f"unknown network {network_id} (call ensure_network first)")
        return info

    def set_hosts(self, network_id: str, hosts: list[tuple[str, str, str]],
                  addresses6: dict[str, str] | None = None) -> None:
        """Replaces the network's static leases (mac, ip, hostname; `addresses6` the
        DHCPv6 address by MAC); dnsmasq reloads them."""
        with self._locked():
            info = self._info(network_id)
            hosts = list(hosts)
            directory = self._network_dir(network_id)
            _write_atomically(os.path.join(directory, "hosts"),
                              hostsfile_text(hosts, info.cidr, addresses6, info.cidr6))
            process = self._dnsmasq(info)
            if process.pid() is None:
                self.ensure_network(**asdict(info))   # it died: start it with the new file
            else:
                process.reload()
            try:
                with open(os.path.join(directory, "leases")) as handle:
                    leases = handle.read()
            except FileNotFoundError:
                leases = ""
            for ip, mac in stale_leases(leases, hosts):
                # A DHCPRELEASE on the client's behalf, so the address can go to a new MAC.
                run(["ip", "netns", "exec", self.namespace, "dhcp_release", info.bridge,
                     ip, mac])

    def dnsmasq_pid(self, network_id: str) -> int | None:
        """The pid of the network's dnsmasq, None when it is not running."""
        return self._dnsmasq(self._info(network_id)).pid()

    def delete_network(self, network_id: str) -> None:
        """Stops dnsmasq, deletes the bridge and the network's state (no error if gone)."""
        with self._locked():
            info = self.networks().get(network_id)
            if info is None:
                return
            self._dnsmasq(info).stop()
            if os.path.exists(netns_path(self.namespace)) and self._link_exists(info.bridge):
                self._ip("link", "del", info.bridge)
            shutil.rmtree(self._network_dir(network_id), ignore_errors=True)

    # -- taps -------------------------------------------------------------------------

    def plug_tap(self, network_id: str, tap: str) -> None:
        """Moves `tap` from the root namespace into ours, onto the network's bridge, up."""
        tap = nft.validate_ifname(tap)
        with self._locked():
            info = self._info(network_id)
            self.ensure_namespace()
            if not self._link_exists(tap):
                if not self._link_exists(tap, in_namespace=False):
                    raise DataPlaneError(f"tap {tap} exists neither in the root namespace"
                                         f" nor in {self.namespace}")
                run(["ip", "link", "set", "dev", tap, "netns", self.namespace])
            self._ip("link", "set", "dev", tap, "mtu", str(info.mtu))
            self._ip("link", "set", "dev", tap, "master", info.bridge)
            self._ip("link", "set", "dev", tap, "up")

    def unplug_tap(self, tap: str) -> None:
        """Deletes `tap` from the namespace; no error when it is already gone."""
        tap = nft.validate_ifname(tap)
        with self._locked():
            if os.path.exists(netns_path(self.namespace)) and self._link_exists(tap):
                self._ip("link", "del", "dev", tap, check=False)

    # -- security groups ----------------------------------------------------------

    def _port_indexes(self) -> dict[str, int]:
        return nft.parse_tables(self._nft(None, "list", "tables"))

    def set_port_rules(self, port_id: str, tap: str, mac: str, ip: str,
                       rules: list[dict[str, Any]], ip6: list[str] | None = None) -> None:
        """Replaces the port's security group rules in one nft transaction.

        Ingress is dropped except replies (conntrack), DHCP and what an ingress rule
        allows; egress must come from the port's MAC and IP and match an egress rule
        (DHCP and the metadata service are always allowed); a port with IPv6 addresses
        `ip6` may send IPv6 from them (see nft). Rules are Neutron rule
        dicts; a remote group is given by the caller as `remote_ip_prefix` or a list
        `remote_ip_prefixes`.
        """
        spec = nft.PortSpec(port_id=port_id, tap=tap, mac=mac, ip=ip, ip6=tuple(ip6 or ()))
        with self._locked():
            self.ensure_namespace()
            index = nft.choose_index(port_id, self._port_indexes())
            self._nft(nft.port_ruleset(spec, index, list(rules)))

    def remove_port_rules(self, port_id: str) -> None:
        """Deletes the port's rules; no error when it has none."""
        with self._locked():
            if not os.path.exists(netns_path(self.namespace)):
                return
            index = self._port_indexes().get(nft.port_key(port_id))
            if index is not None:
                self._nft(nft.remove_ruleset(port_id, index))

    def port_rules_text(self, port_id: str) -> str | None:
        """The port's tables as the kernel has them (for diagnostics), None if it has none."""
        index = self._port_indexes().get(nft.port_key(port_id))
        if index is None:
            return None
        name = nft.table_name(index, port_id)
        return "".join(self._nft(None, "list", "table", family, name)
                       for family in ("bridge", "inet"))

    # -- routers and floating IPs ---------------------------------------------------

    def l3_state(self) -> L3State | None:
        """What apply_l3 was last given, None before the first call."""
        try:
            with open(os.path.join(self.state_dir, "l3.json")) as handle:
                return l3.from_dict(json.load(handle))
        except (OSError, ValueError):
            return None

    def apply_l3(self, state: L3State) -> None:
        """Makes the namespace route and NAT as `state` says (see l3): external bridges
        with the routers' gateway addresses and the floating IPs, the default route to
        the first external network's upstream gateway, table ip nl_l3 replaced in one
        transaction, IPv4 forwarding on while there is a router. Idempotent."""
        with self._locked():
            self.ensure_namespace()
            previous = self.l3_state()
            wanted = {external.bridge for external in state.externals}
            for external in state.externals:
                self._ensure_external(external)
            guest_bridges = {info.bridge for info in self.networks().values()}
            for old in previous.externals if previous is not None else ():
                if old.bridge not in wanted and old.bridge not in guest_bridges \
                        and self._link_exists(old.bridge):
                    self._ip("link", "del", old.bridge)
            upstream = next((e for e in sorted(state.externals, key=lambda e: e.network_id)
                             if e.gateway_ip), None)
            if upstream is not None:
                self._ip("route", "replace", "default", "via", str(upstream.gateway_ip),
                         "dev", upstream.bridge)
            else:
                self._ip("route", "del", "default", check=False)
            _write_atomically(os.path.join(self.state_dir, "l3.json"),
                              json.dumps(l3.to_dict(state), indent=1))
            self._apply_l3_rules(state)

    def _apply_l3_rules(self, state: L3State) -> None:
        bridges = set(state.bridges) | {info.bridge for info in self.networks().values()}
        full = replace(state, bridges=tuple(sorted(bridges)))
        self._nft(l3.ruleset(full))
        forwarding = "1" if state.routers or state.floating_ips else "0"
        self._sysctl("net.ipv4.ip_forward", forwarding)

    def _sysctl(self, name: str, value: str) -> None:
        run(["ip", "netns", "exec", self.namespace, "sysctl", "-q", "-w", f"{name}={value}"])

    def _ensure_external(self, external: ExternalNetwork) -> None:
        bridge = nft.validate_ifname(external.bridge)
        if not self._link_exists(bridge):
            self._ip("link", "add", bridge, "type", "bridge")
        wanted = external.addresses()
        present = self._addresses(bridge)
        for stale in present - wanted:
            self._ip("addr", "del", stale, "dev", bridge)
        for missing in sorted(wanted - present):
            self._ip("addr", "add", missing, "dev", bridge)
        self._ip("link", "set", bridge, "up")

    # -- metadata -----------------------------------------------------------------

    def start_metadata_proxy(self, lookup: MetadataLookup, upstream_url: str,
                             shared_secret: str, port: int = 80) -> None:
        """Serves 169.254.169.254:`port` in the namespace from this process (see
        metadata_proxy). `lookup(network_id, ip)` gives (instance_id, project_id) or None."""
        with self._locked():
            if self._proxy is not None:
                return
            self.ensure_namespace()
            proxy = MetadataProxy(self.namespace, self.network_of, lookup, upstream_url,
                                  shared_secret, port=port)
            proxy.start()
            self._proxy = proxy

    def stop_metadata_proxy(self) -> None:
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            proxy.stop()

    # -- everything -----------------------------------------------------------------

    def teardown(self) -> None:
        """Stops the proxy and every dnsmasq, and deletes the namespace with all in it."""
        self.stop_metadata_proxy()
        with self._locked():
            for info in self.networks().values():
                self._dnsmasq(info).stop()
                shutil.rmtree(self._network_dir(info.network_id), ignore_errors=True)
            if os.path.exists(netns_path(self.namespace)):
                run(["ip", "netns", "delete", self.namespace])
            self._namespace_ready = False


def _write_atomically(path: str, text: str) -> None:
    temporary = f"{path}.tmp"
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
