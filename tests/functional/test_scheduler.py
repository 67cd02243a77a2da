"""select_destinations end to end: the scheduler service on the in-process bus."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from novalite.common import exception
from novalite.common.context import get_admin_context
from novalite.common.service import Service
from novalite.db import api as db_api
from novalite.db import service_store
from novalite.db.base import utcnow
from novalite.db.models import Service as ServiceRow
from novalite.objects import Flavor, RequestSpec
from novalite.placement import client as placement
from novalite.scheduler.manager import SchedulerManager
from novalite.scheduler.rpcapi import SchedulerAPI

FLAVOR = {"vcpus": 1, "memory_mb": 1024, "root_gb": 10, "ephemeral_gb": 0, "swap": 0,
          "extra_specs": {}}


def add_compute(host: str, vcpus: int = 4, ram: int = 8192, disk: int = 100,
                zone: str | None = None) -> str:
    provider_uuid = str(uuid.uuid4())
    placement.set_inventory(provider_uuid, f"{host}.node", host,
                        {"VCPU": {"total": vcpus, "allocation_ratio": 1.0},
                         "MEMORY_MB": {"total": ram}, "DISK_GB": {"total": disk}},
                        availability_zone=zone,
                        supported_instances=[["x86_64", "qemu", "hvm"]])
    service_store.report(host, "novalite-compute", "compute")
    return provider_uuid


@pytest.fixture
def scheduler(db) -> Iterator[SchedulerAPI]:
    service = Service("novalite-scheduler", "scheduler", SchedulerManager("sched-1"),
                      service_store.DBReporter(), host="sched-1")
    service.start()
    try:
        yield SchedulerAPI()
    finally:
        service.stop()


def _spec(**extra) -> RequestSpec:
    return RequestSpec.from_legacy({"flavor": dict(FLAVOR), "image": {"properties": {}},
                                    "project_id": "p1", "num_instances": 1, **extra})


def test_select_claims_first_and_returns_unclaimed_alternates(scheduler):
    providers = {add_compute(f"cmp{i}", ram=4096 * (i + 1)): f"cmp{i}" for i in range(4)}
    instance = str(uuid.uuid4())
    [selections] = scheduler.select_destinations(get_admin_context(), _spec(), [instance])
    assert len(selections) == 3  # max_attempts 3: the chosen host and two alternates
    chosen, *alternates = selections
    assert chosen.service_host == "cmp3"  # most free RAM wins (spreading)
    assert chosen.nodename == "cmp3.node"
    assert providers[chosen.compute_node_uuid] == "cmp3"
    assert [a.service_host for a in alternates] == ["cmp2", "cmp1"]
    wanted = {"VCPU": 1, "MEMORY_MB": 1024, "DISK_GB": 10}
    assert chosen.allocation_request == {
        "allocations": {chosen.compute_node_uuid: {"resources": wanted}}}
    allocations = placement.get_allocations(instance)
    assert list(allocations) == [chosen.compute_node_uuid]
    for alternate in alternates:
        assert placement.usages(alternate.compute_node_uuid)["VCPU"] == 0


def test_no_alternates_when_not_asked(scheduler):
    add_compute("cmp0")
    add_compute("cmp1")
    [selections] = scheduler.select_destinations(get_admin_context(), _spec(),
                                                 [str(uuid.uuid4())], return_alternates=False)
    assert len(selections) == 1


def test_multiple_instances_spread_and_use_capacity(scheduler):
    add_compute("cmp0", vcpus=2)
    add_compute("cmp1", vcpus=1)
    uuids = [str(uuid.uuid4()) for _ in range(3)]
    answer = scheduler.select_destinations(get_admin_context(), _spec(num_instances=3), uuids)
    hosts = sorted(selections[0].service_host for selections in answer)
    assert hosts == ["cmp0", "cmp0", "cmp1"]
    with pytest.raises(exception.NoValidHost):
        scheduler.select_destinations(get_admin_context(), _spec(), [str(uuid.uuid4())])


def test_failed_multi_create_releases_its_claims(scheduler):
    provider = add_compute("cmp0", vcpus=2)
    uuids = [str(uuid.uuid4()) for _ in range(3)]
    with pytest.raises(exception.NoValidHost):
        scheduler.select_destinations(get_admin_context(), _spec(num_instances=3), uuids)
    assert placement.usages(provider)["VCPU"] == 0
    assert all(placement.get_allocations(u) == {} for u in uuids)


def test_no_valid_host_without_capacity(scheduler):
    add_compute("cmp0", ram=512)
    with pytest.raises(exception.NoValidHost) as raised:
        scheduler.select_destinations(get_admin_context(), _spec(), [str(uuid.uuid4())])
    message = str(raised.value)
    assert message.startswith("No valid host was found. There are not enough hosts available.")
    assert "MEMORY_MB=1024" in message


def test_no_valid_host_names_the_filter(scheduler):
    add_compute("cmp0", zone="az1")
    with pytest.raises(exception.NoValidHost) as raised:
        scheduler.select_destinations(get_admin_context(), _spec(availability_zone="az2"),
                                      [str(uuid.uuid4())])
    assert "AvailabilityZoneFilter" in str(raised.value)
    assert "(start: 1, end: 0)" in str(raised.value)


def test_ignore_hosts(scheduler):
    add_compute("cmp0", ram=16384)
    add_compute("cmp1")
    [selections] = scheduler.select_destinations(
        get_admin_context(), _spec(ignore_hosts=["cmp0"]), [str(uuid.uuid4())])
    assert [s.service_host for s in selections] == ["cmp1"]
    with pytest.raises(exception.NoValidHost):
        scheduler.select_destinations(get_admin_context(),
                                      _spec(ignore_hosts=["cmp0", "cmp1"]), [str(uuid.uuid4())])


def test_disabled_and_down_computes_are_excluded(scheduler):
    add_compute("disabled", ram=65536)
    add_compute("down", ram=32768)
    add_compute("good")
    [disabled] = service_store.list_services(binary="novalite-compute", host="disabled")
    service_store.set_state(disabled["uuid"], disabled=True, disabled_reason="maintenance")
    long_ago = utcnow() - datetime.timedelta(hours=1)
    with db_api.session_scope() as session:
        session.execute(update(ServiceRow).where(ServiceRow.host == "down")
                        .values(last_seen_up=long_ago, updated_at=long_ago))
    [selections] = scheduler.select_destinations(get_admin_context(), _spec(),
                                                 [str(uuid.uuid4())])
    assert [s.service_host for s in selections] == ["good"]


def test_forced_host_skips_filters_but_not_capacity(scheduler):
    add_compute("cmp0", zone="az1")
    add_compute("cmp1", zone="az1", ram=16384)
    [selections] = scheduler.select_destinations(
        get_admin_context(), _spec(force_hosts=["cmp0"], availability_zone="elsewhere"),
        [str(uuid.uuid4())])
    assert [s.service_host for s in selections] == ["cmp0"]
    with pytest.raises(exception.NoValidHost, match="force_hosts"):
        scheduler.select_destinations(get_admin_context(), _spec(force_nodes=["nope"]),
                                      [str(uuid.uuid4())])


def test_image_properties_route_to_matching_host(scheduler):
    add_compute("cmp0")
    arm = str(uuid.uuid4())
    placement.set_inventory(arm, "arm.node", "arm",
                        {"VCPU": {"total": 4}, "MEMORY_MB": {"total": 4096},
                         "DISK_GB": {"total": 100}},
                        supported_instances=[["aarch64", "qemu", "hvm"]])
    service_store.report("arm", "novalite-compute", "compute")
    [selections] = scheduler.select_destinations(
        get_admin_context(), _spec(image={"properties": {"hw_architecture": "aarch64"}}),
        [str(uuid.uuid4())])
    assert [s.service_host for s in selections] == ["arm"]


def test_alternate_claim_and_release_over_rpc(scheduler):
    provider = add_compute("cmp0", vcpus=1)
    ctxt = get_admin_context()
    wanted = {"VCPU": 1, "MEMORY_MB": 1024}
    assert scheduler.claim_resources(ctxt, "inst-1", provider, wanted) is True
    assert scheduler.claim_resources(ctxt, "inst-2", provider, wanted) is False
    assert scheduler.claim_resources(ctxt, "inst-2", str(uuid.uuid4()), wanted) is False
    assert scheduler.remove_allocations(ctxt, "inst-1") is True
    assert placement.usages(provider)["VCPU"] == 0


def test_bad_request_spec_is_invalid(scheduler):
    add_compute("cmp0")
    with pytest.raises(exception.Invalid):
        scheduler.select_destinations(get_admin_context(),
                                      RequestSpec(flavor=Flavor(vcpus=-1)),
                                      [str(uuid.uuid4())])
