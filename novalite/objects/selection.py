"""Selection: one host the scheduler chose (or an alternate for a retry).

Version history:
  1.0 - Initial version
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from novalite.objects.base import NovaliteObject


class Selection(NovaliteObject):
    VERSION = "1.0"

    #: the compute service's host (its RPC server)
    service_host: str = ""
    nodename: str = ""
    #: the compute node's resource provider
    compute_node_uuid: str = ""
    availability_zone: str | None = None
    #: the provider's capacity after allocation ratios ({"vcpu", "memory_mb", "disk_gb"})
    limits: dict[str, float] = field(default_factory=dict)
    #: placement-style ``{"allocations": {provider: {"resources": {...}}}}``
    allocation_request: dict[str, Any] = field(default_factory=dict)
    allocation_request_version: str = "1.0"

    def allocated_resources(self) -> dict[str, int]:
        """What this selection holds (first choice) or takes when claimed (alternate)."""
        allocations = self.allocation_request.get("allocations") or {}
        provider = allocations.get(self.compute_node_uuid) or {}
        return {str(k): int(v) for k, v in (provider.get("resources") or {}).items()}

    def to_legacy(self) -> dict[str, Any]:
        return self.obj_to_dict()

    @classmethod
    def from_legacy(cls, values: dict[str, Any]) -> Selection:
        return cls(service_host=str(values.get("service_host") or ""),
                   nodename=str(values.get("nodename") or ""),
                   compute_node_uuid=str(values.get("compute_node_uuid") or ""),
                   availability_zone=values.get("availability_zone"),
                   limits=dict(values.get("limits") or {}),
                   allocation_request=dict(values.get("allocation_request") or {}),
                   allocation_request_version=str(
                       values.get("allocation_request_version") or "1.0"))
