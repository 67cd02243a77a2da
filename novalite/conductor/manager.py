"""The conductor's RPC endpoint."""

from __future__ import annotations

from typing import Any

import oslo_messaging as messaging

from novalite.common.context import RequestContext
from novalite.common.manager import Manager
from novalite.db import service_store


class ConductorManager(Manager):
    target = messaging.Target(version="1.0")

    def service_report(self, ctxt: RequestContext, host: str, binary: str,
                       topic: str | None) -> None:
        service_store.report(host, binary, topic)

    def ping(self, ctxt: RequestContext, payload: Any) -> dict[str, Any]:
        return {"payload": payload, "host": self.host}
