"""Resources of a request spec and the host state's capacity arithmetic."""

from __future__ import annotations

import pytest

from novalite.common import exception
from novalite.scheduler import utils
from novalite.scheduler.host_state import HostState


def test_resources_from_flavor():
    flavor = {"vcpus": 2, "memory_mb": 2048, "root_gb": 20, "ephemeral_gb": 5, "swap": 1500}
    assert utils.resources_from_spec({"flavor": flavor}) == {
        "VCPU": 2, "MEMORY_MB": 2048, "DISK_GB": 27}


def test_extra_specs_override_and_drop():
    flavor = {"vcpus": 2, "memory_mb": 512, "root_gb": 0,
              "extra_specs": {"resources:VCPU": "0", "resources:CUSTOM_X": "3", "hw:x": "y"}}
    assert utils.resources_from_spec({"flavor": flavor}) == {"MEMORY_MB": 512, "CUSTOM_X": 3}


@pytest.mark.parametrize("spec", [{}, {"flavor": "m1.tiny"}, {"flavor": {"vcpus": "x"}},
                                  {"flavor": {"vcpus": -1}}])
def test_bad_spec_is_invalid(spec):
    with pytest.raises(exception.Invalid):
        utils.resources_from_spec(spec)


def test_host_state_fits_consume_and_selection():
    inventory = {"total": 2, "reserved": 0, "min_unit": 1, "max_unit": 2, "step_size": 1,
                 "allocation_ratio": 1.0}
    host = HostState(uuid="u1", host="h1", nodename="n1", inventories={"VCPU": inventory})
    assert host.fits({"VCPU": 2})
    assert not host.fits({"VCPU": 3})
    assert not host.fits({"MEMORY_MB": 1})
    host.consume({"VCPU": 1})
    assert not host.fits({"VCPU": 2})
    selection = host.selection({"VCPU": 1})
    assert selection.service_host == "h1" and selection.nodename == "n1"
    assert selection.compute_node_uuid == "u1"
    assert selection.availability_zone == "nova"
    assert selection.allocation_request == {"allocations": {"u1": {"resources": {"VCPU": 1}}}}
    assert selection.limits["vcpu"] == 2
