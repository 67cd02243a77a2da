"""IP address management, the pure part: subnets, allocation pools, picking addresses, MACs.

No I/O here; ``novalite.network.store.ports`` feeds these functions what the database says
and relies on the database's unique constraint for the final word.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Collection, Iterator, Sequence
from typing import Any

MAC_PREFIX = "fa:16:3e"  # OpenStack's base MAC


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: IPv6 address modes (``ipv6_ra_mode`` / ``ipv6_address_mode``) as Neutron names them
SLAAC, DHCPV6_STATEFUL, DHCPV6_STATELESS = "slaac", "dhcpv6-stateful", "dhcpv6-stateless"
IPV6_MODES = (SLAAC, DHCPV6_STATEFUL, DHCPV6_STATELESS)
#: modes where the guest builds its address from the prefix and its MAC (EUI-64)
AUTO_ADDRESS_MODES = (SLAAC, DHCPV6_STATELESS)


class InvalidSubnet(ValueError):
    """A subnet definition that cannot be used; the message says why."""


class GatewayInPool(InvalidSubnet):
    """The gateway address lies in an allocation pool (Neutron answers 409 for it)."""

    def __init__(self, gateway: str, pool: str) -> None:
        super().__init__(f"Gateway ip {gateway} conflicts with allocation pool {pool}.")
        self.gateway = gateway
        self.pool = pool


def _network(value: Any) -> IPNetwork:
    if not isinstance(value, str) or "/" not in value:
        raise InvalidSubnet(f"'{value}' is not a valid IP subnet.")
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise InvalidSubnet(f"'{value}' is not a valid IP subnet.") from None


def parse_cidr(cidr: Any, ip_version: int | None = None) -> IPNetwork:
    """A subnet's network in canonical form. As in Neutron, host bits may be set
    (``10.99.99.0/16`` is ``10.99.0.0/16``) but the prefix length must be given;
    ``ip_version`` (when given) must match."""
    if isinstance(cidr, str) and "/" not in cidr:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise InvalidSubnet(f"'{cidr}' is not a valid IP subnet.") from None
        raise InvalidSubnet(f"'{cidr}' isn't a recommended CIDR, it should be "
                            f"'{network}'.")
    network = _network(cidr)
    if ip_version is not None and network.version != ip_version:
        raise InvalidSubnet(f"Cidr {cidr} does not match ip_version {ip_version}.")
    if network.prefixlen > network.max_prefixlen - 2:
        raise InvalidSubnet(f"The prefix length of {cidr} leaves no usable address.")
    return network


def parse_cidr_any_length(cidr: Any, ip_version: int = 4) -> IPNetwork:
    """A destination (``0.0.0.0/0`` to a host), normalised: a host route's."""
    network = _network(cidr)
    if network.version != ip_version:
        raise InvalidSubnet(f"'{cidr}' is not an IPv{ip_version} subnet.")
    return network


def parse_ip(value: Any, ip_version: int | None = 4) -> IPAddress:
    """An address; of ``ip_version`` unless that is None (either version)."""
    if not isinstance(value, str):
        raise InvalidSubnet(f"'{value}' is not a valid IP address.")
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise InvalidSubnet(f"'{value}' is not a valid IP address.") from None
    if ip_version is not None and address.version != ip_version:
        raise InvalidSubnet(f"'{value}' is not an IPv{ip_version} address.")
    return address


def version_of(address: str) -> int:
    return ipaddress.ip_address(address).version


def default_gateway(network: IPNetwork) -> str:
    return str(network.network_address + 1)


def _last_host(network: IPNetwork) -> IPAddress:
    """IPv4 keeps its broadcast address out of the pools; IPv6 has none."""
    return network.broadcast_address - 1 if network.version == 4 else network.broadcast_address


def check_gateway(network: IPNetwork, gateway: str) -> str:
    address = parse_ip(gateway, network.version)
    if address not in network or address == network.network_address or (
            network.version == 4 and address == network.broadcast_address):
        raise InvalidSubnet(f"Gateway IP {gateway} is not a usable address of {network}.")
    return str(address)


def default_pools(network: IPNetwork, gateway: str | None) -> list[dict[str, str]]:
    """Every host address but the gateway, as Neutron splits the pools around it."""
    first = network.network_address + 1
    last = _last_host(network)
    if gateway is None:
        return [{"start": str(first), "end": str(last)}]
    gw = ipaddress.ip_address(gateway)
    pools = []
    if gw > first:
        pools.append({"start": str(first), "end": str(gw - 1)})
    if gw < last:
        pools.append({"start": str(gw + 1), "end": str(last)})
    return pools


def check_pools(network: IPNetwork, pools: Any, gateway: str | None
                ) -> list[dict[str, str]]:
    """Validate user-given allocation pools: inside the subnet, ordered, disjoint, and
    not holding the gateway."""
    if not isinstance(pools, list):
        raise InvalidSubnet("allocation_pools must be a list of {start, end}.")
    ranges: list[tuple[IPAddress, IPAddress]] = []
    for pool in pools:
        if not isinstance(pool, dict) or set(pool) != {"start", "end"}:
            raise InvalidSubnet("Each allocation pool needs exactly 'start' and 'end'.")
        start = parse_ip(pool["start"], network.version)
        end = parse_ip(pool["end"], network.version)
        if (start not in network or end not in network or network.network_address in
                (start, end) or (network.version == 4 and network.broadcast_address in
                                 (start, end))):
            raise InvalidSubnet(f"The allocation pool {start}-{end} spans beyond the "
                                f"subnet cidr {network}.")
        if start > end:
            raise InvalidSubnet(f"The allocation pool {start}-{end} is not valid.")
        if gateway is not None and start <= ipaddress.ip_address(gateway) <= end:
            raise GatewayInPool(gateway, f"{start}-{end}")
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        if start <= end:
            raise InvalidSubnet("Found overlapping allocation pools.")
    return [{"start": str(start), "end": str(end)} for start, end in ranges]


def eui64(cidr: str, mac: str) -> str:
    """The address a guest builds by SLAAC from a /64 prefix and its MAC (RFC 4291:
    the MAC split by ``ff:fe``, the universal/local bit flipped)."""
    network = ipaddress.IPv6Network(cidr, strict=False)
    octets = [int(part, 16) for part in normalize_mac(mac).split(":")]
    octets[0] ^= 0x02
    interface = octets[:3] + [0xFF, 0xFE] + octets[3:]
    return str(network.network_address + int.from_bytes(bytes(interface), "big"))


def link_local(mac: str) -> str:
    return eui64("fe80::/64", mac)


def is_auto_address(subnet: dict[str, Any]) -> bool:
    """An IPv6 subnet whose ports get their EUI-64 address (SLAAC or DHCPv6 stateless)."""
    return subnet.get("ip_version") == 6 and subnet.get("ipv6_address_mode") in \
        AUTO_ADDRESS_MODES


def pool_holding(address: str, pools: Sequence[dict[str, str]]) -> str | None:
    """``start-end`` of the pool that holds ``address``, None when none does."""
    ip = ipaddress.ip_address(address)
    for pool in pools:
        if ipaddress.ip_address(pool["start"]) <= ip <= ipaddress.ip_address(pool["end"]):
            return f"{pool['start']}-{pool['end']}"
    return None


def in_pools(address: str, pools: Sequence[dict[str, str]]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ipaddress.ip_address(p["start"]) <= ip <= ipaddress.ip_address(p["end"])
               for p in pools)


def pool_size(pools: Sequence[dict[str, str]]) -> int:
    return sum(int(ipaddress.ip_address(p["end"])) - int(ipaddress.ip_address(p["start"])) + 1
               for p in pools)


def free_addresses(pools: Sequence[dict[str, str]], used: Collection[str]
                   ) -> Iterator[str]:
    """The pools' addresses not in ``used``, lowest first (lazily: a /16 or an IPv6 /64
    costs nothing)."""
    used_ints = {int(ipaddress.ip_address(address)) for address in used}
    ordered = sorted(pools, key=lambda p: int(ipaddress.ip_address(p["start"])))
    for pool in ordered:
        first = ipaddress.ip_address(pool["start"])
        start, end = int(first), int(ipaddress.ip_address(pool["end"]))
        for value in range(start, end + 1):
            if value not in used_ints:
                yield str(ipaddress.ip_address(value) if first.version == 4
                          else ipaddress.IPv6Address(value))


def first_free(pools: Sequence[dict[str, str]], used: Collection[str]) -> str | None:
    return next(free_addresses(pools, used), None)


def contains(cidr: str, address: str) -> bool:
    return ipaddress.ip_address(address) in ipaddress.ip_network(cidr)


def overlaps(cidr: str, others: Sequence[str]) -> bool:
    network = ipaddress.ip_network(cidr)
    return any(network.overlaps(ipaddress.ip_network(other)) for other in others)


def random_mac(rng: random.Random | None = None) -> str:
    rng = rng or random.SystemRandom()
    return MAC_PREFIX + "".join(f":{rng.randrange(256):02x}" for _ in range(3))


def normalize_mac(value: Any) -> str:
    """A MAC address in lower-case colon form; ``InvalidSubnet`` when it is not one."""
    if not isinstance(value, str):
        raise InvalidSubnet(f"'{value}' is not a valid MAC address")
    parts = value.replace("-", ":").lower().split(":")
    if len(parts) != 6 or not all(len(p) == 2 and all(c in "0123456789abcdef" for c in p)
                                  for p in parts):
        raise InvalidSubnet(f"'{value}' is not a valid MAC address")
    if int(parts[0], 16) & 1:
        raise InvalidSubnet(f"'{value}' is a multicast MAC address")
    return ":".join(parts)
