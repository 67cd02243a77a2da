"""`novalite up` as a user runs it: one process, clouds.yaml, the unmodified openstack CLI;
a revoked token is refused by every service; SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import pytest
import requests
import yaml

BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cloud(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    ports = {"identity": free_port(), "image": free_port(), "compute": free_port(),
             "metadata": free_port(), "network": free_port(), "novnc": free_port(),
             "xvpvnc": free_port(), "spice": free_port(), "serial": free_port(),
             "volume": free_port(), "dashboard": free_port()}
    (data_dir / "novalite.conf").write_text(
        f"[DEFAULT]\nosapi_compute_listen_port = {ports['compute']}\n"
        f"metadata_listen_port = {ports['metadata']}\n"
        "compute_driver = fake\nbuild_tiny_image = false\n"
        f"[identity]\nlisten_port = {ports['identity']}\n"
        f"[image]\nbind_port = {ports['image']}\n"
        f"[network]\nbind_port = {ports['network']}\n"
        f"[volume]\nbind_port = {ports['volume']}\n"
        f"[vnc]\nnovncproxy_port = {ports['novnc']}\nxvpvncproxy_port = {ports['xvpvnc']}\n"
        f"novncproxy_base_url = http://127.0.0.1:{ports['novnc']}/vnc_lite.html\n"
        f"[spice]\nhtml5proxy_port = {ports['spice']}\n"
        f"[serial_console]\nserialproxy_port = {ports['serial']}\n"
        f"[dashboard]\nlisten_port = {ports['dashboard']}\n"
        f"[identity]\npassword_hash_memory_kib = 1024\n")
    process = subprocess.Popen([os.path.join(BIN, "novalite"), "up", "--data-dir", str(data_dir)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if "clouds.yaml written" in line:
            break
    else:
        raise AssertionError("novalite up did not come up:\n" + "".join(lines))
    yield {"process": process, "data_dir": data_dir, "ports": ports, "lines": lines}
    if process.poll() is None:
        process.kill()
    process.wait()


def openstack(cloud, *args: str, cloud_name: str = "novalite") -> str:
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(cloud["data_dir"] / "clouds.yaml"))
    result = subprocess.run([os.path.join(BIN, "openstack"), "--os-cloud", cloud_name, *args],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def check_metadata_api(cloud) -> None:
    """The metadata API runs outside the catalog and trusts the data directory's secret."""
    import hashlib
    import hmac

    url = f"http://127.0.0.1:{cloud['ports']['metadata']}"
    assert requests.get(f"{url}/", timeout=10).text.splitlines()[-1] == "latest"
    secret = json.loads((cloud["data_dir"] / "secrets.json").read_text())[
        "metadata_proxy_shared_secret"]
    instance_id = "00000000-0000-0000-0000-000000000000"
    headers = {"X-Instance-ID": instance_id, "X-Tenant-ID": "p",
               "X-Instance-ID-Signature": hmac.new(secret.encode(), instance_id.encode(),
                                                   hashlib.sha256).hexdigest()}
    path = f"{url}/openstack/latest/meta_data.json"
    assert requests.get(path, headers=headers, timeout=10).status_code == 404  # signed, unknown
    headers["X-Instance-ID-Signature"] = "0" * 64
    assert requests.get(path, headers=headers, timeout=10).status_code == 403


def check_console_proxies(cloud) -> None:
    """The four console proxies run in novalite up: each refuses a made-up token."""
    ports = cloud["ports"]
    assert b"RFB" not in requests.get(f"http://127.0.0.1:{ports['xvpvnc']}/console?token=x",
                                      timeout=10).content
    assert requests.get(f"http://127.0.0.1:{ports['xvpvnc']}/console?token=x",
                        timeout=10).status_code == 401
    for name in ("novnc", "spice", "serial"):
        response = requests.get(f"http://127.0.0.1:{ports[name]}/?token=x", timeout=10,
                                headers={"Connection": "Upgrade", "Upgrade": "websocket",
                                         "Sec-WebSocket-Version": "13",
                                         "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        assert response.status_code == 403, name


def test_up_serves_the_openstack_cli_and_stops_on_sigterm(cloud):
    progress = [line for line in cloud["lines"] if line.startswith("novalite: [")]
    assert [line.split("]")[0] for line in progress] == [f"novalite: [{i}/6" for i in
                                                         range(1, 7)]
    clouds = yaml.safe_load((cloud["data_dir"] / "clouds.yaml").read_text())["clouds"]
    assert clouds["novalite"]["auth"]["project_name"] == "admin"
    assert clouds["novalite"]["region_name"] == "RegionOne"

    token = json.loads(openstack(cloud, "token", "issue", "-f", "json"))
    catalog = json.loads(openstack(cloud, "catalog", "list", "-f", "json"))
    assert {"identity", "image", "compute", "network", "volumev3", "block-storage",
            "dashboard"} <= {entry["Type"] for entry in catalog}
    # the dashboard runs in novalite up: its sign-in page answers, with its CSP
    sign_in = requests.get(f"http://127.0.0.1:{cloud['ports']['dashboard']}/login", timeout=10)
    assert sign_in.status_code == 200 and "script-src 'self'" in sign_in.headers[
        "Content-Security-Policy"]
    assert not [entry for entry in catalog if "metadata" in entry["Type"]]
    check_metadata_api(cloud)
    check_console_proxies(cloud)
    networks = json.loads(openstack(cloud, "network", "list", "-f", "json"))
    assert [n["Name"] for n in networks] == ["shared"]  # bootstrap made the default network
    openstack(cloud, "project", "create", "p1")
    openstack(cloud, "user", "create", "--password", "s3cret-pass", "--project", "p1", "u1")
    openstack(cloud, "role", "add", "--user", "u1", "--project", "p1", "member")
    assignments = json.loads(openstack(cloud, "role", "assignment", "list", "--user", "u1",
                                       "--project", "p1", "--names", "-f", "json"))
    assert [a["Role"] for a in assignments] == ["member"]

    ports = cloud["ports"]
    headers = {"X-Auth-Token": token["id"]}
    image_url = f"http://127.0.0.1:{ports['image']}/v2/images"
    compute_url = f"http://127.0.0.1:{ports['compute']}/v2.1/servers"
    volume_url = f"http://127.0.0.1:{ports['volume']}/v3/{token['project_id']}/volumes"
    services = json.loads(openstack(cloud, "compute", "service", "list", "-f", "json"))
    assert {(s["Binary"], s["State"]) for s in services} >= {
        ("nova-conductor", "up"), ("nova-scheduler", "up"), ("nova-compute", "up")}
    for url in (image_url, compute_url, volume_url):
        assert requests.get(url, headers=headers, timeout=10).status_code == 200
    openstack(cloud, "token", "revoke", token["id"])
    identity_url = f"http://127.0.0.1:{ports['identity']}/v3/projects"
    for url in (identity_url, image_url, compute_url, volume_url):
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 401, url
        assert response.json()

    cloud["process"].send_signal(signal.SIGTERM)
    output, _ = cloud["process"].communicate(timeout=60)
    assert cloud["process"].returncode == 0
    assert "novalite: stopped" in output


def test_compute_scenario_with_the_openstack_cli(cloud, tmp_path):
    """Issue "Compute core", done-when: the unmodified CLI against `novalite up`."""
    disk = tmp_path / "disk.raw"
    disk.write_bytes(b"\0" * 2048)
    openstack(cloud, "flavor", "create", "--vcpus", "1", "--ram", "256", "--disk", "1", "f1")
    openstack(cloud, "keypair", "create", "k1")
    openstack(cloud, "image", "create", "--file", str(disk), "--disk-format", "raw", "img")
    server = json.loads(openstack(cloud, "server", "create", "--flavor", "f1", "--image",
                                  "img", "--nic", "none", "--key-name", "k1", "--wait",
                                  "vm1", "-f", "json"))
    assert server["status"] == "ACTIVE"
    assert server["OS-EXT-SRV-ATTR:host"]  # the admin fields, for the admin
    listed = json.loads(openstack(cloud, "server", "list", "-f", "json"))
    assert [(s["Name"], s["Status"]) for s in listed] == [("vm1", "ACTIVE")]

    def status() -> str:
        return json.loads(openstack(cloud, "server", "show", "vm1", "-f", "json"))["status"]

    openstack(cloud, "server", "reboot", "--soft", "--wait", "vm1")
    openstack(cloud, "server", "reboot", "--hard", "--wait", "vm1")
    for command, expected in (("stop", "SHUTOFF"), ("start", "ACTIVE"), ("pause", "PAUSED"),
                              ("unpause", "ACTIVE"), ("suspend", "SUSPENDED"),
                              ("resume", "ACTIVE")):
        openstack(cloud, "server", command, "vm1")
        wait_until(lambda expected=expected: status() == expected)
    events = json.loads(openstack(cloud, "server", "event", "list", "vm1", "-f", "json"))
    assert [e["Action"] for e in events][-1] == "create" and len(events) == 9
    openstack(cloud, "quota", "set", "--instances", "7", "admin")
    quotas = json.loads(openstack(cloud, "quota", "show", "admin", "-f", "json"))
    assert {"Resource": "instances", "Limit": 7} in quotas
    limits = json.loads(openstack(cloud, "limits", "show", "--absolute", "-f", "json"))
    assert {"Name": "instances_used", "Value": 1} in limits  # the SDK's name
    hypervisors = json.loads(openstack(cloud, "hypervisor", "list", "-f", "json"))
    assert [h["State"] for h in hypervisors] == ["up"]
    openstack(cloud, "server", "delete", "--wait", "vm1")
    assert json.loads(openstack(cloud, "server", "list", "-f", "json")) == []


def wait_until(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def test_networking_scenario_with_the_openstack_cli(cloud, tmp_path):
    """Issue "Networking", with the unmodified CLI: --nic auto, --network NAME, --port,
    server add/remove port, the addresses Nova shows, and ports released on delete."""
    disk = tmp_path / "disk.raw"
    disk.write_bytes(b"\0" * 2048)
    openstack(cloud, "image", "create", "--file", str(disk), "--disk-format", "raw", "img")

    def create(name: str, *nic: str) -> dict:
        return json.loads(openstack(cloud, "server", "create", "--flavor", "m1.tiny",
                                    "--image", "img", *nic, "--wait", name, "-f", "json"))

    def ports(*args: str) -> list[dict]:
        return json.loads(openstack(cloud, "port", "list", *args, "-f", "json"))

    auto = create("vm-auto", "--nic", "auto")
    named = create("vm-named", "--network", "shared")
    mine = json.loads(openstack(cloud, "port", "create", "--network", "shared", "p1",
                                "-f", "json"))
    by_port = create("vm-port", "--port", "p1")
    for server in (auto, named, by_port):
        assert server["status"] == "ACTIVE"
        assert "shared" in json.dumps(server["addresses"]), server["addresses"]
    [port] = ports("--server", "vm-named")
    assert port["Status"] == "ACTIVE"  # bound to its host by the compute's service user
    assert port["Fixed IP Addresses"][0]["ip_address"] in json.dumps(named["addresses"])
    assert mine["fixed_ips"][0]["ip_address"] in json.dumps(by_port["addresses"])

    openstack(cloud, "server", "add", "network", "vm-auto", "shared")
    attached = ports("--server", "vm-auto")
    assert len(attached) == 2
    openstack(cloud, "server", "remove", "port", "vm-auto", attached[0]["ID"])
    wait_until(lambda: len(ports("--server", "vm-auto")) == 1)

    openstack(cloud, "server", "delete", "--wait", "vm-auto", "vm-named", "vm-port")
    assert [p["ID"] for p in ports("--network", "shared")] == [mine["id"]]
