"""The libvirt + QEMU compute driver.

Each instance is a persistent libvirt domain named ``instance-%08x`` with the
instance's UUID, and a directory ``<images_path>/<uuid>/`` holding its qcow2
overlay (backed by a cached base in ``_base/``), its console log and socket, and
``boot.json`` (which images and kernel command line it boots), from which a hard
reboot regenerates the definition without the image service.

Reboot semantics (observable through ``get_diagnostics``' ``pid`` and
``defined_at``): SOFT is an ACPI shutdown, a wait of up to ``reboot_timeout`` and a
start (new QEMU process, same definition), falling back to HARD; HARD destroys the
domain, defines it afresh from the instance, re-plugs the VIFs and starts it. A
reboot inside the guest resets the same QEMU (``<on_reboot>restart``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any, TypedDict, cast

from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.common.metadata_tree import InstanceMetadata
from novalite.conf import CONF
from novalite.virt import configdrive
from novalite.virt.driver import (
    VIF,
    ComputeDriver,
    ConsoleEndpoint,
    ConsoleUnavailable,
    CpuDiagnostics,
    Diagnostics,
    DiskDiagnostics,
    GuestNotRunning,
    HostResources,
    ImageMeta,
    Instance,
    LifecycleEvent,
    VirtDriverError,
)
from novalite.virt.driver import NetworkInfo as Network
from novalite.virt.libvirt import config, probe
from novalite.virt.libvirt.host import Host, power_state_from_domain_state
from novalite.virt.libvirt.imagecache import ImageCache
from novalite.virt.libvirt.protocols import Domain
from novalite.virt.libvirt.serial import SerialPorts
from novalite.virt.libvirt.vif import VifDriver
from novalite.virt.libvirt.volume import AttachedVolumes, guest_volume

LOG = logging.getLogger(__name__)
CONSOLE_LOG = "console.log"
BOOT_INFO = "boot.json"
DISK = "disk"
CONFIG_DRIVE = "disk.config"
MAX_CONSOLE_BYTES = 100 * 1024
PID_DIR = "/run/libvirt/qemu"
_GIB = 1024 ** 3


class BootInfo(TypedDict, total=False):
    """``boot.json``: what the instance boots, so a hard reboot needs no image service.

    ``spawn`` writes every key; readers use ``.get`` so a file from an older version
    without one of them still boots.
    """

    image_id: str
    kernel_id: str | None
    ramdisk_id: str | None
    cmdline: str | None
    disk_format: str | None


def _qemu_img(*args: str) -> str:
    try:
        result = subprocess.run(["qemu-img", *args], capture_output=True, text=True,
                                timeout=300)
    except OSError as error:
        raise VirtDriverError(f"qemu-img is not available ({error}); run "
                              "tools/setup-libvirt") from None
    if result.returncode != 0:
        raise VirtDriverError(f"qemu-img {args[0]} failed: {result.stderr.strip()}")
    return result.stdout


def _wants_config_drive(instance: Instance) -> bool:
    return str(instance.get("config_drive") or "").lower() in ("true", "1", "yes")


def _backing_format(disk_format: str | None) -> str:
    """The format QEMU reads a base as: the image's declared one (never guessed)."""
    return "qcow2" if disk_format == "qcow2" else "raw"


class LibvirtDriver(ComputeDriver):
    def __init__(self, host: str) -> None:
        self.host_name = host
        self._host = Host(CONF.libvirt.connection_uri)
        self._host.set_lifecycle_callback(self._on_lifecycle)
        self._virt_type: str | None = None
        self.vif_driver = VifDriver()
        self.image_cache = ImageCache(os.path.join(self.images_path, "_base"))
        self.serial_ports = SerialPorts(CONF.serial_console.port_range,
                                        CONF.serial_console.proxyclient_address)

    # --- paths and helpers --------------------------------------------------------------

    @property
    def images_path(self) -> str:
        return os.path.abspath(os.path.expanduser(str(CONF.libvirt.images_path)))

    def instance_dir(self, instance: Instance) -> str:
        return os.path.join(self.images_path, str(instance["uuid"]))

    @property
    def libvirt(self) -> Any:
        """The libvirt module (untyped: see ``protocols``)."""
        return self._host.libvirt

    @property
    def virt_type(self) -> str:
        if self._virt_type is None:
            wanted = CONF.libvirt.virt_type
            self._virt_type = wanted if wanted != "auto" else probe.virt_type(
                self.images_path, CONF.libvirt.kvm_probe_timeout)
        return self._virt_type

    def _on_lifecycle(self, uuid: str, power_state: int) -> None:
        self.emit_event(LifecycleEvent(uuid, power_state))

    def _domain(self, instance: Instance) -> Domain:
        domain = self._host.lookup(str(instance["uuid"]))
        if domain is None:
            raise VirtDriverError(f"Instance {instance['uuid']} has no domain on "
                                  f"{self.host_name}")
        return domain

    def _ignore_not_running(self, call: Callable[..., object], *args: object) -> None:
        """Run a libvirt call that fails harmlessly when the domain is already stopped."""
        try:
            call(*args)
        except self.libvirt.libvirtError as error:
            if error.get_error_code() != self.libvirt.VIR_ERR_OPERATION_INVALID:
                raise

    # --- host ---------------------------------------------------------------------------

    def init_host(self, host: str) -> None:
        connection = self._host.connect()
        os.makedirs(self.images_path, exist_ok=True)
        LOG.info("libvirt driver on %s: %s, virt_type %s, %d novalite domains", host,
                 connection.getURI(), self.virt_type, len(self.list_instance_uuids()))
        self.vif_driver.resume_host()

    def cleanup_host(self, host: str) -> None:
        self.vif_driver.stop()
        self._host.close()

    def get_host_resources(self) -> HostResources:
        resources = self._host.resources(self.images_path if os.path.isdir(self.images_path)
                                         else "/")
        cpu_info = {"arch": resources["cpu_arch"], "mhz": resources["cpu_mhz"],
                    "topology": resources["topology"], "virt_type": self.virt_type}
        return HostResources(
            hypervisor_hostname=self.host_name,
            hypervisor_type="KVM" if self.virt_type == "kvm" else "QEMU",
            hypervisor_version=resources["hypervisor_version"], vcpus=resources["vcpus"],
            memory_mb=resources["memory_mb"], local_gb=resources["local_gb"],
            cpu_info=json.dumps(cpu_info, sort_keys=True))

    def _novalite_domains(self) -> list[tuple[Domain, config.GuestMetadata]]:
        found: list[tuple[Domain, config.GuestMetadata]] = []
        for domain in self._host.list_domains():
            try:
                metadata = config.parse_metadata(domain.XMLDesc(0))
            except self.libvirt.libvirtError:
                continue  # undefined while we looked
            if metadata is not None:
                found.append((domain, metadata))
        return found

    def list_instance_uuids(self) -> list[str]:
        return [domain.UUIDString() for domain, _ in self._novalite_domains()]

    def cleanup_unowned_domains(self, owned_uuids: list[str]) -> list[str]:
        """UUIDs of novalite domains no instance of this host owns; destroyed (with
        their directories) when ``[libvirt] destroy_unowned_domains`` is set."""
        owned = set(owned_uuids)
        unowned = [uuid for uuid in self.list_instance_uuids() if uuid not in owned]
        for uuid in unowned:
            LOG.warning("domain %s belongs to no instance on %s%s", uuid, self.host_name,
                        ": destroying it" if CONF.libvirt.destroy_unowned_domains else "")
            if CONF.libvirt.destroy_unowned_domains:
                self.destroy(None, {"uuid": uuid}, [])
        return unowned

    def cleanup_unused_base_images(self, used_image_ids: list[str]) -> list[str]:
        """Remove cached bases neither in ``used_image_ids`` nor booted by a domain here."""
        if not CONF.libvirt.remove_unused_base_images:
            return []
        used = set(used_image_ids)
        for _, metadata in self._novalite_domains():
            used.update(metadata.image_ids)
        return self.image_cache.cleanup(
            used, CONF.libvirt.remove_unused_original_minimum_age_seconds)

    # --- definition ---------------------------------------------------------------------

    def _boot_info(self, instance: Instance) -> BootInfo:
        path = os.path.join(self.instance_dir(instance), BOOT_INFO)
        try:
            with open(path) as handle:
                return cast(BootInfo, dict(json.load(handle)))  # written by spawn
        except (OSError, ValueError):
            raise VirtDriverError(f"Instance {instance['uuid']} has no disk on "
                                  f"{self.host_name} ({path} is missing)") from None

    def guest_config(self, instance: Instance, boot: BootInfo,
                     network_info: Network) -> config.GuestConfig:
        """The domain definition of ``instance`` as of now (a new ``defined_at``)."""
        directory = self.instance_dir(instance)
        flavor = instance.get("flavor") or {}
        image_ids = tuple(i for i in (boot.get("image_id"), boot.get("kernel_id"),
                                      boot.get("ramdisk_id")) if i)
        metadata = config.GuestMetadata(
            defined_at=time.time(), display_name=str(instance.get("display_name") or ""),
            project_id=str(instance.get("project_id") or ""),
            flavor_name=str(flavor.get("name", "") if isinstance(flavor, dict) else ""),
            image_ids=image_ids)
        interfaces = tuple(nic for nic in (self.vif_driver.get_config(vif)
                                           for vif in network_info) if nic is not None)
        kernel_id, ramdisk_id = boot.get("kernel_id"), boot.get("ramdisk_id")
        return config.GuestConfig(
            uuid=str(instance["uuid"]), name=str(instance["name"]),
            virt_type=self.virt_type, memory_mb=int(instance.get("memory_mb") or 64),
            vcpus=int(instance.get("vcpus") or 1), metadata=metadata,
            disks=self._all_disks(directory),
            serial=self._serial(os.path.join(directory, CONSOLE_LOG)),
            graphics=self._graphics(), spice_agent=bool(CONF.spice.agent_enabled),
            interfaces=interfaces,
            kernel=self.image_cache.path(kernel_id) if kernel_id else None,
            initrd=self.image_cache.path(ramdisk_id) if kernel_id and ramdisk_id else None,
            cmdline=boot.get("cmdline") if kernel_id else None)

    def _serial(self, log_path: str) -> config.GuestSerial:
        """Serial port 0: a TCP server for the serial console proxy (a new port for
        each definition), or a pty when serial consoles are disabled; logged either
        way."""
        if not CONF.serial_console.enabled:
            return config.GuestSerial(log_path)
        in_use: set[int] = set()
        for domain in self._host.list_domains():
            try:
                in_use.update(port for _, port in config.serial_tcp_ports(domain.XMLDesc(0)))
            except self.libvirt.libvirtError:
                continue  # undefined while we looked
        return config.GuestSerial(log_path, tcp_host=CONF.serial_console.proxyclient_address,
                                  tcp_port=self.serial_ports.acquire(in_use))

    @staticmethod
    def _graphics() -> tuple[config.GuestGraphics, ...]:
        graphics = []
        if CONF.vnc.enabled:
            graphics.append(config.GuestGraphics("vnc", CONF.vnc.server_listen))
        if CONF.spice.enabled:
            graphics.append(config.GuestGraphics("spice", CONF.spice.server_listen))
        return tuple(graphics)

    @classmethod
    def _all_disks(cls, directory: str) -> tuple[config.GuestDisk | config.GuestVolume, ...]:
        """The instance's own disks and its volumes, the disk it boots from first (a root
        volume is ``vda``)."""
        volumes = AttachedVolumes(directory).disks()
        root = [volume for volume in volumes if volume.target_dev == "vda"]
        return (*root, *cls._disks(directory), *(v for v in volumes if v not in root))

    @staticmethod
    def _disks(directory: str) -> tuple[config.GuestDisk, ...]:
        """The root disk (none for a volume-backed instance), and the config drive when
        the instance has one."""
        root = os.path.join(directory, DISK)
        disks = [config.GuestDisk(root)] if os.path.exists(root) else []
        drive = os.path.join(directory, CONFIG_DRIVE)
        if os.path.exists(drive):
            disks.append(config.GuestDisk(drive, target_dev="vdb", driver_format="raw",
                                          readonly=True))
        return tuple(disks)

    def _define(self, instance: Instance, network_info: Network) -> Domain:
        xml = self.guest_config(instance, self._boot_info(instance), network_info).to_xml()
        try:
            return self._host.connect().defineXML(xml)
        except self.libvirt.libvirtError as error:
            raise VirtDriverError(f"libvirt refused the definition of {instance['name']}: "
                                  f"{error.get_error_message()}") from None

    def _start(self, domain: Domain, instance: Instance, network_info: Network) -> None:
        """Start the domain with its networks ready, then wire the taps QEMU opened into
        the network namespace."""
        self.vif_driver.prepare_all(instance, network_info)
        try:
            domain.create()
        except self.libvirt.libvirtError as error:
            raise VirtDriverError(f"QEMU did not start {domain.name()}: "
                                  f"{error.get_error_message()}") from None
        self.vif_driver.plug_all(instance, network_info)

    # --- spawn and destroy --------------------------------------------------------------

    def _prepare_disk(self, context: RequestContext | None, instance: Instance,
                      image_meta: ImageMeta) -> BootInfo:
        """Fetch the images, create the overlay and record how the instance boots."""
        properties = image_meta.get("properties") or {}
        image_id = str(instance.get("image_ref") or image_meta.get("id") or "")
        if not image_id:
            raise VirtDriverError("The instance has no image")
        kernel_id = instance.get("kernel_id") or properties.get("kernel_id") or None
        ramdisk_id = instance.get("ramdisk_id") or properties.get("ramdisk_id") or None
        base, record = self.image_cache.fetch(context, image_id)
        if kernel_id:
            self.image_cache.fetch(context, str(kernel_id))
        if ramdisk_id:
            self.image_cache.fetch(context, str(ramdisk_id))
        disk_format = record.get("disk_format") or image_meta.get("disk_format")
        backing_format = _backing_format(disk_format)
        disk = os.path.join(self.instance_dir(instance), DISK)
        info = json.loads(_qemu_img("info", "--output=json", "-f", backing_format, base))
        virtual_size = int(info.get("virtual-size") or 0)
        wanted = int(instance.get("root_gb") or 0) * _GIB
        if virtual_size == 0:  # an empty base: a blank disk of the flavor's size
            _qemu_img("create", "-f", "qcow2", disk, str(wanted or _GIB))
        else:
            size = [str(wanted)] if wanted > virtual_size else []
            _qemu_img("create", "-f", "qcow2", "-b", base, "-F", backing_format, disk, *size)
        return {"image_id": image_id, "kernel_id": kernel_id, "ramdisk_id": ramdisk_id,
                "cmdline": properties.get("os_command_line") if kernel_id else None,
                "disk_format": disk_format}

    def _volume_boot(self, context: RequestContext | None, instance: Instance,
                     image_meta: ImageMeta) -> BootInfo:
        """How a volume-backed instance boots: from its root volume's disk, or the
        kernel and ramdisk its image names (``volume_image_metadata``)."""
        properties = image_meta.get("properties") or {}
        kernel_id = properties.get("kernel_id") or None
        ramdisk_id = properties.get("ramdisk_id") or None
        for image_id in (kernel_id, ramdisk_id):
            if image_id:
                self.image_cache.fetch(context, str(image_id))
        return {"image_id": "", "kernel_id": kernel_id, "ramdisk_id": ramdisk_id,
                "cmdline": properties.get("os_command_line") if kernel_id else None,
                "disk_format": None}

    def spawn(self, context: RequestContext | None, instance: Instance, image_meta: ImageMeta,
              network_info: Network, block_device_info: dict[str, Any] | None) -> None:
        self._host.connect()
        directory = self.instance_dir(instance)
        os.makedirs(directory, exist_ok=True)
        try:
            volumes = list((block_device_info or {}).get("block_device_mapping") or [])
            if any(volume.get("boot_index") == 0 for volume in volumes):
                boot = self._volume_boot(context, instance, image_meta)
            else:
                boot = self._prepare_disk(context, instance, image_meta)
            with open(os.path.join(directory, BOOT_INFO), "w") as handle:
                json.dump(boot, handle)
            attached = AttachedVolumes(directory)
            for volume in volumes:
                attached.add(str(volume["volume_id"]), str(volume["mount_device"]),
                             dict(volume["connection_info"]), volume.get("boot_index"))
            if _wants_config_drive(instance):
                configdrive.build_config_drive(
                    os.path.join(directory, CONFIG_DRIVE),
                    InstanceMetadata(instance, network_info))
            domain = self._define(instance, network_info)
            self._start(domain, instance, network_info)
        except Exception:
            self._cleanup(instance, network_info, destroy_disks=True)
            raise
        LOG.info("spawned %s (%s) as %s", instance["uuid"], instance["name"], self.virt_type)

    def _cleanup(self, instance: Instance, network_info: Network, destroy_disks: bool) -> None:
        domain = self._host.lookup(str(instance["uuid"]))
        if domain is not None:
            if domain.isActive():
                self._ignore_not_running(domain.destroy)
            flags = (self.libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                     | self.libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
            try:
                domain.undefineFlags(flags)
            except self.libvirt.libvirtError as error:
                if error.get_error_code() != self.libvirt.VIR_ERR_NO_DOMAIN:
                    raise
        self.vif_driver.unplug_all(instance, network_info)
        if destroy_disks:
            shutil.rmtree(self.instance_dir(instance), ignore_errors=True)

    def destroy(self, context: RequestContext | None, instance: Instance, network_info: Network,
                destroy_disks: bool = True) -> None:
        self._cleanup(instance, network_info, destroy_disks)

    # --- power --------------------------------------------------------------------------

    def get_power_state(self, instance: Instance) -> int:
        domain = self._host.lookup(str(instance["uuid"]))
        if domain is None:
            return states.NOSTATE
        state, _reason = domain.state()
        if state == self.libvirt.VIR_DOMAIN_SHUTOFF and domain.hasManagedSaveImage(0):
            return states.POWER_SUSPENDED
        return power_state_from_domain_state(state)

    def reboot(self, context: RequestContext | None, instance: Instance, network_info: Network,
               reboot_type: str) -> None:
        if reboot_type == "SOFT" and self._soft_reboot(instance, network_info):
            return
        self._hard_reboot(instance, network_info)

    def _soft_reboot(self, instance: Instance, network_info: Network) -> bool:
        """ACPI shutdown, wait, start; False when the guest did not stop in time."""
        domain = self._domain(instance)
        if domain.state()[0] != self.libvirt.VIR_DOMAIN_RUNNING:
            LOG.info("soft reboot of %s: not running, rebooting hard", instance["uuid"])
            return False
        self._ignore_not_running(domain.shutdown)
        if not self._host.wait_for_stop(domain, CONF.reboot_timeout):
            LOG.warning("soft reboot of %s: no shutdown within %ss, rebooting hard",
                        instance["uuid"], CONF.reboot_timeout)
            return False
        self._start(domain, instance, network_info)
        return True

    def _hard_reboot(self, instance: Instance, network_info: Network) -> None:
        domain = self._host.lookup(str(instance["uuid"]))
        if domain is not None:
            if domain.isActive():
                self._ignore_not_running(domain.destroy)
            if domain.hasManagedSaveImage(0):
                domain.managedSaveRemove(0)
        domain = self._define(instance, network_info)
        self._start(domain, instance, network_info)

    def power_off(self, instance: Instance, timeout: int = 0) -> None:
        domain = self._domain(instance)
        if not domain.isActive():
            return
        if timeout > 0 and domain.state()[0] == self.libvirt.VIR_DOMAIN_RUNNING:
            self._ignore_not_running(domain.shutdown)
            if self._host.wait_for_stop(domain, timeout):
                return
            LOG.info("%s did not shut down within %ss: powering it off", instance["uuid"],
                     timeout)
        self._ignore_not_running(domain.destroy)

    def power_on(self, context: RequestContext | None, instance: Instance,
                 network_info: Network) -> None:
        domain = self._domain(instance)
        if domain.isActive():
            return
        self._start(domain, instance, network_info)

    def pause(self, instance: Instance) -> None:
        self._domain(instance).suspend()

    def unpause(self, instance: Instance) -> None:
        self._domain(instance).resume()

    def suspend(self, context: RequestContext | None, instance: Instance) -> None:
        try:
            self._domain(instance).managedSave(0)
        except self.libvirt.libvirtError as error:
            raise VirtDriverError(f"Suspend of {instance['uuid']} failed: "
                                  f"{error.get_error_message()}") from None

    def resume(self, context: RequestContext | None, instance: Instance,
               network_info: Network) -> None:
        domain = self._domain(instance)
        if not domain.hasManagedSaveImage(0):
            raise VirtDriverError(f"Instance {instance['uuid']} is not suspended")
        # starting a domain with a managed save restores it
        self._start(domain, instance, network_info)

    # --- interfaces ---------------------------------------------------------------------

    def _interface_change(self, instance: Instance, vif: VIF, attach: bool) -> bool:
        """Attach or detach the NIC of ``vif`` (live too when the guest runs); whether the
        guest was running."""
        domain = self._domain(instance)
        nic = self.vif_driver.get_config(vif)
        if nic is None:
            raise VirtDriverError(f"Port {vif.get('id')} has no MAC address or tap name")
        live = bool(domain.isActive())
        flags = self.libvirt.VIR_DOMAIN_AFFECT_CONFIG
        if live:
            flags |= self.libvirt.VIR_DOMAIN_AFFECT_LIVE
        xml = ET.tostring(nic.to_element(), encoding="unicode")
        try:
            if attach:
                domain.attachDeviceFlags(xml, flags)
            else:
                domain.detachDeviceFlags(xml, flags)
        except self.libvirt.libvirtError as error:
            if attach:
                raise VirtDriverError(f"Attaching port {vif.get('id')} failed: "
                                      f"{error.get_error_message()}") from None
            LOG.warning("detach of port %s from %s: %s", vif.get("id"), instance["uuid"],
                        error.get_error_message())
        return live

    def refresh_security_group_rules(self, instance: Instance, vif: VIF) -> None:
        self.vif_driver.update_rules(vif)

    def apply_l3_state(self, state: dict[str, Any]) -> None:
        self.vif_driver.apply_l3(state)

    def attach_interface(self, context: RequestContext | None, instance: Instance,
                         vif: VIF) -> None:
        self.vif_driver.prepare(instance, vif)
        try:
            live = self._interface_change(instance, vif, attach=True)
        except Exception:
            self.vif_driver.unplug(instance, vif)
            raise
        if live:
            self.vif_driver.plug(instance, vif)

    def detach_interface(self, context: RequestContext | None, instance: Instance,
                         vif: VIF) -> None:
        self._interface_change(instance, vif, attach=False)
        self.vif_driver.unplug(instance, vif)

    # --- volumes ------------------------------------------------------------------------

    def get_volume_connector(self, instance: Instance) -> dict[str, Any]:
        return {"host": self.host_name, "ip": str(CONF.my_ip), "platform": "x86_64",
                "os_type": "linux", "multipath": False, "do_local_attach": False,
                "initiator": f"iqn.2026-12.org.novalite:{self.host_name}"}

    def _volume_flags(self, domain: Domain) -> tuple[int, bool]:
        live = bool(domain.isActive())
        flags = self.libvirt.VIR_DOMAIN_AFFECT_CONFIG
        if live:
            flags |= self.libvirt.VIR_DOMAIN_AFFECT_LIVE
        return flags, live

    def attach_volume(self, context: RequestContext | None, connection_info: dict[str, Any],
                      instance: Instance, mountpoint: str, volume_id: str) -> None:
        disk = guest_volume(connection_info, mountpoint, volume_id)
        domain = self._domain(instance)
        flags, _live = self._volume_flags(domain)
        try:
            domain.attachDeviceFlags(disk.to_xml(), flags)
        except self.libvirt.libvirtError as error:
            raise VirtDriverError(f"Attaching volume {volume_id} failed: "
                                  f"{error.get_error_message()}") from None
        AttachedVolumes(self.instance_dir(instance)).add(volume_id, mountpoint,
                                                         connection_info)

    def detach_volume(self, context: RequestContext | None, connection_info: dict[str, Any],
                      instance: Instance, mountpoint: str, volume_id: str) -> None:
        volumes = AttachedVolumes(self.instance_dir(instance))
        domain = self._host.lookup(str(instance["uuid"]))
        if domain is None:
            volumes.remove(volume_id)
            return
        disk = guest_volume(connection_info, mountpoint, volume_id) if connection_info \
            else None
        target = disk.target_dev if disk else mountpoint.rsplit("/", 1)[-1]
        flags, live = self._volume_flags(domain)
        if disk is not None and target in config.disk_targets(domain.XMLDesc(0)):
            try:
                domain.detachDeviceFlags(disk.to_xml(), flags)
            except self.libvirt.libvirtError as error:
                raise VirtDriverError(f"Detaching volume {volume_id} failed: "
                                      f"{error.get_error_message()}") from None
            if live and not self._wait_for_detach(domain, target):
                raise VirtDriverError(
                    f"The guest did not release volume {volume_id} ({target}) within "
                    f"{CONF.volume_detach_timeout} s")
        volumes.remove(volume_id)

    def _wait_for_detach(self, domain: Domain, target: str) -> bool:
        """Whether the running guest let the disk go (QEMU removes it once the guest
        answered the unplug request) in ``[DEFAULT] volume_detach_timeout``."""
        deadline = time.monotonic() + CONF.volume_detach_timeout
        while time.monotonic() < deadline:
            try:
                if target not in config.disk_targets(domain.XMLDesc(0)):
                    return True
            except self.libvirt.libvirtError:
                return True  # gone with its domain
            time.sleep(0.1)
        return False

    # --- reads --------------------------------------------------------------------------

    def qemu_pid(self, instance: Instance) -> int:
        """The QEMU process id of a running guest, 0 when it is not running."""
        domain = self._host.lookup(str(instance["uuid"]))
        if domain is None or not domain.isActive():
            return 0
        try:
            with open(os.path.join(PID_DIR, f"{domain.name()}.pid")) as handle:
                return int(handle.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def get_diagnostics(self, instance: Instance) -> Diagnostics:
        domain = self._domain(instance)
        xml = domain.XMLDesc(0)
        metadata = config.parse_metadata(xml)
        state, max_mem_kib, mem_kib, num_cpus, _cpu_time = domain.info()
        pid = self.qemu_pid(instance)
        uptime = 0
        if pid:
            try:
                uptime = int(time.time() - os.stat(f"/proc/{pid}").st_mtime)
            except OSError:
                uptime = 0
        cpu_details: list[CpuDiagnostics] = []
        disk_details: list[DiskDiagnostics] = []
        if domain.isActive():
            for number, _state, cpu_time, _cpu in domain.vcpus()[0]:
                cpu_details.append({"id": number, "time": cpu_time, "utilisation": None})
            for target in ET.fromstring(xml).iterfind("devices/disk/target"):
                dev = target.get("dev", "")
                rd_req, rd_bytes, wr_req, wr_bytes, errors = domain.blockStats(dev)
                disk_details.append({"read_bytes": rd_bytes, "read_requests": rd_req,
                                     "write_bytes": wr_bytes, "write_requests": wr_req,
                                     "errors_count": errors})
        power_state = self.get_power_state(instance)
        return {"state": states.POWER_STATE_NAMES.get(power_state, "pending"),
                "driver": "libvirt", "hypervisor": self.virt_type, "hypervisor_os": "linux",
                "uptime": uptime, "num_cpus": num_cpus,
                "num_nics": len(ET.fromstring(xml).findall("devices/interface")),
                "num_disks": len(config.disk_paths(xml)),
                "memory_details": {"maximum": max_mem_kib // 1024, "used": mem_kib // 1024},
                "pid": pid, "defined_at": metadata.defined_at if metadata else 0.0,
                "cpu_details": cpu_details, "nic_details": [], "disk_details": disk_details,
                "config_drive": False}

    def _running_xml(self, instance: Instance) -> str:
        domain = self._domain(instance)
        if not domain.isActive():
            raise GuestNotRunning(f"Instance {instance['uuid']} is not running")
        return domain.XMLDesc(0)

    def _display(self, instance: Instance, kind: str, proxyclient_address: str
                 ) -> ConsoleEndpoint:
        port = config.graphics_port(self._running_xml(instance), kind)
        if port is None:
            raise ConsoleUnavailable(kind)
        return ConsoleEndpoint(proxyclient_address, port)

    def get_vnc_console(self, instance: Instance) -> ConsoleEndpoint:
        return self._display(instance, "vnc", CONF.vnc.server_proxyclient_address)

    def get_spice_console(self, instance: Instance) -> ConsoleEndpoint:
        return self._display(instance, "spice", CONF.spice.server_proxyclient_address)

    def get_serial_console(self, instance: Instance) -> ConsoleEndpoint:
        ports = config.serial_tcp_ports(self._running_xml(instance))
        if not ports:
            raise ConsoleUnavailable("serial")
        host, port = ports[0]
        return ConsoleEndpoint(host, port)

    def console_pty(self, instance: Instance) -> str | None:
        """The host pty of a running guest's serial console (interactive access), when
        serial consoles are disabled (else the port is a TCP server)."""
        domain = self._host.lookup(str(instance["uuid"]))
        if domain is None or not domain.isActive():
            return None
        source = ET.fromstring(domain.XMLDesc(0)).find("devices/serial[@type='pty']/source")
        return source.get("path") if source is not None else None

    def get_console_output(self, context: RequestContext | None, instance: Instance) -> str:
        path = os.path.join(self.instance_dir(instance), CONSOLE_LOG)
        try:
            with open(path, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(max(0, size - MAX_CONSOLE_BYTES))
                data = handle.read()
        except FileNotFoundError:
            if self._host.lookup(str(instance["uuid"])) is None:
                raise VirtDriverError(f"Instance {instance['uuid']} is not on "
                                      f"{self.host_name}") from None
            return ""
        return data.decode("utf-8", errors="replace").replace("\r\n", "\n")
