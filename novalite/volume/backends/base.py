"""What every backend does: one disk file per volume (and per snapshot) in its directory,
made, copied, grown and removed with qemu-img. A backend differs in the files' format
and in how a host reaches them (``connection_info``)."""

from __future__ import annotations

import abc
import contextlib
import os
from typing import Any

from novalite.volume.backends import qemu_img

#: Cinder's connector (what compute sends with an attachment update)
Connector = dict[str, Any]
#: what the compute node's volume driver needs: ``driver_volume_type`` and ``data``
ConnectionInfo = dict[str, Any]


class Backend(abc.ABC):
    """A place for volumes. ``start``/``stop`` bracket the service's life."""

    #: the files' format (qcow2 or raw)
    format: str = "raw"

    def __init__(self, name: str, path: str) -> None:
        self.name = name
        self.path = os.path.abspath(os.path.expanduser(path))

    def start(self) -> None:
        os.makedirs(self.path, exist_ok=True)

    def stop(self) -> None:  # noqa: B027 - optional hook
        """Release what ``start`` took."""

    # --- files --------------------------------------------------------------------------

    def _file(self, kind: str, item_id: str) -> str:
        suffix = "qcow2" if self.format == "qcow2" else "raw"
        return os.path.join(self.path, f"{kind}-{item_id}.{suffix}")

    def create(self, volume_id: str, size_gb: int) -> str:
        """A blank volume; its location (the file)."""
        location = self._file("volume", volume_id)
        qemu_img.create(location, self.format, size_gb)
        return location

    def create_from_file(self, volume_id: str, source: str, source_format: str,
                         size_gb: int, force_share: bool = False) -> str:
        """A volume holding ``source``'s disk (an image, a snapshot, another volume),
        grown to ``size_gb``."""
        location = self._file("volume", volume_id)
        try:
            qemu_img.convert(source, source_format, location, self.format, force_share)
            if qemu_img.virtual_size(location, self.format) < size_gb * qemu_img.GIB:
                qemu_img.resize(location, self.format, size_gb)
        except Exception:
            self._remove(location)
            raise
        return location

    def extend(self, location: str, size_gb: int) -> None:
        qemu_img.resize(location, self.format, size_gb)

    def delete(self, location: str | None) -> None:
        if location:
            self._remove(location)

    def create_snapshot(self, snapshot_id: str, volume_location: str) -> str:
        """A copy of the volume as it is now (read while a guest may write it)."""
        location = self._file("snapshot", snapshot_id)
        try:
            qemu_img.convert(volume_location, self.format, location, self.format,
                             force_share=True)
        except Exception:
            self._remove(location)
            raise
        return location

    def delete_snapshot(self, location: str | None) -> None:
        if location:
            self._remove(location)

    def copy_to(self, location: str, dest: str, dest_format: str) -> None:
        """The volume's disk as a new file ``dest`` in ``dest_format`` (an image upload)."""
        qemu_img.convert(location, self.format, dest, dest_format, force_share=True)

    def files(self) -> list[str]:
        """Every volume and snapshot file this backend holds."""
        try:
            return sorted(os.path.join(self.path, name) for name in os.listdir(self.path))
        except FileNotFoundError:
            return []

    @staticmethod
    def _remove(path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)

    # --- connections --------------------------------------------------------------------

    @abc.abstractmethod
    def connect(self, volume: dict[str, Any], connector: Connector) -> ConnectionInfo:
        """Export the volume to the host of ``connector``; how that host reaches it."""

    def disconnect(self, volume: dict[str, Any], connector: Connector | None,  # noqa: B027
                   last: bool) -> None:
        """The host of ``connector`` let go of the volume (``last``: no attachment of
        the volume is left)."""
