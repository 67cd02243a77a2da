"""The tiny guest, built from Debian packages and booted under QEMU (TCG).

The image is built once into NOVALITE_TINY_CACHE (default ~/.cache/novalite/tiny)
and reused by later runs; the first run builds it (about 10 s plus downloads).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.guest import TinyImage, build_tiny, cpio, upload_tiny
from novalite.guest.qemu import TinyGuest
from novalite.image.api import make_app

CACHE = os.environ.get("NOVALITE_TINY_CACHE",
                       os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))
BOOT_TIMEOUT = 60


@pytest.fixture(scope="session")
def tiny() -> TinyImage:
    return build_tiny(CACHE)


@pytest.fixture
def guest(tiny, tmp_path) -> Iterator[TinyGuest]:
    instance = TinyGuest(tiny, str(tmp_path), extra_args=["-nic", "none"])
    yield instance
    instance.stop()


def test_image_is_what_the_build_recorded(tiny) -> None:
    for path, digest in ((tiny.kernel, tiny.kernel_sha256),
                         (tiny.initramfs, tiny.initramfs_sha256), (tiny.disk, tiny.disk_sha256)):
        with open(path, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == digest
    assert tiny.kernel_package == f"linux-image-{tiny.kernel_release}"
    assert tiny.kernel_release.endswith("-cloud-amd64")
    assert tiny.cmdline == "console=tty1 console=ttyS0 quiet"
    order = list(tiny.modules)
    assert order.index("virtio_ring") < order.index("virtio") < order.index("virtio_pci")
    assert order.index("failover") < order.index("net_failover") < order.index("virtio_net")
    with open(tiny.initramfs, "rb") as handle:
        paths = {entry.path: entry for entry in cpio.read(handle.read())}
    for name in ("virtio_net", "virtio_blk", "virtio_console", "isofs", "button", "evdev"):
        assert f"lib/modules/{name}.ko" in paths
        assert paths[f"lib/modules/{name}.ko"].data.startswith(b"\x7fELF")
    assert paths["bin/sh"].data == b"/bin/busybox"


def test_build_is_reproducible(tiny, tmp_path) -> None:
    # Reuse the downloaded packages; everything else is built again from scratch.
    shutil.copytree(os.path.join(CACHE, "debs"), tmp_path / "debs")
    again = build_tiny(str(tmp_path), force=True)
    assert again.initramfs_sha256 == tiny.initramfs_sha256
    assert again.kernel_sha256 == tiny.kernel_sha256
    assert again.modules == tiny.modules


def test_boots_to_login_and_powers_off_on_the_acpi_button(guest) -> None:
    guest.start()
    position = guest.wait_for("login:", BOOT_TIMEOUT)
    assert guest.qmp("system_powerdown") == {"return": {}}
    guest.wait_for("ACPI power button: shutting down", 30, position)
    assert guest.process is not None
    assert guest.process.wait(timeout=60) == 0  # QEMU exits by itself: ACPI power-off


def test_reboot_typed_on_the_serial_console_keeps_the_qemu_process(guest) -> None:
    guest.start()
    assert guest.process is not None
    pid = guest.process.pid
    position = guest.wait_for("login:", BOOT_TIMEOUT)
    guest.type("root\n")
    position = guest.wait_for("# ", 30, position)
    guest.type("ps\n")
    position = guest.wait_for("# ", 30, position)
    assert "getty -l /sbin/tiny-login 38400 tty1" in guest.output  # the VGA login prompt
    guest.type("reboot\n")
    position = guest.wait_for("reboot: Restarting system", 60, position)
    guest.wait_for("login:", BOOT_TIMEOUT, position)
    assert guest.process.poll() is None
    assert guest.process.pid == pid
    assert guest.output.count("login:") >= 2


def test_config_drive_metadata_and_user_data(tiny, tmp_path) -> None:
    tree = tmp_path / "drive" / "openstack" / "latest"
    tree.mkdir(parents=True)
    (tree / "meta_data.json").write_text(json.dumps(
        {"uuid": "5f0b6c2e-3c47-4f8e-9a53-2b1d3c4e5f60", "hostname": "vm-one",
         "name": "vm1", "launch_index": 0}))
    (tree / "user_data").write_text("#!/bin/sh\necho \"USER-DATA-MARKER $((6 * 7))\"\n")
    iso = tmp_path / "config.iso"
    subprocess.run(["genisoimage", "-quiet", "-J", "-R", "-V", "config-2", "-o", str(iso),
                    str(tmp_path / "drive")], check=True)
    with TinyGuest(tiny, str(tmp_path), extra_args=[
            "-nic", "none",
            "-drive", f"file={iso},if=virtio,format=raw,readonly=on"]) as guest:
        guest.wait_for("login:", BOOT_TIMEOUT)
        output = guest.output
    assert ("METADATA uuid=5f0b6c2e-3c47-4f8e-9a53-2b1d3c4e5f60 hostname=vm-one"
            in output), output
    assert "USER-DATA-MARKER 42" in output
    assert "vm-one login:" in output
    assert output.index("USER-DATA-MARKER") < output.index("vm-one login:")


# Answers one HTTP request on stdin/stdout from a directory: QEMU's user-mode
# network runs it for each connection the guest opens to 169.254.169.254:80.
METADATA_RESPONDER = """
import os, sys
root, stdin = sys.argv[1], sys.stdin.buffer
words = stdin.readline().decode().split()
while stdin.readline() not in (b"\\r\\n", b"\\n", b""):
    pass
path = os.path.join(root, (words[1] if len(words) > 1 else "/").lstrip("/"))
found = os.path.isfile(path)
body = open(path, "rb").read() if found else b"not found"
status = "200 OK" if found else "404 Not Found"
head = f"HTTP/1.0 {status}\\r\\nContent-Length: {len(body)}\\r\\n\\r\\n"
sys.stdout.buffer.write(head.encode() + body)
"""


def test_dhcp_and_the_metadata_service(tiny, tmp_path) -> None:
    """A virtio NIC on QEMU's user network (restricted: nothing leaves the host) whose
    DHCP puts the guest in 169.254.169.0/24, and 169.254.169.254:80 forwarded to a
    local responder serving an OpenStack metadata tree."""
    tree = tmp_path / "metadata" / "openstack" / "latest"
    tree.mkdir(parents=True)
    (tree / "meta_data.json").write_text(json.dumps(
        {"uuid": "0e4c4b8e-1111-4222-8333-944455556666", "hostname": "net-vm"}))
    (tree / "user_data").write_text("#!/bin/sh\necho \"NET-MARKER $(hostname)\"\n")
    responder = tmp_path / "responder.py"
    responder.write_text(METADATA_RESPONDER)
    nic = ("user,model=virtio-net-pci,net=169.254.169.0/24,restrict=on,"
           f"guestfwd=tcp:169.254.169.254:80-cmd:{sys.executable} {responder} "
           f"{tmp_path / 'metadata'}")
    with TinyGuest(tiny, str(tmp_path), extra_args=["-nic", nic]) as guest:
        guest.wait_for("login:", BOOT_TIMEOUT)
        output = guest.output
    assert "tiny: eth0 169.254.169.15/24" in output, output
    assert ("METADATA uuid=0e4c4b8e-1111-4222-8333-944455556666 hostname=net-vm "
            "source=metadata-service") in output, output
    assert "NET-MARKER net-vm" in output


class AdminTokens:
    def validate(self, token: str) -> RequestContext:
        if token != "admin-token":
            raise exception.NotAuthenticated()
        return RequestContext(user_id="admin", project_id="a" * 32,
                              roles=["admin", "member", "reader"], auth_token=token)


def test_upload_makes_a_three_part_image_once(db, tiny) -> None:
    server = wsgi.Server("image", make_app(AdminTokens()), "127.0.0.1", 0, threads=4)
    server.start()
    try:
        ids = upload_tiny(server.url, "admin-token", tiny)
        assert upload_tiny(server.url, "admin-token", tiny) == ids  # idempotent
        session = requests.Session()
        session.headers["X-Auth-Token"] = "admin-token"
        images = session.get(server.url + "/v2/images", timeout=30).json()["images"]
        assert sorted(image["name"] for image in images) == [
            "tiny", "tiny-kernel", "tiny-ramdisk"]
        main = session.get(f"{server.url}/v2/images/{ids['image_id']}", timeout=30).json()
        assert main["status"] == "active"
        assert main["kernel_id"] == ids["kernel_id"]
        assert main["ramdisk_id"] == ids["ramdisk_id"]
        assert main["os_command_line"] == tiny.cmdline
        kernel = session.get(f"{server.url}/v2/images/{ids['kernel_id']}", timeout=30).json()
        assert (kernel["disk_format"], kernel["status"]) == ("aki", "active")
        assert kernel["size"] == os.path.getsize(tiny.kernel)
        data = session.get(f"{server.url}/v2/images/{ids['ramdisk_id']}/file", timeout=30)
        assert hashlib.sha256(data.content).hexdigest() == tiny.initramfs_sha256
    finally:
        server.stop()
