"""The libvirt connection of one compute host: events, domain lookup, host resources.

libvirt delivers domain events only through an event loop implementation that is
registered before the connection is opened; ``Host`` registers the default one
once per process and runs it on a daemon thread. Lifecycle events are translated
to power states and handed to a callback; threads waiting for a domain to stop
(soft reboot, power off) are woken by the same events.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from typing import Any, TypedDict

from novalite.common import instance_states as states
from novalite.virt.libvirt import daemon
from novalite.virt.libvirt.protocols import Connection, Domain

LOG = logging.getLogger(__name__)

_event_loop_lock = threading.Lock()
_event_loop_started = False


def start_event_loop() -> None:
    """Register libvirt's default event loop and run it on a daemon thread (once)."""
    global _event_loop_started
    libvirt = daemon.import_libvirt()
    with _event_loop_lock:
        if _event_loop_started:
            return
        libvirt.virEventRegisterDefaultImpl()

        def run() -> None:
            while True:
                try:
                    libvirt.virEventRunDefaultImpl()
                except Exception:  # keep the loop alive whatever a callback did
                    LOG.exception("libvirt event loop iteration failed")

        threading.Thread(target=run, name="libvirt-events", daemon=True).start()
        _event_loop_started = True


def power_state_from_event(event: int, detail: int) -> int | None:
    """The power state a lifecycle event reports, None for events that report none."""
    libvirt = daemon.import_libvirt()
    if event == libvirt.VIR_DOMAIN_EVENT_STOPPED:
        if detail == libvirt.VIR_DOMAIN_EVENT_STOPPED_SAVED:
            return states.POWER_SUSPENDED
        if detail == libvirt.VIR_DOMAIN_EVENT_STOPPED_CRASHED:
            return states.CRASHED
        return states.SHUTDOWN
    if event in (libvirt.VIR_DOMAIN_EVENT_STARTED, libvirt.VIR_DOMAIN_EVENT_RESUMED):
        return states.RUNNING
    if event == libvirt.VIR_DOMAIN_EVENT_SUSPENDED:
        return states.POWER_PAUSED
    if event == libvirt.VIR_DOMAIN_EVENT_PMSUSPENDED:
        return states.POWER_SUSPENDED
    if event == libvirt.VIR_DOMAIN_EVENT_CRASHED:
        return states.CRASHED
    return None


def power_state_from_domain_state(state: int) -> int:
    libvirt = daemon.import_libvirt()
    return {
        libvirt.VIR_DOMAIN_NOSTATE: states.NOSTATE,
        libvirt.VIR_DOMAIN_RUNNING: states.RUNNING,
        libvirt.VIR_DOMAIN_BLOCKED: states.RUNNING,
        libvirt.VIR_DOMAIN_PAUSED: states.POWER_PAUSED,
        libvirt.VIR_DOMAIN_SHUTDOWN: states.RUNNING,  # shutting down, still running
        libvirt.VIR_DOMAIN_SHUTOFF: states.SHUTDOWN,
        libvirt.VIR_DOMAIN_CRASHED: states.CRASHED,
        libvirt.VIR_DOMAIN_PMSUSPENDED: states.POWER_SUSPENDED,
    }.get(state, states.NOSTATE)


class CPUTopology(TypedDict):
    sockets: int
    cores: int
    threads: int


class HostInfo(TypedDict):
    """What ``Host.resources`` reports."""

    vcpus: int
    memory_mb: int
    local_gb: int
    hypervisor_version: int
    hypervisor_hostname: str
    cpu_arch: str
    cpu_mhz: int
    topology: CPUTopology


class Host:
    """One libvirt connection with lifecycle events."""

    def __init__(self, uri: str, events: bool = True) -> None:
        self.uri = uri
        self._events = events
        self._connection: Connection | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Condition()
        self._callback: Callable[[str, int], None] | None = None
        self._callback_id: int | None = None

    @property
    def libvirt(self) -> Any:
        """The libvirt module (untyped: see ``protocols``)."""
        return daemon.import_libvirt()

    def connect(self) -> Connection:
        """The open connection (opened on first use; LibvirtUnavailable if impossible)."""
        with self._lock:
            if self._connection is not None and self._connection.isAlive():
                return self._connection
            if self._events:
                start_event_loop()
            connection = daemon.open_connection(self.uri)
            if self._events:
                self._callback_id = connection.domainEventRegisterAny(
                    None, self.libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self._on_lifecycle, None)
            self._connection = connection
            return connection

    def close(self) -> None:
        with self._lock:
            if self._connection is None:
                return
            try:
                if self._callback_id is not None:
                    self._connection.domainEventDeregisterAny(self._callback_id)
                self._connection.close()
            except self.libvirt.libvirtError:
                pass
            self._connection = None
            self._callback_id = None

    def set_lifecycle_callback(self, callback: Callable[[str, int], None] | None) -> None:
        self._callback = callback

    def _on_lifecycle(self, _conn: Connection, domain: Domain, event: int, detail: int,
                      _opaque: object) -> None:
        with self._stopped:
            self._stopped.notify_all()
        power_state = power_state_from_event(event, detail)
        if power_state is None or self._callback is None:
            return
        try:
            self._callback(domain.UUIDString(), power_state)
        except Exception:
            LOG.exception("lifecycle callback failed for %s", domain.UUIDString())

    # --- domains ------------------------------------------------------------------------

    def lookup(self, uuid: str) -> Domain | None:
        """The domain with this UUID, None if libvirt does not know it."""
        libvirt = self.libvirt
        try:
            return self.connect().lookupByUUIDString(uuid)
        except libvirt.libvirtError as error:
            if error.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                return None
            raise

    def list_domains(self) -> list[Domain]:
        return list(self.connect().listAllDomains(0))

    def wait_for_stop(self, domain: Domain, timeout: float) -> bool:
        """Wait until ``domain`` is no longer active; False when ``timeout`` passed first.

        Woken by lifecycle events; re-checks at least every half second in case an
        event is lost.
        """
        deadline = time.monotonic() + timeout
        while True:
            if not domain.isActive():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._stopped:
                self._stopped.wait(min(remaining, 0.5))

    # --- resources ----------------------------------------------------------------------

    def resources(self, disk_path: str) -> HostInfo:
        """vcpus, memory_mb, local_gb, hypervisor version and CPU info of this host."""
        connection = self.connect()
        # [model, memory MiB, cpus, MHz, nodes, sockets, cores, threads]
        info = connection.getInfo()
        usage = shutil.disk_usage(disk_path)
        return {"vcpus": int(info[2]), "memory_mb": int(info[1]),
                "local_gb": int(usage.total // (1024 ** 3)),
                "hypervisor_version": int(connection.getVersion()),
                "hypervisor_hostname": connection.getHostname(),
                "cpu_arch": str(info[0]), "cpu_mhz": int(info[3]),
                "topology": {"sockets": int(info[5]), "cores": int(info[6]),
                             "threads": int(info[7])}}
