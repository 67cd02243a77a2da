"""Volumes in real guests through the whole cloud, on each backend (``file``: a qcow2
file QEMU opens; ``iscsi``: tgtd, reached by QEMU's own iSCSI client): the CLI makes and
attaches a volume, the guest sees ``vdb`` appear (a line on its serial console), data
written from the guest's console reads back in a second guest after a detach, the
volume list names the server it is attached to, an in-use volume is not deleted,
a hard reboot keeps it attached with its data, and nothing is left afterwards."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import time
from typing import Any

import pytest
import requests

from novalite.conf import CONF
from novalite.guest import build_tiny, upload_tiny
from novalite.volume import manager
from tests.functional.clients import Cli
from tests.guests import use_libvirt
from tests.integration.console import send_until

CACHE = os.environ.get("NOVALITE_TINY_CACHE",
                       os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))
IN_USE = ("Invalid volume: Volume status must be available or error or error_restoring or "
          "error_extending or error_managing and must not be migrating, attached, belong to "
          "a group, have snapshots, awaiting a transfer, or be disassociated from snapshots "
          "after volume transfer.")
BOOT = 150.0


def wait_for(predicate, timeout: float, what: str, interval: float = 0.25):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{what}: not met in {timeout:.0f} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["file", "iscsi"])
def backend(request, conf):
    conf.set_override("enabled_backends", [request.param], "volume")
    if request.param == "iscsi":
        conf.set_override("target_port", free_port(), "volume")
        conf.set_override("tgt_control_port", random.randint(1000, 32000), "volume")
    use_libvirt(conf)
    conf.set_override("reboot_timeout", 60)
    yield request.param


class Guest:
    """One server's serial console: its log through the API, typing through its host."""

    def __init__(self, conn: Any, cloud: dict[str, Any], server: Any) -> None:
        self.conn, self.server = conn, server
        host = conn.compute.get_server(server.id).compute_host
        self.driver = cloud["plane"].driver(host)

    def output(self) -> str:
        return str(self.conn.compute.get_server_console_output(self.server)["output"])

    def wait(self, text: str, after: int = 0, timeout: float = BOOT) -> int:
        """The position just past the first ``text`` after ``after`` in the log."""
        def found() -> int | None:
            out = self.output()
            index = out.find(text, after)
            return index + len(text) if index >= 0 else None

        return int(wait_for(found, timeout, f"{text!r} on {self.server.name}'s console"))

    def run(self, line: str, expected: str, after: int) -> int:
        """Type ``line`` until ``expected`` shows in the log after ``after``."""
        send_until(self.driver, {"uuid": self.server.id}, line,
                   lambda: expected in self.output()[after:], f"{expected!r} after {line!r}")
        return self.wait(expected, after, timeout=5)

    def login(self, after: int = 0) -> int:
        position = self.wait("login:", after)
        return self.run("root", "~# ", position)


def volume_files() -> list[str]:
    root = os.path.expanduser(CONF.volume.volumes_path)
    return sorted(os.path.join(d, n) for d, _, names in os.walk(root) for n in names)


def test_hot_plug_data_and_reboot(backend, cloud, admin, tmp_path):
    conn = admin
    cli = Cli(cloud, tmp_path)
    ids = upload_tiny(cloud["image"], conn.auth_token, build_tiny(CACHE))
    servers = [conn.compute.create_server(name=name, flavor_id="1", image_id=ids["image_id"],
                                          networks="none") for name in ("vm-a", "vm-b")]
    first, second = (conn.compute.wait_for_server(s, status="ACTIVE", wait=BOOT,
                                                  interval=0.25) for s in servers)
    a, b = Guest(conn, cloud, first), Guest(conn, cloud, second)
    position_a, position_b = a.login(), b.login()

    volume = cli.json("volume", "create", "--size", "1", "data")
    conn.block_storage.wait_for_status(conn.block_storage.get_volume(volume["id"]),
                                       "available", failures=["error"], wait=60)
    started = time.monotonic()
    cli.run("server", "add", "volume", first.id, volume["id"])
    position_a = a.wait("BLOCK added vdb", position_a, timeout=60)
    print(f"{backend}: vdb in guest A {time.monotonic() - started:.1f} s after the attach")
    # the marker is computed in the guest, so the echoed command line never matches it
    position_a = a.run("echo NOVALITE-DATA-$((6*7)) | dd of=/dev/vdb bs=512 conv=sync "
                       "2>/dev/null; sync; echo WROTE-$((40+2))", "WROTE-42", position_a)
    cli.run("server", "remove", "volume", first.id, volume["id"])
    a.wait("BLOCK removed vdb", position_a, timeout=60)
    assert conn.block_storage.get_volume(volume["id"]).status == "available"

    cli.run("server", "add", "volume", second.id, volume["id"])
    position_b = b.wait("BLOCK added vdb", position_b, timeout=60)
    read = "dd if=/dev/vdb bs=16 count=1 2>/dev/null; echo"
    position_b = b.run(read, "NOVALITE-DATA-42", position_b)
    table = cli.run("volume", "list").stdout
    assert "Attached to vm-b on /dev/vdb" in table, table
    refused = requests.delete(
        f"{cloud['volume']}/{conn.current_project_id}/volumes/{volume['id']}",
        headers={"X-Auth-Token": conn.auth_token}, timeout=30)
    assert refused.status_code == 400
    assert refused.json() == {"badRequest": {"code": 400, "message": IN_USE}}

    conn.compute.reboot_server(second, "HARD")
    conn.compute.wait_for_server(conn.compute.get_server(second.id), status="ACTIVE",
                                 wait=BOOT, interval=0.25)
    position_b = b.login(position_b)
    b.run(read, "NOVALITE-DATA-42", position_b)
    assert conn.block_storage.get_volume(volume["id"]).status == "in-use"

    for server in (first, second):
        conn.compute.delete_server(server)
    for server in (first, second):
        conn.compute.wait_for_delete(server, wait=60, interval=0.25)
    wait_for(lambda: conn.block_storage.get_volume(volume["id"]).status == "available",
             30, "the volume available once its server is gone")
    assert conn.block_storage.get_volume(volume["id"]).attachments == []
    conn.block_storage.delete_volume(volume["id"])
    wait_for(lambda: conn.block_storage.find_volume(volume["id"]) is None, 30,
             "the volume deleted")
    manager.get().wait_idle(30)
    assert volume_files() == []
    if backend == "iscsi":
        exported = manager.get().backend("iscsi").exported()  # type: ignore[attr-defined]
        assert exported == []
    domains = subprocess.run(["virsh", "-c", "qemu:///system", "list", "--all", "--name"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert not [d for d in domains if d.startswith(CONF.instance_name_template[:10])]


def test_boot_from_volume_of_the_disk_image(backend, cloud, admin, tmp_path):
    """``server create --boot-from-volume 1 --image tiny-disk``: the build makes the root
    volume from the bootable disk image (partition table, SYSLINUX), the BIOS boots it
    to ``login:``; a delete with delete-on-termination removes the volume."""
    from novalite.guest import build_disk, upload_tiny_disk

    conn = admin
    cli = Cli(cloud, tmp_path)
    disk = build_disk(build_tiny(CACHE), CACHE)
    upload_tiny_disk(cloud["image"], conn.auth_token, disk)
    started = time.monotonic()
    server = cli.json("server", "create", "--flavor", "1", "--image", "tiny-disk",
                      "--boot-from-volume", "1", "--delete-on-termination", "--nic", "none",
                      "--wait", "bfv")
    active_after = time.monotonic() - started
    assert server["status"] == "ACTIVE"
    guest = Guest(conn, cloud, conn.compute.get_server(server["id"]))
    guest.wait("login:")
    print(f"{backend}: boot from volume ACTIVE after {active_after:.1f} s, login: after "
          f"{time.monotonic() - started:.1f} s")
    shown = conn.compute.get_server(server["id"])
    assert not (shown.image or {}).get("id")  # volume-backed: "image": ""
    (attached,) = shown.attached_volumes
    volume = conn.block_storage.get_volume(attached["id"])
    assert volume.is_bootable and volume.size == 1
    assert [a["device"] for a in volume.attachments] == ["/dev/vda"]
    cli.run("server", "delete", "--wait", server["id"])
    wait_for(lambda: conn.block_storage.find_volume(volume.id) is None, 60,
             "the root volume deleted with its server")
    manager.get().wait_idle(30)
    assert volume_files() == []
    if backend == "iscsi":
        assert manager.get().backend("iscsi").exported() == []  # type: ignore[attr-defined]
