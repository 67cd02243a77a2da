"""Each host filter on hand-built host states."""

from __future__ import annotations

import datetime

import pytest

from novalite.common import exception
from novalite.db.base import utcnow
from novalite.scheduler import filters
from novalite.scheduler.filters.availability_zone_filter import AvailabilityZoneFilter
from novalite.scheduler.filters.compute_filter import ComputeFilter
from novalite.scheduler.filters.image_props_filter import ImagePropertiesFilter
from novalite.scheduler.host_state import HostState


def _host(name: str = "h1", **kwargs) -> HostState:
    service = {"disabled": False, "disabled_reason": None, "forced_down": False,
               "last_seen_up": utcnow(), "updated_at": None, "created_at": utcnow()}
    service.update(kwargs.pop("service", {}))
    return HostState(uuid=f"uuid-{name}", host=name, nodename=name, service=service, **kwargs)


def test_compute_filter_passes_enabled_up_host(conf):
    assert ComputeFilter().host_passes(_host(), {})


@pytest.mark.parametrize("service", [
    {"disabled": True, "disabled_reason": "maintenance"},
    {"forced_down": True},
    {"last_seen_up": utcnow() - datetime.timedelta(hours=1)},
])
def test_compute_filter_rejects_disabled_or_down(conf, service):
    assert not ComputeFilter().host_passes(_host(service=service), {})


def test_compute_filter_rejects_host_without_service(conf):
    host = _host()
    host.service = None
    assert not ComputeFilter().host_passes(host, {})


def test_availability_zone_filter():
    az_filter = AvailabilityZoneFilter()
    assert az_filter.host_passes(_host(availability_zone="az1"), {})
    assert az_filter.host_passes(_host(availability_zone="az1"), {"availability_zone": "az1"})
    assert not az_filter.host_passes(_host(availability_zone="az2"),
                                     {"availability_zone": "az1"})
    assert az_filter.host_passes(_host(), {"availability_zone": "nova"})  # the default zone


def _image(**properties) -> dict:
    return {"image": {"properties": properties}}


def test_image_properties_filter():
    image_filter = ImagePropertiesFilter()
    kvm = _host(supported_instances=[["x86_64", "kvm", "hvm"], ["i686", "kvm", "hvm"]])
    bare = _host()
    assert image_filter.host_passes(bare, _image())
    assert image_filter.host_passes(bare, {})
    assert not image_filter.host_passes(bare, _image(hw_architecture="x86_64"))
    assert image_filter.host_passes(kvm, _image(hw_architecture="x86_64"))
    assert image_filter.host_passes(kvm, _image(hw_architecture="AMD64", img_hv_type="KVM"))
    assert image_filter.host_passes(kvm, _image(hw_architecture="i386", hw_vm_mode="hv"))
    assert not image_filter.host_passes(kvm, _image(hw_architecture="aarch64"))
    assert not image_filter.host_passes(kvm, _image(img_hv_type="xen"))
    assert not image_filter.host_passes(kvm, _image(hw_vm_mode="exe"))


def test_run_filters_names_the_culprit(conf):
    hosts = [_host("a", availability_zone="az1"), _host("b", availability_zone="az1"),
             _host("c", availability_zone="az2", service={"disabled": True})]
    result = filters.run_filters(filters.load_filters(
        ["ComputeFilter", "AvailabilityZoneFilter"]), hosts, {"availability_zone": "az2"})
    assert result.hosts == []
    assert result.log == [("ComputeFilter", 3, 2), ("AvailabilityZoneFilter", 2, 0)]
    assert result.culprit() == "AvailabilityZoneFilter"
    assert "AvailabilityZoneFilter: (start: 2, end: 0)" in result.describe()


def test_load_filters_rejects_unknown_name():
    with pytest.raises(exception.ConfigurationError, match="NoSuchFilter"):
        filters.load_filters(["ComputeFilter", "NoSuchFilter"])
    assert set(filters.all_filters()) >= {"ComputeFilter", "AvailabilityZoneFilter",
                                          "ImagePropertiesFilter"}


def _group(policy: str, member_hosts: dict, rules: dict | None = None) -> dict:
    return {"instance_group": {"uuid": "g1", "policy": policy, "rules": rules or {},
                               "members": [*member_hosts, "new"],
                               "member_hosts": member_hosts}}


def test_server_group_affinity_filter():
    from novalite.scheduler.filters.affinity_filter import ServerGroupAffinityFilter

    affinity = ServerGroupAffinityFilter()
    assert affinity.host_passes(_host("h1"), _group("affinity", {}))  # nothing placed yet
    spec = _group("affinity", {"m1": "h1"})
    assert affinity.host_passes(_host("h1"), spec)
    assert not affinity.host_passes(_host("h2"), spec)
    assert affinity.host_passes(_host("h2"), _group("anti-affinity", {"m1": "h1"}))
    assert affinity.host_passes(_host("h2"), {})


def test_server_group_anti_affinity_filter_and_max_server_per_host():
    from novalite.scheduler.filters.affinity_filter import ServerGroupAntiAffinityFilter

    anti = ServerGroupAntiAffinityFilter()
    spec = _group("anti-affinity", {"m1": "h1"})
    assert not anti.host_passes(_host("h1"), spec)
    assert anti.host_passes(_host("h2"), spec)
    two = _group("anti-affinity", {"m1": "h1"}, {"max_server_per_host": 2})
    assert anti.host_passes(_host("h1"), two)
    full = _group("anti-affinity", {"m1": "h1", "m2": "h1"}, {"max_server_per_host": 2})
    assert not anti.host_passes(_host("h1"), full)
    assert anti.host_passes(_host("h1"), _group("soft-anti-affinity", {"m1": "h1"}))


def test_once_per_request_filters_are_skipped_after_the_first_instance():
    class Once(filters.BaseHostFilter):
        run_filter_once_per_request = True

        def host_passes(self, host_state, request_spec):
            return False

    hosts = [_host("h1")]
    assert filters.run_filters([Once()], hosts, {}).hosts == []
    assert filters.run_filters([Once()], hosts, {}, index=1).hosts == hosts


def _in(*aggregates: dict) -> list[dict]:
    return [{"id": index, "name": f"agg{index}", "metadata": metadata}
            for index, metadata in enumerate(aggregates, start=1)]


def test_availability_zone_filter_follows_the_aggregates():
    az_filter = AvailabilityZoneFilter()
    zoned = _host(availability_zone="nova", aggregates=_in({"availability_zone": "az2"}))
    assert zoned.zone() == "az2"
    assert az_filter.host_passes(zoned, {"availability_zone": "az2"})
    assert not az_filter.host_passes(zoned, {"availability_zone": "nova"})
    plain = _host(aggregates=_in({"ssd": "true"}))
    assert az_filter.host_passes(plain, {"availability_zone": "nova"})
    assert not az_filter.host_passes(plain, {"availability_zone": "az2"})


@pytest.mark.parametrize(("value", "requirement", "expected"), [
    ("true", "true", True), ("false", "true", False), ("4", ">= 2", True),
    ("1", ">= 2", False), ("4", "= 3", True), ("3", "== 3", True), ("3", "!= 3", False),
    ("abc", "s== abc", True), ("abc", "s!= abc", False), ("b", "s> a", True),
    ("ssd,nvme", "<in> nvme", True), ("x", "<or> a <or> x", True),
    ("y", "<or> a <or> x", False), ("aa bb", "<all-in> aa bb", True),
    ("abc", ">= 2", False), (None, ">= 2", False),
])
def test_extra_specs_operators(value, requirement, expected):
    from novalite.scheduler.filters.aggregate_filters import match

    assert match(value, requirement) is expected


def test_aggregate_instance_extra_specs_filter():
    from novalite.scheduler.filters.aggregate_filters import AggregateInstanceExtraSpecsFilter

    specs_filter = AggregateInstanceExtraSpecsFilter()
    ssd = _host(aggregates=_in({"ssd": "true"}, {"cores": "8"}))
    bare = _host()

    def spec(**extra_specs):
        return {"flavor": {"extra_specs": extra_specs}}

    assert specs_filter.host_passes(bare, spec())
    assert specs_filter.host_passes(ssd, spec(ssd="true"))
    assert not specs_filter.host_passes(bare, spec(ssd="true"))
    assert specs_filter.host_passes(ssd, {"flavor": {"extra_specs": {
        "aggregate_instance_extra_specs:cores": ">= 4"}}})
    assert specs_filter.host_passes(bare, {"flavor": {"extra_specs": {
        "hw:cpu_policy": "dedicated"}}})  # another scope: not this filter's


def test_aggregate_multi_tenancy_isolation():
    from novalite.scheduler.filters.aggregate_filters import AggregateMultiTenancyIsolation

    isolation = AggregateMultiTenancyIsolation()
    reserved = _host(aggregates=_in({"filter_tenant_id": "p1,p2"}, {"filter_tenant_id3": "p3"}))
    assert isolation.host_passes(reserved, {"project_id": "p2"})
    assert isolation.host_passes(reserved, {"project_id": "p3"})
    assert not isolation.host_passes(reserved, {"project_id": "p4"})
    assert isolation.host_passes(_host(), {"project_id": "p4"})
