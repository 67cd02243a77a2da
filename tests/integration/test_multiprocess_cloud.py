"""The cloud as separate processes, as in production: identity, image, api, conductor,
scheduler and two compute services, over the real RabbitMQ and a real PostgreSQL or
MariaDB, driven by openstacksdk through the catalog."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import openstack
import pytest
import sqlalchemy as sa

from tests.conftest import SERVER_URLS, _admin_url
from tests.integration.conftest import RABBIT_URL

BIN = os.path.dirname(sys.executable)
PASSWORD = "multi-process-admin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(params=["postgresql", "mysql"])
def server_database(request) -> Iterator[str]:
    kind = request.param
    name = f"novalite_mp_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(_admin_url(kind), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    yield SERVER_URLS[kind].format(name=name)
    with admin.connect() as connection:
        if kind == "postgresql":
            connection.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
        connection.execute(sa.text(f"DROP DATABASE {name}"))
    admin.dispose()


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = predicate()
        except Exception:  # services still starting
            result = None
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@pytest.fixture
def deployment(tmp_path, server_database) -> Iterator[dict[str, object]]:
    ports = {name: free_port() for name in ("identity", "image", "compute", "network",
                                            "metadata")}
    config = tmp_path / "novalite.conf"
    config.write_text(
        f"[DEFAULT]\nstate_path = {tmp_path}\ntransport_url = {RABBIT_URL}\n"
        f"control_exchange = novalite-{uuid.uuid4().hex[:8]}\nreport_interval = 1\n"
        "compute_driver = fake\n"
        f"osapi_compute_listen_port = {ports['compute']}\n"
        f"metadata_listen_port = {ports['metadata']}\n"
        f"[database]\nconnection = {server_database}\n"
        f"[identity]\nlisten_port = {ports['identity']}\npassword_hash_memory_kib = 1024\n"
        f"[image]\nbind_port = {ports['image']}\n"
        f"[network]\nbind_port = {ports['network']}\n"
        "[neutron]\nmetadata_proxy_shared_secret = multi-process-secret\n")
    def run(*args: str) -> None:
        subprocess.run([os.path.join(BIN, "novalite-manage"), "--config-file", str(config),
                        *args], check=True, capture_output=True, timeout=120)

    run("db", "sync")
    run("fernet", "setup")
    run("bootstrap", "--bootstrap-password", PASSWORD)
    processes: list[subprocess.Popen[bytes]] = []

    def start(binary: str, *extra: str) -> None:
        log = open(tmp_path / f"{binary}{len(processes)}.log", "wb")  # noqa: SIM115
        processes.append(subprocess.Popen(
            [os.path.join(BIN, binary), "--config-file", str(config), *extra],
            stdout=log, stderr=subprocess.STDOUT))

    for binary in ("novalite-identity", "novalite-image", "novalite-network",
                   "novalite-metadata", "novalite-conductor", "novalite-scheduler",
                   "novalite-api"):
        start(binary)
    for host in ("compute-a", "compute-b"):
        host_config = tmp_path / f"{host}.conf"
        host_config.write_text(f"[DEFAULT]\nhost = {host}\n")
        start("novalite-compute", "--config-file", str(host_config))
    try:
        yield {"ports": ports, "processes": processes, "tmp": tmp_path}
    finally:
        codes = []
        for process in reversed(processes):  # compute nodes first, as an operator would
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            codes.append(process.wait(timeout=60))
        assert codes == [0] * len(processes), codes


def test_scenario_across_processes(deployment, tmp_path):
    ports = deployment["ports"]
    conn = openstack.connect(
        auth_type="password", auth={
            "auth_url": f"http://127.0.0.1:{ports['identity']}/v3", "username": "admin",
            "password": PASSWORD, "project_name": "admin", "user_domain_name": "Default",
            "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)
    wait_for(lambda: len([s for s in conn.compute.services()
                          if s.binary == "nova-compute" and s.state == "up"]) == 2)
    wait_for(lambda: len(list(conn.compute.hypervisors())) == 2)
    disk = tmp_path / "disk.raw"
    disk.write_bytes(b"\0" * 1024)
    image = conn.image.create_image(name="img", filename=str(disk), disk_format="raw",
                                    container_format="bare")
    servers = [conn.compute.create_server(name=f"vm{i}", flavor_id="1", image_id=image.id,
                                          networks="auto" if i == 0 else "none")
               for i in range(4)]
    for server in servers:
        conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.2)
    # the compute node made the port with the user's token through the network service
    [address] = conn.compute.get_server(servers[0].id).addresses["shared"]
    [port] = conn.network.ports(device_id=servers[0].id)
    assert address["addr"] == port.fixed_ips[0]["ip_address"]
    hosts = {conn.compute.get_server(s.id).compute_host for s in servers}
    assert hosts <= {"compute-a", "compute-b"}
    target = servers[0]
    for action, status in (("reboot", "ACTIVE"), ("stop", "SHUTOFF"), ("start", "ACTIVE")):
        if action == "reboot":
            conn.compute.reboot_server(target, "HARD")
        else:
            getattr(conn.compute, f"{action}_server")(target)
        conn.compute.wait_for_server(conn.compute.get_server(target.id), status=status,
                                     wait=60, interval=0.2)
    for server in servers:
        conn.compute.delete_server(server)
    for server in servers:
        conn.compute.wait_for_delete(server, wait=60, interval=0.2)
    assert list(conn.compute.servers()) == []
    assert list(conn.network.ports(device_owner="compute:nova")) == []
