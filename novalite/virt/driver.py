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
from typing import Any

Instance = dict[str, Any]


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


class VirtDriverError(Exception):
    """A driver operation failed; the message goes into the instance fault."""


class ComputeDriver(abc.ABC):
    """Drives one hypervisor host."""

    def init_host(self, host: str) -> None:  # noqa: B027 - optional hook
        """Prepare the host; runs once when the compute service starts."""

    def cleanup_host(self, host: str) -> None:  # noqa: B027 - optional hook
        """Release what init_host took; runs once when the compute service stops."""

    def register_event_listener(self, callback: Callable[[LifecycleEvent], None]) -> None:
        self._event_listener = callback

    def emit_event(self, event: LifecycleEvent) -> None:
        listener = getattr(self, "_event_listener", None)
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
    def spawn(self, context: Any, instance: Instance, image_meta: dict[str, Any],
              network_info: list[dict[str, Any]], block_device_info: dict[str, Any] | None
              ) -> None: ...

    @abc.abstractmethod
    def destroy(self, context: Any, instance: Instance, network_info: list[dict[str, Any]],
                destroy_disks: bool = True) -> None: ...

    @abc.abstractmethod
    def reboot(self, context: Any, instance: Instance, network_info: list[dict[str, Any]],
               reboot_type: str) -> None:
        """``SOFT``: graceful shutdown then start (falls back to HARD); ``HARD``: destroy and
        start from a freshly generated definition."""

    @abc.abstractmethod
    def power_off(self, instance: Instance, timeout: int = 0) -> None: ...

    @abc.abstractmethod
    def power_on(self, context: Any, instance: Instance,
                 network_info: list[dict[str, Any]]) -> None: ...

    @abc.abstractmethod
    def pause(self, instance: Instance) -> None: ...

    @abc.abstractmethod
    def unpause(self, instance: Instance) -> None: ...

    @abc.abstractmethod
    def suspend(self, context: Any, instance: Instance) -> None: ...

    @abc.abstractmethod
    def resume(self, context: Any, instance: Instance,
               network_info: list[dict[str, Any]]) -> None: ...

    @abc.abstractmethod
    def get_diagnostics(self, instance: Instance) -> dict[str, Any]: ...

    def get_console_output(self, context: Any, instance: Instance) -> str:
        raise VirtDriverError("This driver has no console log.")

    def refresh_security_group_rules(self, instance: Instance, vif: dict[str, Any]) -> None:
        """Apply ``vif["security_group_rules"]`` to the host side of the port, if it is
        plugged here (drivers without a data plane have nothing to do)."""
        return None

    def attach_interface(self, context: Any, instance: Instance,
                         vif: dict[str, Any]) -> None:
        """Hot-plug a NIC for ``vif`` into the (running or stopped) guest."""
        raise VirtDriverError("This driver cannot attach interfaces.")

    def detach_interface(self, context: Any, instance: Instance,
                         vif: dict[str, Any]) -> None:
        """Remove the NIC of ``vif`` from the guest; no error when it is not there."""
        raise VirtDriverError("This driver cannot detach interfaces.")
