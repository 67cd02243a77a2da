"""Security groups as nftables rules: the text of one port's tables (pure functions).

IPv6 is dropped for ports without an IPv6 address; a port with one may send from it,
its EUI-64 link-local address and :: (duplicate address detection), never router
advertisements or DHCPv6 replies, and neighbour discovery passes both ways.

This kernel has no conntrack for the `bridge` family (no nf_conntrack_bridge), so a
port's rules live in two tables of its own, both named after the port:

- `bridge` family (sees the bridge ports): anti-spoofing of what the port sends, and
  marking the packet with the port's index: the low 16 bits of the packet mark for the
  port it came from (prerouting), the high 16 bits for the port it goes to (forward).
- `inet` family (br_netfilter hands bridged IPv4 to it, with conntrack but with the
  bridge, not the port, as interface): the stateful filter, which finds the ports by
  the mark. Forwarded packets are checked against the sender's egress chain and the
  receiver's ingress chain (a packet routed to the port, by a router or to its
  floating IP, by its destination address); packets to the namespace itself (DHCP, metadata) against
  the sender's egress chain. Traffic the namespace sends (DHCP replies, metadata
  answers) is not filtered.

The port's index (1..65535) is part of the table names, so the kernel's ruleset is the
only record of it. Replacing a port's rules is one `nft -f` transaction.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from novalite.network.linux.commands import DataPlaneError
from novalite.network.linux.dnsmasq import normalize_mac

MAX_INDEX = 0xFFFF
METADATA_IP = "169.254.169.254"
TABLE_PREFIX = "nlport"
_TABLE = re.compile(rf"^{TABLE_PREFIX}(\d+)_([A-Za-z0-9_]+)$")
_IFNAME = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
_PROTOCOL_NAMES = {"tcp": 6, "udp": 17, "icmp": 1, "sctp": 132, "dccp": 33, "gre": 47,
                   "esp": 50, "ah": 51, "udplite": 136, "igmp": 2}
# Neighbour discovery and multicast listening, which IPv6 cannot do without (Neutron
# allows them whatever the security groups say).
ND_OUT = ("nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-report,"
          " mld2-listener-report")
ND_IN = "nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, mld-listener-query"
_PORT_PROTOCOLS = {"tcp", "udp", "sctp", "dccp", "udplite"}


@dataclass(frozen=True)
class PortSpec:
    """What the rules of one port are about."""

    port_id: str
    tap: str
    mac: str
    ip: str
    #: the port's IPv6 addresses (SLAAC or DHCPv6); none: the port sends no IPv6 at all
    ip6: tuple[str, ...] = ()


def link_local(mac: str) -> str:
    """The EUI-64 link-local address of `mac` (what the guest's kernel uses)."""
    octets = [int(part, 16) for part in normalize_mac(mac).split(":")]
    octets[0] ^= 0x02
    eui = octets[:3] + [0xFF, 0xFE] + octets[3:]
    groups = [f"{eui[i] << 8 | eui[i + 1]:x}" for i in range(0, 8, 2)]
    return str(ipaddress.IPv6Address("fe80::" + ":".join(groups)))


def validate_ifname(name: str) -> str:
    if not _IFNAME.match(name):
        raise DataPlaneError(f"invalid interface name: {name!r}")
    return name


def port_key(port_id: str) -> str:
    """The port id as the tail of a table name (letters, digits, '_'), unique per id."""
    key = re.sub(r"[^A-Za-z0-9]", "_", port_id)
    if key.replace("_", "") != port_id.replace("-", "") or not port_id:
        key = key[:40] + "_" + hashlib.sha256(port_id.encode()).hexdigest()[:12]
    return key[:200]


def table_name(index: int, port_id: str) -> str:
    if not 1 <= index <= MAX_INDEX:
        raise DataPlaneError(f"port index out of range: {index}")
    return f"{TABLE_PREFIX}{index}_{port_key(port_id)}"


def parse_tables(listing: str) -> dict[str, int]:
    """{port key: index} from `nft list tables` output (our port tables only)."""
    found: dict[str, int] = {}
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "table" and parts[1] in ("bridge", "inet"):
            match = _TABLE.match(parts[2])
            if match:
                found[match.group(2)] = int(match.group(1))
    return found


def choose_index(port_id: str, existing: dict[str, int]) -> int:
    """The port's current index, else the smallest one not in use."""
    key = port_key(port_id)
    if key in existing:
        return existing[key]
    used = set(existing.values())
    for index in range(1, MAX_INDEX + 1):
        if index not in used:
            return index
    raise DataPlaneError("no free port index (65535 ports with rules)")


def _int(value: Any, low: int, high: int, what: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DataPlaneError(f"invalid {what}: {value!r}") from None
    if not low <= number <= high:
        raise DataPlaneError(f"{what} out of range: {value!r}")
    return number


def _protocol(value: Any, version: int = 4) -> str | None:
    """The nft name (or number) of a Neutron rule's protocol; None means any."""
    if value is None or str(value).lower() in ("", "any"):
        return None
    text = str(value).lower()
    if version == 6:
        if text in ("icmp", "icmpv6", "ipv6-icmp", "58"):
            return "ipv6-icmp"
    elif text in ("icmpv6", "ipv6-icmp"):
        raise DataPlaneError("ICMPv6 rule on IPv4")
    if text.isdigit():
        number = _int(text, 0, 255, "protocol")
        for name, known in _PROTOCOL_NAMES.items():
            if known == number:
                return name
        return str(number)
    if text not in _PROTOCOL_NAMES:
        raise DataPlaneError(f"unsupported protocol: {value!r}")
    return text


def _prefixes(rule: dict[str, Any], version: int = 4) -> list[str]:
    """remote_ip_prefix, plus remote_ip_prefixes (the caller's resolved remote group)
    of the rule's family (a remote group's members have addresses of both)."""
    values: list[str] = []
    if rule.get("remote_ip_prefix"):
        network = ipaddress.ip_network(rule["remote_ip_prefix"], strict=False)
        if network.version != version:
            raise DataPlaneError(f"remote_ip_prefix {network} is not IPv{version}")
        values.append(str(network))
    for value in rule.get("remote_ip_prefixes") or []:
        network = ipaddress.ip_network(value, strict=False)
        if network.version == version:
            values.append(str(network))
    return values


def rule_lines(rule: dict[str, Any]) -> list[str]:
    """The nft rules (inet family) that accept what one Neutron rule allows.

    Returns [] for rules that cannot match anything here: a remote group the caller
    resolved to no prefixes (of the rule's family) at all.
    """
    ethertype = str(rule.get("ethertype") or "IPv4")
    if ethertype not in ("IPv4", "IPv6"):
        raise DataPlaneError(f"invalid ethertype: {ethertype!r}")
    version = 6 if ethertype == "IPv6" else 4
    family = "ip6" if version == 6 else "ip"
    direction = rule.get("direction")
    if direction not in ("ingress", "egress"):
        raise DataPlaneError(f"invalid direction: {direction!r}")
    remote = "saddr" if direction == "ingress" else "daddr"
    prefixes = _prefixes(rule, version)
    if not prefixes and "remote_ip_prefixes" in rule and not rule.get("remote_ip_prefix"):
        return []
    match: list[str] = []
    if prefixes:
        match.append(f"{family} {remote} {{ {', '.join(prefixes)} }}")
    else:
        match.append(f"meta nfproto ipv{version}")
    protocol = _protocol(rule.get("protocol"), version)
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if protocol in _PORT_PROTOCOLS:
        match.append(f"meta l4proto {protocol}")
        if low is not None or high is not None:
            first = _int(low if low is not None else high, 1, 65535, "port_range_min")
            last = _int(high if high is not None else low, 1, 65535, "port_range_max")
            if last < first:
                raise DataPlaneError(f"port range {first}-{last} is empty")
            ports = str(first) if first == last else f"{first}-{last}"
            match.append(f"th dport {ports}")
    elif protocol == "icmp":
        match.append("meta l4proto icmp")
        if low is not None:
            match.append(f"icmp type {_int(low, 0, 255, 'ICMP type')}")
            if high is not None:
                match.append(f"icmp code {_int(high, 0, 255, 'ICMP code')}")
    elif protocol == "ipv6-icmp":
        match.append("meta l4proto ipv6-icmp")
        if low is not None:
            match.append(f"icmpv6 type {_int(low, 0, 255, 'ICMPv6 type')}")
            if high is not None:
                match.append(f"icmpv6 code {_int(high, 0, 255, 'ICMPv6 code')}")
    elif protocol is not None:
        match.append(f"meta l4proto {protocol}")
    return [" ".join(match) + " accept"]


def _block(header: str, body: list[str], hook: str | None = None) -> list[str]:
    lines = [f"\t{header} {{"]
    if hook is not None:
        lines.append(f"\t\t{hook}")
    lines += [f"\t\t{line}" for line in body]
    return [*lines, "\t}"]


def _table_text(spec: PortSpec, index: int, rules: list[dict[str, Any]]) -> str:
    name = table_name(index, spec.port_id)
    tap = validate_ifname(spec.tap)
    mac = normalize_mac(spec.mac)
    ip = str(ipaddress.IPv4Address(spec.ip))
    ip6 = sorted(str(ipaddress.IPv6Address(address)) for address in spec.ip6)
    if ip6:
        sources = ", ".join(["::", link_local(mac), *ip6])
        ipv6_out = [f"ether type ip6 ip6 saddr != {{ {sources} }} drop",
                    "icmpv6 type nd-router-advert drop",   # guests are no routers
                    "udp sport 547 drop",                   # nor DHCPv6 servers
                    "ether type ip6 accept"]
        routed6 = [f"meta mark & 0xffff0000 == 0 ip6 daddr {{ {', '.join(ip6)} }}"
                   " jump ingress"]
    else:
        ipv6_out, routed6 = [], []
    ingress: list[str] = []
    egress: list[str] = []
    for rule in rules:
        (ingress if rule.get("direction") == "ingress" else egress).extend(rule_lines(rule))
    in_mark = f"0x{index:08x}"
    out_mark = f"0x{index << 16:08x}"
    bridge = [
        f"table bridge {name} {{",
        *_block("chain prerouting", [f'iifname "{tap}" jump from_port'],
                "type filter hook prerouting priority -200; policy accept;"),
        *_block("chain from_port", [
            f"meta mark set {in_mark}",
            f"ether saddr != {mac} drop",
            f"ether type arp arp saddr ether != {mac} drop",
            f"ether type arp arp saddr ip != {{ 0.0.0.0, {ip} }} drop",
            "ether type arp accept",
            "ether type ip ip saddr 0.0.0.0 ip daddr 255.255.255.255"
            " udp sport 68 udp dport 67 accept",
            f"ether type ip ip saddr != {ip} drop",
            "ether type ip accept",
            *ipv6_out,
            "drop",
        ]),
        *_block("chain forward", [f'oifname "{tap}" meta mark set meta mark | {out_mark}'],
                "type filter hook forward priority -200; policy accept;"),
        "}",
    ]
    inet = [
        f"table inet {name} {{",
        *_block("chain forward", [f"meta mark & 0x0000ffff == {in_mark} jump egress",
                                  f"meta mark & 0xffff0000 == {out_mark} jump ingress",
                                  # routed to the port (a router, a floating IP): the
                                  # bridge's forward hook never saw it, no mark
                                  f"meta mark & 0xffff0000 == 0 ip daddr {ip} jump ingress",
                                  *routed6],
                "type filter hook forward priority 0; policy accept;"),
        *_block("chain input", [f"meta mark & 0x0000ffff == {in_mark} jump egress"],
                "type filter hook input priority 0; policy accept;"),
        *_block("chain egress", [
            "ct state established,related accept",
            f"icmpv6 type {{ {ND_OUT} }} accept",
            "ct state invalid drop",
            "udp sport 68 udp dport 67 accept",
            "udp sport 546 udp dport 547 accept",
            f"ip daddr {METADATA_IP} tcp dport 80 accept",
            *egress,
            "drop",
        ]),
        *_block("chain ingress", [
            "ct state established,related accept",
            f"icmpv6 type {{ {ND_IN} }} accept",
            "ct state invalid drop",
            "udp sport 67 udp dport 68 accept",
            "udp sport 547 udp dport 546 accept",
            *ingress,
            "drop",
        ]),
        "}",
    ]
    return "\n".join(bridge + inet) + "\n"


def _delete_text(name: str) -> str:
    # "add" first makes "delete" valid whether or not the table exists.
    return "".join(f"add table {family} {name}\ndelete table {family} {name}\n"
                   for family in ("bridge", "inet"))


def port_ruleset(spec: PortSpec, index: int, rules: list[dict[str, Any]]) -> str:
    """One nft transaction replacing the port's tables with ones built from `rules`."""
    return _delete_text(table_name(index, spec.port_id)) + _table_text(spec, index, rules)


def remove_ruleset(port_id: str, index: int) -> str:
    return _delete_text(table_name(index, port_id))
