"""BlockDeviceMapping: one disk of an instance (image, volume, snapshot or blank).

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

import json
from typing import Any

from novalite.objects.base import NovaliteObject


class BlockDeviceMapping(NovaliteObject):
    VERSION = "1.0"

    id: int | None = None
    uuid: str | None = None
    instance_uuid: str = ""
    #: image, volume, snapshot or blank
    source_type: str = "image"
    #: local or volume
    destination_type: str = "local"
    boot_index: int | None = None
    device_name: str | None = None
    device_type: str | None = "disk"
    disk_bus: str | None = None
    guest_format: str | None = None
    image_id: str | None = None
    volume_id: str | None = None
    snapshot_id: str | None = None
    volume_size: int | None = None
    volume_type: str | None = None
    delete_on_termination: bool = False
    attachment_id: str | None = None
    #: the volume service's connection info (JSON text), once attached
    connection_info: str | None = None
    tag: str | None = None

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> BlockDeviceMapping:
        """From a record as ``novalite.db.block_devices`` reads it."""
        return cls(**{name: values[name] for name in cls.obj_fields() if name in values})

    def connection(self) -> dict[str, Any]:
        """``connection_info`` decoded (empty before the volume is connected)."""
        try:
            decoded = json.loads(self.connection_info) if self.connection_info else {}
        except ValueError:
            return {}
        return decoded if isinstance(decoded, dict) else {}
