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
    ports = {"identity": free_port(), "image": free_port(), "compute": free_port()}
    (data_dir / "novalite.conf").write_text(
        f"[DEFAULT]\nosapi_compute_listen_port = {ports['compute']}\n"
        "compute_driver = fake\nbuild_tiny_image = false\n"
        f"[identity]\nlisten_port = {ports['identity']}\n"
        f"[image]\nbind_port = {ports['image']}\n"
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


def test_up_serves_the_openstack_cli_and_stops_on_sigterm(cloud):
    progress = [line for line in cloud["lines"] if line.startswith("novalite: [")]
    assert [line.split("]")[0] for line in progress] == [f"novalite: [{i}/6" for i in
                                                         range(1, 7)]
    clouds = yaml.safe_load((cloud["data_dir"] / "clouds.yaml").read_text())["clouds"]
    assert clouds["novalite"]["auth"]["project_name"] == "admin"
    assert clouds["novalite"]["region_name"] == "RegionOne"

    token = json.loads(openstack(cloud, "token", "issue", "-f", "json"))
    catalog = json.loads(openstack(cloud, "catalog", "list", "-f", "json"))
    assert {"identity", "image", "compute"} <= {entry["Type"] for entry in catalog}
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
    services = json.loads(openstack(cloud, "compute", "service", "list", "-f", "json"))
    assert {(s["Binary"], s["State"]) for s in services} >= {
        ("nova-conductor", "up"), ("nova-scheduler", "up"), ("nova-compute", "up")}
    for url in (image_url, compute_url):
        assert requests.get(url, headers=headers, timeout=10).status_code == 200
    openstack(cloud, "token", "revoke", token["id"])
    identity_url = f"http://127.0.0.1:{ports['identity']}/v3/projects"
    for url in (identity_url, image_url, compute_url):
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 401, url
        assert response.json()

    cloud["process"].send_signal(signal.SIGTERM)
    output, _ = cloud["process"].communicate(timeout=60)
    assert cloud["process"].returncode == 0
    assert "novalite: stopped" in output
