"""The conductor's RPC endpoint: builds, and the database methods compute nodes call."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import oslo_messaging as messaging

from novalite.common.context import RequestContext
from novalite.common.manager import Manager
from novalite.conductor.tasks.build import BuildTask
from novalite.db import instances, service_store
from novalite.placement import client as placement

# Namespace of the resource provider uuids of compute nodes: stable for a host+node.
COMPUTE_NODE_NAMESPACE = uuid.UUID("7b5b2a4e-5b0a-4d53-9c3f-6a4f3c1e2d10")
_DATETIME_FIELDS = ("launched_at", "terminated_at", "deleted_at")


def compute_node_uuid(host: str, nodename: str) -> str:
    return str(uuid.uuid5(COMPUTE_NODE_NAMESPACE, f"{host}/{nodename}"))


def _revive_datetimes(values: dict[str, Any]) -> dict[str, Any]:
    """RPC carries datetimes as ISO strings; columns want datetimes."""
    revived = dict(values)
    for field in _DATETIME_FIELDS:
        if isinstance(revived.get(field), str):
            revived[field] = datetime.datetime.fromisoformat(
                revived[field].rstrip("Z")).replace(tzinfo=None)
    return revived


class ConductorManager(Manager):
    target = messaging.Target(version="1.1")

    def __init__(self, host: str, service_name: str) -> None:
        super().__init__(host, service_name)
        self.build_task = BuildTask()

    def service_report(self, ctxt: RequestContext, host: str, binary: str,
                       topic: str | None) -> None:
        service_store.report(host, binary, topic)

    def ping(self, ctxt: RequestContext, payload: Any) -> dict[str, Any]:
        return {"payload": payload, "host": self.host}

    # --- builds -------------------------------------------------------------------------

    def schedule_and_build_instances(self, ctxt: RequestContext, request_spec: dict[str, Any],
                                     instance_uuids: list[str]) -> None:
        self.build_task.schedule_and_build(ctxt, request_spec, instance_uuids)

    def build_failed(self, ctxt: RequestContext, instance_uuid: str, host: str, reason: str,
                     request_spec: dict[str, Any], alternates: list[dict[str, Any]]) -> None:
        self.build_task.build_failed(ctxt, instance_uuid, host, reason, request_spec,
                                     alternates)

    # --- instance records for compute nodes ---------------------------------------------

    def instance_get(self, ctxt: RequestContext, instance_uuid: str) -> dict[str, Any]:
        return instances.get(None, instance_uuid)

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
        """The guest is gone from its host: free its resources, mark the record deleted."""
        placement.remove_allocations(instance_uuid)
        instances.soft_delete(None, instance_uuid)

    def compute_node_update(self, ctxt: RequestContext, host: str,
                            resources: dict[str, Any]) -> str:
        nodename = resources["hypervisor_hostname"]
        provider_uuid = compute_node_uuid(host, nodename)
        placement.set_inventory(
            provider_uuid, nodename, host, {
                "VCPU": {"total": resources["vcpus"]},
                "MEMORY_MB": {"total": resources["memory_mb"],
                              "reserved": resources.get("reserved_host_memory_mb", 0)},
                "DISK_GB": {"total": resources["local_gb"]},
            },
            hypervisor_type=resources.get("hypervisor_type"),
            hypervisor_version=resources.get("hypervisor_version"),
            availability_zone=resources.get("availability_zone"))
        return provider_uuid
