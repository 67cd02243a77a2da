"""The conductor's RPC 1.x door, for compute services of release 0.1.0.

During a rolling upgrade (control plane first, then the compute nodes) an old compute
still calls the conductor with 1.x messages and plain dicts. This endpoint answers them
exactly as release 0.1.0's conductor did (the records as dicts), and hands builds and
failed builds to the 2.0 manager as objects. It goes away one release after 0.2.0.
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol

import oslo_messaging as messaging

from novalite.common import exception, rpc
from novalite.common.context import RequestContext
from novalite.conductor.records import destroy_instance, update_compute_node
from novalite.db import instances, service_store
from novalite.objects import ComputeNode, RequestSpec, Selection


class ConductorEndpoint(Protocol):
    """The 2.0 endpoint (``ConductorManager``) this door hands builds to."""

    def ping(self, ctxt: RequestContext, payload: Any) -> dict[str, Any]: ...

    def schedule_and_build_instances(self, ctxt: RequestContext, request_spec: RequestSpec,
                                     instance_uuids: list[str]) -> None: ...

    def build_failed(self, ctxt: RequestContext, instance_uuid: str, host: str, reason: str,
                     request_spec: RequestSpec, alternates: list[Selection]) -> None: ...


#: what a service that reports without a version is: release 0.1.0
LEGACY_SERVICE_VERSION = 0
_DATETIME_FIELDS = ("launched_at", "terminated_at", "deleted_at")


def _revive_datetimes(values: dict[str, Any]) -> dict[str, Any]:
    """RPC carries datetimes as ISO strings; columns want datetimes."""
    revived = dict(values)
    for field in _DATETIME_FIELDS:
        if isinstance(revived.get(field), str):
            revived[field] = datetime.datetime.fromisoformat(
                revived[field].rstrip("Z")).replace(tzinfo=None)
    return revived


class ConductorV1Proxy:
    target = messaging.Target(version="1.1")

    def __init__(self, manager: ConductorEndpoint) -> None:
        self.manager = manager

    def service_report(self, ctxt: RequestContext, host: str, binary: str,
                       topic: str | None) -> None:
        service_store.report(host, binary, topic, version=LEGACY_SERVICE_VERSION)

    def ping(self, ctxt: RequestContext, payload: Any) -> dict[str, Any]:
        return self.manager.ping(ctxt, payload)

    def schedule_and_build_instances(self, ctxt: RequestContext, request_spec: dict[str, Any],
                                     instance_uuids: list[str]) -> None:
        self.manager.schedule_and_build_instances(
            ctxt, RequestSpec.from_legacy(request_spec), instance_uuids)

    def build_failed(self, ctxt: RequestContext, instance_uuid: str, host: str, reason: str,
                     request_spec: dict[str, Any], alternates: list[dict[str, Any]]) -> None:
        self.manager.build_failed(ctxt, instance_uuid, host, reason,
                                  RequestSpec.from_legacy(request_spec),
                                  [Selection.from_legacy(a) for a in alternates])

    def instance_get(self, ctxt: RequestContext, instance_uuid: str) -> dict[str, Any]:
        return instances.get(None, instance_uuid)

    @rpc.expected_exceptions(exception.InstanceNotFound, exception.UnexpectedStateError)
    def instance_update(self, ctxt: RequestContext, instance_uuid: str, values: dict[str, Any],
                        expected_task_state: Any = None, check_task_state: bool = False
                        ) -> dict[str, Any]:
        if check_task_state:
            return instances.update(None, instance_uuid, _revive_datetimes(values),
                                    expected_task_state=expected_task_state)
        return instances.update(None, instance_uuid, _revive_datetimes(values))

    def instance_get_all_by_host(self, ctxt: RequestContext, host: str) -> list[dict[str, Any]]:
        return instances.list_instances(None, {"host": host}, limit=None)

    def instance_fault_create(self, ctxt: RequestContext, instance_uuid: str, code: int,
                              message: str, details: str | None, host: str) -> None:
        instances.add_fault(instance_uuid, code, message, details=details, host=host)

    def action_event_start(self, ctxt: RequestContext, instance_uuid: str, event: str,
                           host: str) -> None:
        instances.event_start(instance_uuid, ctxt.request_id, event, host=host)

    def action_event_finish(self, ctxt: RequestContext, instance_uuid: str, event: str,
                            result: str, traceback: str | None = None) -> None:
        instances.event_finish(instance_uuid, ctxt.request_id, event, result=result,
                               traceback=traceback)

    def instance_destroy(self, ctxt: RequestContext, instance_uuid: str) -> None:
        destroy_instance(instance_uuid)

    def compute_node_update(self, ctxt: RequestContext, host: str,
                            resources: dict[str, Any]) -> str:
        return update_compute_node(ComputeNode(
            host=host, hypervisor_hostname=resources["hypervisor_hostname"],
            hypervisor_type=str(resources.get("hypervisor_type") or ""),
            hypervisor_version=int(resources.get("hypervisor_version") or 0),
            vcpus=int(resources["vcpus"]), memory_mb=int(resources["memory_mb"]),
            local_gb=int(resources["local_gb"]),
            reserved_host_memory_mb=int(resources.get("reserved_host_memory_mb") or 0),
            availability_zone=resources.get("availability_zone")))
