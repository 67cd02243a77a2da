"""dnsmasq for one network: static leases only, no DNS, router advertisements and
DHCPv6 for an IPv6 subnet; argument and hostsfile text.

The text builders are pure functions (unit tested); DnsmasqProcess starts, finds
(by its pid file, so a restarted novalite finds the one already running), reloads
and stops the daemon.
"""

from __future__ import annotations

import ipaddress
import os
import re
import select
import signal

from novalite.network.linux.commands import DataPlaneError, run

LEASE_TIME = "86400s"
_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def normalize_mac(mac: str) -> str:
    value = mac.strip().lower().replace("-", ":")
    if not _MAC.match(value):
        raise DataPlaneError(f"invalid MAC address: {mac!r}")
    return value


def sanitize_hostname(hostname: str) -> str:
    """A DNS label dnsmasq accepts: lowercase letters, digits and '-', at most 63 chars."""
    label = re.sub(r"[^a-z0-9-]+", "-", hostname.strip().lower().split(".")[0]).strip("-")
    return label[:63].strip("-")


def hostsfile_text(hosts: list[tuple[str, str, str]], cidr: str,
                   addresses6: dict[str, str] | None = None, cidr6: str | None = None) -> str:
    """--dhcp-hostsfile lines `mac,ip,hostname` (hostname left out when nothing is left of it).

    Every address must be inside `cidr`; a MAC or address given twice is an error, since
    dnsmasq would silently serve only one of them. `addresses6` ({mac: IPv6 address in
    `cidr6`}) adds the DHCPv6 address of a host (`mac,ip,[ip6],hostname`).
    """
    network = ipaddress.IPv4Network(cidr, strict=False)
    network6 = ipaddress.IPv6Network(cidr6, strict=False) if cidr6 else None
    by_mac6: dict[str, str] = {}
    for mac6, ip6 in (addresses6 or {}).items():
        address6 = ipaddress.IPv6Address(ip6)
        if network6 is None or address6 not in network6:
            raise DataPlaneError(f"address {ip6} is not in {cidr6}")
        by_mac6[normalize_mac(mac6)] = f"[{address6}]"
    lines: list[str] = []
    macs: set[str] = set()
    addresses: set[ipaddress.IPv4Address] = set()
    for mac, ip, hostname in hosts:
        mac = normalize_mac(mac)
        address = ipaddress.IPv4Address(ip)
        if address not in network:
            raise DataPlaneError(f"address {ip} is not in {network}")
        if mac in macs or address in addresses:
            raise DataPlaneError(f"duplicate static lease for {mac} / {ip}")
        macs.add(mac)
        addresses.add(address)
        name = sanitize_hostname(hostname)
        fields = [mac, str(address), *([by_mac6[mac]] if mac in by_mac6 else []),
                  *([name] if name else [])]
        lines.append(",".join(fields))
    return "".join(line + "\n" for line in lines)


def stale_leases(leases_text: str, hosts: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(ip, mac) of the leases in a dnsmasq leases file that no host entry backs any more.

    dnsmasq will not hand a configured address to a new MAC while an old lease for it
    lives on (up to the lease time), so these are released when a host entry goes.
    Lines are `expiry mac ip hostname client-id`.
    """
    wanted = {(normalize_mac(mac), str(ipaddress.IPv4Address(ip))) for mac, ip, _ in hosts}
    stale: list[tuple[str, str]] = []
    for line in leases_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        try:
            mac, ip = normalize_mac(parts[1]), str(ipaddress.IPv4Address(parts[2]))
        except (DataPlaneError, ValueError):
            continue   # IPv6 lines, other hardware types
        if (mac, ip) not in wanted:
            stale.append((ip, mac))
    return stale


IPV6_MODES = {"slaac": "ra-only", "dhcpv6-stateless": "ra-stateless",
              "dhcpv6-stateful": "static"}


def _ipv6_args(bridge: str, cidr6: str, mode: str, mtu: int) -> list[str]:
    """Router advertisements for the IPv6 subnet, and DHCPv6 as its mode says: SLAAC
    (RA only), DHCPv6-stateless (RA with addresses from SLAAC, other options from
    DHCPv6) or DHCPv6-stateful (addresses from the hostsfile)."""
    network = ipaddress.IPv6Network(cidr6, strict=False)
    if mode not in IPV6_MODES:
        raise DataPlaneError(f"invalid IPv6 mode: {mode!r}")
    if mode != "dhcpv6-stateful" and network.prefixlen != 64:
        raise DataPlaneError(f"SLAAC needs a /64, not {network}")
    return ["--enable-ra",
            f"--dhcp-range={network.network_address},{IPV6_MODES[mode]},"
            f"{network.prefixlen},{LEASE_TIME}",
            f"--ra-param={bridge},mtu:{int(mtu)},10"]


def dnsmasq_args(*, bridge: str, cidr: str, gateway_ip: str, dns_domain: str, mtu: int,
                 pid_file: str, hosts_file: str, leases_file: str,
                 log_file: str, cidr6: str | None = None,
                 ipv6_mode: str | None = None) -> list[str]:
    """The dnsmasq command line for one network (run inside the namespace)."""
    network = ipaddress.IPv4Network(cidr, strict=False)
    gateway = ipaddress.IPv4Address(gateway_ip)
    if gateway not in network:
        raise DataPlaneError(f"gateway {gateway_ip} is not in {network}")
    if not re.match(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$", dns_domain):
        raise DataPlaneError(f"invalid DNS domain: {dns_domain!r}")
    return [
        "dnsmasq",
        "--conf-file=",            # no /etc/dnsmasq.conf
        "--no-hosts",
        "--no-resolv",
        "--port=0",                # DHCP only: no DNS server
        "--bind-interfaces",
        f"--interface={bridge}",
        "--except-interface=lo",
        "--user=root",             # files under state_dir need not be readable by nobody
        "--group=root",
        f"--pid-file={pid_file}",
        f"--dhcp-leasefile={leases_file}",
        f"--dhcp-hostsfile={hosts_file}",
        f"--dhcp-range={network.network_address},static,{network.netmask},{LEASE_TIME}",
        "--dhcp-authoritative",
        f"--dhcp-option=option:router,{gateway}",
        f"--dhcp-option-force=option:mtu,{int(mtu)}",
        f"--domain={dns_domain}",
        f"--log-facility={log_file}",
        "--log-dhcp",
        *(_ipv6_args(bridge, cidr6, ipv6_mode, mtu) if cidr6 and ipv6_mode else []),
    ]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return [part.decode() for part in handle.read().split(b"\0") if part]
    except OSError:
        return []


class DnsmasqProcess:
    """The dnsmasq daemon of one network, found again through its pid file."""

    def __init__(self, namespace: str, args: list[str], pid_file: str) -> None:
        self.namespace = namespace
        self.args = args
        self.pid_file = pid_file

    def pid(self) -> int | None:
        """The pid of the running dnsmasq started with this pid file, else None."""
        try:
            with open(self.pid_file) as handle:
                pid = int(handle.read().strip())
        except (OSError, ValueError):
            return None
        if not _alive(pid):
            return None
        cmdline = _cmdline(pid)
        if not cmdline or not cmdline[0].endswith("dnsmasq") \
                or f"--pid-file={self.pid_file}" not in cmdline:
            return None   # the pid was reused by something else
        return pid

    def ensure(self) -> int:
        """Starts dnsmasq unless it runs with these exact arguments; returns its pid."""
        pid = self.pid()
        if pid is not None:
            if _cmdline(pid)[1:] == self.args[1:]:
                return pid
            self.stop()
        run(["ip", "netns", "exec", self.namespace, *self.args])
        # dnsmasq's parent exits once the daemon is set up and has written its pid file.
        pid = self.pid()
        if pid is None:
            raise DataPlaneError(f"dnsmasq did not start (pid file {self.pid_file})")
        return pid

    def reload(self) -> None:
        """SIGHUP: dnsmasq re-reads --dhcp-hostsfile; other leases are untouched."""
        pid = self.pid()
        if pid is None:
            raise DataPlaneError(f"dnsmasq is not running (pid file {self.pid_file})")
        os.kill(pid, signal.SIGHUP)

    def stop(self, timeout: float = 10) -> None:
        pid = self.pid()
        if pid is not None:
            _terminate(pid, timeout)
        try:
            os.unlink(self.pid_file)
        except FileNotFoundError:
            pass


def _terminate(pid: int, timeout: float) -> None:
    """SIGTERM, then SIGKILL after `timeout`; waits on a pidfd (not our child, no polling)."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                signal.pidfd_send_signal(pidfd, sig)
            except ProcessLookupError:
                return
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            if poller.poll(timeout * 1000):
                return
        raise DataPlaneError(f"process {pid} did not exit")
    finally:
        os.close(pidfd)
