"""Nothing stuck after a crash: the separate-process cloud (real RabbitMQ and PostgreSQL,
the fake driver) boots 50 servers while a fault strikes, and every server must settle
(ACTIVE, or ERROR with a fault) with none lost.

- ``kill -9`` of a compute service, restarted: its init_host resolves what it was
  building; casts queued for it while it was down wait in its durable queue;
- RabbitMQ ``stop_app`` / ``start_app`` (a node of the test's own): the services
  reconnect, durable queues keep the casts;
- ``kill -9`` of the conductor, restarted: builds it held time out into ERROR;
- PostgreSQL restarted (an instance of the test's own): the services reconnect.

Each test prints its figures (``FAULT {...}``; run with ``-s`` to see them).
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import openstack
import pytest

from tests.integration.deployment import Deployment, server_database, wait_for
from tests.integration.faults import Boots, private_postgres, private_rabbit

#: their processes use databases of their own: the PostgreSQL pass alone runs them
pytestmark = [pytest.mark.postgresql_only, pytest.mark.faults, pytest.mark.timeout(900)]

PASSWORD = "fault-admin-password"
#: what makes a fault visible in seconds: a heartbeat every second, a compute down after
#: 5 s without one, builds taking half a second, a lost build given up after 60 s
OPTIONS = {
    "DEFAULT": {"report_interval": 1, "service_down_time": 5, "instance_build_timeout": 60,
                "stuck_build_check_interval": 2, "rpc_response_timeout": 20},
    "fake_driver": {"spawn_delay": 0.5},
}
SETTLE_TIMEOUT = 120


def options(**extra: dict[str, object]) -> dict[str, dict[str, object]]:
    merged = {name: dict(values) for name, values in OPTIONS.items()}
    for name, values in extra.items():
        merged.setdefault(name, {}).update(values)
    return merged


def connect(deployment: Deployment) -> openstack.connection.Connection:
    return openstack.connect(
        auth_type="password", auth={
            "auth_url": deployment.identity_url, "username": "admin", "password": PASSWORD,
            "project_name": "admin", "user_domain_name": "Default",
            "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)


def start_cloud(deployment: Deployment) -> tuple[openstack.connection.Connection, str]:
    deployment.bootstrap(PASSWORD)
    deployment.start_control_plane()
    for host in ("compute-a", "compute-b"):
        deployment.start("novalite-compute", deployment.host_config(host), name=host)
    conn = connect(deployment)
    wait_for(lambda: len([s for s in conn.compute.services()
                          if s.binary == "nova-compute" and s.state == "up"]) == 2,
             timeout=90)
    # room for the 50 servers (the admin project's quota is 10 instances)
    conn.set_compute_quotas("admin", instances=-1, cores=-1, ram=-1)
    disk = deployment.root / "disk.raw"
    disk.write_bytes(b"\0" * 1024)
    image = conn.image.create_image(name="img", filename=str(disk), disk_format="raw",
                                    container_format="bare")
    return conn, image.id


def process(deployment: Deployment, name: str) -> subprocess.Popen[bytes]:
    return next(p for n, _, p in deployment.processes if n == name)


def kill9(deployment: Deployment, name: str) -> None:
    victim = process(deployment, name)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    deployment.exit_codes[name] = 0  # killed on purpose; the others must exit 0


def report(name: str, figures: dict[str, object]) -> None:
    print(f"FAULT {json.dumps({'fault': name, **figures})}")


def assert_settled(figures: dict[str, object], boots: Boots) -> None:
    assert figures["api_errors"] == 0, boots.errors
    assert figures["created"] == boots.count
    assert figures["lost"] == 0, figures
    assert figures["stuck"] == 0, figures


def stop(deployment: Deployment) -> None:
    codes = deployment.stop_all()
    assert set(codes.values()) == {0}, codes


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[Deployment]:
    with server_database("postgresql") as database_url:
        deployment = Deployment(tmp_path, database_url, options=options())
        try:
            yield deployment
        finally:
            stop(deployment)


def test_kill_compute_during_boots(cloud: Deployment) -> None:
    conn, image_id = start_cloud(cloud)
    boots = Boots(conn, cloud.database_url, image_id).start()
    wait_for(lambda: boots.count_where(lambda s: s["host"] == "compute-a"
                                       and s["task_state"] == "spawning") >= 2,
             timeout=120, interval=0.05, what="builds spawning on compute-a")
    kill9(cloud, "compute-a")
    killed_at = time.monotonic()
    down = wait_for(lambda: next((s for s in conn.compute.services(host="compute-a")
                                  if s.state == "down"), None), timeout=60, interval=0.2)
    marked_down_s = time.monotonic() - killed_at
    cloud.start("novalite-compute", cloud.host_config("compute-a"), name="compute-a-again")
    boots.join()
    figures = boots.wait_settled(SETTLE_TIMEOUT)
    figures["converged_after_kill_s"] = round(time.monotonic() - killed_at, 1)
    figures["marked_down_after_s"] = round(marked_down_s, 1)
    report("kill -9 compute", figures)
    assert down.state == "down"
    assert_settled(figures, boots)
    assert figures["converged_after_kill_s"] <= SETTLE_TIMEOUT


def test_rabbitmq_stop_app_during_boots(tmp_path: Path) -> None:
    with (private_rabbit(tmp_path / "rabbit") as rabbit,
          server_database("postgresql") as database_url):
        cloud = Deployment(tmp_path / "cloud", database_url, options=options(
            DEFAULT={"transport_url": rabbit.url}))
        try:
            conn, image_id = start_cloud(cloud)
            boots = Boots(conn, database_url, image_id).start()
            wait_for(lambda: len(boots.created) >= 15, timeout=120, interval=0.05)
            rabbit.ctl("stop_app")
            stopped_at = time.monotonic()
            time.sleep(3)  # the outage: the broker is gone for a while, not a blip
            rabbit.ctl("start_app")
            boots.join()
            figures = boots.wait_settled(SETTLE_TIMEOUT)
            figures["converged_after_restart_s"] = round(time.monotonic() - stopped_at, 1)
            figures["active"] = boots.count_where(lambda s: s["vm_state"] == "active")
            report("rabbitmqctl stop_app/start_app", figures)
            assert_settled(figures, boots)
        finally:
            stop(cloud)


def test_kill_conductor_mid_boot(cloud: Deployment) -> None:
    conn, image_id = start_cloud(cloud)
    boots = Boots(conn, cloud.database_url, image_id).start()
    wait_for(lambda: len(boots.created) >= 10, timeout=120, interval=0.05)
    kill9(cloud, "novalite-conductor")
    killed_at = time.monotonic()
    time.sleep(2)
    cloud.start("novalite-conductor", name="novalite-conductor-again")
    boots.join()
    figures = boots.wait_settled(SETTLE_TIMEOUT)
    figures["converged_after_kill_s"] = round(time.monotonic() - killed_at, 1)
    figures["active"] = boots.count_where(lambda s: s["vm_state"] == "active")
    report("kill -9 conductor", figures)
    assert_settled(figures, boots)


def test_postgresql_restart_mid_boot(tmp_path: Path) -> None:
    with private_postgres() as postgres:
        cloud = Deployment(tmp_path / "cloud", postgres.url, options=options())
        try:
            conn, image_id = start_cloud(cloud)
            boots = Boots(conn, postgres.url, image_id).start()
            wait_for(lambda: len(boots.created) >= 15, timeout=120, interval=0.05)
            postgres.stop("fast")
            stopped_at = time.monotonic()
            time.sleep(3)
            postgres.start()
            boots.join()
            figures = boots.wait_settled(SETTLE_TIMEOUT)
            figures["converged_after_restart_s"] = round(time.monotonic() - stopped_at, 1)
            figures["active"] = boots.count_where(lambda s: s["vm_state"] == "active")
            report("postgresql restart", figures)
            assert_settled(figures, boots)
        finally:
            stop(cloud)
