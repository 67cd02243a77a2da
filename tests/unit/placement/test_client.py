"""The placement client, the one door to placement: a compute node's whole life through
it (record, claim, read, move, release, remove), every keyword reaching the store."""

from __future__ import annotations

import uuid

import pytest

from novalite.common import exception
from novalite.placement import client as placement

INVENTORY = {"VCPU": {"total": 2, "allocation_ratio": 2.0}, "MEMORY_MB": {"total": 2048},
             "DISK_GB": {"total": 20}}
ONE = {"VCPU": 1, "MEMORY_MB": 1024, "DISK_GB": 10}


def test_a_provider_through_the_client(db):
    node = str(uuid.uuid4())
    generation = placement.set_inventory(
        node, "n1.node", "n1", INVENTORY, availability_zone="az1", hypervisor_type="qemu",
        hypervisor_version=8002000, supported_instances=[["x86_64", "qemu", "hvm"]],
        traits=["COMPUTE_STATUS_ENABLED"])
    summary = placement.get_provider(node)
    assert (summary["host"], summary["availability_zone"], summary["hypervisor_version"],
            summary["traits"]) == ("n1", "az1", 8002000, ["COMPUTE_STATUS_ENABLED"])
    assert placement.provider_generations()[node] == generation == summary["generation"]
    assert placement.capacity(summary["inventories"][placement.VCPU]) == 4.0

    [candidate] = placement.allocation_candidates(ONE)
    assert candidate["allocation_request"] == placement.allocation_request(node, ONE) == {
        "allocations": {node: {"resources": ONE}}}

    server, migration = str(uuid.uuid4()), str(uuid.uuid4())
    assert placement.claim(server, node, ONE)
    assert not placement.claim(str(uuid.uuid4()), node, {"MEMORY_MB": 2048})  # no room
    assert placement.usages(node) == ONE
    assert placement.get_allocations(server)[node]["resources"] == ONE
    assert placement.move_allocations(server, migration)
    assert placement.get_allocations(server) == {}

    with pytest.raises(exception.ResourceProviderInUse):
        placement.delete_provider(node)
    assert placement.remove_allocations(migration)
    assert not placement.remove_allocations(migration)
    placement.delete_provider(node)
    assert placement.provider_summaries([node]) == []
