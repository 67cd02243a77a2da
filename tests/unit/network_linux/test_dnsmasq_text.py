"""dnsmasq's hostsfile and command line, built from what the network service knows."""

from __future__ import annotations

import pytest

from novalite.network.linux import DataPlaneError
from novalite.network.linux.dnsmasq import (
    dnsmasq_args,
    hostsfile_text,
    normalize_mac,
    sanitize_hostname,
    stale_leases,
)

ARGS = dict(bridge="br1", cidr="10.254.1.0/24", gateway_ip="10.254.1.1",
            dns_domain="novalocal", mtu=1450, pid_file="/s/pid", hosts_file="/s/hosts",
            leases_file="/s/leases", log_file="/s/log")


def test_hostsfile_lines() -> None:
    text = hostsfile_text([("FA-16-3E-00-00-01", "10.254.1.10", "Web Server.example"),
                           ("fa:16:3e:00:00:02", "10.254.1.11", "db_1"),
                           ("fa:16:3e:00:00:03", "10.254.1.12", "...")], "10.254.1.0/24")
    assert text == ("fa:16:3e:00:00:01,10.254.1.10,web-server\n"
                    "fa:16:3e:00:00:02,10.254.1.11,db-1\n"
                    "fa:16:3e:00:00:03,10.254.1.12\n")
    assert hostsfile_text([], "10.254.1.0/24") == ""


@pytest.mark.parametrize("hosts, message", [
    ([("fa:16:3e:00:00:01", "10.254.2.10", "a")], "not in"),
    ([("fa:16:3e:00:00:01", "10.254.1.10", "a"), ("fa:16:3e:00:00:01", "10.254.1.11", "b")],
     "duplicate"),
    ([("fa:16:3e:00:00:01", "10.254.1.10", "a"), ("fa:16:3e:00:00:02", "10.254.1.10", "b")],
     "duplicate"),
    ([("fa:16:3e:00:00:01,10.254.1.99", "10.254.1.10", "a")], "invalid MAC"),
])
def test_hostsfile_refuses(hosts, message) -> None:
    with pytest.raises(DataPlaneError, match=message):
        hostsfile_text(hosts, "10.254.1.0/24")


def test_hostname_and_mac_normalized() -> None:
    assert sanitize_hostname("My_Host.novalocal") == "my-host"
    assert sanitize_hostname("x" * 80) == "x" * 63
    assert sanitize_hostname("a,b\nc") == "a-b-c"
    assert normalize_mac(" FA:16:3E:AA:BB:CC ") == "fa:16:3e:aa:bb:cc"
    with pytest.raises(DataPlaneError):
        normalize_mac("fa:16:3e:aa:bb")


def test_arguments() -> None:
    args = dnsmasq_args(**ARGS)
    assert args[0] == "dnsmasq"
    for expected in ("--port=0", "--bind-interfaces", "--interface=br1", "--no-resolv",
                     "--no-hosts", "--conf-file=", "--pid-file=/s/pid",
                     "--dhcp-hostsfile=/s/hosts", "--dhcp-leasefile=/s/leases",
                     "--dhcp-range=10.254.1.0,static,255.255.255.0,86400s",
                     "--dhcp-option=option:router,10.254.1.1",
                     "--dhcp-option-force=option:mtu,1450", "--domain=novalocal",
                     "--dhcp-authoritative", "--log-facility=/s/log"):
        assert expected in args
    assert not any(arg.startswith("--dhcp-range") and "static" not in arg for arg in args)


@pytest.mark.parametrize("change, message", [
    ({"gateway_ip": "10.254.2.1"}, "gateway"),
    ({"dns_domain": "bad domain"}, "domain"),
    ({"dns_domain": "x,--dhcp-script=/bin/sh"}, "domain"),
])
def test_arguments_refused(change, message) -> None:
    with pytest.raises(DataPlaneError, match=message):
        dnsmasq_args(**{**ARGS, **change})


def test_stale_leases() -> None:
    leases = ("1700000000 fa:16:3e:00:00:01 10.254.1.10 vm-one 01:fa:16:3e:00:00:01\n"
              "1700000000 fa:16:3e:00:00:02 10.254.1.11 vm-two *\n"
              "1700000000 FA:16:3E:00:00:03 10.254.1.12 * *\n"
              "duid 00:01:00:01\n"
              "garbage\n")
    hosts = [("fa:16:3e:00:00:01", "10.254.1.10", "vm-one"),
             ("fa:16:3e:00:00:09", "10.254.1.11", "vm-nine"),   # address moved to a new MAC
             ("fa:16:3e:00:00:03", "10.254.1.12", "")]
    assert stale_leases(leases, hosts) == [("10.254.1.11", "fa:16:3e:00:00:02")]
    assert stale_leases("", hosts) == []


@pytest.mark.parametrize("mode, range_mode", [
    ("slaac", "ra-only"), ("dhcpv6-stateless", "ra-stateless"), ("dhcpv6-stateful", "static")])
def test_ipv6_arguments(mode, range_mode) -> None:
    args = dnsmasq_args(**ARGS, cidr6="2001:db8:1::/64", ipv6_mode=mode)
    assert "--enable-ra" in args
    assert f"--dhcp-range=2001:db8:1::,{range_mode},64,86400s" in args
    assert "--ra-param=br1,mtu:1450,10" in args
    assert "--dhcp-range=10.254.1.0,static,255.255.255.0,86400s" in args   # IPv4 kept


def test_ipv6_arguments_refused() -> None:
    with pytest.raises(DataPlaneError, match="IPv6 mode"):
        dnsmasq_args(**ARGS, cidr6="2001:db8:1::/64", ipv6_mode="magic")
    with pytest.raises(DataPlaneError, match="/64"):
        dnsmasq_args(**ARGS, cidr6="2001:db8:1::/80", ipv6_mode="slaac")
    assert "--enable-ra" not in dnsmasq_args(**ARGS)


def test_hostsfile_with_dhcpv6_addresses() -> None:
    text = hostsfile_text([("fa:16:3e:00:00:01", "10.254.1.10", "vm"),
                           ("fa:16:3e:00:00:02", "10.254.1.11", "")], "10.254.1.0/24",
                          {"FA:16:3E:00:00:01": "2001:db8:1::10"}, "2001:db8:1::/64")
    assert text == ("fa:16:3e:00:00:01,10.254.1.10,[2001:db8:1::10],vm\n"
                    "fa:16:3e:00:00:02,10.254.1.11\n")
    with pytest.raises(DataPlaneError, match="not in"):
        hostsfile_text([], "10.254.1.0/24", {"fa:16:3e:00:00:01": "2001:db8:2::1"},
                       "2001:db8:1::/64")
