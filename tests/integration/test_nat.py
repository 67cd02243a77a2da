"""A real NAT data plane: a tiny guest behind a router, an "outside" namespace playing
the internet.

The outside namespace is joined to the external network's bridge (in the data plane's
namespace) by a veth and holds the external subnet's gateway address, with an HTTP
server that answers with the source address it saw. The guest reaches it through the
router's SNAT; with a floating IP (associated through the Compute API's legacy
addFloatingIp) the outside reaches the guest's own HTTP server, and the guest leaves
from its floating IP; removeFloatingIp cuts it, associating through the network API
brings it back and deleting the floating IP cuts it again.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from novalite.api.metadata.handler import make_app as make_metadata_app
from novalite.common import wsgi
from novalite.guest import build_tiny, upload_tiny
from novalite.network.linux.commands import run_in_namespace
from tests.guests import use_libvirt
from tests.integration.console import send_until
from tests.integration.test_guest_network import console, wait_for

CACHE = os.environ.get("NOVALITE_TINY_CACHE",
                       os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))
OUTSIDE_IP = "203.0.113.1"
OUTSIDE_PORT = 8000
GUEST_PORT = 8080
ECHO_PORT = 9000


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=check)


class OutsideServer:
    """An HTTP server in the outside namespace: answers ``OUTSIDE-SAW <source> <path>``
    and records (source, path) of every request."""

    def __init__(self, namespace: str) -> None:
        def bind() -> socket.socket:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((OUTSIDE_IP, OUTSIDE_PORT))
            sock.listen(16)
            return sock

        self.sock = run_in_namespace(namespace, bind)   # the socket stays in that namespace
        self.seen: list[tuple[str, str]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, (source, _) = self.sock.accept()
            except OSError:
                return
            with client:
                client.settimeout(5)
                try:
                    request = client.recv(4096).decode(errors="replace")
                    path = request.split(" ")[1] if " " in request else "?"
                    self.seen.append((source, path))
                    body = f"OUTSIDE-SAW {source} {path}\n".encode()
                    client.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                                   + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


def fetch_from_outside(namespace: str, address: str) -> str | None:
    """GET http://address:GUEST_PORT/ from the outside namespace; None when it fails."""
    def get() -> str | None:
        try:
            with socket.create_connection((address, GUEST_PORT), timeout=2) as conn:
                conn.sendall(f"GET / HTTP/1.0\r\nHost: {address}\r\n\r\n".encode())
                data = b""
                while chunk := conn.recv(4096):
                    data += chunk
            return data.decode(errors="replace")
        except OSError:
            return None

    return run_in_namespace(namespace, get)


@pytest.fixture
def nat_conf(conf) -> Iterator[Any]:
    """libvirt guests, a data plane namespace and an outside namespace of this test's own."""
    tag = uuid.uuid4().hex[:6]
    namespace, outside = f"nl-{tag}", f"nlo-{tag}"
    use_libvirt(conf)
    conf.set_override("namespace", namespace, "network")
    conf.set_override("metadata_proxy_shared_secret", "proxy-secret", "neutron")
    conf.set_override("security_group_refresh_interval", 1, "network")
    metadata = wsgi.Server("metadata", make_metadata_app(), "127.0.0.1", 0, threads=4)
    metadata.start()
    conf.set_override("metadata_listen_port", metadata.port)
    sh("ip", "netns", "add", outside)
    veth = f"nlv{tag}"
    sh("ip", "link", "add", veth, "type", "veth", "peer", "name", f"nlw{tag}")
    sh("ip", "link", "set", f"nlw{tag}", "netns", outside)
    sh("ip", "-n", outside, "addr", "add", f"{OUTSIDE_IP}/24", "dev", f"nlw{tag}")
    sh("ip", "-n", outside, "link", "set", f"nlw{tag}", "up")
    sh("ip", "-n", outside, "link", "set", "lo", "up")
    yield conf, namespace, outside, veth
    metadata.stop()
    sh("ip", "link", "del", veth, check=False)
    sh("ip", "netns", "del", outside, check=False)
    from novalite.network.linux import DataPlane

    DataPlane(namespace, os.path.join(conf.state_path, "network")).teardown()


def dropped_dnat(namespace: str) -> int:
    """Packets of flows DNATed to a floating IP that is gone, dropped so far."""
    rules = sh("ip", "netns", "exec", namespace, "nft", "list", "table", "ip", "nl_l3").stdout
    for line in rules.splitlines():
        if line.strip().startswith("ct status dnat") and "drop" in line:
            return int(line.split("counter packets ")[1].split()[0])
    raise AssertionError(rules)


def legacy_action(cloud: dict[str, Any], token: str, server_id: str,
                  body: dict[str, Any]) -> requests.Response:
    """A server action at microversion 2.1 (addFloatingIp is gone from 2.44)."""
    return requests.post(f"{cloud['compute']}/servers/{server_id}/action", json=body,
                         timeout=30, headers={"X-Auth-Token": token,
                                              "OpenStack-API-Version": "compute 2.1"})


def test_snat_floating_ip_and_disassociation(nat_conf, cloud, admin):
    conf, namespace, outside, veth = nat_conf
    conn = admin
    image_id = upload_tiny(cloud["image"], conn.auth_token, build_tiny(CACHE))["image_id"]
    public = conn.network.create_network(name="public", is_router_external=True)
    conn.network.create_subnet(network_id=public.id, cidr="203.0.113.0/24", ip_version=4,
                               gateway_ip=OUTSIDE_IP, is_dhcp_enabled=False,
                               allocation_pools=[{"start": "203.0.113.10",
                                                  "end": "203.0.113.60"}])
    private = conn.network.create_network(name="private")
    subnet = conn.network.create_subnet(network_id=private.id, cidr="10.254.78.0/24",
                                        ip_version=4, name="private-sub")
    router = conn.network.create_router(name="r1",
                                        external_gateway_info={"network_id": public.id})
    conn.network.add_interface_to_router(router, subnet_id=subnet.id)
    router_ip = conn.network.get_router(router.id).external_gateway_info[
        "external_fixed_ips"][0]["ip_address"]

    # The compute node's sync makes the external bridge: the outside is plugged into it.
    bridge = "brq" + public.id[:11]
    wait_for(lambda: sh("ip", "-n", namespace, "link", "show", bridge, check=False
                        ).returncode == 0, timeout=30, what="the external bridge")
    # the namespace's way out is the external subnet's gateway (the outside here)
    assert f"default via {OUTSIDE_IP} dev {bridge}" in sh(
        "ip", "-n", namespace, "route").stdout
    sh("ip", "link", "set", veth, "netns", namespace)
    sh("ip", "-n", namespace, "link", "set", veth, "master", bridge)
    sh("ip", "-n", namespace, "link", "set", veth, "up")
    server_outside = OutsideServer(outside)
    try:
        web = conn.network.create_security_group(name="web")
        conn.network.create_security_group_rule(
            security_group_id=web.id, direction="ingress", protocol="tcp",
            port_range_min=GUEST_PORT, port_range_max=GUEST_PORT, ethertype="IPv4",
            remote_ip_prefix="0.0.0.0/0")
        conn.network.create_security_group_rule(
            security_group_id=web.id, direction="ingress", protocol="tcp",
            port_range_min=ECHO_PORT, port_range_max=ECHO_PORT, ethertype="IPv4",
            remote_ip_prefix="0.0.0.0/0")
        script = (
            "mkdir -p /root/www && echo GUEST-HTTPD-$((6 * 7)) > /root/www/index.html\n"
            f"httpd -p {GUEST_PORT} -h /root/www\n"
            f"nc -l -p {ECHO_PORT} -e cat &\n"
            "for i in $(seq 60); do\n"
            f"  out=$(timeout 3 wget -q -O - http://{OUTSIDE_IP}:{OUTSIDE_PORT}/snat"
            " 2>/dev/null) && break\n"
            "  sleep 1\ndone\n"
            'echo "SNAT-RESULT $out"\n')
        user_data = base64.b64encode(f"#!/bin/sh\n{script}".encode()).decode()
        server = conn.compute.create_server(
            name="natvm", flavor_id="1", image_id=image_id, networks=[{"uuid": private.id}],
            security_groups=[{"name": "web"}], user_data=user_data)
        conn.compute.wait_for_server(server, status="ACTIVE", wait=120, interval=0.25)
        fixed = conn.compute.get_server(server.id).addresses["private"][0]["addr"]
        output = wait_for(lambda: (lambda out: out if "login:" in out else None)(
            console(conn, server.id)), timeout=180, what="login: on the guest")
        # SNAT: the outside saw the router's gateway address, never the fixed one.
        assert f"SNAT-RESULT OUTSIDE-SAW {router_ip} /snat" in output, output
        assert (router_ip, "/snat") in server_outside.seen
        assert all(source != fixed for source, _ in server_outside.seen)
        # Without a floating IP the outside has no way in.
        assert fetch_from_outside(outside, fixed) is None

        # A floating IP through the Compute API's legacy action.
        fip = conn.network.create_ip(floating_network_id=public.id)
        address = fip.floating_ip_address
        assert fetch_from_outside(outside, address) is None
        response = legacy_action(cloud, conn.auth_token, server.id,
                                 {"addFloatingIp": {"address": address}})
        assert response.status_code == 202, response.text
        associated = conn.network.get_ip(fip.id)
        assert associated.fixed_ip_address == fixed and associated.status == "ACTIVE"
        page = wait_for(lambda: fetch_from_outside(outside, address), timeout=30,
                        what="the guest through its floating IP")
        assert "GUEST-HTTPD-42" in page, page
        # The guest now leaves from its floating IP.
        host = conn.compute.get_server(server.id).compute_host
        driver = cloud["plane"].driver(host)
        send_until(driver, {"uuid": server.id},
                   f"wget -q -O - http://{OUTSIDE_IP}:{OUTSIDE_PORT}/fip",
                   lambda: (address, "/fip") in server_outside.seen,
                   "the guest's request from its floating IP")

        # A connection held open through the floating IP (the guest echoes lines back).
        echo = run_in_namespace(outside, lambda: socket.create_connection(
            (address, ECHO_PORT), timeout=10))
        try:
            echo.sendall(b"BEFORE-CUT\n")
            assert echo.recv(64) == b"BEFORE-CUT\n"

            # removeFloatingIp cuts new connections and the one held open.
            response = legacy_action(cloud, conn.auth_token, server.id,
                                     {"removeFloatingIp": {"address": address}})
            assert response.status_code == 202, response.text
            assert conn.network.get_ip(fip.id).port_id is None
            wait_for(lambda: fetch_from_outside(outside, address) is None, timeout=30,
                     what="the floating IP cut")
            assert fetch_from_outside(outside, address) is None
            echo.sendall(b"AFTER-CUT\n")
            echo.settimeout(3)
            with pytest.raises(TimeoutError):
                echo.recv(64)   # the conntrack entry alone would still carry it
            wait_for(lambda: dropped_dnat(namespace) > 0, timeout=30,
                     what="the held connection's packets dropped")
        finally:
            echo.close()

        # Associated again through the network API, then deleted: cut again.
        [port] = list(conn.network.ports(device_id=server.id))
        conn.network.update_ip(fip, port_id=port.id)
        page = wait_for(lambda: fetch_from_outside(outside, address), timeout=30,
                        what="the guest through its floating IP again")
        assert "GUEST-HTTPD-42" in page, page
        conn.network.delete_ip(fip)
        wait_for(lambda: fetch_from_outside(outside, address) is None, timeout=30,
                 what="the deleted floating IP cut")
        rules = sh("ip", "netns", "exec", namespace, "nft", "list", "table", "ip",
                   "nl_l3").stdout
        assert address not in rules and f"snat to {router_ip}" in rules, rules
    finally:
        server_outside.close()


def test_router_routes_between_its_subnets_only(nat_conf, cloud, admin):
    """Two subnets on one router reach each other through the namespace; a network the
    router does not serve stays unreachable from them, though the namespace holds its
    bridge too."""
    conf, namespace, outside, veth = nat_conf
    conn = admin
    image_id = upload_tiny(cloud["image"], conn.auth_token, build_tiny(CACHE))["image_id"]
    nets = {}
    for name, third in (("left", 81), ("right", 82), ("alone", 83)):
        net = conn.network.create_network(name=name)
        subnet = conn.network.create_subnet(network_id=net.id, ip_version=4,
                                            cidr=f"10.254.{third}.0/24")
        nets[name] = (net, subnet)
    router = conn.network.create_router(name="inner")
    for name in ("left", "right"):
        conn.network.add_interface_to_router(router, subnet_id=nets[name][1].id)
    web = conn.network.create_security_group(name="web")
    conn.network.create_security_group_rule(
        security_group_id=web.id, direction="ingress", protocol="tcp",
        port_range_min=GUEST_PORT, port_range_max=GUEST_PORT, ethertype="IPv4",
        remote_ip_prefix="10.254.0.0/16")
    serve = ("mkdir -p /root/www && echo SERVED-BY-$(hostname) > /root/www/index.html\n"
             f"httpd -p {GUEST_PORT} -h /root/www\n")

    def boot(name: str, network: str, script: str) -> str:
        user_data = base64.b64encode(f"#!/bin/sh\n{script}".encode()).decode()
        return conn.compute.create_server(
            name=name, flavor_id="1", image_id=image_id,
            networks=[{"uuid": nets[network][0].id}], security_groups=[{"name": "web"}],
            user_data=user_data).id

    servers = {"right-vm": boot("right-vm", "right", serve),
               "alone-vm": boot("alone-vm", "alone", serve)}
    for server_id in servers.values():
        conn.compute.wait_for_server(conn.compute.get_server(server_id), status="ACTIVE",
                                     wait=120, interval=0.25)
    addresses = {name: next(iter(conn.compute.get_server(server_id).addresses.values()))[0][
        "addr"] for name, server_id in servers.items()}
    for name, server_id in servers.items():
        wait_for(lambda server_id=server_id: "login:" in console(conn, server_id),
                 timeout=180, what=f"login: on {name}")
    right, alone = addresses["right-vm"], addresses["alone-vm"]
    script = (
        "out=FAIL\n"
        "for i in $(seq 30); do\n"
        f"  out=$(timeout 3 wget -q -O - http://{right}:{GUEST_PORT}/ 2>/dev/null) && break\n"
        "  out=FAIL; sleep 1\ndone\n"
        'echo "ROUTED-RIGHT $out"\n'
        "out=FAIL\n"
        "for i in 1 2 3; do\n"
        f"  out=$(timeout 3 wget -q -O - http://{alone}:{GUEST_PORT}/ 2>/dev/null) && break\n"
        "  out=FAIL\ndone\n"
        'echo "ROUTED-ALONE $out"\n')
    left = boot("left-vm", "left", script)
    conn.compute.wait_for_server(conn.compute.get_server(left), status="ACTIVE", wait=120,
                                 interval=0.25)
    output = wait_for(lambda: (lambda out: out if "login:" in out else None)(
        console(conn, left)), timeout=180, what="login: on left-vm")
    assert "ROUTED-RIGHT SERVED-BY-right-vm" in output, output
    assert "ROUTED-ALONE FAIL" in output, output
    # and the namespace did route: left and right are different bridges
    routes = sh("ip", "-n", namespace, "route").stdout
    assert "10.254.81.0/24" in routes and "10.254.82.0/24" in routes, routes
