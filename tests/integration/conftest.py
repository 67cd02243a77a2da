"""Integration fixtures: peer processes over the real RabbitMQ on 127.0.0.1:5672."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

RABBIT_URL = os.environ.get("NOVALITE_TEST_RABBIT", "rabbit://guest:guest@127.0.0.1:5672/")
PEER = os.path.join(os.path.dirname(__file__), "rpc_peer.py")


@pytest.fixture
def rabbit(conf) -> Iterator[str]:
    conf.set_override("transport_url", RABBIT_URL)
    yield RABBIT_URL


@pytest.fixture
def start_peer(tmp_path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Starts rpc_peer.py processes and waits until each prints "ready"."""
    peers: list[subprocess.Popen[str]] = []

    def start(topic: str, host: str, version: str = "1.1", *extra: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, PEER, RABBIT_URL, topic, host, version,
             str(tmp_path / "record.txt"), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peers.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            process.kill()
            raise AssertionError(f"peer did not start: {line} {process.stderr.read()}")
        return process

    yield start
    for process in peers:
        if process.poll() is None:
            process.kill()
        process.wait()

# The in-process cloud of the functional tests (identity, image, compute API, conductor,
# scheduler, compute nodes), for integration tests that drive real guests through it.
from tests.functional.conftest import cloud, identity  # noqa: E402, F401


@pytest.fixture
def admin(cloud) -> Iterator[object]:  # noqa: F811 - the fixture imported above
    """openstacksdk as the admin of the in-process cloud; on the way out every server is
    deleted (whatever the test left running), before the cloud's services stop."""
    import time

    import openstack

    from tests.functional.conftest import ADMIN_PASSWORD

    conn = openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{cloud['identity']}/v3", "username": "admin",
            "password": ADMIN_PASSWORD, "project_name": "admin",
            "user_domain_name": "Default", "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)
    yield conn
    left = list(conn.compute.servers(all_projects=True))
    for server in left:
        conn.compute.delete_server(server, force=True)
    deadline = time.monotonic() + 60
    while left and time.monotonic() < deadline:
        left = [s for s in left if conn.compute.find_server(s.id, all_projects=True)]
        time.sleep(0.25)
    conn.close()
