"""Routers and floating IPs as nftables NAT inside the data plane's namespace (pure text).

Every network's bridge sits in the one namespace, so the namespace is the router of
every router: Neutron's L3 agent would give each router a namespace of its own, here
one table (``ip nl_l3``) holds them all and is replaced whole in one ``nft -f``
transaction each time the network service's routers or floating IPs change.

- An external network is a bridge without dnsmasq carrying each router's gateway
  address (with the subnet's prefix) and each floating IP (/32), so the outside
  resolves them by ARP on that bridge.
- ``prerouting`` (dstnat): a floating IP is DNATed to its fixed IP.
- ``postrouting`` (srcnat): what a port with a floating IP sends out of the external
  bridge leaves from its floating IP; what else a router's subnets send out of it
  leaves from the router's gateway address (``enable_snat``).
- ``forward``: routed traffic (between two bridges; bridged traffic has the same
  bridge as input and output here) goes only where a router connects the two sides:
  between the subnets of one router, from them to the router's external network, and
  replies and DNATed traffic back. Everything else between known bridges is dropped,
  and so is what is left of a NATed flow once its address has gone.
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, field
from typing import Any

from novalite.network.linux.commands import DataPlaneError
from novalite.network.linux.nft import validate_ifname

TABLE = "nl_l3"


@dataclass(frozen=True)
class ExternalNetwork:
    """An external network's bridge and the addresses the namespace holds on it."""

    network_id: str
    bridge: str
    cidr: str
    #: the upstream router (the subnet's gateway_ip): the namespace's default route
    gateway_ip: str | None = None
    #: router gateway addresses, with the subnet's prefix
    router_ips: tuple[str, ...] = ()
    floating_ips: tuple[str, ...] = ()

    def addresses(self) -> set[str]:
        prefix = ipaddress.IPv4Network(self.cidr, strict=False).prefixlen
        return ({f"{ipaddress.IPv4Address(ip)}/{prefix}" for ip in self.router_ips}
                | {f"{ipaddress.IPv4Address(ip)}/32" for ip in self.floating_ips})


@dataclass(frozen=True)
class RouterInterface:
    bridge: str
    cidr: str


@dataclass(frozen=True)
class Router:
    router_id: str
    interfaces: tuple[RouterInterface, ...] = ()
    #: the external network's bridge and the router's address on it (None: no gateway)
    gateway_bridge: str | None = None
    gateway_ip: str | None = None
    enable_snat: bool = True


@dataclass(frozen=True)
class FloatingIp:
    floating_ip: str
    fixed_ip: str
    #: the external network's bridge
    bridge: str


@dataclass(frozen=True)
class L3State:
    externals: tuple[ExternalNetwork, ...] = ()
    routers: tuple[Router, ...] = ()
    floating_ips: tuple[FloatingIp, ...] = ()
    #: every bridge of the namespace (networks with guests too): routed traffic between
    #: two of them that no router allows is dropped
    bridges: tuple[str, ...] = field(default=())

    def all_bridges(self) -> list[str]:
        names = set(self.bridges) | {e.bridge for e in self.externals}
        for router in self.routers:
            names.update(i.bridge for i in router.interfaces)
            if router.gateway_bridge:
                names.add(router.gateway_bridge)
        return sorted(validate_ifname(name) for name in names)


def _ip(value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise DataPlaneError(f"invalid IPv4 address: {value!r}") from None


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value, strict=False))
    except ValueError:
        raise DataPlaneError(f"invalid IPv4 network: {value!r}") from None


def _pair_set(pairs: set[tuple[str, str]]) -> str:
    return ", ".join(f'"{a}" . "{b}"' for a, b in sorted(pairs))


def ruleset(state: L3State) -> str:
    """One nft transaction replacing table ``ip nl_l3`` with the state's NAT and filter."""
    dnat: list[str] = []
    snat: list[str] = []
    routed: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for fip in sorted(state.floating_ips, key=lambda f: f.floating_ip):
        floating, fixed = _ip(fip.floating_ip), _ip(fip.fixed_ip)
        if floating in seen:
            raise DataPlaneError(f"floating IP {floating} given twice")
        seen.add(floating)
        bridge = validate_ifname(fip.bridge)
        dnat.append(f"ip daddr {floating} dnat to {fixed}")
        snat.append(f'oifname "{bridge}" ip saddr {fixed} snat to {floating}')
    for router in sorted(state.routers, key=lambda r: r.router_id):
        inside = [(validate_ifname(i.bridge), _cidr(i.cidr)) for i in router.interfaces]
        for a, _ in inside:
            for b, _ in inside:
                if a != b:
                    routed.add((a, b))
        if router.gateway_bridge:
            outside = validate_ifname(router.gateway_bridge)
            for bridge, cidr in inside:
                routed.add((bridge, outside))
                if router.enable_snat and router.gateway_ip:
                    snat.append(f'oifname "{outside}" ip saddr {cidr} '
                                f"snat to {_ip(router.gateway_ip)}")
    bridges = state.all_bridges()
    # A flow NATed to or from an address that is no longer there (a floating IP
    # disassociated or deleted, a router's gateway removed) ends at once, as the L3
    # agent's conntrack clean-up ends it: its later packets are dropped.
    nat_sources = sorted(seen | {_ip(r.gateway_ip) for r in state.routers
                                 if r.gateway_bridge and r.gateway_ip and r.enable_snat})
    forward = [
        (f"ct status dnat ct original ip daddr != {{ {', '.join(sorted(seen))} }}"
         if seen else "ct status dnat") + " counter drop",
        (f"ct status snat ct reply ip daddr != {{ {', '.join(nat_sources)} }}"
         if nat_sources else "ct status snat") + " counter drop",
        "ct state established,related accept", "ct status dnat accept"]
    if bridges:
        forward.append(f"iifname . oifname {{ {_pair_set({(b, b) for b in bridges})} }}"
                       " accept")
    if routed:
        forward.append(f"iifname . oifname {{ {_pair_set(routed)} }} accept")
    if bridges:
        names = ", ".join(f'"{b}"' for b in bridges)
        forward += [f"iifname {{ {names} }} drop", f"oifname {{ {names} }} drop"]
    lines = [
        f"add table ip {TABLE}", f"delete table ip {TABLE}",
        f"table ip {TABLE} {{",
        "\tchain prerouting {",
        "\t\ttype nat hook prerouting priority dstnat; policy accept;",
        *(f"\t\t{line}" for line in dnat),
        "\t}",
        "\tchain postrouting {",
        "\t\ttype nat hook postrouting priority srcnat; policy accept;",
        *(f"\t\t{line}" for line in snat),
        "\t}",
        "\tchain forward {",
        "\t\ttype filter hook forward priority -10; policy accept;",
        *(f"\t\t{line}" for line in forward),
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def remove_text() -> str:
    return f"add table ip {TABLE}\ndelete table ip {TABLE}\n"


def to_dict(state: L3State) -> dict[str, object]:
    return asdict(state)


def from_dict(data: dict[str, Any]) -> L3State:
    """The state as ``to_dict`` wrote it (l3.json in the data plane's state_dir)."""
    try:
        return L3State(
            externals=tuple(ExternalNetwork(
                network_id=e["network_id"], bridge=e["bridge"], cidr=e["cidr"],
                gateway_ip=e.get("gateway_ip"), router_ips=tuple(e.get("router_ips") or ()),
                floating_ips=tuple(e.get("floating_ips") or ()))
                for e in data.get("externals") or ()),
            routers=tuple(Router(
                router_id=r["router_id"],
                interfaces=tuple(RouterInterface(bridge=i["bridge"], cidr=i["cidr"])
                                 for i in r.get("interfaces") or ()),
                gateway_bridge=r.get("gateway_bridge"), gateway_ip=r.get("gateway_ip"),
                enable_snat=bool(r.get("enable_snat", True)))
                for r in data.get("routers") or ()),
            floating_ips=tuple(FloatingIp(floating_ip=f["floating_ip"],
                                          fixed_ip=f["fixed_ip"], bridge=f["bridge"])
                               for f in data.get("floating_ips") or ()),
            bridges=tuple(data.get("bridges") or ()))
    except (KeyError, TypeError, AttributeError) as error:
        raise DataPlaneError(f"invalid L3 state: {error}") from None
