"""Client side of the compute RPC API: each message goes to ``compute`` on one host.

Version history:
  1.0 - build_and_run_instance, terminate_instance, reboot_instance, stop_instance,
        start_instance, pause_instance, unpause_instance, suspend_instance,
        resume_instance, get_diagnostics, get_console_output
  1.1 - attach_interface, detach_interface
"""

from __future__ import annotations

from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.common.rpcapi import RPCAPIBase

TOPIC = "compute"
Instance = dict[str, Any]


class ComputeAPI(RPCAPIBase):
    TOPIC = TOPIC
    RPC_API_VERSION = "1.1"
    UPGRADE_LEVEL = "compute"

    def _to(self, host: str, version: str = "1.0", **kwargs: Any) -> Any:
        return self.prepare(server=host, version=version, **kwargs)

    def _require(self, version: str, what: str) -> None:
        if not self.can_send_version(version):
            raise exception.Conflict(reason=f"{what} needs compute RPC {version}; this "
                                            f"cloud is capped at {self.version_cap}")

    def build_and_run_instance(self, ctxt: RequestContext, host: str, instance: Instance,
                               request_spec: dict[str, Any], alternates: list[dict[str, Any]],
                               node: str | None = None) -> None:
        self._to(host).cast(ctxt, "build_and_run_instance", instance=instance,
                            request_spec=request_spec, alternates=alternates, node=node)

    def terminate_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._to(instance["host"]).cast(ctxt, "terminate_instance", instance=instance)

    def reboot_instance(self, ctxt: RequestContext, instance: Instance, reboot_type: str) -> None:
        self._to(instance["host"]).cast(ctxt, "reboot_instance", instance=instance,
                                        reboot_type=reboot_type)

    def stop_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._to(instance["host"]).cast(ctxt, "stop_instance", instance=instance)

    def start_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._to(instance["host"]).cast(ctxt, "start_instance", instance=instance)

    def pause_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._to(instance["host"]).cast(ctxt, "pause_instance", instance=instance)

    def unpause_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._to(instance["host"]).cast(ctxt, "unpause_instance", instance=instance)

    def suspend_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._to(instance["host"]).cast(ctxt, "suspend_instance", instance=instance)

    def resume_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._to(instance["host"]).cast(ctxt, "resume_instance", instance=instance)

    def get_diagnostics(self, ctxt: RequestContext, instance: Instance) -> dict[str, Any]:
        return self._to(instance["host"]).call(ctxt, "get_diagnostics", instance=instance)

    def get_console_output(self, ctxt: RequestContext, instance: Instance,
                           tail_length: int | None = None) -> str:
        return self._to(instance["host"]).call(ctxt, "get_console_output", instance=instance,
                                               tail_length=tail_length)

    def attach_interface(self, ctxt: RequestContext, instance: Instance,
                         network_id: str | None, port_id: str | None,
                         requested_ip: str | None) -> dict[str, Any]:
        """A new port of ``network_id`` (or the given port) plugged into the guest; its VIF."""
        self._require("1.1", "Attaching an interface")
        return self._to(instance["host"], "1.1").call(
            ctxt, "attach_interface", instance=instance, network_id=network_id,
            port_id=port_id, requested_ip=requested_ip)

    def detach_interface(self, ctxt: RequestContext, instance: Instance, port_id: str) -> None:
        self._require("1.1", "Detaching an interface")
        self._to(instance["host"], "1.1").cast(ctxt, "detach_interface", instance=instance,
                                               port_id=port_id)
