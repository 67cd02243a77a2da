"""Client side of the conductor RPC API.

Version history:
  1.0 - service_report, ping
"""

from __future__ import annotations

from typing import Any

from novalite.common.context import RequestContext, get_admin_context
from novalite.common.rpcapi import RPCAPIBase

TOPIC = "conductor"


class ConductorAPI(RPCAPIBase):
    TOPIC = TOPIC
    RPC_API_VERSION = "1.0"
    UPGRADE_LEVEL = "conductor"

    def service_report(self, ctxt: RequestContext, host: str, binary: str,
                       topic: str | None) -> None:
        self.prepare(version="1.0").call(ctxt, "service_report", host=host, binary=binary,
                                         topic=topic)

    def ping(self, ctxt: RequestContext, payload: Any) -> Any:
        return self.prepare(version="1.0").call(ctxt, "ping", payload=payload)


class ConductorReporter:
    """Heartbeat for compute nodes, which never reach the database themselves."""

    def __init__(self, api: ConductorAPI | None = None) -> None:
        self.api = api or ConductorAPI()

    def report(self, host: str, binary: str, topic: str | None) -> None:
        self.api.service_report(get_admin_context(), host, binary, topic)
