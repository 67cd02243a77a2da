"""``file``: a qcow2 file per volume, which the compute node's QEMU opens directly (the
volume service and the compute nodes share the host, or the file system)."""

from __future__ import annotations

from typing import Any

from novalite.volume.backends.base import Backend, ConnectionInfo, Connector


class FileBackend(Backend):
    format = "qcow2"

    def connect(self, volume: dict[str, Any], connector: Connector) -> ConnectionInfo:
        return {"driver_volume_type": "file", "data": {
            "device_path": volume["provider_location"], "format": self.format,
            "volume_id": volume["id"], "name": f"volume-{volume['id']}",
            "access_mode": "ro" if volume.get("readonly") else "rw", "encrypted": False,
            "discard": True}}
