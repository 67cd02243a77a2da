"""Weighers, normalization and multipliers on hand-built host states."""

from __future__ import annotations

import pytest

from novalite.common import exception
from novalite.conf import CONF
from novalite.scheduler import weights
from novalite.scheduler.host_state import HostState
from novalite.scheduler.weights.cpu import CPUWeigher
from novalite.scheduler.weights.disk import DiskWeigher
from novalite.scheduler.weights.ram import RAMWeigher


def _inventory(total: int, ratio: float = 1.0) -> dict:
    return {"total": total, "reserved": 0, "min_unit": 1, "max_unit": total, "step_size": 1,
            "allocation_ratio": ratio}


def _host(name: str, vcpus: int, ram: int, disk: int, used: dict | None = None) -> HostState:
    return HostState(uuid=name, host=name, nodename=name,
                     inventories={"VCPU": _inventory(vcpus, 4.0), "MEMORY_MB": _inventory(ram),
                                  "DISK_GB": _inventory(disk)},
                     usages=dict(used or {}))


@pytest.fixture
def hosts():
    return [_host("small", 2, 2048, 20), _host("big", 8, 16384, 200),
            _host("busy-big", 8, 16384, 200, {"VCPU": 30, "MEMORY_MB": 16000, "DISK_GB": 190})]


def test_normalize():
    assert weights.normalize([]) == []
    assert weights.normalize([5, 5]) == [0.0, 0.0]
    assert weights.normalize([0, 5, 10]) == [0.0, 0.5, 1.0]
    assert weights.normalize([5], minval=0, maxval=10) == [0.5]


def test_raw_weights(hosts):
    small, big, busy = hosts
    assert RAMWeigher().weigh_object(big, {}) == 16384
    assert RAMWeigher().weigh_object(busy, {}) == 384
    assert CPUWeigher().weigh_object(big, {}) == 32  # 8 * 4.0
    assert CPUWeigher().weigh_object(busy, {}) == 2
    assert DiskWeigher().weigh_object(small, {}) == 20 * 1024


def test_spreading_prefers_the_emptiest_host(conf, hosts):
    ranked = weights.weigh_hosts(weights.load_weighers(["all_weighers"]), hosts, {})
    assert [w.obj.host for w in ranked] == ["big", "small", "busy-big"]
    assert ranked[0].weight == pytest.approx(3.0)  # best in all three


def test_negative_multiplier_stacks(conf, hosts):
    CONF.set_override("ram_weight_multiplier", -1.0, "filter_scheduler")
    try:
        ranked = weights.weigh_hosts([RAMWeigher()], hosts, {})
    finally:
        CONF.clear_override("ram_weight_multiplier", "filter_scheduler")
    assert ranked[0].obj.host == "busy-big"
    assert ranked[-1].obj.host == "big"


def test_multiplier_balances_weighers(conf, hosts):
    small = _host("ram-rich", 1, 32768, 10)
    cpu_rich = _host("cpu-rich", 64, 1024, 10)
    CONF.set_override("cpu_weight_multiplier", 10.0, "filter_scheduler")
    try:
        ranked = weights.weigh_hosts([RAMWeigher(), CPUWeigher()], [small, cpu_rich], {})
    finally:
        CONF.clear_override("cpu_weight_multiplier", "filter_scheduler")
    assert [w.obj.host for w in ranked] == ["cpu-rich", "ram-rich"]
    assert ranked[0].weight == pytest.approx(10.0)


def test_load_weighers_by_name_path_and_error():
    loaded = weights.load_weighers(["RAMWeigher", "novalite.scheduler.weights.disk.DiskWeigher"])
    assert [type(w).__name__ for w in loaded] == ["RAMWeigher", "DiskWeigher"]
    assert {type(w).__name__ for w in weights.load_weighers(["all_weighers"])} == {
        "RAMWeigher", "CPUWeigher", "DiskWeigher", "ServerGroupSoftAffinityWeigher",
        "ServerGroupSoftAntiAffinityWeigher"}
    with pytest.raises(exception.ConfigurationError):
        weights.load_weighers(["Nope"])
    with pytest.raises(exception.ConfigurationError):
        weights.load_weighers(["novalite.nope.Nope"])


def _group(policy: str, member_hosts: dict) -> dict:
    return {"instance_group": {"uuid": "g1", "policy": policy, "rules": {},
                               "members": list(member_hosts), "member_hosts": member_hosts}}


def test_soft_affinity_weighers_count_the_group_members(conf, hosts):
    from novalite.scheduler.weights.affinity import (
        ServerGroupSoftAffinityWeigher,
        ServerGroupSoftAntiAffinityWeigher,
    )

    spec = _group("soft-affinity", {"m1": "small", "m2": "small", "m3": "big"})
    affinity = ServerGroupSoftAffinityWeigher()
    assert [affinity.weigh_object(h, spec) for h in hosts] == [2.0, 1.0, 0.0]
    ranked = weights.weigh_hosts([affinity], hosts, spec)
    assert [w.obj.host for w in ranked] == ["small", "big", "busy-big"]
    anti = ServerGroupSoftAntiAffinityWeigher()
    assert anti.weigh_object(hosts[0], spec) == 0.0  # another policy: no weight
    anti_spec = _group("soft-anti-affinity", {"m1": "small", "m2": "small", "m3": "big"})
    ranked = weights.weigh_hosts([anti], hosts, anti_spec)
    assert [w.obj.host for w in ranked] == ["busy-big", "big", "small"]
    assert affinity.weigh_object(hosts[0], {}) == 0.0
