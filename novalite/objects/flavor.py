"""Flavor: the sizes an instance was booted (or resized) with.

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from novalite.objects.base import NovaliteObject


class Flavor(NovaliteObject):
    VERSION = "1.0"

    id: int | None = None
    flavorid: str = ""
    name: str = ""
    memory_mb: int = 0
    vcpus: int = 0
    root_gb: int = 0
    ephemeral_gb: int = 0
    swap: int = 0
    rxtx_factor: float = 1.0
    is_public: bool = True
    disabled: bool = False
    description: str | None = None
    extra_specs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Flavor:
        """From a flavor record (``novalite.db.flavors``) or the copy an instance keeps."""
        return cls(id=values.get("id"), flavorid=str(values.get("flavorid") or ""),
                   name=str(values.get("name") or ""),
                   memory_mb=int(values.get("memory_mb") or 0),
                   vcpus=int(values.get("vcpus") or 0), root_gb=int(values.get("root_gb") or 0),
                   ephemeral_gb=int(values.get("ephemeral_gb") or 0),
                   swap=int(values.get("swap") or 0),
                   rxtx_factor=float(values.get("rxtx_factor") or 1.0),
                   is_public=bool(values.get("is_public", True)),
                   disabled=bool(values.get("disabled", False)),
                   description=values.get("description"),
                   extra_specs={str(k): str(v) for k, v in
                                (values.get("extra_specs") or {}).items()})

    def to_instance_copy(self) -> dict[str, Any]:
        """What an instance keeps of its flavor (its ``flavor`` column)."""
        return {"flavorid": self.flavorid, "name": self.name, "vcpus": self.vcpus,
                "memory_mb": self.memory_mb, "root_gb": self.root_gb,
                "ephemeral_gb": self.ephemeral_gb, "swap": self.swap,
                "extra_specs": dict(self.extra_specs)}
