"""A real guest booted through the whole cloud (API → conductor → scheduler → compute →
libvirt + QEMU): the tiny image from the image service, its console log, the three
kinds of reboot seen through the admin diagnostics, and a delete that leaves nothing."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
import requests

from novalite.guest import build_tiny, upload_tiny
from tests.guests import use_libvirt
from tests.integration.console import send_until

CACHE = os.environ.get("NOVALITE_TINY_CACHE",
                       os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))


def wait_for(predicate, timeout: float, interval: float = 0.25):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@pytest.fixture
def libvirt_conf(conf, tmp_path):
    use_libvirt(conf)
    conf.set_override("reboot_timeout", 60)
    yield conf


def test_tiny_guest_through_the_api(libvirt_conf, cloud, admin):
    conn = admin
    ids = upload_tiny(cloud["image"], conn.auth_token, build_tiny(CACHE))
    started = time.monotonic()
    server = conn.compute.create_server(name="vm1", flavor_id="1", image_id=ids["image_id"],
                                        networks="none")
    server = conn.compute.wait_for_server(server, status="ACTIVE", wait=120, interval=0.25)
    active_after = time.monotonic() - started
    console = wait_for(lambda: (lambda out: out if "login:" in out else None)(
        conn.compute.get_server_console_output(server)["output"]), timeout=120)
    login_after = time.monotonic() - started
    assert "login:" in console
    print(f"ACTIVE after {active_after:.1f} s, login: after {login_after:.1f} s")

    def diagnostics() -> dict:
        return requests.get(f"{cloud['compute']}/servers/{server.id}/diagnostics",
                            headers={"X-Auth-Token": conn.auth_token}, timeout=30).json()

    def after(action: str, *args: str) -> dict:
        getattr(conn.compute, action)(server, *args)
        conn.compute.wait_for_server(conn.compute.get_server(server.id), status="ACTIVE",
                                     wait=180, interval=0.25)
        return diagnostics()

    first = diagnostics()
    assert first["pid"] > 0
    soft = after("reboot_server", "SOFT")
    assert soft["pid"] != first["pid"]
    hard = after("reboot_server", "HARD")
    assert hard["pid"] != soft["pid"] and hard["defined_at"] > soft["defined_at"]

    # A restart of the compute service keeps the running guest: same QEMU, still ACTIVE.
    host = conn.compute.get_server(server.id).compute_host
    plane = cloud["plane"]
    plane.restart_compute(host)
    assert conn.compute.get_server(server.id).status == "ACTIVE"
    assert diagnostics()["pid"] == hard["pid"]

    # A guest that powers itself off becomes SHUTOFF in the API (a lifecycle event).
    driver = plane.driver(host)
    guest = {"uuid": server.id}
    send_until(driver, guest, "poweroff",
               lambda: conn.compute.get_server(server.id).status == "SHUTOFF",
               "SHUTOFF after an in-guest poweroff")

    name = conn.compute.get_server(server.id).instance_name
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=60, interval=0.25)
    domains = subprocess.run(["virsh", "-c", "qemu:///system", "list", "--all", "--name"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert name not in domains
    instances_dir = os.path.join(libvirt_conf.state_path, "instances", server.id)
    assert not os.path.exists(instances_dir)


def test_corrupted_image_download_ends_in_error(libvirt_conf, cloud, admin, tmp_path):
    """An image whose stored bytes no longer match its checksum is never booted: every
    host refuses it and the server goes to ERROR with a fault that says why."""
    conn = admin
    image = conn.image.create_image(name="bad", data=b"\0" * 65536, disk_format="raw",
                                    container_format="bare")
    conn.image.wait_for_status(image, status="active", wait=60, interval=0.25)
    stored = os.path.join(libvirt_conf.image.filesystem_store_datadir, image.id)
    with open(stored, "r+b") as handle:
        handle.write(b"\1")
    server = conn.compute.create_server(name="bad", flavor_id="1", image_id=image.id,
                                        networks="none")
    server = conn.compute.wait_for_server(server, status="ERROR", failures=[], wait=120,
                                          interval=0.25)
    assert "checksum" in server.fault["message"], server.fault
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=60, interval=0.25)
