"""Volume benchmark: create, attach and detach latency on each backend (file, iscsi).

Runs the volume API in-process on 127.0.0.1 (ephemeral port, fixed-token validator,
scratch SQLite database) once per backend, and one real tiny guest (libvirt + QEMU,
kernel boot, no network) to hot-plug into. Per volume (``--volumes`` of them):

* ``create_ms``: ``POST /volumes`` (1 GiB, empty) until it is ``available``;
* ``attach_ms``: what Nova does: ``POST /attachments`` (reserve), ``PUT`` with the
  host's connector (the backend exports it: tgt for iscsi), ``attachDeviceFlags`` of the
  libvirt disk ``novalite.virt.libvirt.volume.guest_volume`` makes, ``os-complete``;
* ``guest_sees_ms``: from the attach's start until the guest prints ``BLOCK added``
  on its console (the guest looks once a second: a coarse upper bound);
* ``detach_ms``: ``detachDeviceFlags`` until QEMU dropped the disk (the guest let go),
  then ``DELETE /attachments/{id}`` (the backend stops exporting it).

Prints one JSON object: p50 and max in ms per backend and phase.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import time
import uuid
from typing import Any

import requests

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.conf import CONF

TOKEN = "bench-token"
PROJECT = uuid.uuid4().hex
HEADERS = {"X-Auth-Token": TOKEN, "OpenStack-API-Version": "volume 3.44"}


class _Validator:
    def validate(self, token: str) -> RequestContext:
        if token != TOKEN:
            raise exception.NotAuthenticated()
        return RequestContext(user_id="bench", project_id=PROJECT,
                              roles=["admin", "member", "reader"], auth_token=token)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(predicate: Any, timeout: float, what: str, interval: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise RuntimeError(f"{what}: not in {timeout} s")


def _summary(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


class Guest:
    """A transient tiny guest whose console log is read for hot-plug lines."""

    def __init__(self, state: str) -> None:
        import libvirt

        from novalite.guest import build_tiny
        from novalite.virt.libvirt import config

        cache = os.environ.get("NOVALITE_TINY_CACHE", os.path.join(
            os.path.expanduser("~"), ".cache", "novalite", "tiny"))
        tiny = build_tiny(cache)
        self.log = os.path.join(state, "console.log")
        name = f"nlbench{os.getpid()}x{uuid.uuid4().hex[:6]}"
        guest = config.GuestConfig(
            uuid=str(uuid.uuid4()), name=name, virt_type="qemu", memory_mb=128, vcpus=1,
            metadata=config.GuestMetadata(defined_at=time.time()), graphics=(),
            serial=config.GuestSerial(self.log), kernel=tiny.kernel, initrd=tiny.initramfs,
            cmdline=tiny.cmdline)
        self.connection = libvirt.open("qemu:///system")
        self.domain = self.connection.createXML(guest.to_xml(), 0)
        self.flags = libvirt.VIR_DOMAIN_AFFECT_LIVE
        _wait(lambda: "login:" in self.console(), 180, "the guest's login:", 0.2)

    def console(self) -> str:
        try:
            with open(self.log, errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""

    def close(self) -> None:
        try:
            self.domain.destroy()
        finally:
            self.connection.close()


def _bench_backend(backend: str, state: str, guest: Guest, count: int) -> dict[str, Any]:
    from novalite.virt.libvirt import config
    from novalite.virt.libvirt.volume import guest_volume
    from novalite.volume.api import VolumeServer, make_app

    CONF.set_override("enabled_backends", [backend], "volume")
    CONF.set_override("volumes_path", os.path.join(state, f"volumes-{backend}"), "volume")
    if backend == "iscsi":
        CONF.set_override("target_port", _free_port(), "volume")
        CONF.set_override("tgt_control_port", random.randint(1000, 32000), "volume")
    server = VolumeServer("volume", make_app(_Validator()), "127.0.0.1", 0, threads=4)
    server.start()
    base = f"{server.url}/v3/{PROJECT}"
    http = requests.Session()
    http.headers.update(HEADERS)
    phases: dict[str, list[float]] = {"create": [], "attach": [], "guest_sees": [],
                                      "detach": []}
    connector = {"host": "bench", "ip": "127.0.0.1", "initiator": "iqn.2026-12.bench:h",
                 "platform": "x86_64", "os_type": "linux", "multipath": False}
    try:
        for index in range(count):
            started = time.perf_counter()
            volume = http.post(f"{base}/volumes", json={"volume": {
                "size": 1, "name": f"bench-{index}"}}, timeout=60).json()["volume"]
            _wait(lambda v=volume["id"]: http.get(f"{base}/volumes/{v}", timeout=30).json()[
                "volume"]["status"] == "available", 60, "volume available")
            phases["create"].append((time.perf_counter() - started) * 1000)

            seen = guest.console().count("BLOCK added")
            started = time.perf_counter()
            attachment = http.post(f"{base}/attachments", json={"attachment": {
                "volume_uuid": volume["id"], "instance_uuid": str(uuid.uuid4())}},
                timeout=30).json()["attachment"]
            info = http.put(f"{base}/attachments/{attachment['id']}", json={"attachment": {
                "connector": {**connector, "mountpoint": "/dev/vdb"}}},
                timeout=30).json()["attachment"]["connection_info"]
            disk = guest_volume(info, "vdb", volume["id"])
            guest.domain.attachDeviceFlags(disk.to_xml(), guest.flags)
            done = http.post(f"{base}/attachments/{attachment['id']}/action",
                             json={"os-complete": {}}, timeout=30)
            assert done.status_code == 204, done.text
            phases["attach"].append((time.perf_counter() - started) * 1000)
            _wait(lambda n=seen: guest.console().count("BLOCK added") > n, 30,
                  "the guest seeing the disk", 0.05)
            phases["guest_sees"].append((time.perf_counter() - started) * 1000)

            removed = guest.console().count("BLOCK removed")
            started = time.perf_counter()
            guest.domain.detachDeviceFlags(disk.to_xml(), guest.flags)
            _wait(lambda: "vdb" not in config.disk_targets(guest.domain.XMLDesc(0)), 60,
                  "the guest letting go", 0.02)
            gone = http.delete(f"{base}/attachments/{attachment['id']}", timeout=30)
            assert gone.status_code == 200, gone.text
            phases["detach"].append((time.perf_counter() - started) * 1000)
            _wait(lambda n=removed: guest.console().count("BLOCK removed") > n, 30,
                  "the guest reporting the disk gone", 0.05)
            http.delete(f"{base}/volumes/{volume['id']}", timeout=30)
    finally:
        http.close()
        server.stop()
    return {f"{phase}_ms": _summary(samples) for phase, samples in phases.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--volumes", type=int, default=5)
    parser.add_argument("--backends", default="file,iscsi")
    args = parser.parse_args()

    state = tempfile.mkdtemp(prefix="novalite-bench-volume-")
    CONF([], project="novalite", default_config_files=[])
    CONF.set_override("state_path", state)
    CONF.set_override("connection", f"sqlite:///{state}/bench.sqlite", "database")
    from novalite.db import migration

    migration.db_sync()
    guest = Guest(state)
    result: dict[str, Any] = {"volumes_per_backend": args.volumes}
    try:
        for backend in args.backends.split(","):
            result[backend] = _bench_backend(backend, state, guest, args.volumes)
    finally:
        guest.close()
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
