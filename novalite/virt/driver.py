"""The hypervisor driver interface every virt driver implements.

The compute manager is the only caller. Instances are passed as plain dicts (the
fields the manager got from the conductor: ``uuid``, ``name``, ``vcpus``,
``memory_mb``, ``root_gb``, ``image_ref``, ``user_data`` ...), so drivers never
touch the database. Power states are ``novalite.common.instance_states`` power states.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from typing import Any, TypedDict

from novalite.common.context import RequestContext

#: The instance record as the conductor hands it over (every column of the instances
#: table, plus the hypervisor ``name`` and the flavor's ``extra_specs``), shared as a
#: plain dict with compute and the metadata service.
Instance = dict[str, Any]
#: One entry of an instance's ``network_info``: Nova's VIF dict, as
#: ``novalite.network.client.network_info_for`` builds it (``id``, ``address``,
#: ``devname``, ``network`` with its ``subnets`` and their ``ips``), plus
#: ``security_group_rules`` (Neutron rule bodies) where the caller adds them.
VIF = dict[str, Any]
NetworkInfo = list[VIF]
#: The image service's record of an image (core fields and its properties).
ImageMeta = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class HostResources:
    """What a host offers, for the resource tracker's inventory."""

    hypervisor_hostname: str
    hypervisor_type: str
    hypervisor_version: int
    vcpus: int
    memory_mb: int
    local_gb: int
    cpu_info: str = "{}"


@dataclasses.dataclass(frozen=True)
class LifecycleEvent:
    """A guest changed power state on its own (it powered off, crashed, was paused)."""

    instance_uuid: str
    power_state: int


class MemoryDiagnostics(TypedDict):
    maximum: int  # MiB
    used: int  # MiB


class CpuDiagnostics(TypedDict):
    id: int
    time: int  # nanoseconds
    utilisation: int | None


class NicDiagnostics(TypedDict):
    mac_address: str
    rx_octets: int
    rx_errors: int
    rx_drop: int
    rx_packets: int
    rx_rate: int | None
    tx_octets: int
    tx_errors: int
    tx_drop: int
    tx_packets: int
    tx_rate: int | None


class DiskDiagnostics(TypedDict):
    read_bytes: int
    read_requests: int
    write_bytes: int
    write_requests: int
    errors_count: int


class Diagnostics(TypedDict):
    """Nova's standard diagnostics (``os-server-diagnostics`` 2.48), plus what the
    reboot semantics are observed by: the QEMU ``pid`` and ``defined_at``."""

    state: str
    driver: str
    hypervisor: str
    hypervisor_os: str
    uptime: int
    num_cpus: int
    num_nics: int
    num_disks: int
    memory_details: MemoryDiagnostics
    pid: int
    defined_at: float
    cpu_details: list[CpuDiagnostics]
    nic_details: list[NicDiagnostics]
    disk_details: list[DiskDiagnostics]
    config_drive: bool


class VirtDriverError(Exception):
    """A driver operation failed; the message goes into the instance fault."""


class ConsoleUnavailable(VirtDriverError):
    """The guest has no console of this kind (the driver has none, or it is disabled)."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"No {kind} console")
        self.kind = kind


class GuestNotRunning(VirtDriverError):
    """The guest is not running, so none of its consoles listens."""


class NotSupportedByDriver(VirtDriverError):
    """This driver (or this guest) cannot do what was asked."""


class AgentNotEnabled(NotSupportedByDriver):
    """What was asked needs an agent inside the guest, which this guest has not."""


class MoveRefused(VirtDriverError):
    """A resize or migration the driver refuses before touching the guest (a smaller
    disk, another host it cannot reach): the server goes back as it was."""


@dataclasses.dataclass(frozen=True)
class SnapshotImage:
    """A guest disk written for the image service: the file and its formats."""

    path: str
    disk_format: str
    container_format: str = "bare"


@dataclasses.dataclass(frozen=True)
class Move:
    """A resize, cold or live migration as the driver needs to know it."""

    source_host: str
    dest_host: str
    #: the sizes before and after (the flavor copies: ``vcpus``, ``memory_mb``,
    #: ``root_gb`` ...); the same for a migration
    old_flavor: dict[str, Any]
    new_flavor: dict[str, Any]

    @property
    def same_host(self) -> bool:
        return self.source_host == self.dest_host


@dataclasses.dataclass(frozen=True)
class ConsoleEndpoint:
    """Where a running guest's console listens on its host: what a proxy dials.
    ``internal_access_path``, when set, is sent as ``CONNECT <path>`` first."""

    host: str
    port: int
    internal_access_path: str | None = None


class ComputeDriver(abc.ABC):
    """Drives one hypervisor host."""

    _event_listener: Callable[[LifecycleEvent], None] | None = None

    def init_host(self, host: str) -> None:  # noqa: B027 - optional hook
        """Prepare the host; runs once when the compute service starts."""

    def cleanup_host(self, host: str) -> None:  # noqa: B027 - optional hook
        """Release what init_host took; runs once when the compute service stops."""

    def register_event_listener(self, callback: Callable[[LifecycleEvent], None]) -> None:
        self._event_listener = callback

    def emit_event(self, event: LifecycleEvent) -> None:
        listener = self._event_listener
        if listener is not None:
            listener(event)

    @abc.abstractmethod
    def get_host_resources(self) -> HostResources: ...

    @abc.abstractmethod
    def list_instance_uuids(self) -> list[str]: ...

    @abc.abstractmethod
    def get_power_state(self, instance: Instance) -> int:
        """The instance's power state, ``NOSTATE`` when the hypervisor does not know it."""

    @abc.abstractmethod
    def spawn(self, context: RequestContext | None, instance: Instance,
              image_meta: ImageMeta, network_info: NetworkInfo,
              block_device_info: dict[str, Any] | None) -> None: ...

    @abc.abstractmethod
    def destroy(self, context: RequestContext | None, instance: Instance,
                network_info: NetworkInfo, destroy_disks: bool = True) -> None: ...

    @abc.abstractmethod
    def reboot(self, context: RequestContext | None, instance: Instance,
               network_info: NetworkInfo, reboot_type: str) -> None:
        """``SOFT``: graceful shutdown then start (falls back to HARD); ``HARD``: destroy and
        start from a freshly generated definition."""

    @abc.abstractmethod
    def power_off(self, instance: Instance, timeout: int = 0) -> None: ...

    @abc.abstractmethod
    def power_on(self, context: RequestContext | None, instance: Instance,
                 network_info: NetworkInfo) -> None: ...

    @abc.abstractmethod
    def pause(self, instance: Instance) -> None: ...

    @abc.abstractmethod
    def unpause(self, instance: Instance) -> None: ...

    @abc.abstractmethod
    def suspend(self, context: RequestContext | None, instance: Instance) -> None: ...

    @abc.abstractmethod
    def resume(self, context: RequestContext | None, instance: Instance,
               network_info: NetworkInfo) -> None: ...

    @abc.abstractmethod
    def get_diagnostics(self, instance: Instance) -> Diagnostics: ...

    def get_console_output(self, context: RequestContext | None, instance: Instance) -> str:
        raise VirtDriverError("This driver has no console log.")

    def get_vnc_console(self, instance: Instance) -> ConsoleEndpoint:
        """The guest's VNC server, read from the running guest (so a proxy can check a
        token against the port the guest has now)."""
        raise ConsoleUnavailable("vnc")

    def get_spice_console(self, instance: Instance) -> ConsoleEndpoint:
        raise ConsoleUnavailable("spice")

    def get_serial_console(self, instance: Instance) -> ConsoleEndpoint:
        """The TCP server of the guest's first serial port (raw bytes of the UART)."""
        raise ConsoleUnavailable("serial")

    def refresh_security_group_rules(self, instance: Instance, vif: VIF) -> None:
        """Apply ``vif["security_group_rules"]`` to the host side of the port, if it is
        plugged here (drivers without a data plane have nothing to do)."""
        return None

    def apply_l3_state(self, state: dict[str, Any]) -> None:
        """Make the host's data plane route and NAT as the network service's routers and
        floating IPs say (``compute.network.l3_state``); drivers without a data plane
        have nothing to do."""
        return None

    def attach_interface(self, context: RequestContext | None, instance: Instance,
                         vif: VIF) -> None:
        """Hot-plug a NIC for ``vif`` into the (running or stopped) guest."""
        raise VirtDriverError("This driver cannot attach interfaces.")

    def detach_interface(self, context: RequestContext | None, instance: Instance,
                         vif: VIF) -> None:
        """Remove the NIC of ``vif`` from the guest; no error when it is not there."""
        raise VirtDriverError("This driver cannot detach interfaces.")

    # --- volumes -----------------------------------------------------------------------

    def get_volume_connector(self, instance: Instance) -> dict[str, Any]:
        """How the volume service is to export a volume to this host (os-brick's
        connector properties: ``host``, ``ip``, ``initiator`` ...)."""
        raise VirtDriverError("This driver cannot attach volumes.")

    def attach_volume(self, context: RequestContext | None, connection_info: dict[str, Any],
                      instance: Instance, mountpoint: str, volume_id: str) -> None:
        """Connect the volume ``connection_info`` describes as ``mountpoint`` (``vdb``)
        of the guest: hot-plugged when it runs, and kept across reboots."""
        raise VirtDriverError("This driver cannot attach volumes.")

    def detach_volume(self, context: RequestContext | None, connection_info: dict[str, Any],
                      instance: Instance, mountpoint: str, volume_id: str) -> None:
        """Remove the volume from the guest (waiting until the guest let it go); no
        error when it is not there."""
        raise VirtDriverError("This driver cannot detach volumes.")

    # --- images of the guest ---------------------------------------------------------

    def snapshot(self, context: RequestContext | None, instance: Instance,
                 directory: str) -> SnapshotImage:
        """Write the guest's root disk as one standalone image file in ``directory``
        (a running guest is paused meanwhile, then runs on)."""
        raise NotSupportedByDriver("This driver cannot snapshot a guest.")

    # --- rescue -----------------------------------------------------------------------

    def rescue(self, context: RequestContext | None, instance: Instance,
               network_info: NetworkInfo, rescue_image: ImageMeta,
               rescue_password: str | None) -> None:
        """Boot ``rescue_image`` with the guest's own disk attached as the second disk."""
        raise NotSupportedByDriver("This driver cannot rescue a guest.")

    def unrescue(self, context: RequestContext | None, instance: Instance,
                 network_info: NetworkInfo) -> None:
        """Boot the guest from its own disk again, the rescue disk removed."""
        raise NotSupportedByDriver("This driver cannot unrescue a guest.")

    # --- resize and cold migration ----------------------------------------------------

    def migrate_disk_and_power_off(self, context: RequestContext | None, instance: Instance,
                                   network_info: NetworkInfo, move: Move,
                                   timeout: int) -> None:
        """On the source: refuse (``MoveRefused``) what cannot be done, then stop the
        guest and keep what a revert needs."""
        raise MoveRefused("This driver cannot resize or migrate a guest.")

    def finish_migration(self, context: RequestContext | None, instance: Instance,
                         image_meta: ImageMeta, network_info: NetworkInfo, move: Move,
                         power_on: bool) -> None:
        """On the destination: the guest with the new sizes (``instance`` has them),
        its disk grown; started if ``power_on``."""
        raise NotSupportedByDriver("This driver cannot resize or migrate a guest.")

    def confirm_migration(self, context: RequestContext | None, instance: Instance,
                          network_info: NetworkInfo, move: Move) -> None:
        """On the source, once confirmed: drop what was kept for a revert (and the old
        guest when it moved to another host)."""
        raise NotSupportedByDriver("This driver cannot resize or migrate a guest.")

    def finish_revert_migration(self, context: RequestContext | None, instance: Instance,
                                network_info: NetworkInfo, move: Move,
                                power_on: bool) -> None:
        """On the source: the guest as it was before (``instance`` has the old sizes)."""
        raise NotSupportedByDriver("This driver cannot resize or migrate a guest.")

    # --- live migration ---------------------------------------------------------------

    def pre_live_migration(self, context: RequestContext | None, instance: Instance,
                           network_info: NetworkInfo, move: Move) -> None:
        """On the destination: get ready to receive the running guest."""
        raise NotSupportedByDriver("This driver cannot live-migrate a guest.")

    def live_migration(self, context: RequestContext | None, instance: Instance,
                       move: Move) -> None:
        """On the source: hand the running guest over to ``move.dest_host``."""
        raise NotSupportedByDriver("This driver cannot live-migrate a guest.")

    def post_live_migration_at_destination(self, context: RequestContext | None,
                                           instance: Instance, network_info: NetworkInfo,
                                           move: Move) -> None:
        """On the destination: the guest received runs here now."""
        raise NotSupportedByDriver("This driver cannot live-migrate a guest.")

    def rollback_live_migration_at_destination(self, context: RequestContext | None,
                                               instance: Instance,
                                               network_info: NetworkInfo) -> None:
        """On the destination: forget a guest that did not arrive."""
        return None

    # --- guest operations ---------------------------------------------------------------

    def trigger_crash_dump(self, instance: Instance) -> None:
        """Inject an NMI (the guest's kernel may dump and reboot); ``GuestNotRunning``
        when the guest does not run."""
        raise NotSupportedByDriver("This driver cannot trigger a crash dump.")

    def set_admin_password(self, instance: Instance, new_pass: str) -> None:
        """Set the guest's administrator password (through an agent in the guest)."""
        raise NotSupportedByDriver("This driver cannot set a guest's password.")

    def inject_network_info(self, instance: Instance, network_info: NetworkInfo) -> None:
        """Tell the guest its (changed) network configuration; nothing to do for drivers
        whose guests read it from the metadata service or DHCP."""
        return None

    def soft_delete(self, instance: Instance, timeout: int = 0) -> None:
        """A soft-deleted guest keeps its disk but stops (it may be restored)."""
        self.power_off(instance, timeout)

    def restore(self, context: RequestContext | None, instance: Instance,
                network_info: NetworkInfo) -> None:
        """Start a soft-deleted guest again."""
        self.power_on(context, instance, network_info)

    def get_host_uptime(self) -> str:
        """The host's ``uptime`` line (``HH:MM:SS up ..., N users, load average: ...``), as
        Nova's libvirt driver reports it; both drivers run on the host they drive."""
        return host_uptime()


def host_uptime(proc: str = "/proc") -> str:
    """What ``uptime`` prints, from ``/proc/uptime`` and ``/proc/loadavg``."""
    import time

    with open(f"{proc}/uptime") as handle:
        seconds = int(float(handle.read().split()[0]))
    with open(f"{proc}/loadavg") as handle:
        loads = handle.read().split()[:3]
    days, rest = divmod(seconds, 86400)
    hours, minutes = divmod(rest // 60, 60)
    up = f"{days} day{'s' if days != 1 else ''}, " if days else ""
    up += f"{hours:2d}:{minutes:02d}" if hours else f"{minutes} min"
    return (f"{time.strftime('%H:%M:%S')} up {up},  0 users,  load average: "
            f"{', '.join(loads)}")
