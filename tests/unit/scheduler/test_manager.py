"""SchedulerManager's pipeline with placement stubbed out (lost races, subsets)."""

from __future__ import annotations

from unittest import mock

import oslo_messaging as messaging
import pytest

from novalite.common import exception
from novalite.conf import CONF
from novalite.db.base import utcnow
from novalite.objects import Flavor, RequestSpec
from novalite.scheduler import manager as manager_module
from novalite.scheduler.host_state import HostState

SPEC = RequestSpec(flavor=Flavor(vcpus=1, memory_mb=512, root_gb=1))


def _host(name: str, ram: int) -> HostState:
    def inventory(total: int) -> dict:
        return {"total": total, "reserved": 0, "min_unit": 1, "max_unit": total,
                "step_size": 1, "allocation_ratio": 1.0}
    return HostState(uuid=f"rp-{name}", host=name, nodename=name,
                     inventories={"VCPU": inventory(8), "MEMORY_MB": inventory(ram),
                                  "DISK_GB": inventory(100)},
                     service={"disabled": False, "forced_down": False,
                              "last_seen_up": utcnow()})


def _unwrap(call, *args):
    """Direct calls see the RPC layer's ExpectedException wrapper; unwrap it."""
    try:
        return call(*args)
    except messaging.ExpectedException as wrapped:
        raise wrapped.exc_info[1] from None


@pytest.fixture
def scheduler(conf):
    sched = manager_module.SchedulerManager("sched")
    hosts = {h.uuid: h for h in (_host("a", 8192), _host("b", 4096), _host("c", 2048))}
    sched.host_manager._hosts = hosts
    sched.host_manager.refresh = mock.Mock()  # keep the hand-built states
    return sched


def test_lost_race_moves_to_next_host(scheduler):
    with mock.patch.object(manager_module.placement, "claim",
                           side_effect=[False, True]) as claim:
        [selections] = scheduler.select_destinations(None, SPEC, ["i1"])
    assert [c.args[1] for c in claim.call_args_list] == ["rp-a", "rp-b"]
    assert selections[0].service_host == "b"
    assert "rp-a" not in scheduler.host_manager._hosts  # reloaded on the next refresh


def test_every_claim_lost_is_no_valid_host(scheduler):
    with mock.patch.object(manager_module.placement, "claim", return_value=False), \
            pytest.raises(exception.NoValidHost):
        _unwrap(scheduler.select_destinations, None, SPEC, ["i1"])


def test_host_subset_size_picks_among_the_best(scheduler):
    CONF.set_override("host_subset_size", 2, "filter_scheduler")
    chosen = set()
    try:
        with mock.patch.object(manager_module.placement, "claim", return_value=True), \
                mock.patch.object(manager_module.random, "randrange", side_effect=[0, 1]):
            for instance in ("i1", "i2"):
                for host in scheduler.host_manager._hosts.values():
                    host.usages.clear()
                chosen.add(scheduler.select_destinations(None, SPEC, [instance])[0][0]
                           .service_host)
    finally:
        CONF.clear_override("host_subset_size", "filter_scheduler")
    assert chosen == {"a", "b"}


def test_max_attempts_caps_alternates(scheduler):
    CONF.set_override("max_attempts", 2, "scheduler")
    try:
        with mock.patch.object(manager_module.placement, "claim", return_value=True):
            [selections] = scheduler.select_destinations(None, SPEC, ["i1"])
    finally:
        CONF.clear_override("max_attempts", "scheduler")
    assert [s.service_host for s in selections] == ["a", "b"]


def test_empty_instance_list_is_invalid(scheduler):
    with pytest.raises(exception.Invalid):
        _unwrap(scheduler.select_destinations, None, SPEC, [])


def _grouped(policy: str, members: list[str], member_hosts: dict | None = None) -> RequestSpec:
    from novalite.objects import InstanceGroup

    return RequestSpec(flavor=Flavor(vcpus=1, memory_mb=512, root_gb=1), num_instances=2,
                       instance_group=InstanceGroup(uuid="g1", policy=policy,
                                                    members=members,
                                                    member_hosts=member_hosts or {}))


def test_multi_create_spreads_an_anti_affinity_group(scheduler):
    with mock.patch.object(manager_module.placement, "claim", return_value=True), \
            mock.patch.object(manager_module.placement, "get_allocations", return_value={}):
        answer = scheduler.select_destinations(None, _grouped("anti-affinity", ["i1", "i2"]),
                                               ["i1", "i2"])
    assert [hosts[0].service_host for hosts in answer] == ["a", "b"]


def test_multi_create_keeps_an_affinity_group_together(scheduler):
    with mock.patch.object(manager_module.placement, "claim", return_value=True), \
            mock.patch.object(manager_module.placement, "get_allocations", return_value={}):
        answer = scheduler.select_destinations(None, _grouped("affinity", ["i1", "i2"]),
                                               ["i1", "i2"])
    assert [hosts[0].service_host for hosts in answer] == ["a", "a"]


def test_a_member_claimed_but_not_yet_recorded_counts(scheduler):
    """A member placed by the request just before has its claim in placement, even if the
    conductor has not written its host yet: anti-affinity must see it."""
    spec = _grouped("anti-affinity", ["old", "i1"])
    spec.num_instances = 1
    with mock.patch.object(manager_module.placement, "claim", return_value=True), \
            mock.patch.object(manager_module.placement, "get_allocations",
                              side_effect=lambda uuid: {"rp-a": {}} if uuid == "old" else {}):
        [selections] = scheduler.select_destinations(None, spec, ["i1"])
    assert selections[0].service_host == "b"
