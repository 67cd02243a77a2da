"""Volumes as libvirt disks, from the volume service's ``connection_info`` (as Nova's
``nova/virt/libvirt/volume/*.py``), and the record of a guest's attached volumes.

* ``file`` (``data.device_path``, ``data.format``): a ``<disk type='file'>``, as Nova's
  mounted file system drivers (nfs) give it, without the mount.
* ``iscsi`` (``data.target_portal``, ``target_iqn``, ``target_lun``): a network disk QEMU
  reaches with its own iSCSI client (libiscsi): no kernel initiator on the host.

The guest sees each as ``/dev/disk/by-id/virtio-<first 20 characters of the volume
id>`` (the ``<serial>``). ``volumes.json`` in the instance's directory lists what is
attached, so every definition of the guest (a hard reboot, a start after a host reboot)
has its volumes.
"""

from __future__ import annotations

import json
import os
from typing import Any

from novalite.virt.driver import VirtDriverError
from novalite.virt.libvirt.config import GuestVolume

VOLUMES = "volumes.json"


def device_name(mountpoint: str) -> str:
    """``vdb`` of ``/dev/vdb`` (or of ``vdb``)."""
    name = mountpoint.rsplit("/", 1)[-1]
    if not name or not name.isalnum():
        raise VirtDriverError(f"Invalid device name {mountpoint!r}")
    return name


def guest_volume(connection_info: dict[str, Any], mountpoint: str, volume_id: str) -> GuestVolume:
    """The disk of a volume the volume service exported with ``connection_info``."""
    kind = connection_info.get("driver_volume_type")
    data = connection_info.get("data") or {}
    readonly = data.get("access_mode") == "ro"
    dev = device_name(mountpoint)
    if kind == "file":
        path = data.get("device_path")
        if not path:
            raise VirtDriverError(f"Volume {volume_id}: no device_path in its connection")
        fmt = str(data.get("format") or "raw")
        if fmt not in ("raw", "qcow2"):
            raise VirtDriverError(f"Volume {volume_id}: unknown format {fmt}")
        return GuestVolume(dev, volume_id[:20], source_path=str(path), driver_format=fmt,
                           readonly=readonly)
    if kind == "iscsi":
        portal = str(data.get("target_portal") or "")
        host, _, port = portal.rpartition(":")
        if not host or not port.isdigit() or not data.get("target_iqn"):
            raise VirtDriverError(f"Volume {volume_id}: incomplete iSCSI connection")
        return GuestVolume(dev, volume_id[:20], iscsi_name=f"{data['target_iqn']}/"
                           f"{int(data.get('target_lun') or 0)}",
                           host=host.strip("[]"), port=int(port), driver_format="raw",
                           readonly=readonly)
    raise VirtDriverError(f"Volume {volume_id}: unsupported volume type {kind!r}")


class AttachedVolumes:
    """``volumes.json`` of one instance: [{volume_id, mountpoint, connection_info,
    boot_index}] in attach order."""

    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, VOLUMES)

    def read(self) -> list[dict[str, Any]]:
        try:
            with open(self.path) as handle:
                found = json.load(handle)
        except (OSError, ValueError):
            return []
        return [entry for entry in found if isinstance(entry, dict)] \
            if isinstance(found, list) else []

    def _write(self, entries: list[dict[str, Any]]) -> None:
        temporary = f"{self.path}.tmp"
        with open(temporary, "w") as handle:
            json.dump(entries, handle)
        os.replace(temporary, self.path)

    def add(self, volume_id: str, mountpoint: str, connection_info: dict[str, Any],
            boot_index: int | None = None) -> None:
        entries = [e for e in self.read() if e.get("volume_id") != volume_id]
        entries.append({"volume_id": volume_id, "mountpoint": mountpoint,
                        "connection_info": connection_info, "boot_index": boot_index})
        self._write(entries)

    def remove(self, volume_id: str) -> None:
        self._write([e for e in self.read() if e.get("volume_id") != volume_id])

    def disks(self) -> list[GuestVolume]:
        return [guest_volume(e.get("connection_info") or {}, str(e.get("mountpoint")),
                             str(e.get("volume_id")))
                for e in self.read()]
