"""RequestSpec: what the scheduler is asked to place, and what a build needs to retry.

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from novalite.objects.base import NovaliteObject
from novalite.objects.flavor import Flavor
from novalite.objects.image_meta import ImageMeta
from novalite.objects.instance_group import InstanceGroup


class RequestSpec(NovaliteObject):
    VERSION = "1.0"

    flavor: Flavor = field(default_factory=Flavor)
    image: ImageMeta = field(default_factory=ImageMeta)
    availability_zone: str | None = None
    project_id: str | None = None
    user_id: str | None = None
    num_instances: int = 1
    security_groups: list[str] = field(default_factory=list)
    #: compute hosts never chosen (hosts that already failed this build)
    ignore_hosts: list[str] = field(default_factory=list)
    #: only these hosts / nodes (``availability_zone=zone:host:node``); filters skipped
    force_hosts: list[str] = field(default_factory=list)
    force_nodes: list[str] = field(default_factory=list)
    scheduler_hints: dict[str, list[str]] = field(default_factory=dict)
    #: the server group of the ``group`` hint, with its members' hosts (filled by the
    #: conductor before scheduling, as Nova's RequestSpec.instance_group)
    instance_group: InstanceGroup | None = None

    def to_legacy(self) -> dict[str, Any]:
        """Release 0.1.0's request_spec dict (also what the filters read)."""
        flavor = self.flavor
        legacy: dict[str, Any] = {
            "flavor": {"vcpus": flavor.vcpus, "memory_mb": flavor.memory_mb,
                       "root_gb": flavor.root_gb, "ephemeral_gb": flavor.ephemeral_gb,
                       "swap": flavor.swap, "extra_specs": dict(flavor.extra_specs)},
            "image": self.image.to_legacy(),
            "availability_zone": self.availability_zone, "project_id": self.project_id,
            "user_id": self.user_id, "num_instances": self.num_instances,
            "security_groups": list(self.security_groups)}
        for key in ("ignore_hosts", "force_hosts", "force_nodes"):
            if getattr(self, key):
                legacy[key] = list(getattr(self, key))
        if self.scheduler_hints:
            legacy["scheduler_hints"] = dict(self.scheduler_hints)
        if self.instance_group is not None:
            legacy["instance_group"] = self.instance_group.obj_to_dict()
        return legacy

    @classmethod
    def from_legacy(cls, spec: dict[str, Any]) -> RequestSpec:
        flavor = spec.get("flavor") or {}
        return cls(flavor=Flavor.from_dict(flavor), image=ImageMeta.from_image(spec.get("image")),
                   availability_zone=spec.get("availability_zone"),
                   project_id=spec.get("project_id"), user_id=spec.get("user_id"),
                   num_instances=int(spec.get("num_instances") or 1),
                   security_groups=list(spec.get("security_groups") or []),
                   ignore_hosts=list(spec.get("ignore_hosts") or []),
                   force_hosts=list(spec.get("force_hosts") or []),
                   force_nodes=list(spec.get("force_nodes") or []),
                   scheduler_hints=dict(spec.get("scheduler_hints") or {}),
                   instance_group=InstanceGroup.from_dict(spec["instance_group"])
                   if spec.get("instance_group") else None)
