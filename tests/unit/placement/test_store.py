"""The placement store on SQLite, PostgreSQL and MariaDB, including the claim race."""

from __future__ import annotations

import threading
import uuid

import pytest

from novalite.common import exception
from novalite.placement import store

INVENTORY = {
    "VCPU": {"total": 4, "allocation_ratio": 2.0},
    "MEMORY_MB": {"total": 4096, "reserved": 512},
    "DISK_GB": {"total": 100, "max_unit": 50},
}
SMALL = {"VCPU": 1, "MEMORY_MB": 512, "DISK_GB": 10}


def _provider(name: str = "node1", inventory: dict | None = None, **kwargs) -> str:
    provider_uuid = str(uuid.uuid4())
    store.set_inventory(provider_uuid, name, name, inventory or INVENTORY, **kwargs)
    return provider_uuid


def test_set_inventory_creates_then_replaces(db):
    provider_uuid = _provider(availability_zone="az1", hypervisor_type="qemu",
                              supported_instances=[["x86_64", "qemu", "hvm"]])
    summary = store.get_provider(provider_uuid)
    assert summary["availability_zone"] == "az1"
    assert summary["supported_instances"] == [["x86_64", "qemu", "hvm"]]
    assert summary["inventories"]["VCPU"] == {
        "total": 4, "reserved": 0, "min_unit": 1, "max_unit": 4, "step_size": 1,
        "allocation_ratio": 2.0}
    assert summary["inventories"]["MEMORY_MB"]["allocation_ratio"] == 1.0
    generation = store.set_inventory(provider_uuid, "node1", "node1",
                                     {"VCPU": {"total": 8}})
    assert generation == summary["generation"] + 1
    again = store.get_provider(provider_uuid)
    assert set(again["inventories"]) == {"VCPU"}
    assert again["inventories"]["VCPU"]["allocation_ratio"] == 4.0  # cpu_allocation_ratio
    assert again["availability_zone"] is None


def test_inventory_without_total_is_invalid(db):
    with pytest.raises(exception.Invalid):
        store.set_inventory(str(uuid.uuid4()), "n", "n", {"VCPU": {"reserved": 1}})


def test_capacity_uses_reserved_and_ratio(db):
    provider_uuid = _provider()
    # VCPU capacity (4 - 0) * 2.0 = 8, one consumer at most max_unit (default total) 4
    assert not store.claim("c1", provider_uuid, {"VCPU": 5})
    assert store.claim("c1", provider_uuid, {"VCPU": 4})
    assert store.claim("c2", provider_uuid, {"VCPU": 4})
    assert not store.claim("c5", provider_uuid, {"VCPU": 1})
    # MEMORY_MB capacity (4096 - 512) * 1.0 = 3584
    assert not store.claim("c3", provider_uuid, {"MEMORY_MB": 3585})
    assert store.claim("c3", provider_uuid, {"MEMORY_MB": 3584})
    # DISK_GB max_unit 50
    assert not store.claim("c4", provider_uuid, {"DISK_GB": 51})
    assert store.usages(provider_uuid) == {"VCPU": 8, "MEMORY_MB": 3584, "DISK_GB": 0}


def test_claim_unknown_class_or_provider(db):
    provider_uuid = _provider()
    assert not store.claim("c1", provider_uuid, {"VGPU": 1})
    with pytest.raises(exception.ResourceProviderNotFound):
        store.claim("c1", str(uuid.uuid4()), SMALL)


def test_claim_replaces_consumers_allocation_on_same_provider(db):
    provider_uuid = _provider()
    assert store.claim("c1", provider_uuid, {"VCPU": 4})
    assert store.claim("c2", provider_uuid, {"VCPU": 3})
    # c1's own 4 do not count against its new claim: 3 + 4 <= 8
    assert store.claim("c1", provider_uuid, {"VCPU": 4, "MEMORY_MB": 256})
    assert store.get_allocations("c1")[provider_uuid]["resources"] == {
        "VCPU": 4, "MEMORY_MB": 256}
    assert store.usages(provider_uuid)["VCPU"] == 7



def test_allocation_candidates_track_usage(db):
    big = _provider("big")
    small = _provider("small", {"VCPU": {"total": 1, "allocation_ratio": 1.0},
                                "MEMORY_MB": {"total": 1024}, "DISK_GB": {"total": 10}})
    wanted = {"VCPU": 1, "MEMORY_MB": 512, "DISK_GB": 10}
    found = {c["provider_summary"]["uuid"]: c for c in store.allocation_candidates(wanted)}
    assert set(found) == {big, small}
    assert found[small]["allocation_request"] == {
        "allocations": {small: {"resources": wanted}}}
    assert store.claim("i1", small, wanted)
    found = [c["provider_summary"]["uuid"] for c in store.allocation_candidates(wanted)]
    assert found == [big]


def test_get_move_remove_allocations(db):
    provider_uuid = _provider()
    assert store.claim("inst", provider_uuid, SMALL)
    before = store.get_allocations("inst")
    assert before[provider_uuid]["resources"] == SMALL
    assert store.move_allocations("inst", "migration")
    assert store.get_allocations("inst") == {}
    assert store.get_allocations("migration")[provider_uuid]["resources"] == SMALL
    assert store.get_allocations("migration")[provider_uuid]["generation"] > \
        before[provider_uuid]["generation"]
    assert store.remove_allocations("migration")
    assert not store.remove_allocations("migration")
    assert store.usages(provider_uuid) == {"VCPU": 0, "MEMORY_MB": 0, "DISK_GB": 0}


def test_delete_provider_refused_while_in_use(db):
    provider_uuid = _provider()
    assert store.claim("inst", provider_uuid, SMALL)
    with pytest.raises(exception.ResourceProviderInUse):
        store.delete_provider(provider_uuid)
    store.delete_provider(provider_uuid, force=True)
    assert store.provider_generations() == {}
    assert store.get_allocations("inst") == {}
    with pytest.raises(exception.ResourceProviderNotFound):
        store.get_provider(provider_uuid)


def test_generations_change_on_every_write(db):
    provider_uuid = _provider()
    first = store.provider_generations()[provider_uuid]
    store.claim("a", provider_uuid, SMALL)
    second = store.provider_generations()[provider_uuid]
    store.remove_allocations("a")
    assert first < second < store.provider_generations()[provider_uuid]


def test_concurrent_claims_never_overcommit(db):
    """Many threads (each its own connection and transaction) race for 5 slots."""
    provider_uuid = _provider("tiny", {"VCPU": {"total": 5, "allocation_ratio": 1.0},
                                       "MEMORY_MB": {"total": 5120},
                                       "DISK_GB": {"total": 50}})
    threads_count = 16
    barrier = threading.Barrier(threads_count)
    results: list[bool] = []
    errors: list[BaseException] = []

    def race(index: int) -> None:
        try:
            barrier.wait()
            for round_ in range(3):
                results.append(store.claim(f"consumer-{index}-{round_}", provider_uuid,
                                           {"VCPU": 1, "MEMORY_MB": 1024, "DISK_GB": 10}))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == threads_count * 3
    assert results.count(True) == 5
    assert store.usages(provider_uuid) == {"VCPU": 5, "MEMORY_MB": 5120, "DISK_GB": 50}
