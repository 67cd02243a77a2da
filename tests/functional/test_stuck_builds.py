"""Nothing stuck after a crash, over the in-process bus and the fake driver: a compute
service that starts resolves what it was doing (init_host), the conductor reschedules
or fails builds whose compute went down and times out builds nobody took, and a stale
build cast is ignored."""

from __future__ import annotations

import datetime

import pytest

from novalite import services
from novalite.common import instance_states as states
from novalite.common.context import get_admin_context
from novalite.conductor.tasks.stuck_builds import TIMED_OUT
from novalite.db import flavors, instances, service_store
from novalite.db.base import utcnow
from novalite.objects import Instance, RequestSpec
from tests.functional.cloud import ControlPlane, wait_for
from tests.functional.test_build_flow import boot, ctxt, vm, wait_state  # noqa: F401


@pytest.fixture
def plane(db, conf):
    conf.set_override("spawn_delay", 0.0, "fake_driver")
    conf.set_override("report_interval", 1)
    conf.set_override("service_down_time", 3)
    # the conductor's own pass stays out of the way: the tests run it when they mean to
    conf.set_override("stuck_build_check_interval", 3600)
    flavors.ensure_default_flavors()
    plane = ControlPlane().start()
    yield plane
    # the compute nodes first: their heartbeats (every second here) call the conductor
    for service in plane.computes.values():
        service.stop()
    for service in plane.services:
        if service.binary != "novalite-compute":
            service.stop()
    for name in ("report_interval", "service_down_time", "instance_build_timeout",
                 "stuck_build_check_interval"):
        conf.clear_override(name)


def conductor(plane):
    return next(s for s in plane.services if s.binary == "novalite-conductor").manager


def active_on(ctxt, host, count=1, **kwargs):  # noqa: F811
    made = [boot(ctxt, name=f"vm{i}", force_hosts=[host], **kwargs)[0] for i in range(count)]
    return [wait_state(ctxt, m["uuid"], states.ACTIVE) for m in made]


def pretend(uuid, **values):
    """The record as the dead agent left it."""
    instances.update(None, uuid, values)


def restart_keeping_guests(plane, host):
    """A new compute service for ``host`` whose hypervisor still runs the guests (as
    libvirt's do when nova-compute dies); its init_host runs before it takes requests."""
    old = plane.computes[host]
    old.stop()
    new = services.compute_service(host)
    new.manager.driver._guests = old.manager.driver._guests
    plane.services[plane.services.index(old)] = new
    plane.computes[host] = new
    new.start()


def wait_idle(ctxt, uuid):  # noqa: F811
    """Until the record has not changed for service_down_time (3 s)."""
    wait_for(lambda: utcnow() - vm(ctxt, uuid)["updated_at"] > datetime.timedelta(
        seconds=3), timeout=10, interval=0.2)


def compute_state(host):
    return service_store.list_services(binary="novalite-compute", host=host)[0]["state"]


def faults(uuid):
    return [f["message"] for f in instances.list_faults(uuid)]


def test_restarted_compute_resolves_what_it_was_doing(plane, ctxt):  # noqa: F811
    building, stopping, rebooting, deleting, resizing, pausing = active_on(
        ctxt, "compute-1", 6)
    pretend(building["uuid"], vm_state=states.BUILDING, task_state=states.SPAWNING)
    pretend(stopping["uuid"], task_state=states.POWERING_OFF)
    pretend(rebooting["uuid"], task_state=states.REBOOT_STARTED)
    pretend(deleting["uuid"], task_state=states.DELETING)
    pretend(resizing["uuid"], task_state=states.RESIZE_MIGRATING)
    pretend(pausing["uuid"], task_state=states.PAUSING)
    restart_keeping_guests(plane, "compute-1")
    built = vm(ctxt, building["uuid"])
    assert (built["vm_state"], built["task_state"]) == (states.ERROR, None)
    assert faults(building["uuid"]) == [
        "Instance was spawning on compute-1 when its compute service stopped; it was "
        "restarted"]
    stopped = vm(ctxt, stopping["uuid"])
    assert (stopped["vm_state"], stopped["task_state"]) == (states.STOPPED, None)
    assert stopped["power_state"] == states.SHUTDOWN
    rebooted = vm(ctxt, rebooting["uuid"])
    assert (rebooted["vm_state"], rebooted["task_state"]) == (states.ACTIVE, None)
    assert rebooted["power_state"] == states.RUNNING
    assert not instances.list_instances(None, {"uuid": deleting["uuid"]}, limit=None)
    moved = vm(ctxt, resizing["uuid"])
    assert (moved["vm_state"], moved["task_state"]) == (states.ERROR, None)
    assert "was resize_migrating on compute-1" in faults(resizing["uuid"])[0]
    paused = vm(ctxt, pausing["uuid"])
    assert (paused["vm_state"], paused["task_state"]) == (states.ACTIVE, None)
    left = [i for i in instances.list_instances(None, {"host": "compute-1"}, limit=None)
            if i["task_state"] is not None or i["vm_state"] == states.BUILDING]
    assert left == []


def test_build_of_a_dead_compute_is_rescheduled(plane, ctxt):  # noqa: F811
    [server] = active_on(ctxt, "compute-1", networks="none")
    plane.computes["compute-1"].stop()
    pretend(server["uuid"], vm_state=states.BUILDING, task_state=states.SPAWNING,
            power_state=states.NOSTATE)
    admin = get_admin_context()
    assert conductor(plane).stuck_builds.run(admin) == {
        "rescheduled": 0, "failed": 0, "timed_out": 0}  # compute-1 is not down yet
    wait_for(lambda: compute_state("compute-1") == "down", timeout=10)
    wait_idle(ctxt, server["uuid"])
    assert conductor(plane).stuck_builds.run(admin)["rescheduled"] == 1
    rebuilt = wait_state(ctxt, server["uuid"], states.ACTIVE)
    assert rebuilt["host"] == "compute-2"
    assert server["uuid"] in plane.driver("compute-2")._guests


def test_no_build_taken_when_no_compute_is_heard_from(plane, ctxt):  # noqa: F811
    """Every compute silent at once: a broker or conductor outage, not dead hosts."""
    [server] = active_on(ctxt, "compute-1", networks="none")
    for service in plane.computes.values():
        service.stop()
    pretend(server["uuid"], vm_state=states.BUILDING, task_state=states.SPAWNING)
    wait_for(lambda: {compute_state(h) for h in plane.computes} == {"down"}, timeout=10)
    wait_idle(ctxt, server["uuid"])
    counts = conductor(plane).stuck_builds.run(get_admin_context())
    assert counts == {"rescheduled": 0, "failed": 0, "timed_out": 0}
    assert vm(ctxt, server["uuid"])["host"] == "compute-1"


def test_build_with_ports_on_a_dead_compute_fails(plane, ctxt):  # noqa: F811
    [server] = active_on(ctxt, "compute-1", networks="none")
    plane.computes["compute-1"].stop()
    pretend(server["uuid"], vm_state=states.BUILDING, task_state=states.SPAWNING,
            requested_networks=[{"network_id": "net-1"}])
    wait_for(lambda: compute_state("compute-1") == "down", timeout=10)
    wait_idle(ctxt, server["uuid"])
    assert conductor(plane).stuck_builds.run(get_admin_context())["failed"] == 1
    failed = vm(ctxt, server["uuid"])
    assert (failed["vm_state"], failed["task_state"], failed["host"]) == (
        states.ERROR, None, None)
    assert "its compute host compute-1 went down while it was building" in faults(
        server["uuid"])[0]


def test_build_nobody_took_times_out(plane, ctxt, conf):  # noqa: F811
    [server] = active_on(ctxt, "compute-2", networks="none")
    pretend(server["uuid"], vm_state=states.BUILDING, task_state=states.SCHEDULING,
            host=None, node=None)  # as if the conductor died holding the cast
    admin = get_admin_context()
    assert conductor(plane).stuck_builds.run(admin)["timed_out"] == 0  # default: 900 s
    conf.set_override("instance_build_timeout", 1)
    wait_for(lambda: conductor(plane).stuck_builds.run(admin)["timed_out"] == 1, timeout=10,
             interval=0.2)
    failed = vm(ctxt, server["uuid"])
    assert (failed["vm_state"], failed["task_state"]) == (states.ERROR, None)
    assert faults(server["uuid"]) == [TIMED_OUT]


def test_stale_build_cast_is_ignored(plane, ctxt):  # noqa: F811
    [server] = active_on(ctxt, "compute-2", networks="none")
    pretend(server["uuid"], vm_state=states.BUILDING, task_state=states.SCHEDULING)
    stale = Instance.from_db(instances.get(None, server["uuid"]))
    stale.host = "compute-1"
    compute1 = plane.computes["compute-1"].manager
    compute1.build_and_run_instance(get_admin_context(), stale, RequestSpec(), [])
    after = vm(ctxt, server["uuid"])
    assert (after["host"], after["vm_state"], after["task_state"]) == (
        "compute-2", states.BUILDING, states.SCHEDULING)
    assert server["uuid"] not in plane.driver("compute-1")._guests


def test_conductor_checks_periodically(plane, conf):
    spacing = {method.__name__: spec.spacing
               for method, spec in conductor(plane).periodic_tasks()}
    assert spacing["_resolve_stuck_builds"] == 3600
    conf.set_override("stuck_build_check_interval", 0)
    spacing = {method.__name__: spec.spacing
               for method, spec in conductor(plane).periodic_tasks()}
    assert spacing["_resolve_stuck_builds"] == 1  # half of service_down_time (3 s)


def test_lost_scheduler_answer_is_asked_again(plane, ctxt, monkeypatch):  # noqa: F811
    """A broker restart drops the replies in flight: the conductor asks again."""
    import oslo_messaging as messaging

    scheduler = conductor(plane).build_task.scheduler
    real = scheduler.select_destinations
    calls = []

    def lose_first(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            real(*args, **kwargs)  # the scheduler claimed, but its answer is lost
            raise messaging.MessagingTimeout("reply lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduler, "select_destinations", lose_first)
    [server] = boot(ctxt, networks="none")
    active = wait_state(ctxt, server["uuid"], states.ACTIVE)
    assert len(calls) == 2
    from novalite.placement import client as placement

    assert len(placement.get_allocations(active["uuid"])) == 1  # the lost claim went


def test_scheduler_never_answering_fails_the_build(plane, ctxt, monkeypatch):  # noqa: F811
    import oslo_messaging as messaging

    def never(*args, **kwargs):
        raise messaging.MessagingTimeout("no reply")

    monkeypatch.setattr(conductor(plane).build_task.scheduler, "select_destinations", never)
    [server] = boot(ctxt, networks="none")
    failed = wait_state(ctxt, server["uuid"], states.ERROR)
    assert failed["task_state"] is None
    assert faults(server["uuid"]) == ["The scheduler did not answer: no reply"]
