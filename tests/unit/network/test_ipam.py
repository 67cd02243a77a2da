"""IPAM's pure parts: subnets, pools, picking the lowest free address, MACs."""

from __future__ import annotations

import ipaddress
import random

import pytest

from novalite.network import ipam


def test_parse_cidr_normalises_both_versions():
    assert str(ipam.parse_cidr("10.0.0.0/24")) == "10.0.0.0/24"
    assert str(ipam.parse_cidr("10.99.99.0/16")) == "10.99.0.0/16"
    assert str(ipam.parse_cidr("fd00:0:0:1::5/64")) == "fd00:0:0:1::/64"
    assert str(ipam.parse_cidr("fd00::/64", 6)) == "fd00::/64"
    for bad in ("10.0.0.1", "banana", "10.0.0.0/31", "fd00::/127", None, 42):
        with pytest.raises(ipam.InvalidSubnet):
            ipam.parse_cidr(bad)
    with pytest.raises(ipam.InvalidSubnet, match="does not match"):
        ipam.parse_cidr("fd00::/64", 4)


def test_ipv6_pools_and_gateway():
    net = ipaddress.IPv6Network("fd00:1::/64")
    assert ipam.default_gateway(net) == "fd00:1::1"
    assert ipam.default_pools(net, "fd00:1::1") == [
        {"start": "fd00:1::2", "end": "fd00:1::ffff:ffff:ffff:ffff"}]  # no broadcast
    assert ipam.check_gateway(net, "fd00:1::ffff:ffff:ffff:ffff")
    with pytest.raises(ipam.InvalidSubnet):
        ipam.check_gateway(net, "10.0.0.1")
    assert ipam.first_free(ipam.default_pools(net, "fd00:1::1"), {"fd00:1::2"}) == "fd00:1::3"


def test_eui64_is_the_slaac_address():
    # RFC 4291 appendix A: the MAC split by ff:fe, the universal/local bit flipped
    assert ipam.eui64("2001:db8::/64", "fa:16:3e:12:34:56") == "2001:db8::f816:3eff:fe12:3456"
    assert ipam.link_local("00:16:3e:00:00:01") == "fe80::216:3eff:fe00:1"
    assert ipam.is_auto_address({"ip_version": 6, "ipv6_address_mode": "slaac"})
    assert ipam.is_auto_address({"ip_version": 6, "ipv6_address_mode": "dhcpv6-stateless"})
    assert not ipam.is_auto_address({"ip_version": 6, "ipv6_address_mode": "dhcpv6-stateful"})
    assert not ipam.is_auto_address({"ip_version": 4, "ipv6_address_mode": None})


def test_default_pools_split_around_the_gateway():
    net = ipaddress.IPv4Network("10.0.0.0/24")
    assert ipam.default_pools(net, "10.0.0.1") == [{"start": "10.0.0.2", "end": "10.0.0.254"}]
    assert ipam.default_pools(net, "10.0.0.100") == [
        {"start": "10.0.0.1", "end": "10.0.0.99"}, {"start": "10.0.0.101", "end": "10.0.0.254"}]
    assert ipam.default_pools(net, "10.0.0.254") == [{"start": "10.0.0.1", "end": "10.0.0.253"}]
    assert ipam.default_pools(net, None) == [{"start": "10.0.0.1", "end": "10.0.0.254"}]
    assert ipam.pool_size(ipam.default_pools(ipaddress.IPv4Network("10.0.0.0/26"),
                                             "10.0.0.1")) == 61


def test_check_gateway():
    net = ipaddress.IPv4Network("10.0.0.0/24")
    assert ipam.check_gateway(net, "10.0.0.9") == "10.0.0.9"
    for bad in ("10.0.1.1", "10.0.0.0", "10.0.0.255", "x"):
        with pytest.raises(ipam.InvalidSubnet):
            ipam.check_gateway(net, bad)


def test_check_pools():
    net = ipaddress.IPv4Network("10.0.0.0/24")
    pools = [{"start": "10.0.0.50", "end": "10.0.0.60"}, {"start": "10.0.0.10", "end": "10.0.0.20"}]
    assert ipam.check_pools(net, pools, "10.0.0.1") == sorted(
        pools, key=lambda p: ipaddress.ip_address(p["start"]))
    bad_pools = [
        "x", [{"start": "10.0.0.5"}], [{"start": "10.0.0.9", "end": "10.0.0.5"}],
        [{"start": "10.0.0.5", "end": "10.0.1.5"}], [{"start": "10.0.0.0", "end": "10.0.0.5"}],
        [{"start": "10.0.0.2", "end": "10.0.0.9"}, {"start": "10.0.0.9", "end": "10.0.0.20"}],
        [{"start": "10.0.0.1", "end": "10.0.0.5"}],  # holds the gateway
        [{"start": "10.0.0.2", "end": "10.0.0.5", "extra": 1}],
    ]
    for bad in bad_pools:
        with pytest.raises(ipam.InvalidSubnet):
            ipam.check_pools(net, bad, "10.0.0.1")


def test_free_addresses_lowest_first_across_pools():
    pools = [{"start": "10.0.0.20", "end": "10.0.0.21"}, {"start": "10.0.0.2", "end": "10.0.0.4"}]
    assert list(ipam.free_addresses(pools, {"10.0.0.3"})) == [
        "10.0.0.2", "10.0.0.4", "10.0.0.20", "10.0.0.21"]
    assert ipam.first_free(pools, {"10.0.0.2", "10.0.0.3"}) == "10.0.0.4"
    everything = {str(ip) for ip in ("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.20",
                                     "10.0.0.21")}
    assert ipam.first_free(pools, everything) is None


def test_free_addresses_is_lazy_on_big_pools():
    pools = [{"start": "10.0.0.1", "end": "10.255.255.254"}]
    assert ipam.first_free(pools, {"10.0.0.1"}) == "10.0.0.2"


def test_in_pools_contains_overlaps():
    pools = [{"start": "10.0.0.2", "end": "10.0.0.9"}]
    assert ipam.in_pools("10.0.0.9", pools) and not ipam.in_pools("10.0.0.10", pools)
    assert ipam.contains("10.0.0.0/24", "10.0.0.77")
    assert not ipam.contains("10.0.0.0/24", "10.0.1.1")
    assert ipam.overlaps("10.0.0.0/25", ["192.168.0.0/24", "10.0.0.0/16"])
    assert not ipam.overlaps("10.0.0.0/25", ["10.0.0.128/25"])


def test_random_mac_has_the_openstack_prefix():
    rng = random.Random(7)
    macs = {ipam.random_mac(rng) for _ in range(200)}
    assert len(macs) > 190  # random, so collisions happen: the store retries them
    for mac in macs:
        assert mac.startswith("fa:16:3e:") and len(mac) == 17
        assert ipam.normalize_mac(mac) == mac


def test_normalize_mac():
    assert ipam.normalize_mac("FA-16-3E-00-AB-01") == "fa:16:3e:00:ab:01"
    for bad in ("fa:16:3e:00:ab", "zz:16:3e:00:ab:01", "01:00:5e:00:00:01", 5):
        with pytest.raises(ipam.InvalidSubnet):
            ipam.normalize_mac(bad)
