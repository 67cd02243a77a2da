"""The boot flow through the real services over the in-process bus, on the fake driver:
API record → conductor → scheduler claim → compute build → ACTIVE, then the actions."""

from __future__ import annotations

import pytest

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute.api import API
from novalite.compute.boot_request import BootRequest
from novalite.compute.resolve import Resolver
from novalite.db import flavors, instances
from novalite.placement import client as placement
from tests.functional.cloud import ControlPlane, wait_for


@pytest.fixture
def plane(db, conf):
    conf.set_override("spawn_delay", 0.0, "fake_driver")
    flavors.ensure_default_flavors()
    plane = ControlPlane().start()
    yield plane
    plane.stop()
    conf.clear_override("fail_spawn_hosts", "fake_driver")


@pytest.fixture
def ctxt():
    return RequestContext(user_id="user-a", project_id="project-a", roles=["member", "reader"])


def vm(ctxt, uuid):
    return instances.get(ctxt, uuid)


class KnownImages(Resolver):
    """Images without an image service: the ones these tests boot."""

    def image(self, ctxt, image_id):
        return {"id": image_id, "status": "active", "properties": {}}


def boot(ctxt, name="vm", flavor_ref="1", **kwargs):
    created, _ = API(resolver=KnownImages()).create(ctxt, BootRequest(
        name=name, flavor_ref=flavor_ref, image_ref="img-1", **kwargs))
    return created


def wait_state(ctxt, uuid, vm_state, task_state=None):
    return wait_for(lambda: (lambda i: i if (i["vm_state"], i["task_state"]) == (
        vm_state, task_state) else None)(vm(ctxt, uuid)), message=f"{uuid} {vm_state}")


def test_boot_reaches_active_and_claims_resources(plane, ctxt):
    [server] = boot(ctxt)
    active = wait_state(ctxt, server["uuid"], states.ACTIVE)
    assert active["host"] in plane.computes
    assert active["power_state"] == states.RUNNING
    assert active["launched_at"] is not None
    [(provider, allocation)] = placement.get_allocations(server["uuid"]).items()
    assert allocation["resources"] == {"VCPU": 1, "MEMORY_MB": 128, "DISK_GB": 1}
    guest = plane.driver(active["host"])._guests[server["uuid"]]
    assert guest.name == f"instance-{active['id']:08x}"
    events = instances.get_action(server["uuid"], instances.list_actions(
        server["uuid"])[0]["request_id"])["events"]
    assert {e["event"] for e in events} == {"conductor_schedule_and_build",
                                            "compute__do_build_and_run_instance"}
    assert all(e["result"] == "Success" for e in events)


def test_actions_follow_nova_state_machine(plane, ctxt):
    [server] = boot(ctxt)
    uuid = server["uuid"]
    api = API()
    active = wait_state(ctxt, uuid, states.ACTIVE)
    driver = plane.driver(active["host"])
    pid = driver._guests[uuid].pid

    api.reboot(ctxt, vm(ctxt, uuid), "SOFT")
    wait_state(ctxt, uuid, states.ACTIVE)
    assert driver._guests[uuid].pid != pid

    api.stop(ctxt, vm(ctxt, uuid))
    stopped = wait_state(ctxt, uuid, states.STOPPED)
    assert stopped["power_state"] == states.SHUTDOWN
    with pytest.raises(exception.InstanceInvalidState):
        api.pause(ctxt, vm(ctxt, uuid))
    api.start(ctxt, vm(ctxt, uuid))
    wait_state(ctxt, uuid, states.ACTIVE)

    api.pause(ctxt, vm(ctxt, uuid))
    assert wait_state(ctxt, uuid, states.PAUSED)["power_state"] == states.POWER_PAUSED
    api.unpause(ctxt, vm(ctxt, uuid))
    wait_state(ctxt, uuid, states.ACTIVE)
    api.suspend(ctxt, vm(ctxt, uuid))
    wait_state(ctxt, uuid, states.SUSPENDED)
    api.resume(ctxt, vm(ctxt, uuid))
    wait_state(ctxt, uuid, states.ACTIVE)

    api.reboot(ctxt, vm(ctxt, uuid), "HARD")
    wait_state(ctxt, uuid, states.ACTIVE)
    actions = [a["action"] for a in instances.list_actions(uuid)]
    assert actions[::-1] == ["create", "reboot", "stop", "start", "pause", "unpause",
                             "suspend", "resume", "reboot"]

    api.delete(ctxt, vm(ctxt, uuid))
    wait_for(lambda: _gone(ctxt, uuid), message="delete")
    assert placement.get_allocations(uuid) == {}
    assert uuid not in driver._guests


def _gone(ctxt, uuid):
    try:
        vm(ctxt, uuid)
    except exception.InstanceNotFound:
        return True
    return False


def test_failed_build_is_retried_on_another_host(plane, ctxt, conf):
    conf.set_override("fail_spawn_hosts", ["compute-1"], "fake_driver")
    servers = boot(ctxt, min_count=4, max_count=4)
    for server in servers:
        assert wait_state(ctxt, server["uuid"], states.ACTIVE)["host"] == "compute-2"


def test_build_fails_everywhere_ends_in_error_with_fault(plane, ctxt, conf):
    conf.set_override("fail_spawn_hosts", ["compute-1", "compute-2"], "fake_driver")
    [server] = boot(ctxt)
    errored = wait_state(ctxt, server["uuid"], states.ERROR)
    assert "Exceeded maximum number of retries" in errored["fault"]["message"]
    assert placement.get_allocations(server["uuid"]) == {}


def test_no_valid_host_puts_instance_in_error(plane, ctxt):
    flavor = flavors.create("huge", memory_mb=40000, vcpus=1, root_gb=1)
    created = boot(ctxt, "big", flavor_ref=flavor["flavorid"])
    errored = wait_state(ctxt, created[0]["uuid"], states.ERROR)
    assert "No valid host was found" in errored["fault"]["message"]


def test_guest_that_stops_on_its_own_becomes_shutoff(plane, ctxt):
    [server] = boot(ctxt)
    active = wait_state(ctxt, server["uuid"], states.ACTIVE)
    plane.driver(active["host"]).crash(server["uuid"])
    stopped = wait_state(ctxt, server["uuid"], states.STOPPED)
    assert stopped["power_state"] == states.SHUTDOWN


def test_a_control_plane_capped_at_release_0_1_0_drives_computes_with_dicts(plane, ctxt,
                                                                          conf):
    """``[upgrade_levels] compute = 1.1``: the API and the conductor send 0.1.0's RPC 1.x
    with plain dicts; the compute's 1.x door turns them into objects and acts."""
    conf.set_override("compute", "1.1", "upgrade_levels")
    try:
        api = API()
        assert not api.compute.sends_objects()
        [server] = boot(ctxt)
        uuid = server["uuid"]
        wait_state(ctxt, uuid, states.ACTIVE)
        api.stop(ctxt, vm(ctxt, uuid))
        wait_state(ctxt, uuid, states.STOPPED)
        api.start(ctxt, vm(ctxt, uuid))
        wait_state(ctxt, uuid, states.ACTIVE)
        api.delete(ctxt, vm(ctxt, uuid))
        wait_for(lambda: not instances.list_instances(ctxt, {}), message="deleted")
    finally:
        conf.clear_override("compute", "upgrade_levels")
