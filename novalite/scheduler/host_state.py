"""What the scheduler knows about one compute node, kept in memory between requests."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any, TypedDict

from novalite.db import service_store
from novalite.objects import Selection
from novalite.placement import client as placement
from novalite.scheduler import utils

DEFAULT_AVAILABILITY_ZONE = "nova"


class Inventory(TypedDict):
    """One resource class of a provider, as ``store.provider_summaries`` reports it."""

    total: int
    reserved: int
    min_unit: int
    max_unit: int
    step_size: int
    allocation_ratio: float


class Limits(TypedDict):
    """A provider's capacity after allocation ratios."""

    vcpu: float
    memory_mb: float
    disk_gb: float


@dataclasses.dataclass
class HostState:
    uuid: str
    host: str
    nodename: str
    generation: int = 0
    availability_zone: str | None = None
    hypervisor_type: str | None = None
    hypervisor_version: int | None = None
    supported_instances: list[list[str | None]] = dataclasses.field(default_factory=list)
    traits: list[str] = dataclasses.field(default_factory=list)
    inventories: dict[str, Inventory] = dataclasses.field(default_factory=dict)
    usages: dict[str, int] = dataclasses.field(default_factory=dict)
    #: the compute service's facts: disabled, disabled_reason, forced_down, and either
    #: ``up`` (decided by the host manager's query) or last_seen_up (a plain dict:
    #: ``service_store.is_up`` takes one)
    service: dict[str, Any] | None = None
    #: the host aggregates the host is in, each ``{"id", "name", "metadata"}`` (reloaded
    #: on every refresh, as Nova's HostState.aggregates)
    aggregates: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @classmethod
    def from_summary(cls, summary: Mapping[str, Any]) -> HostState:
        return cls(uuid=summary["uuid"], host=summary["host"], nodename=summary["name"],
                   generation=summary["generation"],
                   availability_zone=summary.get("availability_zone"),
                   hypervisor_type=summary.get("hypervisor_type"),
                   hypervisor_version=summary.get("hypervisor_version"),
                   supported_instances=list(summary.get("supported_instances") or []),
                   traits=list(summary.get("traits") or []),
                   inventories=dict(summary.get("inventories") or {}),
                   usages=dict(summary.get("usages") or {}))

    # --- capacity ---------------------------------------------------------------------

    def __post_init__(self) -> None:
        # capacities are read for every host on every request: compute them once
        self._capacity = {rc: placement.capacity(inv) for rc, inv in self.inventories.items()}

    def capacity(self, resource_class: str) -> float:
        return self._capacity.get(resource_class, 0.0)

    def free(self, resource_class: str) -> float:
        return self._capacity.get(resource_class, 0.0) - self.usages.get(resource_class, 0)

    def fits(self, resources: Mapping[str, int]) -> bool:
        """The verdict a placement claim would give for each class, on the cached state."""
        for rc, amount in resources.items():
            inventory = self.inventories.get(rc)
            if (inventory is None or amount < inventory["min_unit"]
                    or amount > inventory["max_unit"] or amount % inventory["step_size"]
                    or self.usages.get(rc, 0) + amount > self._capacity[rc]):
                return False
        return True

    def consume(self, resources: Mapping[str, int]) -> None:
        """Account for a claim this scheduler just made, until the next refresh."""
        for rc, amount in resources.items():
            self.usages[rc] = self.usages.get(rc, 0) + amount

    @property
    def free_ram_mb(self) -> float:
        return self.free(placement.MEMORY_MB)

    @property
    def free_disk_mb(self) -> float:
        return self.free(placement.DISK_GB) * 1024

    @property
    def free_vcpus(self) -> float:
        return self.free(placement.VCPU)

    def limits(self) -> Limits:
        return {"vcpu": self.capacity(placement.VCPU),
                "memory_mb": self.capacity(placement.MEMORY_MB),
                "disk_gb": self.capacity(placement.DISK_GB)}

    # --- facts for filters ------------------------------------------------------------

    def zone(self, default: str = DEFAULT_AVAILABILITY_ZONE) -> str:
        """The zone of the host's aggregates, else the one its compute node reports."""
        zones = self.aggregate_metadata("availability_zone").get("availability_zone")
        if zones:
            return sorted(zones)[0]
        return self.availability_zone or default

    def aggregate_metadata(self, key: str | None = None) -> dict[str, set[str]]:
        """The metadata of the host's aggregates (those that have ``key``, if given), each
        key with every value, comma-separated values split (Nova's
        ``aggregate_metadata_get_by_host``)."""
        merged: dict[str, set[str]] = {}
        for aggregate in self.aggregates:
            metadata = aggregate.get("metadata") or {}
            if key is not None and key not in metadata:
                continue
            for name, value in metadata.items():
                merged.setdefault(name, set()).update(
                    part.strip() for part in str(value).split(","))
        return merged

    def service_is_up(self, now: datetime.datetime | None = None) -> bool:
        """The database's verdict when the host manager loaded it, else the heartbeat's."""
        if self.service is None:
            return False
        if "up" in self.service:
            return bool(self.service["up"])
        return service_store.is_up(self.service, now)

    def _limits_dict(self) -> dict[str, float]:
        limits = self.limits()
        return {"vcpu": limits["vcpu"], "memory_mb": limits["memory_mb"],
                "disk_gb": limits["disk_gb"]}

    def selection(self, resources: Mapping[str, int]) -> Selection:
        """This host as a Selection: what a claim of ``resources`` here holds."""
        return Selection(
            service_host=self.host, nodename=self.nodename, compute_node_uuid=self.uuid,
            availability_zone=self.zone(), limits=self._limits_dict(),
            allocation_request=dict(placement.allocation_request(self.uuid, resources)),
            allocation_request_version=utils.ALLOCATION_REQUEST_VERSION)
