"""Client side of the compute RPC API: each message goes to ``compute`` on one host.

Version history:
  1.0 - build_and_run_instance, terminate_instance, reboot_instance, stop_instance,
        start_instance, pause_instance, unpause_instance, suspend_instance,
        resume_instance, get_diagnostics, get_console_output
  1.1 - attach_interface, detach_interface
  2.0 - (release 0.2.0) instances, request specs and selections are versioned objects
        (novalite.objects); 1.x carried release 0.1.0's plain dicts
  2.1 - (release 0.2.0) get_console, validate_console_port (ConsoleAuthToken)
  2.2 - (release 0.2.0) get_host_uptime, external_instance_event

A compute service of release 0.1.0 gets 1.x messages with its dicts (the objects'
``to_legacy``) until it is upgraded: ``[upgrade_levels] compute = auto`` follows the
oldest compute service.
"""

from __future__ import annotations

from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.objects import (
    ConsoleAuthToken,
    Instance,
    InstanceExternalEvent,
    RequestSpec,
    Selection,
)
from novalite.objects.upgrade import MinimumVersion, VersionedRPCAPI

TOPIC = "compute"
BINARY = "novalite-compute"
#: the 1.x version of each method, for a compute of release 0.1.0
_LEGACY_VERSIONS = {"attach_interface": "1.1", "detach_interface": "1.1"}


def _legacy(value: Any) -> Any:
    """Objects as release 0.1.0's dicts (inside lists too)."""
    if isinstance(value, Instance | RequestSpec | Selection):
        return value.to_legacy()
    if isinstance(value, list):
        return [_legacy(item) for item in value]
    return value


class ComputeAPI(VersionedRPCAPI):
    TOPIC = TOPIC
    RPC_API_VERSION = "2.2"
    UPGRADE_LEVEL = "compute"
    LEVEL_ATTRIBUTE = "compute_rpc"
    AUTO_BINARY = BINARY

    def __init__(self, topic: str | None = None, version_cap: str | None = None,
                 minimum_version: MinimumVersion | None = None) -> None:
        super().__init__(topic, version_cap, minimum_version)

    def _send(self, ctxt: RequestContext, host: str | None, method: str, *,
              call: bool = False, version: str = "2.0", **kwargs: Any) -> Any:
        if not host:
            raise exception.Invalid(reason=f"{method}: the instance has no host")
        if version != "2.0" and not self.can_send_version(version):
            raise exception.ComputeTooOld(host=host, method=method, version=version)
        if self.can_send_version("2.0"):
            client = self.prepare(server=host, version=version)
        else:
            client = self.prepare(server=host, version=_LEGACY_VERSIONS.get(method, "1.0"))
            kwargs = {key: _legacy(value) for key, value in kwargs.items()}
        if call:
            return client.call(ctxt, method, **kwargs)
        client.cast(ctxt, method, **kwargs)
        return None

    def _require(self, version: str, what: str) -> None:
        """A 409 when the compute nodes are too old for ``what``."""
        if not self.can_send_version(version):
            raise exception.Conflict(reason=f"{what} needs compute RPC {version}; this "
                                            f"cloud is capped at {self.version_cap}")

    def _call_v21(self, ctxt: RequestContext, host: str | None, method: str, what: str,
                  **kwargs: Any) -> Any:
        self._require("2.1", what)
        if not host:
            raise exception.Invalid(reason=f"{method}: the instance has no host")
        return self.prepare(server=host, version="2.1").call(ctxt, method, **kwargs)

    def build_and_run_instance(self, ctxt: RequestContext, host: str, instance: Instance,
                               request_spec: RequestSpec, alternates: list[Selection],
                               node: str | None = None) -> None:
        self._send(ctxt, host, "build_and_run_instance", instance=instance,
                   request_spec=request_spec, alternates=alternates, node=node)

    def terminate_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "terminate_instance", instance=instance)

    def reboot_instance(self, ctxt: RequestContext, instance: Instance, reboot_type: str) -> None:
        self._send(ctxt, instance.host, "reboot_instance", instance=instance,
                   reboot_type=reboot_type)

    def stop_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "stop_instance", instance=instance)

    def start_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "start_instance", instance=instance)

    def pause_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "pause_instance", instance=instance)

    def unpause_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "unpause_instance", instance=instance)

    def suspend_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "suspend_instance", instance=instance)

    def resume_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "resume_instance", instance=instance)

    def get_diagnostics(self, ctxt: RequestContext, instance: Instance) -> dict[str, Any]:
        result: dict[str, Any] = self._send(ctxt, instance.host, "get_diagnostics", call=True,
                                            instance=instance)
        return result

    def get_console_output(self, ctxt: RequestContext, instance: Instance,
                           tail_length: int | None = None) -> str:
        output: str = self._send(ctxt, instance.host, "get_console_output", call=True,
                                 instance=instance, tail_length=tail_length)
        return output

    def attach_interface(self, ctxt: RequestContext, instance: Instance,
                         network_id: str | None, port_id: str | None,
                         requested_ip: str | None) -> dict[str, Any]:
        """A new port of ``network_id`` (or the given port) plugged into the guest; its VIF."""
        vif: dict[str, Any] = self._send(
            ctxt, instance.host, "attach_interface", call=True, instance=instance,
            network_id=network_id, port_id=port_id, requested_ip=requested_ip)
        return vif

    def detach_interface(self, ctxt: RequestContext, instance: Instance, port_id: str) -> None:
        self._send(ctxt, instance.host, "detach_interface", instance=instance, port_id=port_id)

    def get_console(self, ctxt: RequestContext, instance: Instance,
                    console_type: str) -> ConsoleAuthToken:
        """Where the guest's console of ``console_type`` is, as a token not yet
        authorized (no token, no id): the caller stores it."""
        connection: ConsoleAuthToken = self._call_v21(
            ctxt, instance.host, "get_console", "A remote console", instance=instance,
            console_type=console_type)
        return connection

    def validate_console_port(self, ctxt: RequestContext, instance: Instance, port: int,
                              console_type: str) -> bool:
        """Whether the guest's console of ``console_type`` still listens on ``port``."""
        valid: bool = self._call_v21(
            ctxt, instance.host, "validate_console_port", "Checking a console token",
            instance=instance, port=port, console_type=console_type)
        return valid

    def get_host_uptime(self, ctxt: RequestContext, host: str) -> str:
        """The ``uptime`` line of ``host`` (2.2; a 409 for an older compute)."""
        uptime: str = self._send(ctxt, host, "get_host_uptime", call=True, version="2.2")
        return uptime

    def external_instance_event(self, ctxt: RequestContext, host: str,
                                instances: list[Instance],
                                events: list[InstanceExternalEvent]) -> None:
        """Hand events of other services about ``host``'s instances to it (2.2)."""
        self._send(ctxt, host, "external_instance_event", version="2.2",
                   instances=instances, events=events)
