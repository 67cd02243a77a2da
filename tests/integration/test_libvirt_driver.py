"""The libvirt driver against the real libvirtd + QEMU (TCG here), booting the tiny guest.

The image service is imitated by a small HTTP server on 127.0.0.1 serving
``GET /v2/images/{id}`` and ``GET /v2/images/{id}/file``; the tiny guest comes
from ``novalite.guest.builder.build_tiny`` (kernel + initramfs + blank disk, booted
as a three-part image). Needs ``tools/setup-libvirt`` to have run.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.guest.builder import build_tiny
from novalite.virt.driver import LifecycleEvent, VirtDriverError
from novalite.virt.libvirt.driver import LibvirtDriver
from tests.integration.console import send_until

TINY_DIR = os.environ.get("NOVALITE_TINY_DIR",
                          os.path.expanduser("~/.cache/novalite/tiny-guest"))


class ImageServer:
    """The two image service endpoints the driver uses, for a dict of images."""

    def __init__(self) -> None:
        self.images: dict[str, dict[str, Any]] = {}
        self.tokens: list[str] = []
        images, tokens = self.images, self.tokens

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                tokens.append(self.headers.get("X-Auth-Token", ""))
                parts = self.path.strip("/").split("/")
                image = images.get(parts[2]) if len(parts) >= 3 else None
                if image is None or parts[:2] != ["v2", "images"]:
                    self.send_response(404)
                    self.end_headers()
                    return
                if len(parts) == 4 and parts[3] == "file":
                    body = image["served"]
                    content_type = "application/octet-stream"
                else:
                    record = {k: v for k, v in image.items() if k not in ("data", "served")}
                    body = json.dumps(record).encode()
                    content_type = "application/json"
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, data: bytes, disk_format: str = "raw", served: bytes | None = None,
            properties: dict[str, Any] | None = None) -> str:
        image_id = str(uuid.uuid4())
        self.images[image_id] = {
            "id": image_id, "status": "active", "disk_format": disk_format,
            "container_format": "bare", "size": len(data),
            "checksum": hashlib.md5(data).hexdigest(), "os_hash_algo": "sha512",
            "os_hash_value": hashlib.sha512(data).hexdigest(), "data": data,
            "served": data if served is None else served, **(properties or {})}
        return image_id

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def tiny() -> Any:
    return build_tiny(TINY_DIR)


@pytest.fixture
def image_server() -> Iterator[ImageServer]:
    server = ImageServer()
    yield server
    server.close()


@pytest.fixture
def context(image_server: ImageServer) -> RequestContext:
    catalog = [{"type": "image", "name": "glance", "endpoints": [
        {"interface": "public", "region_id": "RegionOne", "url": image_server.url}]}]
    return RequestContext(user_id="u", project_id="p", auth_token="user-token",
                          service_catalog=catalog)


@pytest.fixture
def driver(conf: Any) -> Iterator[LibvirtDriver]:
    conf.set_override("reboot_timeout", 30)
    lv = LibvirtDriver("test-host")
    lv.init_host("test-host")
    yield lv
    lv.cleanup_host("test-host")
    conf.clear_override("reboot_timeout")


def make_instance(**extra: Any) -> dict[str, Any]:
    # A high id keeps the domain name clear of guests others run on this machine.
    instance_id = 0x7000000 + uuid.uuid4().int % 0xFFFFFF
    return {"uuid": str(uuid.uuid4()), "id": instance_id, "name": f"instance-{instance_id:08x}",
            "display_name": "vm1", "vcpus": 1, "memory_mb": 128, "root_gb": 1,
            "user_data": None, "extra_specs": {}, "flavor": {"name": "m1.tiny"},
            "project_id": "p", **extra}


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def count_logins(driver: LibvirtDriver, instance: dict[str, Any]) -> int:
    return driver.get_console_output(None, instance).count("login:")


def upload_tiny(server: ImageServer, tiny: Any) -> tuple[str, dict[str, Any]]:
    def read(path: str) -> bytes:
        with open(path, "rb") as handle:
            return handle.read()

    kernel_id = server.add(read(tiny.kernel), disk_format="aki")
    ramdisk_id = server.add(read(tiny.initramfs), disk_format="ari")
    properties = {"kernel_id": kernel_id, "ramdisk_id": ramdisk_id,
                  "os_command_line": tiny.cmdline}
    image_id = server.add(read(tiny.disk), disk_format="raw")
    meta = {"id": image_id, "disk_format": "raw", "container_format": "bare",
            "properties": properties}
    return image_id, meta


def test_tiny_guest_lifecycle(driver: LibvirtDriver, image_server: ImageServer,
                              context: RequestContext, tiny: Any) -> None:
    events: list[LifecycleEvent] = []
    driver.register_event_listener(events.append)
    image_id, meta = upload_tiny(image_server, tiny)
    instance = make_instance(image_ref=image_id, kernel_id="", ramdisk_id="")
    directory = driver.instance_dir(instance)
    try:
        # spawn: running, the console shows the login prompt, the disk is an overlay.
        driver.spawn(context, instance, meta, [], None)
        assert set(image_server.tokens) == {"user-token"}
        assert instance["uuid"] in driver.list_instance_uuids()
        assert driver.get_power_state(instance) == states.RUNNING
        wait_for(lambda: count_logins(driver, instance) >= 1, what="login: after spawn")
        diag = driver.get_diagnostics(instance)
        first_pid, first_defined = diag["pid"], diag["defined_at"]
        assert first_pid > 0 and os.path.exists(f"/proc/{first_pid}")
        assert diag["state"] == "running" and diag["hypervisor"] == driver.virt_type
        assert sorted(os.listdir(os.path.join(driver.images_path, "_base"))) == sorted(
            [image_id, meta["properties"]["kernel_id"], meta["properties"]["ramdisk_id"]])

        # in-guest reboot: the same QEMU process resets.
        send_until(driver, instance, "reboot", lambda: count_logins(driver, instance) >= 2,
                   "login: after guest reboot")
        assert driver.get_diagnostics(instance)["pid"] == first_pid

        # soft reboot: ACPI shutdown seen by the guest, new QEMU, same definition.
        driver.reboot(context, instance, [], "SOFT")
        assert "ACPI power button" in driver.get_console_output(None, instance)
        diag = driver.get_diagnostics(instance)
        soft_pid = diag["pid"]
        assert soft_pid not in (0, first_pid)
        assert diag["defined_at"] == first_defined
        wait_for(lambda: count_logins(driver, instance) >= 3, what="login: after soft reboot")

        # hard reboot: new QEMU from a fresh definition.
        driver.reboot(context, instance, [], "HARD")
        diag = driver.get_diagnostics(instance)
        hard_pid = diag["pid"]
        assert hard_pid not in (0, first_pid, soft_pid)
        assert diag["defined_at"] > first_defined
        wait_for(lambda: count_logins(driver, instance) >= 4, what="login: after hard reboot")

        # stop (graceful) and start.
        driver.power_off(instance, timeout=30)
        assert driver.get_power_state(instance) == states.SHUTDOWN
        assert driver.get_diagnostics(instance)["pid"] == 0
        driver.power_on(context, instance, [])
        assert driver.get_power_state(instance) == states.RUNNING
        assert driver.get_diagnostics(instance)["pid"] not in (0, hard_pid)
        wait_for(lambda: count_logins(driver, instance) >= 5, what="login: after start")

        # pause/unpause keep the process; suspend/resume go through a managed save.
        pid = driver.get_diagnostics(instance)["pid"]
        driver.pause(instance)
        assert driver.get_power_state(instance) == states.POWER_PAUSED
        driver.unpause(instance)
        assert driver.get_power_state(instance) == states.RUNNING
        assert driver.get_diagnostics(instance)["pid"] == pid
        driver.suspend(context, instance)
        assert driver.get_power_state(instance) == states.POWER_SUSPENDED
        driver.resume(context, instance, [])
        assert driver.get_power_state(instance) == states.RUNNING
        assert driver.get_diagnostics(instance)["pid"] not in (0, pid)

        # a guest that powers itself off is reported by a lifecycle event.
        del events[:]
        send_until(driver, instance, "poweroff",
                   lambda: any(e.instance_uuid == instance["uuid"]
                               and e.power_state == states.SHUTDOWN for e in events),
                   "SHUTDOWN lifecycle event")
        assert driver.get_power_state(instance) == states.SHUTDOWN
    finally:
        driver.destroy(context, instance, [])
    assert instance["uuid"] not in driver.list_instance_uuids()
    assert driver.get_power_state(instance) == states.NOSTATE
    assert not os.path.exists(directory)


def test_soft_reboot_falls_back_to_hard_when_guest_does_not_stop(
        driver: LibvirtDriver, image_server: ImageServer, context: RequestContext,
        tiny: Any, conf: Any) -> None:
    image_id, meta = upload_tiny(image_server, tiny)
    instance = make_instance(image_ref=image_id)
    try:
        driver.spawn(context, instance, meta, [], None)
        before = driver.get_diagnostics(instance)
        conf.set_override("reboot_timeout", 0)
        driver.reboot(context, instance, [], "SOFT")
        after = driver.get_diagnostics(instance)
        assert after["pid"] not in (0, before["pid"])
        assert after["defined_at"] > before["defined_at"]
        assert driver.get_power_state(instance) == states.RUNNING
    finally:
        driver.destroy(context, instance, [])
    assert not os.path.exists(driver.instance_dir(instance))


def test_checksum_mismatch_refuses_the_image(driver: LibvirtDriver, image_server: ImageServer,
                                             context: RequestContext) -> None:
    good = b"\x00" * 65536
    image_id = image_server.add(good, served=b"\x01" + good[1:])
    instance = make_instance(image_ref=image_id)
    with pytest.raises(VirtDriverError, match="checksum mismatch"):
        driver.spawn(context, instance, {"id": image_id, "properties": {}}, [], None)
    base_dir = os.path.join(driver.images_path, "_base")
    assert os.listdir(base_dir) == []
    assert instance["uuid"] not in driver.list_instance_uuids()
    assert not os.path.exists(driver.instance_dir(instance))


def test_host_resources_report_the_probe_verdict(driver: LibvirtDriver) -> None:
    resources = driver.get_host_resources()
    assert resources.hypervisor_type == {"kvm": "KVM", "qemu": "QEMU"}[driver.virt_type]
    assert resources.vcpus == os.cpu_count()
    assert resources.memory_mb > 0 and resources.local_gb > 0
    assert json.loads(resources.cpu_info)["virt_type"] == driver.virt_type
