"""ImageMeta: what the compute node and the scheduler know of an instance's image.

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from novalite.objects.base import NovaliteObject


class ImageMeta(NovaliteObject):
    VERSION = "1.0"

    id: str | None = None
    name: str | None = None
    status: str | None = None
    disk_format: str | None = None
    container_format: str | None = None
    min_disk: int = 0
    min_ram: int = 0
    size: int | None = None
    checksum: str | None = None
    #: the image's properties (``hw_*``, ``kernel_id``, ...), as strings
    properties: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_image(cls, image: dict[str, Any] | None) -> ImageMeta:
        """From the image service's view of an image (or None: no image)."""
        image = image or {}
        return cls(id=image.get("id"), name=image.get("name"), status=image.get("status"),
                   disk_format=image.get("disk_format"),
                   container_format=image.get("container_format"),
                   min_disk=int(image.get("min_disk") or 0),
                   min_ram=int(image.get("min_ram") or 0), size=image.get("size"),
                   checksum=image.get("checksum"),
                   properties={str(k): str(v) for k, v in
                               (image.get("properties") or {}).items()})

    @classmethod
    def from_system_metadata(cls, image_ref: str | None,
                             system_metadata: dict[str, str]) -> ImageMeta:
        """What an instance recorded of its image at boot (``image_*`` keys)."""
        return cls(id=image_ref or None, properties={
            key[len("image_"):]: value for key, value in system_metadata.items()
            if key.startswith("image_")})

    def to_legacy(self) -> dict[str, Any]:
        """Release 0.1.0's request_spec ``image`` dict."""
        return {"id": self.id, "properties": dict(self.properties),
                "disk_format": self.disk_format, "container_format": self.container_format,
                "min_disk": self.min_disk, "min_ram": self.min_ram, "size": self.size}
