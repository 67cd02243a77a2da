"""Real guests on a real network: the boot flow's steps 22–24 end to end.

Three tiny guests boot through the API on one network of the network service. Each
gets its fixed IP from dnsmasq in the data plane's namespace, reads its own metadata
through the signing proxy at 169.254.169.254, and runs its user-data script; the third
pings the other two, one of which sits in a security group without an ICMP rule.
"""

from __future__ import annotations

import base64
import os
import subprocess
import time
import uuid
from collections.abc import Iterator

import openstack
import pytest

from novalite.api.metadata.handler import make_app as make_metadata_app
from novalite.common import wsgi
from novalite.guest import build_tiny, upload_tiny
from tests.guests import use_libvirt
from tests.integration.console import send_until

CACHE = os.environ.get("NOVALITE_TINY_CACHE",
                       os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))
CIDR_PREFIX = "10.254.77"


def wait_for(predicate, timeout: float, interval: float = 0.25, what: str = ""):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def network_conf(conf, tmp_path) -> Iterator[object]:
    """libvirt guests, a namespace of this test's own, and a metadata API to sign for."""
    namespace = f"nl-{uuid.uuid4().hex[:8]}"
    use_libvirt(conf)
    conf.set_override("namespace", namespace, "network")
    conf.set_override("metadata_proxy_shared_secret", "proxy-secret", "neutron")
    conf.set_override("security_group_refresh_interval", 1, "network")
    metadata = wsgi.Server("metadata", make_metadata_app(), "127.0.0.1", 0, threads=4)
    metadata.start()
    conf.set_override("metadata_listen_port", metadata.port)
    yield conf
    metadata.stop()
    from novalite.network.linux import DataPlane

    DataPlane(namespace, os.path.join(conf.state_path, "network")).teardown()


def console(conn: openstack.connection.Connection, server_id: str) -> str:
    return conn.compute.get_server_console_output(server_id)["output"]


def fixed_ip(conn: openstack.connection.Connection, server_id: str) -> str:
    addresses = conn.compute.get_server(server_id).addresses
    return addresses["net1"][0]["addr"]


def test_guests_get_addresses_metadata_and_security_groups(network_conf, cloud, admin):
    conn = admin
    image_id = upload_tiny(cloud["image"], conn.auth_token, build_tiny(CACHE))["image_id"]
    network = conn.network.create_network(name="net1")
    conn.network.create_subnet(network_id=network.id, cidr=f"{CIDR_PREFIX}.0/24",
                               ip_version=4, name="sub1")
    pingable = conn.network.create_security_group(name="pingable")
    conn.network.create_security_group_rule(security_group_id=pingable.id,
                                            direction="ingress", protocol="icmp",
                                            ethertype="IPv4", remote_ip_prefix="0.0.0.0/0")
    closed = conn.network.create_security_group(name="closed")  # egress only

    def boot(name: str, group: str, script: str = "") -> str:
        user_data = base64.b64encode(f"#!/bin/sh\necho USERDATA-{name} $((6 * 7))\n{script}"
                                     .encode()).decode()
        server = conn.compute.create_server(
            name=name, flavor_id="1", image_id=image_id, networks=[{"uuid": network.id}],
            security_groups=[{"name": group}], user_data=user_data)
        return server.id

    first, second = boot("vm1", "pingable"), boot("vm2", "closed")
    for server_id in (first, second):
        conn.compute.wait_for_server(conn.compute.get_server(server_id), status="ACTIVE",
                                     wait=120, interval=0.25)
    ip1, ip2 = fixed_ip(conn, first), fixed_ip(conn, second)
    assert ip1 != ip2 and ip1.startswith(CIDR_PREFIX) and ip2.startswith(CIDR_PREFIX)
    pinger = boot("vm3", "pingable", "".join(
        f"ping -c 2 -W 2 {ip} >/dev/null && echo PING-{ip}-OK || echo PING-{ip}-FAIL\n"
        for ip in (ip1, ip2)))
    conn.compute.wait_for_server(conn.compute.get_server(pinger), status="ACTIVE", wait=120,
                                 interval=0.25)
    ip3 = fixed_ip(conn, pinger)
    for name, server_id, ip in (("vm1", first, ip1), ("vm2", second, ip2),
                                ("vm3", pinger, ip3)):
        output = wait_for(lambda server_id=server_id: (lambda out: out if "login:" in out
                                                       else None)(console(conn, server_id)),
                          timeout=120, what=f"login: on {name}")
        assert f"tiny: eth0 {ip}/24" in output, output
        assert (f"METADATA uuid={server_id} hostname={name}.novalocal "
                "source=metadata-service") in output, output
        assert f"USERDATA-{name} 42" in output, output
    output = console(conn, pinger)
    assert f"PING-{ip1}-OK" in output, output
    assert f"PING-{ip2}-FAIL" in output, output

    # A rule added to vm2's group later reaches its running port: a ping typed on vm3's
    # console now gets through.
    conn.network.create_security_group_rule(security_group_id=closed.id, direction="ingress",
                                            protocol="icmp", ethertype="IPv4",
                                            remote_ip_prefix=f"{ip3}/32")
    host = conn.compute.get_server(pinger).compute_host
    send_until(cloud["plane"].driver(host), {"uuid": pinger},
               f"ping -c 1 -W 1 {ip2} >/dev/null && echo LATER-PING-$((40 + 2))",
               lambda: "LATER-PING-42" in console(conn, pinger),
               "a ping allowed by the new rule")

    # A hard reboot starts a new QEMU with a new tap: plugged again, same lease.
    conn.compute.reboot_server(first, "HARD")
    conn.compute.wait_for_server(conn.compute.get_server(first), status="ACTIVE", wait=120,
                                 interval=0.25)
    wait_for(lambda: console(conn, first).count(f"tiny: eth0 {ip1}/24") >= 2, timeout=120,
             what="the lease again after a hard reboot")

    # os-interface: a second port on the running guest, then detached again.
    attached = conn.compute.create_server_interface(first, net_id=network.id)
    assert [i.port_id for i in conn.compute.server_interfaces(first)].count(
        attached.port_id) == 1
    assert len(conn.compute.get_server(first).addresses["net1"]) == 2
    conn.compute.delete_server_interface(attached, server=first)
    wait_for(lambda: len(conn.compute.get_server(first).addresses["net1"]) == 1, timeout=60,
             what="the detached port gone from the addresses")

    # Deleting the servers releases every port and leaves no tap behind.
    for server_id in (first, second, pinger):
        conn.compute.delete_server(server_id)
    wait_for(lambda: not any(conn.compute.find_server(i) for i in (first, second, pinger)),
             timeout=60, what="every server gone")
    assert list(conn.network.ports(network_id=network.id, device_owner="compute:nova")) == []
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    namespace = network_conf.network.namespace  # type: ignore[attr-defined]
    inside = subprocess.run(["ip", "-n", namespace, "-o", "link"], capture_output=True,
                            text=True).stdout
    assert " tap" not in links and " tap" not in inside, (links, inside)


def test_config_drive_without_a_network(network_conf, cloud, admin):
    """``--config-drive true --nic none``: the guest finds its metadata and user data on
    the config-2 drive, since no network gives it any."""
    conn = admin
    image_id = upload_tiny(cloud["image"], conn.auth_token, build_tiny(CACHE))["image_id"]
    user_data = base64.b64encode(b"#!/bin/sh\necho DRIVE-USERDATA $((6 * 7))\n").decode()
    server = conn.compute.create_server(name="drive", flavor_id="1", image_id=image_id,
                                        networks="none", config_drive=True,
                                        user_data=user_data)
    conn.compute.wait_for_server(server, status="ACTIVE", wait=120, interval=0.25)
    output = wait_for(lambda: (lambda out: out if "login:" in out else None)(
        console(conn, server.id)), timeout=120, what="login: on the config drive guest")
    assert f"METADATA uuid={server.id}" in output and "source=config-drive" in output, output
    assert "DRIVE-USERDATA 42" in output, output
    assert conn.compute.get_server(server.id).has_config_drive in (True, "True")
    conn.compute.delete_server(server)
    wait_for(lambda: conn.compute.find_server(server.id) is None, timeout=60,
             what="the server gone")
