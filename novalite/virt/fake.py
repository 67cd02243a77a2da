"""An in-memory hypervisor: fast tests, failure injection, thousands of hosts per process.

Each guest is a small record with a fake process id that changes exactly when a
real QEMU process would (start, soft and hard reboot, power on), so the reboot
semantics can be asserted on the fake driver as on libvirt.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import threading
import time
from typing import Any

from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.virt.driver import (
    VIF,
    ComputeDriver,
    ConsoleEndpoint,
    Diagnostics,
    GuestNotRunning,
    HostResources,
    ImageMeta,
    Instance,
    LifecycleEvent,
    Move,
    MoveRefused,
    NetworkInfo,
    SnapshotImage,
    VirtDriverError,
)

_pids = itertools.count(1000)
#: fake display and serial ports: a display port is new with each (fake) QEMU process,
#: a serial port with each definition (spawn, hard reboot), as with libvirt
_display_ports = itertools.count(5900)
_serial_ports = itertools.count(10000)


@dataclasses.dataclass
class FakeGuest:
    uuid: str
    name: str
    power_state: int
    pid: int
    defined_at: float
    vcpus: int
    memory_mb: int
    console: list[str] = dataclasses.field(default_factory=list)
    vifs: list[str] = dataclasses.field(default_factory=list)  # the ports plugged
    vnc_port: int = 0
    spice_port: int = 0
    serial_port: int = 0
    root_gb: int = 0
    image_id: str = ""
    #: the rescue image booted (the guest's own disk as its second disk)
    rescue_image_id: str | None = None
    #: a resize's sizes before it, kept until confirmed or reverted
    resize_backup: tuple[int, int, int] | None = None
    admin_password: str | None = None
    nmi_count: int = 0
    #: {mountpoint: volume id} of the volumes attached
    volumes: dict[str, str] = dataclasses.field(default_factory=dict)

    def new_process(self) -> None:
        self.pid = next(_pids)
        self.vnc_port = next(_display_ports)
        self.spice_port = next(_display_ports)


class FakeDriver(ComputeDriver):
    def __init__(self, host: str | None = None) -> None:
        self.host = host or CONF.host
        self._guests: dict[str, FakeGuest] = {}
        self._lock = threading.Lock()
        #: (instance uuid, kind) -> endpoint: tests point a console at a server of theirs
        self.console_endpoints: dict[tuple[str, str], ConsoleEndpoint] = {}

    def _delay(self, fraction: float = 0.1) -> None:
        if CONF.fake_driver.spawn_delay:
            time.sleep(CONF.fake_driver.spawn_delay * fraction)

    def _guest(self, instance: Instance) -> FakeGuest:
        try:
            return self._guests[instance["uuid"]]
        except KeyError:
            raise VirtDriverError(f"Instance {instance['uuid']} is not on {self.host}") from None

    def get_host_resources(self) -> HostResources:
        return HostResources(hypervisor_hostname=self.host, hypervisor_type="fake",
                             hypervisor_version=1000, vcpus=CONF.fake_driver.vcpus,
                             memory_mb=CONF.fake_driver.memory_mb,
                             local_gb=CONF.fake_driver.local_gb)

    def list_instance_uuids(self) -> list[str]:
        with self._lock:
            return list(self._guests)

    def get_power_state(self, instance: Instance) -> int:
        guest = self._guests.get(instance["uuid"])
        return guest.power_state if guest else states.NOSTATE

    def spawn(self, context: RequestContext | None, instance: Instance, image_meta: ImageMeta,
              network_info: NetworkInfo, block_device_info: dict[str, Any] | None
              ) -> None:
        self._delay(1.0)
        properties = image_meta.get("properties") or {}
        if self.host in CONF.fake_driver.fail_spawn_hosts:
            raise VirtDriverError(f"Injected spawn failure on host {self.host}")
        flag = CONF.fake_driver.fail_spawn_image_property
        if str(properties.get(flag, image_meta.get(flag, ""))).lower() == "true":
            raise VirtDriverError("Injected spawn failure for this image")
        guest = FakeGuest(
            uuid=instance["uuid"], name=instance.get("name", str(instance["uuid"])),
            power_state=states.RUNNING, pid=0, defined_at=time.time(),
            vcpus=instance.get("vcpus", 1), memory_mb=instance.get("memory_mb", 0),
            console=["fake guest booting", "login: "],
            vifs=[vif["id"] for vif in network_info], serial_port=next(_serial_ports),
            root_gb=int(instance.get("root_gb") or 0),
            image_id=str(instance.get("image_ref") or image_meta.get("id") or ""))
        guest.new_process()
        for volume in (block_device_info or {}).get("block_device_mapping") or ():
            guest.volumes[str(volume["mount_device"])] = str(volume["volume_id"])
        with self._lock:
            self._guests[instance["uuid"]] = guest

    def attach_interface(self, context: RequestContext | None, instance: Instance,
                         vif: VIF) -> None:
        guest = self._guest(instance)
        with self._lock:
            guest.vifs.append(vif["id"])

    def detach_interface(self, context: RequestContext | None, instance: Instance,
                         vif: VIF) -> None:
        guest = self._guest(instance)
        with self._lock:
            if vif["id"] in guest.vifs:
                guest.vifs.remove(vif["id"])

    def get_volume_connector(self, instance: Instance) -> dict[str, Any]:
        return {"host": self.host, "ip": "127.0.0.1", "platform": "x86_64",
                "os_type": "linux", "multipath": False,
                "initiator": f"iqn.2026-12.org.novalite:{self.host}"}

    def attach_volume(self, context: RequestContext | None, connection_info: dict[str, Any],
                      instance: Instance, mountpoint: str, volume_id: str) -> None:
        if not connection_info.get("driver_volume_type"):
            raise VirtDriverError(f"Volume {volume_id} has no connection info")
        guest = self._guest(instance)
        with self._lock:
            guest.volumes[mountpoint] = volume_id

    def detach_volume(self, context: RequestContext | None, connection_info: dict[str, Any],
                      instance: Instance, mountpoint: str, volume_id: str) -> None:
        guest = self._guest(instance)
        with self._lock:
            guest.volumes.pop(mountpoint, None)

    def destroy(self, context: RequestContext | None, instance: Instance, network_info: NetworkInfo,
                destroy_disks: bool = True) -> None:
        self._delay()
        with self._lock:
            self._guests.pop(instance["uuid"], None)

    def reboot(self, context: RequestContext | None, instance: Instance, network_info: NetworkInfo,
               reboot_type: str) -> None:
        self._delay()
        guest = self._guest(instance)
        guest.new_process()
        if reboot_type == "HARD":
            guest.defined_at = time.time()
            guest.serial_port = next(_serial_ports)
        guest.power_state = states.RUNNING

    def guest_initiated_reboot(self, instance: Instance) -> None:
        """What a reboot from inside the guest does: same process, still running."""
        self._guest(instance).console.append("reboot: Restarting system")

    def power_off(self, instance: Instance, timeout: int = 0) -> None:
        self._delay()
        guest = self._guest(instance)
        guest.power_state = states.SHUTDOWN
        guest.pid = 0

    def power_on(self, context: RequestContext | None, instance: Instance,
                 network_info: NetworkInfo) -> None:
        self._delay()
        guest = self._guest(instance)
        guest.power_state = states.RUNNING
        guest.new_process()

    def pause(self, instance: Instance) -> None:
        self._guest(instance).power_state = states.POWER_PAUSED

    def unpause(self, instance: Instance) -> None:
        self._guest(instance).power_state = states.RUNNING

    def suspend(self, context: RequestContext | None, instance: Instance) -> None:
        guest = self._guest(instance)
        guest.power_state = states.POWER_SUSPENDED
        guest.pid = 0

    def resume(self, context: RequestContext | None, instance: Instance,
               network_info: NetworkInfo) -> None:
        guest = self._guest(instance)
        guest.power_state = states.RUNNING
        guest.new_process()

    def crash(self, instance_uuid: str) -> None:
        """Failure injection: the guest stops on its own (the hypervisor reports it)."""
        guest = self._guests[instance_uuid]
        guest.power_state = states.SHUTDOWN
        guest.pid = 0
        self.emit_event(LifecycleEvent(instance_uuid, states.SHUTDOWN))

    def get_diagnostics(self, instance: Instance) -> Diagnostics:
        # driver "libvirt" as Nova's own fake driver reports: the field is an enum of
        # Nova's real drivers in its 2.48 schema; the hypervisor says "fake"
        guest = self._guest(instance)
        return {"state": states.POWER_STATE_NAMES.get(guest.power_state, "pending"),
                "driver": "libvirt", "hypervisor": "fake", "hypervisor_os": "fake",
                "uptime": int(time.time() - guest.defined_at), "num_cpus": guest.vcpus,
                "num_nics": 0, "num_disks": 1, "memory_details": {"maximum": guest.memory_mb,
                                                                  "used": guest.memory_mb},
                "pid": guest.pid, "defined_at": guest.defined_at,
                "cpu_details": [], "nic_details": [], "disk_details": [],
                "config_drive": False}

    def get_console_output(self, context: RequestContext | None, instance: Instance) -> str:
        return "\n".join(self._guest(instance).console) + "\n"

    def _console(self, instance: Instance, kind: str, port: int) -> ConsoleEndpoint:
        guest = self._guest(instance)
        if guest.power_state not in (states.RUNNING, states.POWER_PAUSED):
            raise GuestNotRunning(f"Instance {instance['uuid']} is not running")
        override = self.console_endpoints.get((guest.uuid, kind))
        return override or ConsoleEndpoint("127.0.0.1", port)

    def get_vnc_console(self, instance: Instance) -> ConsoleEndpoint:
        return self._console(instance, "vnc", self._guest(instance).vnc_port)

    def get_spice_console(self, instance: Instance) -> ConsoleEndpoint:
        return self._console(instance, "spice", self._guest(instance).spice_port)

    def get_serial_console(self, instance: Instance) -> ConsoleEndpoint:
        return self._console(instance, "serial", self._guest(instance).serial_port)

    # --- images, rescue ---------------------------------------------------------------

    def snapshot(self, context: RequestContext | None, instance: Instance,
                 directory: str) -> SnapshotImage:
        guest = self._guest(instance)
        path = os.path.join(directory, f"{guest.uuid}.raw")
        with open(path, "wb") as handle:
            handle.write(f"fake disk of {guest.uuid} (image {guest.image_id})\n".encode())
        return SnapshotImage(path, "raw")

    def rescue(self, context: RequestContext | None, instance: Instance,
               network_info: NetworkInfo, rescue_image: ImageMeta,
               rescue_password: str | None) -> None:
        self._delay()
        guest = self._guest(instance)
        guest.rescue_image_id = str(rescue_image.get("id") or guest.image_id)
        guest.console.extend([f"fake rescue boot from image {guest.rescue_image_id}: "
                              "vda rescue disk, vdb the server's disk", "login: "])
        guest.defined_at = time.time()
        guest.power_state = states.RUNNING
        guest.new_process()

    def unrescue(self, context: RequestContext | None, instance: Instance,
                 network_info: NetworkInfo) -> None:
        self._delay()
        guest = self._guest(instance)
        guest.rescue_image_id = None
        guest.console.extend(["fake guest booting", "login: "])
        guest.defined_at = time.time()
        guest.power_state = states.RUNNING
        guest.new_process()

    # --- resize and migrations ---------------------------------------------------------

    def migrate_disk_and_power_off(self, context: RequestContext | None, instance: Instance,
                                   network_info: NetworkInfo, move: Move,
                                   timeout: int) -> None:
        guest = self._guest(instance)
        if int(move.new_flavor.get("root_gb") or 0) < guest.root_gb:
            raise MoveRefused("Unable to resize disk down.")
        self._delay()
        guest.power_state = states.SHUTDOWN
        guest.pid = 0
        guest.resize_backup = (guest.vcpus, guest.memory_mb, guest.root_gb)

    def finish_migration(self, context: RequestContext | None, instance: Instance,
                         image_meta: ImageMeta, network_info: NetworkInfo, move: Move,
                         power_on: bool) -> None:
        self._delay()
        with self._lock:
            guest = self._guests.get(instance["uuid"])
            if guest is None:  # arrived from another host
                guest = FakeGuest(
                    uuid=instance["uuid"], name=instance.get("name", str(instance["uuid"])),
                    power_state=states.SHUTDOWN, pid=0, defined_at=time.time(), vcpus=0,
                    memory_mb=0, vifs=[vif["id"] for vif in network_info],
                    serial_port=next(_serial_ports),
                    image_id=str(instance.get("image_ref") or ""))
                self._guests[guest.uuid] = guest
        guest.vcpus = int(instance.get("vcpus") or 0)
        guest.memory_mb = int(instance.get("memory_mb") or 0)
        guest.root_gb = int(instance.get("root_gb") or 0)
        guest.defined_at = time.time()
        guest.console.extend(["fake guest booting", "login: "])
        if power_on:
            guest.power_state = states.RUNNING
            guest.new_process()

    def confirm_migration(self, context: RequestContext | None, instance: Instance,
                          network_info: NetworkInfo, move: Move) -> None:
        with self._lock:
            if not move.same_host:
                self._guests.pop(instance["uuid"], None)
            elif instance["uuid"] in self._guests:
                self._guests[instance["uuid"]].resize_backup = None

    def finish_revert_migration(self, context: RequestContext | None, instance: Instance,
                                network_info: NetworkInfo, move: Move,
                                power_on: bool) -> None:
        self._delay()
        guest = self._guest(instance)
        if guest.resize_backup is not None:
            guest.vcpus, guest.memory_mb, guest.root_gb = guest.resize_backup
            guest.resize_backup = None
        guest.defined_at = time.time()
        if power_on:
            guest.power_state = states.RUNNING
            guest.new_process()
        else:
            guest.power_state = states.SHUTDOWN
            guest.pid = 0

    def pre_live_migration(self, context: RequestContext | None, instance: Instance,
                           network_info: NetworkInfo, move: Move) -> None:
        if self.host in CONF.fake_driver.fail_spawn_hosts:
            raise VirtDriverError(f"Injected failure: {self.host} cannot receive guests")

    def live_migration(self, context: RequestContext | None, instance: Instance,
                       move: Move) -> None:
        self._guest(instance)
        self._delay()
        with self._lock:
            self._guests.pop(instance["uuid"], None)

    def post_live_migration_at_destination(self, context: RequestContext | None,
                                           instance: Instance, network_info: NetworkInfo,
                                           move: Move) -> None:
        guest = FakeGuest(
            uuid=instance["uuid"], name=instance.get("name", str(instance["uuid"])),
            power_state=(states.POWER_PAUSED if instance.get("vm_state") == states.PAUSED
                         else states.RUNNING),
            pid=0, defined_at=time.time(), vcpus=int(instance.get("vcpus") or 0),
            memory_mb=int(instance.get("memory_mb") or 0),
            vifs=[vif["id"] for vif in network_info], serial_port=next(_serial_ports),
            root_gb=int(instance.get("root_gb") or 0),
            image_id=str(instance.get("image_ref") or ""))
        guest.new_process()
        with self._lock:
            self._guests[guest.uuid] = guest

    def rollback_live_migration_at_destination(self, context: RequestContext | None,
                                               instance: Instance,
                                               network_info: NetworkInfo) -> None:
        with self._lock:
            self._guests.pop(instance["uuid"], None)

    # --- guest operations ---------------------------------------------------------------

    def trigger_crash_dump(self, instance: Instance) -> None:
        guest = self._guest(instance)
        if guest.power_state not in (states.RUNNING, states.POWER_PAUSED):
            raise GuestNotRunning(f"Instance {instance['uuid']} is not running")
        guest.nmi_count += 1
        guest.console.append("Kernel panic - not syncing: NMI: Not continuing")

    def set_admin_password(self, instance: Instance, new_pass: str) -> None:
        """The fake guest has an agent (as Nova's fake driver): the password is set."""
        self._guest(instance).admin_password = new_pass
