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


class InvalidSubnet(ValueError):
    """A subnet definition that cannot be used; the message says why."""


def parse_cidr(cidr: Any) -> ipaddress.IPv4Network:
    """An IPv4 network in canonical form. As in Neutron, host bits may be set
    (``10.99.99.0/16`` is ``10.99.0.0/16``) but the prefix length must be given."""
    if not isinstance(cidr, str):
        raise InvalidSubnet(f"'{cidr}' is not a valid IP subnet.")
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise InvalidSubnet(f"'{cidr}' is not a valid IP subnet.") from None
    if network.version != 4:
        raise InvalidSubnet("Only IPv4 subnets are supported.")
    if "/" not in cidr:
        raise InvalidSubnet(f"'{cidr}' isn't a recommended CIDR, it should be "
                            f"'{network}'.")
    if network.prefixlen > 30:
        raise InvalidSubnet(f"The prefix length of {cidr} leaves no usable address.")
    return network


def parse_cidr_any_length(cidr: Any) -> ipaddress.IPv4Network:
    """An IPv4 destination (``0.0.0.0/0`` to a /32), normalised: a host route's."""
    if not isinstance(cidr, str) or "/" not in cidr:
        raise InvalidSubnet(f"'{cidr}' is not a valid IP subnet.")
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise InvalidSubnet(f"'{cidr}' is not a valid IP subnet.") from None
    if network.version != 4:
        raise InvalidSubnet(f"'{cidr}' is not an IPv4 subnet.")
    return network


def parse_ip(value: Any) -> ipaddress.IPv4Address:
    if not isinstance(value, str):
        raise InvalidSubnet(f"'{value}' is not a valid IP address.")
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise InvalidSubnet(f"'{value}' is not a valid IP address.") from None
    if address.version != 4:
        raise InvalidSubnet(f"'{value}' is not an IPv4 address.")
    return address


def default_gateway(network: ipaddress.IPv4Network) -> str:
    return str(network.network_address + 1)


def check_gateway(network: ipaddress.IPv4Network, gateway: str) -> str:
    address = parse_ip(gateway)
    if address not in network or address in (network.network_address,
                                              network.broadcast_address):
        raise InvalidSubnet(f"Gateway IP {gateway} is not a usable address of {network}.")
    return str(address)


def default_pools(network: ipaddress.IPv4Network, gateway: str | None
                  ) -> list[dict[str, str]]:
    """Every host address but the gateway, as Neutron splits the pools around it."""
    first = network.network_address + 1
    last = network.broadcast_address - 1
    if gateway is None:
        return [{"start": str(first), "end": str(last)}]
    gw = ipaddress.ip_address(gateway)
    pools = []
    if gw > first:
        pools.append({"start": str(first), "end": str(gw - 1)})
    if gw < last:
        pools.append({"start": str(gw + 1), "end": str(last)})
    return pools


def check_pools(network: ipaddress.IPv4Network, pools: Any, gateway: str | None
                ) -> list[dict[str, str]]:
    """Validate user-given allocation pools: inside the subnet, ordered, disjoint, and
    not holding the gateway."""
    if not isinstance(pools, list):
        raise InvalidSubnet("allocation_pools must be a list of {start, end}.")
    ranges: list[tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]] = []
    for pool in pools:
        if not isinstance(pool, dict) or set(pool) != {"start", "end"}:
            raise InvalidSubnet("Each allocation pool needs exactly 'start' and 'end'.")
        start, end = parse_ip(pool["start"]), parse_ip(pool["end"])
        usable = (network.network_address, network.broadcast_address)
        if start not in network or end not in network or start in usable or end in usable:
            raise InvalidSubnet(f"The allocation pool {start}-{end} spans beyond the "
                                f"subnet cidr {network}.")
        if start > end:
            raise InvalidSubnet(f"The allocation pool {start}-{end} is not valid.")
        if gateway is not None and start <= ipaddress.ip_address(gateway) <= end:
            raise InvalidSubnet(f"Gateway ip {gateway} conflicts with allocation pool "
                                f"{start}-{end}.")
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        if start <= end:
            raise InvalidSubnet("Found overlapping allocation pools.")
    return [{"start": str(start), "end": str(end)} for start, end in ranges]


def in_pools(address: str, pools: Sequence[dict[str, str]]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ipaddress.ip_address(p["start"]) <= ip <= ipaddress.ip_address(p["end"])
               for p in pools)


def pool_size(pools: Sequence[dict[str, str]]) -> int:
    return sum(int(ipaddress.ip_address(p["end"])) - int(ipaddress.ip_address(p["start"])) + 1
               for p in pools)


def free_addresses(pools: Sequence[dict[str, str]], used: Collection[str]
                   ) -> Iterator[str]:
    """The pools' addresses not in ``used``, lowest first (lazily: a /16 costs nothing)."""
    used_ints = {int(ipaddress.ip_address(address)) for address in used}
    ordered = sorted(pools, key=lambda p: int(ipaddress.ip_address(p["start"])))
    for pool in ordered:
        start = int(ipaddress.ip_address(pool["start"]))
        end = int(ipaddress.ip_address(pool["end"]))
        for value in range(start, end + 1):
            if value not in used_ints:
                yield str(ipaddress.IPv4Address(value))


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
