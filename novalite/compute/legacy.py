"""The compute agent's RPC 1.x door: release 0.1.0's messages with plain dicts.

A control plane that still believes this host runs release 0.1.0 (``[upgrade_levels]
compute = auto`` re-reads the services table every few seconds after an in-place
upgrade) sends 1.x messages; they are turned into objects and run by the 2.0 manager.
It goes away one release after 0.2.0.
"""

from __future__ import annotations

from typing import Any, Protocol

import oslo_messaging as messaging

from novalite.common.context import RequestContext
from novalite.objects import Instance, RequestSpec, Selection


class ComputeEndpoint(Protocol):
    """The 2.0 endpoint (``ComputeManager``) this door hands the work to."""

    def build_and_run_instance(self, ctxt: RequestContext, instance: Instance,
                               request_spec: RequestSpec, alternates: list[Selection],
                               node: str | None = None) -> None: ...

    def reboot_instance(self, ctxt: RequestContext, instance: Instance,
                        reboot_type: str) -> None: ...

    def get_console_output(self, ctxt: RequestContext, instance: Instance,
                           tail_length: int | None = None) -> str: ...

    def attach_interface(self, ctxt: RequestContext, instance: Instance,
                         network_id: str | None, port_id: str | None,
                         requested_ip: str | None) -> dict[str, Any]: ...

    def detach_interface(self, ctxt: RequestContext, instance: Instance,
                         port_id: str) -> None: ...

#: methods whose only argument to convert is ``instance``
_INSTANCE_METHODS = ("terminate_instance", "stop_instance", "start_instance",
                     "pause_instance", "unpause_instance", "suspend_instance",
                     "resume_instance", "get_diagnostics")


class ComputeV1Proxy:
    target = messaging.Target(version="1.1")

    def __init__(self, manager: ComputeEndpoint) -> None:
        self.manager = manager

    def __getattr__(self, name: str) -> Any:
        if name not in _INSTANCE_METHODS:
            raise AttributeError(name)
        method = getattr(self.manager, name)

        def forward(ctxt: RequestContext, instance: dict[str, Any]) -> Any:
            return method(ctxt, Instance.from_legacy(instance))

        return forward

    def build_and_run_instance(self, ctxt: RequestContext, instance: dict[str, Any],
                               request_spec: dict[str, Any], alternates: list[dict[str, Any]],
                               node: str | None = None) -> None:
        self.manager.build_and_run_instance(
            ctxt, Instance.from_legacy(instance), RequestSpec.from_legacy(request_spec),
            [Selection.from_legacy(a) for a in alternates], node)

    def reboot_instance(self, ctxt: RequestContext, instance: dict[str, Any],
                        reboot_type: str) -> None:
        self.manager.reboot_instance(ctxt, Instance.from_legacy(instance), reboot_type)

    def get_console_output(self, ctxt: RequestContext, instance: dict[str, Any],
                           tail_length: int | None = None) -> str:
        return self.manager.get_console_output(ctxt, Instance.from_legacy(instance),
                                               tail_length)

    def attach_interface(self, ctxt: RequestContext, instance: dict[str, Any],
                         network_id: str | None, port_id: str | None,
                         requested_ip: str | None) -> dict[str, Any]:
        return self.manager.attach_interface(ctxt, Instance.from_legacy(instance), network_id,
                                             port_id, requested_ip)

    def detach_interface(self, ctxt: RequestContext, instance: dict[str, Any],
                         port_id: str) -> None:
        self.manager.detach_interface(ctxt, Instance.from_legacy(instance), port_id)
