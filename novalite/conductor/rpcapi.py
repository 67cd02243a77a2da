"""Client side of the conductor RPC API: the compute nodes' only way to the database.

Version history:
  1.0 - service_report, ping
  1.1 - schedule_and_build_instances, build_failed, instance_get, instance_update,
        instance_get_all_by_host, instance_fault_create, action_event_start,
        action_event_finish, instance_destroy, compute_node_update
"""

from __future__ import annotations

import logging
from typing import Any

import oslo_messaging as messaging

from novalite.common.context import RequestContext, get_admin_context
from novalite.common.rpcapi import RPCAPIBase

TOPIC = "conductor"
LOG = logging.getLogger(__name__)


class ConductorAPI(RPCAPIBase):
    TOPIC = TOPIC
    RPC_API_VERSION = "1.1"
    UPGRADE_LEVEL = "conductor"

    def service_report(self, ctxt: RequestContext, host: str, binary: str,
                       topic: str | None) -> None:
        self.prepare(version="1.0").call(ctxt, "service_report", host=host, binary=binary,
                                         topic=topic)

    def ping(self, ctxt: RequestContext, payload: Any, timeout: float | None = None) -> Any:
        return self.prepare(version="1.0", timeout=timeout).call(ctxt, "ping", payload=payload)

    def wait_until_ready(self, ctxt: RequestContext, timeout_per_try: float = 5.0) -> None:
        """Block until a conductor answers (as nova-compute does at start-up): a message
        sent before any conductor declared its queue is lost, so ask again."""
        attempt = 0
        while True:
            try:
                self.ping(ctxt, "ready?", timeout=timeout_per_try)
                return
            except messaging.MessagingTimeout:
                attempt += 1
                LOG.warning("no conductor answered yet (attempt %d); waiting", attempt)

    # --- builds (cast by the API, called back by compute nodes) -------------------------

    def schedule_and_build_instances(self, ctxt: RequestContext, request_spec: dict[str, Any],
                                     instance_uuids: list[str]) -> None:
        self.prepare(version="1.1").cast(ctxt, "schedule_and_build_instances",
                                         request_spec=request_spec,
                                         instance_uuids=instance_uuids)

    def build_failed(self, ctxt: RequestContext, instance_uuid: str, host: str, reason: str,
                     request_spec: dict[str, Any], alternates: list[dict[str, Any]]) -> None:
        self.prepare(version="1.1").cast(ctxt, "build_failed", instance_uuid=instance_uuid,
                                         host=host, reason=reason, request_spec=request_spec,
                                         alternates=alternates)

    # --- instance records for compute nodes ---------------------------------------------

    def instance_get(self, ctxt: RequestContext, instance_uuid: str) -> dict[str, Any]:
        return self.prepare(version="1.1").call(ctxt, "instance_get",
                                                instance_uuid=instance_uuid)

    def instance_update(self, ctxt: RequestContext, instance_uuid: str, values: dict[str, Any],
                        expected_task_state: Any = None, check_task_state: bool = False
                        ) -> dict[str, Any]:
        """``check_task_state`` makes the update conditional on ``expected_task_state``
        (a state, None, or a list), which a plain None could not say over the wire."""
        return self.prepare(version="1.1").call(
            ctxt, "instance_update", instance_uuid=instance_uuid, values=values,
            expected_task_state=expected_task_state, check_task_state=check_task_state)

    def instance_get_all_by_host(self, ctxt: RequestContext, host: str) -> list[dict[str, Any]]:
        return self.prepare(version="1.1").call(ctxt, "instance_get_all_by_host", host=host)

    def instance_fault_create(self, ctxt: RequestContext, instance_uuid: str, code: int,
                              message: str, details: str | None, host: str) -> None:
        self.prepare(version="1.1").call(ctxt, "instance_fault_create",
                                         instance_uuid=instance_uuid, code=code,
                                         message=message, details=details, host=host)

    def action_event_start(self, ctxt: RequestContext, instance_uuid: str, event: str,
                           host: str) -> None:
        self.prepare(version="1.1").call(ctxt, "action_event_start",
                                         instance_uuid=instance_uuid, event=event, host=host)

    def action_event_finish(self, ctxt: RequestContext, instance_uuid: str, event: str,
                            result: str, traceback: str | None = None) -> None:
        self.prepare(version="1.1").call(ctxt, "action_event_finish",
                                         instance_uuid=instance_uuid, event=event,
                                         result=result, traceback=traceback)

    def instance_destroy(self, ctxt: RequestContext, instance_uuid: str) -> None:
        self.prepare(version="1.1").call(ctxt, "instance_destroy", instance_uuid=instance_uuid)

    def compute_node_update(self, ctxt: RequestContext, host: str,
                            resources: dict[str, Any]) -> str:
        """Report a node's resources; returns its resource provider uuid."""
        return self.prepare(version="1.1").call(ctxt, "compute_node_update", host=host,
                                                resources=resources)


class ConductorReporter:
    """Heartbeat for compute nodes, which never reach the database themselves."""

    def __init__(self, api: ConductorAPI | None = None) -> None:
        self.api = api or ConductorAPI()
        self._ready = False

    def report(self, host: str, binary: str, topic: str | None) -> None:
        if not self._ready:
            self.api.wait_until_ready(get_admin_context())
            self._ready = True
        self.api.service_report(get_admin_context(), host, binary, topic)
