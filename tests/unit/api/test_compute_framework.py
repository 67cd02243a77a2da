"""Microversion parsing, the schema validator, fault bodies and the state table."""

from __future__ import annotations

import pytest

from novalite.api.compute import faults, microversions, schemas
from novalite.common import exception
from novalite.common import instance_states as states


def test_negotiate_headers() -> None:
    assert microversions.negotiate({}) == (2, 1)
    assert microversions.negotiate({"HTTP_OPENSTACK_API_VERSION": "compute 2.53"}) == (2, 53)
    assert microversions.negotiate(
        {"HTTP_OPENSTACK_API_VERSION": "volume 3.1, compute latest"}) == microversions.MAX
    assert microversions.negotiate({"HTTP_X_OPENSTACK_NOVA_API_VERSION": "2.10"}) == (2, 10)
    with pytest.raises(exception.NotAcceptable):
        microversions.negotiate({"HTTP_OPENSTACK_API_VERSION": "compute 2.101"})
    with pytest.raises(exception.NotAcceptable):
        microversions.negotiate({"HTTP_OPENSTACK_API_VERSION": "compute 2.0"})
    with pytest.raises(exception.Invalid):
        microversions.negotiate({"HTTP_OPENSTACK_API_VERSION": "compute 2.x"})
    assert str(microversions.parse("2.61")) == "2.61"
    assert microversions.parse("2.61").matches("2.55", "2.61")
    assert not microversions.parse("2.9").matches("2.10")


def test_validator_messages() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer", "minimum": 1}},
              "required": ["a"], "additionalProperties": False}
    schemas.validate(schema, {"a": 2})
    for body, reason in (({}, "'a' is a required property"), ({"a": 0}, "minimum"),
                         ({"a": True}, "not of type"), ({"a": 1, "b": 1}, "'b' was")):
        with pytest.raises(exception.ValidationError) as error:
            schemas.validate(schema, body)
        assert error.value.code == 400
        assert reason in error.value.message


def test_fault_names() -> None:
    assert faults.fault_body(404, "gone") == {"itemNotFound": {"code": 404, "message": "gone"}}
    assert "conflictingRequest" in faults.fault_body(409, "x")
    assert "overLimit" in faults.fault_body(413, "x")
    assert "computeFault" in faults.fault_body(406, "x")
    assert faults.fault_body(401, "x")["error"]["title"] == "Unauthorized"


@pytest.mark.parametrize(("vm_state", "task_state", "status"), [
    ("active", None, "ACTIVE"), ("active", "rebooting", "REBOOT"),
    ("active", "reboot_started_hard", "HARD_REBOOT"), ("active", "powering-off", "ACTIVE"),
    ("stopped", "rebooting_hard", "SHUTOFF"), ("stopped", "resize_prep", "RESIZE"),
    ("resized", "resize_reverting", "REVERT_RESIZE"), ("resized", "resize_confirming",
                                                      "VERIFY_RESIZE"),
    ("building", "spawning", "BUILD"), ("error", "rebuilding", "REBUILD"),
    ("soft-delete", None, "SOFT_DELETED"), ("shelved_offloaded", None, "SHELVED_OFFLOADED"),
    ("paused", "migrating", "MIGRATING"), ("bogus", None, "UNKNOWN")])
def test_status_from_state(vm_state: str, task_state: str | None, status: str) -> None:
    assert states.status_from_state(vm_state, task_state) == status
