"""The iscsi backend's target daemon for real: tgtd on its own control port and portal,
a volume exported and read and written through QEMU's iSCSI client, then nothing left."""

from __future__ import annotations

import random
import socket
import subprocess

from novalite.volume.backends.iscsi import IscsiBackend
from novalite.volume.backends.tgt import Tgt


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_tgt_exports_a_volume_to_qemu(conf, tmp_path):
    port = free_port()
    conf.set_override("target_port", port, "volume")
    tgt = Tgt(random.randint(1000, 32000), "127.0.0.1", port)
    backend = IscsiBackend("iscsi", str(tmp_path / "iscsi"), tgt=tgt)
    backend.start()
    try:
        location = backend.create("v1", 1)
        info = backend.connect({"id": "v1", "provider_location": location},
                               {"host": "h", "ip": "127.0.0.1"})
        data = info["data"]
        url = f"iscsi://{data['target_portal']}/{data['target_iqn']}/{data['target_lun']}"
        shown = subprocess.run(["qemu-img", "info", url], capture_output=True, text=True,
                               check=True).stdout
        assert "virtual size: 1 GiB" in shown
        subprocess.run(["qemu-io", "-f", "raw", "-c", "write -P 0x33 512 512", url],
                       check=True, capture_output=True)
        with open(location, "rb") as handle:
            handle.seek(512)
            assert handle.read(512) == b"\x33" * 512
        assert backend.exported() == [data["target_iqn"]]
        backend.disconnect({"id": "v1"}, None, last=True)
        assert backend.exported() == []
        backend.delete(location)
    finally:
        backend.stop()
    assert not tgt.answering()
