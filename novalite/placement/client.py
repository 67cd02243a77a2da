"""The one door to placement: every other package reads and writes resource providers,
inventories and allocations through these functions, never through the store.

Today they call ``novalite.placement.store`` in-process (the scheduler, the conductor
and the API share the database). When placement becomes its own service (port 8778)
only this module changes, to HTTP calls on ``novalite.common.service_client``; so
what crosses this door is plain data, shaped as Placement's API shapes it.

Who uses what: the scheduler reads providers (``provider_generations``,
``provider_summaries``) and claims (``claim``, ``remove_allocations``); the conductor
records compute nodes (``set_inventory``), claims alternates and releases
(``claim``, ``remove_allocations``); the Compute API lists providers (hypervisors,
availability zones) and releases what a deleted instance held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, cast

from novalite.placement import store

# Standard resource classes.
VCPU = store.VCPU
MEMORY_MB = store.MEMORY_MB
DISK_GB = store.DISK_GB
RESOURCE_CLASSES = store.RESOURCE_CLASSES


class Inventory(TypedDict):
    total: int
    reserved: int
    min_unit: int
    max_unit: int
    step_size: int
    allocation_ratio: float


class ProviderSummary(TypedDict):
    """A provider with its inventories and what is used of them."""

    #: the provider's row id (the hypervisor's id below microversion 2.53)
    id: int
    uuid: str
    name: str
    host: str
    generation: int
    availability_zone: str | None
    hypervisor_type: str | None
    hypervisor_version: int | None
    supported_instances: list[list[str | None]] | None
    traits: list[str] | None
    inventories: dict[str, Inventory]  # resource class -> inventory
    usages: dict[str, int]  # resource class -> used


class AllocationRequest(TypedDict):
    allocations: dict[str, dict[str, dict[str, int]]]  # {provider: {"resources": {rc: n}}}


class Candidate(TypedDict):
    allocation_request: AllocationRequest
    provider_summary: ProviderSummary


class ConsumerAllocation(TypedDict):
    resources: dict[str, int]
    generation: int


# --- pure arithmetic (no store call) ----------------------------------------------------

def capacity(inventory: Mapping[str, Any]) -> float:
    """``(total - reserved) * allocation_ratio``: what consumers may use of a class."""
    return store.capacity(inventory)


def allocation_request(provider_uuid: str, resources: Mapping[str, int]) -> AllocationRequest:
    """The allocation request that would claim ``resources`` on that provider."""
    return cast(AllocationRequest, store.allocation_request(provider_uuid, resources))


# --- reads ------------------------------------------------------------------------------

def provider_generations() -> dict[str, int]:
    """Every provider's generation: what changed since a reader last looked."""
    return store.provider_generations()


def provider_summaries(provider_uuids: Iterable[str] | None = None) -> list[ProviderSummary]:
    """The providers named (every provider when none are) with inventories and usages."""
    return cast(list[ProviderSummary], store.provider_summaries(provider_uuids))


def get_provider(provider_uuid: str) -> ProviderSummary:
    """One provider; ``ResourceProviderNotFound`` when there is none."""
    return cast(ProviderSummary, store.get_provider(provider_uuid))


def allocation_candidates(resources: Mapping[str, int]) -> list[Candidate]:
    """The providers with room for ``resources`` now (nothing is claimed)."""
    return cast(list[Candidate], store.allocation_candidates(resources))


def usages(provider_uuid: str) -> dict[str, int]:
    """What is used of each class a provider has inventory of."""
    return store.usages(provider_uuid)


def get_allocations(consumer_uuid: str) -> dict[str, ConsumerAllocation]:
    """What a consumer holds, by provider."""
    return cast(dict[str, ConsumerAllocation], store.get_allocations(consumer_uuid))


# --- writes -----------------------------------------------------------------------------

def set_inventory(provider_uuid: str, name: str, host: str,
                  inventories: Mapping[str, Mapping[str, Any]], *,
                  availability_zone: str | None = None, hypervisor_type: str | None = None,
                  hypervisor_version: int | None = None,
                  supported_instances: list[list[str | None]] | None = None,
                  traits: list[str] | None = None) -> int:
    """Create or update a compute node's provider, replacing its inventories; returns its
    new generation (see ``store.set_inventory`` for the defaults of each field)."""
    return store.set_inventory(
        provider_uuid, name, host, inventories, availability_zone=availability_zone,
        hypervisor_type=hypervisor_type, hypervisor_version=hypervisor_version,
        supported_instances=supported_instances, traits=traits)


def delete_provider(provider_uuid: str, force: bool = False) -> None:
    """Remove a provider; ``ResourceProviderInUse`` while it has allocations, unless
    ``force``."""
    store.delete_provider(provider_uuid, force=force)


def claim(consumer_uuid: str, provider_uuid: str, resources: Mapping[str, int]) -> bool:
    """Allocate ``resources`` on a provider to a consumer atomically; False when they do
    not fit (another claim won the room)."""
    return store.claim(consumer_uuid, provider_uuid, resources)


def remove_allocations(consumer_uuid: str) -> bool:
    """Release everything a consumer holds; True if it held anything."""
    return store.remove_allocations(consumer_uuid)


def move_allocations(source_consumer: str, target_consumer: str) -> bool:
    """Hand every allocation of one consumer to another (instance <-> migration)."""
    return store.move_allocations(source_consumer, target_consumer)
