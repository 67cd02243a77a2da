"""The host data plane in real network namespaces (root): leases, rules, metadata proxy.

Each test gets a DataPlane over a namespace of its own. Guests are emulated by veth
pairs: one end (named like a tap) starts in the root namespace and is moved by
plug_tap, the other end is eth0 of a "guest" namespace the test makes, where busybox
udhcpc asks dnsmasq for the static lease. Only addresses inside these namespaces and
127.0.0.1 are used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from novalite.network.linux import DataPlane, DataPlaneError

CIDR = "10.254.1.0/24"
GATEWAY = "10.254.1.1"
NET = "net-one"
BRIDGE = "brone"
SECRET = "s3cret"

UDHCPC_SCRIPT = """#!/bin/sh
case "$1" in
deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    ;;
bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
    echo "$ip $router $mtu $domain $hostname" > "$LEASE_FILE"
    ;;
esac
exit 0
"""


def wait_for(condition: Callable[[], object], timeout: float = 15, what: str = "") -> object:
    """Polls `condition` until truthy; the things polled (a guest's ping, a DHCP
    exchange) have no event to block on from here."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def sh(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, check=check,
                          timeout=60)


@dataclass
class Guest:
    namespace: str
    tap: str
    mac: str
    lease_dir: str

    def run(self, *command: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return sh("ip", "netns", "exec", self.namespace, *command, check=check)

    def dhcp(self, script: str) -> dict[str, str]:
        """One DHCP exchange (udhcpc -n -q); returns what the lease said."""
        lease_file = os.path.join(self.lease_dir, f"lease-{self.tap}")
        if os.path.exists(lease_file):
            os.unlink(lease_file)
        result = sh("ip", "netns", "exec", self.namespace, "env", f"LEASE_FILE={lease_file}",
                    "busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-T", "1",
                    "-s", script, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        with open(lease_file) as handle:
            ip, router, mtu, domain, hostname = (handle.read().split(" ") + [""] * 5)[:5]
        return {"ip": ip, "router": router, "mtu": mtu, "domain": domain,
                "hostname": hostname.strip()}

    def address(self) -> str | None:
        data = json.loads(self.run("ip", "-j", "-4", "addr", "show", "dev", "eth0").stdout)
        for link in data:   # `ip -4` lists no link at all when it has no IPv4 address
            for entry in link.get("addr_info", []):
                return entry["local"]
        return None

    def ping(self, ip: str, count: int = 1, source: str | None = None) -> bool:
        extra = ["-I", source] if source else []
        return self.run("busybox", "ping", "-c", str(count), "-W", "1", *extra,
                        ip).returncode == 0


@pytest.fixture
def plane(tmp_path) -> Iterator[DataPlane]:
    namespace = f"nltest-{uuid.uuid4().hex[:8]}"
    data_plane = DataPlane(namespace, str(tmp_path / "plane"))
    yield data_plane
    data_plane.teardown()
    assert not os.path.exists(f"/run/netns/{namespace}")


@pytest.fixture
def udhcpc_script(tmp_path) -> str:
    path = tmp_path / "udhcpc.sh"
    path.write_text(UDHCPC_SCRIPT)
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def make_guest(tmp_path) -> Iterator[Callable[[], Guest]]:
    guests: list[Guest] = []

    def make() -> Guest:
        suffix = uuid.uuid4().hex[:6]
        namespace, tap = f"nlguest-{suffix}", f"tapnl{suffix}"
        mac = "fa:16:3e:" + ":".join(suffix[i:i + 2] for i in (0, 2, 4))
        sh("ip", "netns", "add", namespace)
        guest = Guest(namespace, tap, mac, str(tmp_path))
        guests.append(guest)
        sh("ip", "link", "add", tap, "type", "veth", "peer", "name", "eth0",
           "netns", namespace)
        guest.run("ip", "link", "set", "eth0", "address", mac, check=True)
        guest.run("ip", "link", "set", "eth0", "up", check=True)
        guest.run("ip", "link", "set", "lo", "up", check=True)
        return guest

    yield make
    for guest in guests:
        sh("ip", "netns", "delete", guest.namespace, check=False)
        sh("ip", "link", "del", guest.tap, check=False)   # if it never left the root namespace


def _network(plane: DataPlane) -> None:
    plane.ensure_network(NET, BRIDGE, CIDR, GATEWAY)


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for init to reap it is not)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_static_leases_served_and_reloaded_without_restart(plane, make_guest, udhcpc_script,
                                                           tmp_path) -> None:
    _network(plane)
    first, second = make_guest(), make_guest()
    plane.set_hosts(NET, [(first.mac, "10.254.1.10", "vm-one"),
                          (second.mac, "10.254.1.11", "vm-two")])
    plane.plug_tap(NET, first.tap)
    plane.plug_tap(NET, second.tap)
    plane.plug_tap(NET, first.tap)   # idempotent
    assert sh("ip", "link", "show", first.tap, check=False).returncode != 0  # left the root ns

    lease = first.dhcp(udhcpc_script)
    assert lease["ip"] == "10.254.1.10"
    assert lease["router"] == GATEWAY
    assert lease["mtu"] == "1500"
    assert lease["domain"] == "novalocal"
    assert lease["hostname"] == "vm-one"
    assert first.address() == "10.254.1.10"
    assert second.dhcp(udhcpc_script)["ip"] == "10.254.1.11"

    pid = plane.dnsmasq_pid(NET)
    assert pid is not None
    third = make_guest()
    plane.set_hosts(NET, [(first.mac, "10.254.1.10", "vm-one"),
                          (second.mac, "10.254.1.11", "vm-two"),
                          (third.mac, "10.254.1.12", "vm-three")])
    plane.plug_tap(NET, third.tap)
    assert third.dhcp(udhcpc_script)["ip"] == "10.254.1.12"
    assert first.dhcp(udhcpc_script)["ip"] == "10.254.1.10"
    assert plane.dnsmasq_pid(NET) == pid   # reloaded by SIGHUP, not restarted

    # Idempotent, also from a new DataPlane over the same state (a restarted novalite).
    _network(plane)
    again = DataPlane(plane.namespace, plane.state_dir)
    _network(again)
    assert again.dnsmasq_pid(NET) == pid

    # A dead dnsmasq is started again, with the same leases.
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: plane.dnsmasq_pid(NET) is None, what="dnsmasq to die")
    _network(again)
    new_pid = again.dnsmasq_pid(NET)
    assert new_pid is not None and new_pid != pid
    assert second.dhcp(udhcpc_script)["ip"] == "10.254.1.11"

    # A port deleted and its address given to a new MAC: the old lease is released, so
    # the new guest gets the address now, not when the old lease runs out.
    successor = make_guest()
    plane.set_hosts(NET, [(first.mac, "10.254.1.10", "vm-one"),
                          (successor.mac, "10.254.1.11", "vm-four")])
    plane.plug_tap(NET, successor.tap)
    assert successor.dhcp(udhcpc_script)["ip"] == "10.254.1.11"
    assert first.dhcp(udhcpc_script)["ip"] == "10.254.1.10"
    assert again.dnsmasq_pid(NET) == new_pid

    # A guest whose MAC has no host entry gets nothing (static leases only).
    stranger = make_guest()
    plane.plug_tap(NET, stranger.tap)
    result = stranger.run("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "2", "-T", "1",
                          "-s", udhcpc_script)
    assert result.returncode != 0
    assert stranger.address() is None

    plane.unplug_tap(third.tap)
    plane.unplug_tap(third.tap)   # no error when gone
    assert sh("ip", "-n", plane.namespace, "link", "show", third.tap,
              check=False).returncode != 0

    plane.delete_network(NET)
    assert not _running(new_pid)
    assert sh("ip", "-n", plane.namespace, "link", "show", BRIDGE, check=False).returncode != 0
    assert NET not in plane.networks()


def test_networks_must_not_overlap_and_bad_input_is_refused(plane) -> None:
    _network(plane)
    with pytest.raises(DataPlaneError, match="overlaps"):
        plane.ensure_network("net-two", "brtwo", "10.254.1.128/25", "10.254.1.129")
    with pytest.raises(DataPlaneError, match="already serves"):
        plane.ensure_network("net-two", BRIDGE, "10.254.2.0/24", "10.254.2.1")
    plane.ensure_network("net-two", "brtwo", "10.254.2.0/24", "10.254.2.1")
    assert plane.network_of("10.254.2.7") == "net-two"
    assert plane.network_of("10.254.1.7") == NET
    assert plane.network_of("10.254.3.7") is None
    with pytest.raises(DataPlaneError, match="not in"):
        plane.set_hosts(NET, [("fa:16:3e:00:00:01", "10.254.2.5", "x")])
    with pytest.raises(DataPlaneError, match="neither"):
        plane.plug_tap(NET, "tapnlmissing")
    with pytest.raises(DataPlaneError, match="command failed") as error:
        plane._ip("link", "set", "dev", "nosuchdev", "up")
    assert error.value.command is not None and error.value.stderr


@pytest.fixture
def two_guests(plane, make_guest, udhcpc_script) -> tuple[Guest, Guest]:
    _network(plane)
    first, second = make_guest(), make_guest()
    plane.set_hosts(NET, [(first.mac, "10.254.1.10", "vm-one"),
                          (second.mac, "10.254.1.11", "vm-two")])
    for guest in (first, second):
        plane.plug_tap(NET, guest.tap)
    assert first.dhcp(udhcpc_script)["ip"] == "10.254.1.10"
    assert second.dhcp(udhcpc_script)["ip"] == "10.254.1.11"
    return first, second


EGRESS_ALL = [{"direction": "egress", "ethertype": "IPv4", "protocol": None,
               "remote_ip_prefix": None},
              {"direction": "egress", "ethertype": "IPv6", "protocol": None,
               "remote_ip_prefix": None}]
ICMP_IN = {"direction": "ingress", "ethertype": "IPv4", "protocol": "icmp",
           "port_range_min": None, "port_range_max": None, "remote_ip_prefix": None}


def _set_rules(plane: DataPlane, guest: Guest, ip: str, rules: list[dict]) -> None:
    plane.set_port_rules(f"port-{guest.tap}", guest.tap, guest.mac, ip, rules)


def test_security_groups(plane, two_guests, udhcpc_script) -> None:
    first, second = two_guests
    wait_for(lambda: first.ping("10.254.1.11"), what="ping without rules")

    # Default group semantics: all egress, no ingress: the ping is dropped.
    _set_rules(plane, first, "10.254.1.10", EGRESS_ALL)
    _set_rules(plane, second, "10.254.1.11", EGRESS_ALL)
    assert not first.ping("10.254.1.11", count=2)
    assert not second.ping("10.254.1.10", count=2)
    # DHCP still works with rules in place.
    assert first.dhcp(udhcpc_script)["ip"] == "10.254.1.10"

    # An ICMP rule on the second port: first -> second works (the reply is a reply),
    # second -> first does not.
    _set_rules(plane, second, "10.254.1.11", EGRESS_ALL + [ICMP_IN])
    wait_for(lambda: first.ping("10.254.1.11"), what="ping allowed by the ICMP rule")
    assert not second.ping("10.254.1.10", count=2)

    # A remote prefix that does not hold the sender lets nothing in.
    _set_rules(plane, second, "10.254.1.11",
               EGRESS_ALL + [{**ICMP_IN, "remote_ip_prefix": "10.254.1.128/25"}])
    assert not first.ping("10.254.1.11", count=2)
    _set_rules(plane, second, "10.254.1.11",
               EGRESS_ALL + [{**ICMP_IN, "remote_ip_prefixes": ["10.254.1.10/32"]}])
    wait_for(lambda: first.ping("10.254.1.11"), what="ping allowed from the remote group")

    # Egress is filtered too: no egress rules on the first port, no ping out.
    _set_rules(plane, first, "10.254.1.10", [])
    assert not first.ping("10.254.1.11", count=2)
    _set_rules(plane, first, "10.254.1.10", EGRESS_ALL)
    wait_for(lambda: first.ping("10.254.1.11"), what="ping with egress allowed again")

    # Anti-spoofing: another source address from the first guest is dropped.
    first.run("ip", "addr", "add", "10.254.1.99/24", "dev", "eth0", check=True)
    assert not first.ping("10.254.1.11", count=2, source="10.254.1.99")
    assert first.ping("10.254.1.11", source="10.254.1.10")

    text = plane.port_rules_text(f"port-{second.tap}")
    assert text is not None and second.tap in text and "icmp" in text

    # Without rules, the ports are not filtered at all.
    plane.remove_port_rules(f"port-{first.tap}")
    plane.remove_port_rules(f"port-{second.tap}")
    plane.remove_port_rules(f"port-{second.tap}")   # no error when gone
    assert plane.port_rules_text(f"port-{second.tap}") is None
    wait_for(lambda: second.ping("10.254.1.10"), what="ping after the rules are removed")


def test_port_indexes_are_reused_and_distinct(plane) -> None:
    for number in range(3):
        plane.set_port_rules(f"p{number}", f"tapnlx{number}", f"fa:16:3e:00:00:0{number}",
                             f"10.254.1.{20 + number}", EGRESS_ALL)
    tables = sh("ip", "netns", "exec", plane.namespace, "nft", "list", "tables").stdout
    assert {"nlport1_p0", "nlport2_p1", "nlport3_p2"} <= set(tables.split())
    plane.remove_port_rules("p1")
    plane.set_port_rules("p0", "tapnlx0", "fa:16:3e:00:00:00", "10.254.1.20", [])  # keeps 1
    plane.set_port_rules("p9", "tapnlx9", "fa:16:3e:00:00:09", "10.254.1.29", [])  # takes 2
    tables = sh("ip", "netns", "exec", plane.namespace, "nft", "list", "tables").stdout.split()
    assert tables.count("nlport1_p0") == 2 and tables.count("nlport2_p9") == 2
    assert "nlport2_p1" not in tables
    with pytest.raises(DataPlaneError):
        plane.set_port_rules("p5", "tapnlx5", "fa:16:3e:00:00:05", "10.254.1.25",
                             [{"direction": "ingress", "protocol": "tcp",
                               "port_range_min": 99999, "port_range_max": 99999}])


def test_concurrent_rule_updates_get_distinct_indexes(plane) -> None:
    errors: list[BaseException] = []

    def set_rules(number: int) -> None:
        try:
            plane.set_port_rules(f"c{number}", f"tapnlc{number}", f"fa:16:3e:00:01:0{number}",
                                 f"10.254.1.{40 + number}", EGRESS_ALL)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=set_rules, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    tables = sh("ip", "netns", "exec", plane.namespace, "nft", "list", "tables").stdout.split()
    indexes = sorted(int(name[len("nlport"):].split("_")[0])
                     for name in tables if name.startswith("nlport"))
    assert indexes == sorted(list(range(1, 7)) * 2)   # a bridge and an inet table each


class _Upstream(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append({"path": self.path, **{k: v for k, v in self.headers.items()}})
        body = json.dumps({"uuid": self.headers.get("X-Instance-ID")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def upstream() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_Upstream,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


FETCH = """
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
        print(response.status, response.read().decode())
except urllib.error.HTTPError as error:
    print(error.code)
"""

# Two requests over one kept-alive connection.
FETCH_TWICE = """
import http.client, sys
connection = http.client.HTTPConnection("169.254.169.254", 80, timeout=10)
for _ in range(2):
    connection.request("GET", sys.argv[1])
    response = connection.getresponse()
    print(response.status, response.read().decode())
print("sockets", 1 if connection.sock is not None else 0)
"""

GARBAGE = """
import socket
s = socket.create_connection(("169.254.169.254", 80), timeout=10)
s.sendall(b"\\x00\\xffNOT HTTP AT ALL\\r\\n\\r\\n")
s.recv(1000)
s.close()
s = socket.create_connection(("169.254.169.254", 80), timeout=10)
s.close()
"""


def test_metadata_proxy(plane, two_guests, upstream) -> None:
    first, second = two_guests
    url, seen = upstream
    lookups: list[tuple[str, str]] = []

    def lookup(network_id: str, ip: str) -> tuple[str, str] | None:
        lookups.append((network_id, ip))
        return ("instance-one", "project-one") if ip == "10.254.1.10" else None

    plane.start_metadata_proxy(lookup, url, SECRET)
    # Restricted egress on the first port: metadata is still reachable.
    _set_rules(plane, first, "10.254.1.10", [])
    address = "http://169.254.169.254/openstack/latest/meta_data.json"
    result = first.run(sys.executable, "-c", FETCH, address, check=True)
    assert result.stdout.strip() == '200 {"uuid": "instance-one"}'
    (request,) = seen
    assert request["path"] == "/openstack/latest/meta_data.json"
    assert request["X-Instance-ID"] == "instance-one"
    assert request["X-Tenant-ID"] == "project-one"
    assert request["X-Forwarded-For"] == "10.254.1.10"
    expected = hmac.new(SECRET.encode(), b"instance-one", hashlib.sha256).hexdigest()
    assert request["X-Instance-ID-Signature"] == expected
    assert lookups == [(NET, "10.254.1.10")]

    # An address the lookup does not know: 404, nothing forwarded.
    assert second.run(sys.executable, "-c", FETCH, address).stdout.strip() == "404"
    assert len(seen) == 1

    # Garbage does not kill the proxy.
    assert second.run(sys.executable, "-c", GARBAGE).returncode == 0
    result = first.run(sys.executable, "-c", FETCH, address, check=True)
    assert result.stdout.startswith("200 ")
    assert len(seen) == 2

    # Keep-alive: two requests on one guest connection, both forwarded.
    result = first.run(sys.executable, "-c", FETCH_TWICE,
                       "/openstack/latest/meta_data.json", check=True)
    assert result.stdout.split("\n")[:3] == ['200 {"uuid": "instance-one"}'] * 2 + [
        "sockets 1"], result.stdout
    assert len(seen) == 4

    # The proxy's socket lives in the namespace: nothing listens on port 80 in ours.
    root = subprocess.run(["ss", "-Hltn", "sport = :80"], capture_output=True, text=True)
    assert "169.254.169.254" not in root.stdout

    plane.stop_metadata_proxy()
    assert first.run(sys.executable, "-c", FETCH, address).returncode != 0


def test_teardown_leaves_nothing(tmp_path, make_guest) -> None:
    namespace = f"nltest-{uuid.uuid4().hex[:8]}"
    plane = DataPlane(namespace, str(tmp_path / "plane"))
    _network(plane)
    guest = make_guest()
    plane.plug_tap(NET, guest.tap)
    pid = plane.dnsmasq_pid(NET)
    assert pid is not None
    plane.start_metadata_proxy(lambda network, ip: None, "http://127.0.0.1:9", SECRET)
    plane.teardown()
    assert not os.path.exists(f"/run/netns/{namespace}")
    assert not _running(pid)
    assert plane.networks() == {}
    plane.teardown()   # twice is fine
