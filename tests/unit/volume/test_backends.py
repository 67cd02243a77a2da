"""The volume backends' file work with the real qemu-img, in a scratch directory."""

from __future__ import annotations

import subprocess

import pytest

from novalite.volume import backends
from novalite.volume.backends import qemu_img
from novalite.volume.backends.file import FileBackend
from novalite.volume.backends.iscsi import IscsiBackend

GIB = 1024 ** 3


class FakeTgt:
    def __init__(self) -> None:
        self.exported: dict[str, tuple[str, str | None]] = {}

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def export(self, iqn: str, path: str, address: str | None) -> None:
        self.exported[iqn] = (path, address)

    def unexport(self, iqn: str) -> None:
        self.exported.pop(iqn, None)

    def targets(self) -> dict[str, int]:
        return {iqn: index for index, iqn in enumerate(self.exported, 1)}


def write(path: str, fmt: str, pattern: int) -> None:
    subprocess.run(["qemu-io", "-f", fmt, "-c", f"write -P {pattern} 0 4096", path],
                   check=True, capture_output=True)


def reads(path: str, fmt: str, pattern: int) -> bool:
    result = subprocess.run(["qemu-io", "-r", "-U", "-f", fmt, "-c",
                             f"read -P {pattern} 0 4096", path], capture_output=True,
                            text=True)
    return result.returncode == 0 and "Pattern verification failed" not in result.stdout


@pytest.mark.parametrize("kind", [FileBackend, IscsiBackend])
def test_volume_files(tmp_path, kind):
    backend = kind("b", str(tmp_path / "b")) if kind is FileBackend else kind(
        "b", str(tmp_path / "b"), tgt=FakeTgt())
    backend.start()
    fmt = backend.format
    volume = backend.create("v1", 1)
    assert volume.endswith(f"volume-v1.{'qcow2' if fmt == 'qcow2' else 'raw'}")
    assert qemu_img.virtual_size(volume, fmt) == GIB
    write(volume, fmt, 0x11)
    snapshot = backend.create_snapshot("s1", volume)
    write(volume, fmt, 0x22)
    restored = backend.create_from_file("v2", snapshot, fmt, 2)
    assert reads(restored, fmt, 0x11) and qemu_img.virtual_size(restored, fmt) == 2 * GIB
    backend.extend(volume, 3)
    assert qemu_img.virtual_size(volume, fmt) == 3 * GIB and reads(volume, fmt, 0x22)
    out = tmp_path / "image.qcow2"
    backend.copy_to(volume, str(out), "qcow2")
    assert reads(str(out), "qcow2", 0x22)
    for path in (volume, restored):
        backend.delete(path)
    backend.delete_snapshot(snapshot)
    assert backend.files() == []
    backend.stop()


def test_a_failed_copy_leaves_no_file(tmp_path):
    backend = FileBackend("file", str(tmp_path / "file"))
    backend.start()
    with pytest.raises(backends.BackendError):
        backend.create_from_file("v1", str(tmp_path / "missing"), "raw", 1)
    assert backend.files() == []


def test_connection_info(tmp_path):
    volume = {"id": "v1", "provider_location": "/x/volume-v1.qcow2", "readonly": False}
    info = FileBackend("file", str(tmp_path)).connect(volume, {"host": "h"})
    assert info["driver_volume_type"] == "file"
    assert info["data"]["device_path"] == "/x/volume-v1.qcow2"
    assert info["data"]["format"] == "qcow2" and info["data"]["access_mode"] == "rw"
    tgt = FakeTgt()
    iscsi = IscsiBackend("iscsi", str(tmp_path), tgt=tgt)
    info = iscsi.connect({**volume, "readonly": True}, {"host": "h", "ip": "127.0.0.1"})
    iqn = "iqn.2010-10.org.openstack:volume-v1"
    assert info["driver_volume_type"] == "iscsi"
    assert info["data"]["target_iqn"] == iqn and info["data"]["target_lun"] == 1
    assert info["data"]["target_portal"] == "127.0.0.1:3260"
    assert info["data"]["access_mode"] == "ro"
    assert tgt.exported == {iqn: ("/x/volume-v1.qcow2", "127.0.0.1")}
    iscsi.disconnect(volume, None, last=False)
    assert iscsi.exported() == [iqn]
    iscsi.disconnect(volume, None, last=True)
    assert iscsi.exported() == []


def test_unknown_backend(conf):
    with pytest.raises(backends.BackendError, match="Unknown volume backend 'lvm'"):
        backends.load("lvm")
