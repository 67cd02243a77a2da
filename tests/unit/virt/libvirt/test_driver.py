"""The driver's power operations and host report against libvirt's test:///default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from novalite.common import instance_states as states
from novalite.virt.driver import VirtDriverError
from novalite.virt.libvirt.driver import LibvirtDriver


@pytest.fixture
def driver(conf: Any) -> Iterator[LibvirtDriver]:
    conf.set_override("connection_uri", "test:///default", "libvirt")
    conf.set_override("virt_type", "qemu", "libvirt")
    lv = LibvirtDriver("test-host")
    lv.init_host("test-host")
    yield lv
    lv.cleanup_host("test-host")
    conf.clear_override("virt_type", "libvirt")
    conf.clear_override("connection_uri", "libvirt")


def test_power_operations(driver: LibvirtDriver) -> None:
    domain = driver._host.connect().lookupByName("test")
    instance = {"uuid": domain.UUIDString(), "name": "test"}
    assert driver.get_power_state(instance) == states.RUNNING
    driver.pause(instance)
    assert driver.get_power_state(instance) == states.POWER_PAUSED
    driver.unpause(instance)
    assert driver.get_power_state(instance) == states.RUNNING
    driver.power_off(instance, timeout=0)
    assert driver.get_power_state(instance) == states.SHUTDOWN
    driver.power_on(None, instance, [])
    assert driver.get_power_state(instance) == states.RUNNING


def test_unknown_instances_and_host(driver: LibvirtDriver) -> None:
    missing = {"uuid": "00000000-0000-0000-0000-00000000beef", "name": "x"}
    assert driver.get_power_state(missing) == states.NOSTATE
    with pytest.raises(VirtDriverError, match="has no domain"):
        driver.pause(missing)
    assert driver.list_instance_uuids() == []  # the test domain is not novalite's
    resources = driver.get_host_resources()
    assert resources.hypervisor_type == "QEMU" and resources.vcpus > 0


def test_consoles_of_a_running_and_a_stopped_guest(driver: LibvirtDriver) -> None:
    from novalite.virt.driver import ConsoleUnavailable, GuestNotRunning

    domain = driver._host.connect().lookupByName("test")
    instance = {"uuid": domain.UUIDString(), "name": "test"}
    with pytest.raises(ConsoleUnavailable):  # test:///default's domain has no display
        driver.get_vnc_console(instance)
    with pytest.raises(ConsoleUnavailable):
        driver.get_serial_console(instance)
    driver.power_off(instance, timeout=0)
    with pytest.raises(GuestNotRunning):
        driver.get_spice_console(instance)
    driver.power_on(None, instance, [])
