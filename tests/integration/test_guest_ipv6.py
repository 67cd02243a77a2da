"""Real guests on a dual-stack network: dnsmasq's router advertisements give each its
SLAAC address (the EUI-64 one the network service allocated), the guest shows it on
its console, and a neighbour's ping6 gets through where the security group allows
ICMPv6 and not where it does not.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import subprocess

import pytest

from novalite.guest import build_tiny, upload_tiny
from tests.integration.test_guest_network import console, network_conf, wait_for  # noqa: F401

CACHE = os.environ.get("NOVALITE_TINY_CACHE",
                       os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))
PREFIX = "2001:db8:79::"
WAIT_FOR_INET6 = (
    "for i in $(seq 60); do\n"
    "  ip -6 -o addr show dev eth0 scope global | grep -v tentative | grep -q inet6 && break\n"
    "  sleep 0.5\ndone\n")


def ipv6_of(conn, server_id: str) -> str:  # type: ignore[no-untyped-def]
    [address] = [a["addr"] for a in conn.compute.get_server(server_id).addresses["dual"]
                 if a["version"] == 6]
    return address


@pytest.mark.parametrize("mode", ["slaac", "dhcpv6-stateless"])
def test_slaac_address_on_the_console_and_ping6(network_conf, cloud, admin, mode):  # noqa: F811
    """SLAAC, and DHCPv6-stateless (addresses from SLAAC, dnsmasq's RA saying so)."""
    conn = admin
    image_id = upload_tiny(cloud["image"], conn.auth_token, build_tiny(CACHE))["image_id"]
    network = conn.network.create_network(name="dual")
    conn.network.create_subnet(network_id=network.id, cidr="10.254.79.0/24", ip_version=4)
    subnet6 = conn.network.create_subnet(network_id=network.id, cidr=f"{PREFIX}/64",
                                         ip_version=6, ipv6_ra_mode=mode,
                                         ipv6_address_mode=mode)
    assert subnet6.gateway_ip == f"{PREFIX}1"
    ping6 = conn.network.create_security_group(name="ping6")
    conn.network.create_security_group_rule(security_group_id=ping6.id, direction="ingress",
                                            protocol="ipv6-icmp", ethertype="IPv6",
                                            remote_ip_prefix="::/0")
    conn.network.create_security_group(name="closed")   # egress only

    def boot(name: str, group: str, script: str = "") -> str:
        user_data = base64.b64encode(f"#!/bin/sh\n{script}".encode()).decode()
        return conn.compute.create_server(
            name=name, flavor_id="1", image_id=image_id, networks=[{"uuid": network.id}],
            security_groups=[{"name": group}], user_data=user_data).id

    targets = {"open6": boot("open6", "ping6"), "closed6": boot("closed6", "closed")}
    for server_id in targets.values():
        conn.compute.wait_for_server(conn.compute.get_server(server_id), status="ACTIVE",
                                     wait=120, interval=0.25)
    addresses = {name: ipv6_of(conn, server_id) for name, server_id in targets.items()}
    for name, server_id in targets.items():
        assert ipaddress.IPv6Address(addresses[name]) in ipaddress.IPv6Network(f"{PREFIX}/64")
        wait_for(lambda server_id=server_id, name=name: f"tiny: eth0 inet6 {addresses[name]}/64"
                 in console(conn, server_id), timeout=180, what=f"the SLAAC address of {name}")

    open6, closed6 = addresses["open6"], addresses["closed6"]
    script = WAIT_FOR_INET6 + (
        "ok=FAIL\n"
        "for i in $(seq 20); do\n"
        f"  ping6 -c 1 -W 2 {open6} >/dev/null 2>&1 && {{ ok=OK; break; }}\n"
        "  sleep 1\ndone\n"
        f"echo PING6-open-$ok\n"
        "ok=FAIL\n"
        "for i in 1 2 3; do\n"
        f"  ping6 -c 1 -W 2 {closed6} >/dev/null 2>&1 && {{ ok=OK; break; }}\n"
        "done\n"
        f"echo PING6-closed-$ok\n")
    pinger = boot("pinger6", "ping6", script)
    conn.compute.wait_for_server(conn.compute.get_server(pinger), status="ACTIVE", wait=120,
                                 interval=0.25)
    output = wait_for(lambda: (lambda out: out if "login:" in out else None)(
        console(conn, pinger)), timeout=180, what="login: on the pinger")
    assert "PING6-open-OK" in output, output
    assert "PING6-closed-FAIL" in output, output
    assert f"tiny: eth0 inet6 {ipv6_of(conn, pinger)}/64" in console(conn, pinger)
    # IPv4 and the metadata service still work on the dual-stack network
    assert "tiny: eth0 10.254.79." in output and "source=metadata-service" in output, output

    namespace = network_conf.network.namespace  # type: ignore[attr-defined]
    bridge = "brq" + network.id[:11]
    shown = subprocess.run(["ip", "-n", namespace, "-6", "addr", "show", "dev", bridge],
                           capture_output=True, text=True).stdout
    assert f"{PREFIX}1/64" in shown, shown
    dnsmasq = subprocess.run(["pgrep", "-a", "dnsmasq"], capture_output=True, text=True).stdout
    expected = {"slaac": "ra-only", "dhcpv6-stateless": "ra-stateless"}[mode]
    assert f"--dhcp-range={PREFIX},{expected},64" in dnsmasq, dnsmasq
