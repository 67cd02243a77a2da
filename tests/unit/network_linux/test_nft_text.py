"""The nftables text of one port's security group rules (no kernel involved)."""

from __future__ import annotations

import pytest

from novalite.network.linux import DataPlaneError, nft
from novalite.network.linux.metadata_proxy import sign

SPEC = nft.PortSpec(port_id="6f1c-ab01", tap="tap6f1c", mac="FA:16:3E:AA:BB:CC",
                    ip="10.254.1.5")


def _chain(text: str, family: str, chain: str) -> list[str]:
    """The rule lines of `chain` in the `family` table of `text`."""
    table = text.split(f"\ntable {family} ", 1)[1].split("\n}\n", 1)[0]
    body = table.split(f"\tchain {chain} {{\n", 1)[1].split("\n\t}", 1)[0]
    return [line.strip() for line in body.splitlines() if "type filter hook" not in line]


@pytest.mark.parametrize("rule, expected", [
    ({"direction": "ingress", "ethertype": "IPv4", "protocol": None},
     ["meta nfproto ipv4 accept"]),
    ({"direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22,
      "remote_ip_prefix": "10.0.0.0/8"},
     ["ip saddr { 10.0.0.0/8 } meta l4proto tcp th dport 22 accept"]),
    ({"direction": "egress", "protocol": "udp", "port_range_min": 1000,
      "port_range_max": 2000, "remote_ip_prefix": "192.0.2.1"},
     ["ip daddr { 192.0.2.1/32 } meta l4proto udp th dport 1000-2000 accept"]),
    ({"direction": "ingress", "protocol": "icmp", "port_range_min": 8, "port_range_max": 0},
     ["meta nfproto ipv4 meta l4proto icmp icmp type 8 icmp code 0 accept"]),
    ({"direction": "ingress", "protocol": "icmp", "port_range_min": 8},
     ["meta nfproto ipv4 meta l4proto icmp icmp type 8 accept"]),
    ({"direction": "ingress", "protocol": "6"}, ["meta nfproto ipv4 meta l4proto tcp accept"]),
    ({"direction": "ingress", "protocol": "112"}, ["meta nfproto ipv4 meta l4proto 112 accept"]),
    ({"direction": "ingress", "protocol": "any"}, ["meta nfproto ipv4 accept"]),
    ({"direction": "ingress", "ethertype": "IPv6", "protocol": "tcp"},
     ["meta nfproto ipv6 meta l4proto tcp accept"]),
    ({"direction": "ingress", "ethertype": "IPv6", "protocol": "icmp", "port_range_min": 128,
      "remote_ip_prefix": "2001:db8::/64"},
     ["ip6 saddr { 2001:db8::/64 } meta l4proto ipv6-icmp icmpv6 type 128 accept"]),
    ({"direction": "egress", "ethertype": "IPv6", "protocol": "ipv6-icmp"},
     ["meta nfproto ipv6 meta l4proto ipv6-icmp accept"]),
    # a remote group's members of the other family do not count
    ({"direction": "ingress", "ethertype": "IPv6",
      "remote_ip_prefixes": ["10.254.1.7/32", "2001:db8::7/128"]},
     ["ip6 saddr { 2001:db8::7/128 } accept"]),
    ({"direction": "ingress", "ethertype": "IPv6", "remote_ip_prefixes": ["10.254.1.7/32"]},
     []),
    ({"direction": "ingress", "protocol": "icmp", "remote_ip_prefixes": []}, []),
    ({"direction": "ingress", "remote_ip_prefixes": ["10.254.1.7", "10.254.1.8/32"]},
     ["ip saddr { 10.254.1.7/32, 10.254.1.8/32 } accept"]),
])
def test_rule_lines(rule, expected) -> None:
    assert nft.rule_lines(rule) == expected


@pytest.mark.parametrize("rule", [
    {"direction": "sideways"},
    {"direction": "ingress", "protocol": "tcp", "port_range_min": 0, "port_range_max": 80},
    {"direction": "ingress", "protocol": "tcp", "port_range_min": 90, "port_range_max": 80},
    {"direction": "ingress", "protocol": "tcp; flush ruleset"},
    {"direction": "ingress", "remote_ip_prefix": "10.0.0.0/8 } accept; drop {"},
    {"direction": "ingress", "protocol": "icmp", "port_range_min": 300},
    {"direction": "ingress", "protocol": "ipv6-icmp"},
    {"direction": "ingress", "ethertype": "IPv6", "remote_ip_prefix": "10.0.0.0/8"},
    {"direction": "ingress", "ethertype": "IPv5"},
])
def test_bad_rules_refused(rule) -> None:
    with pytest.raises((DataPlaneError, ValueError)):
        nft.rule_lines(rule)


def test_port_ruleset() -> None:
    rules = [{"direction": "egress", "ethertype": "IPv4"},
             {"direction": "ingress", "protocol": "icmp"}]
    text = nft.port_ruleset(SPEC, 3, rules)
    name = "nlport3_6f1c_ab01"
    # Replaced as a whole in one transaction: old tables go, then the new ones.
    assert text.startswith(f"add table bridge {name}\ndelete table bridge {name}\n"
                           f"add table inet {name}\ndelete table inet {name}\n")
    assert _chain(text, "bridge", "prerouting") == ['iifname "tap6f1c" jump from_port']
    spoof = _chain(text, "bridge", "from_port")
    assert spoof[0] == "meta mark set 0x00000003"
    assert "ether saddr != fa:16:3e:aa:bb:cc drop" in spoof
    assert "ether type ip ip saddr != 10.254.1.5 drop" in spoof
    assert "ether type arp arp saddr ip != { 0.0.0.0, 10.254.1.5 } drop" in spoof
    assert spoof[-1] == "drop"   # neither IPv6 nor other ether types
    assert _chain(text, "bridge", "forward") == [
        'oifname "tap6f1c" meta mark set meta mark | 0x00030000']
    assert _chain(text, "inet", "forward") == [
        "meta mark & 0x0000ffff == 0x00000003 jump egress",
        "meta mark & 0xffff0000 == 0x00030000 jump ingress",
        "meta mark & 0xffff0000 == 0 ip daddr 10.254.1.5 jump ingress"]
    assert _chain(text, "inet", "input") == ["meta mark & 0x0000ffff == 0x00000003 jump egress"]
    assert _chain(text, "inet", "egress") == [
        "ct state established,related accept", f"icmpv6 type {{ {nft.ND_OUT} }} accept",
        "ct state invalid drop", "udp sport 68 udp dport 67 accept",
        "udp sport 546 udp dport 547 accept", "ip daddr 169.254.169.254 tcp dport 80 accept",
        "meta nfproto ipv4 accept", "drop"]
    assert _chain(text, "inet", "ingress") == [
        "ct state established,related accept", f"icmpv6 type {{ {nft.ND_IN} }} accept",
        "ct state invalid drop", "udp sport 67 udp dport 68 accept",
        "udp sport 547 udp dport 546 accept", "meta nfproto ipv4 meta l4proto icmp accept",
        "drop"]


def test_port_with_ipv6_addresses() -> None:
    spec = nft.PortSpec(port_id="6f1c-ab01", tap="tap6f1c", mac="FA:16:3E:AA:BB:CC",
                        ip="10.254.1.5", ip6=("2001:db8::f816:3eff:feaa:bbcc",))
    assert nft.link_local("fa:16:3e:aa:bb:cc") == "fe80::f816:3eff:feaa:bbcc"
    text = nft.port_ruleset(spec, 3, [])
    spoof = _chain(text, "bridge", "from_port")
    assert spoof[-5:] == [
        "ether type ip6 ip6 saddr != { ::, fe80::f816:3eff:feaa:bbcc, "
        "2001:db8::f816:3eff:feaa:bbcc } drop",
        "icmpv6 type nd-router-advert drop", "udp sport 547 drop", "ether type ip6 accept",
        "drop"]
    assert _chain(text, "inet", "forward")[-1] == (
        "meta mark & 0xffff0000 == 0 ip6 daddr { 2001:db8::f816:3eff:feaa:bbcc } jump ingress")


def test_port_ruleset_without_rules_drops_both_ways() -> None:
    text = nft.port_ruleset(SPEC, 1, [])
    assert _chain(text, "inet", "egress")[-2:] == [
        "ip daddr 169.254.169.254 tcp dport 80 accept", "drop"]
    assert _chain(text, "inet", "ingress")[-2:] == ["udp sport 547 udp dport 546 accept", "drop"]


@pytest.mark.parametrize("spec", [
    nft.PortSpec("p", 'tap"; flush ruleset', "fa:16:3e:aa:bb:cc", "10.0.0.1"),
    nft.PortSpec("p", "tap-name-much-too-long", "fa:16:3e:aa:bb:cc", "10.0.0.1"),
    nft.PortSpec("p", "tap1", "fa:16:3e:aa:bb", "10.0.0.1"),
    nft.PortSpec("p", "tap1", "fa:16:3e:aa:bb:cc", "10.0.0.300"),
])
def test_bad_port_refused(spec) -> None:
    with pytest.raises((DataPlaneError, ValueError)):
        nft.port_ruleset(spec, 1, [])


def test_names_and_indexes() -> None:
    assert nft.port_key("6f1c-ab01") == "6f1c_ab01"
    odd = nft.port_key("6f1c_ab01")   # would collide with the one above: hashed
    assert odd != "6f1c_ab01" and odd.startswith("6f1c_ab01_")
    assert nft.port_key("a b;c") != nft.port_key("a_b_c")
    assert nft.table_name(7, "x-y") == "nlport7_x_y"
    with pytest.raises(DataPlaneError):
        nft.table_name(0, "x")
    with pytest.raises(DataPlaneError):
        nft.table_name(0x10000, "x")
    listing = ("table bridge nlport1_aa\ntable inet nlport1_aa\ntable inet nlport3_b_c\n"
               "table ip filter\ntable inet nlportx_bad\n")
    existing = nft.parse_tables(listing)
    assert existing == {"aa": 1, "b_c": 3}
    assert nft.choose_index("aa", existing) == 1
    assert nft.choose_index("b-c", existing) == 3
    assert nft.choose_index("new", existing) == 2
    with pytest.raises(DataPlaneError, match="no free"):
        nft.choose_index("new", {str(i): i for i in range(1, nft.MAX_INDEX + 1)})


def test_signature() -> None:
    # RFC 4231 test case 2: HMAC-SHA256, key "Jefe".
    assert sign("Jefe", "what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
