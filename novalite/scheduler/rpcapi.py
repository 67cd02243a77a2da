"""Client side of the scheduler RPC API: the only way anyone calls the scheduler.

Version history:
  1.0 - select_destinations, claim_resources, remove_allocations
"""

from __future__ import annotations

from typing import Any

from novalite.common.context import RequestContext
from novalite.common.rpcapi import RPCAPIBase

TOPIC = "scheduler"


class SchedulerAPI(RPCAPIBase):
    TOPIC = TOPIC
    RPC_API_VERSION = "1.0"
    UPGRADE_LEVEL = "scheduler"

    def select_destinations(self, ctxt: RequestContext, request_spec: dict[str, Any],
                            instance_uuids: list[str], return_alternates: bool = True
                            ) -> list[list[dict[str, Any]]]:
        """Claim a host per instance. Raises NoValidHost.

        Returns, per instance (in ``instance_uuids`` order), a list of Selection dicts:
        the claimed host first, then up to ``[scheduler] max_attempts - 1`` unclaimed
        alternates. ``request_spec`` and Selection are documented in
        ``novalite.scheduler.utils``.
        """
        return self.prepare(version="1.0").call(
            ctxt, "select_destinations", request_spec=request_spec,
            instance_uuids=instance_uuids, return_alternates=return_alternates)

    def claim_resources(self, ctxt: RequestContext, instance_uuid: str, provider_uuid: str,
                        resources: dict[str, int]) -> bool:
        """Atomically claim an alternate's resources; False when they no longer fit."""
        return self.prepare(version="1.0").call(
            ctxt, "claim_resources", instance_uuid=instance_uuid,
            provider_uuid=provider_uuid, resources=resources)

    def remove_allocations(self, ctxt: RequestContext, instance_uuid: str) -> bool:
        """Release everything an instance holds; True if it held anything."""
        return self.prepare(version="1.0").call(
            ctxt, "remove_allocations", instance_uuid=instance_uuid)
