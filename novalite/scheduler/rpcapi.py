"""Client side of the scheduler RPC API: the only way anyone calls the scheduler.

Version history:
  1.0 - select_destinations, claim_resources, remove_allocations
  2.0 - (release 0.2.0) select_destinations takes a RequestSpec and returns Selections
"""

from __future__ import annotations

from novalite.common.context import RequestContext
from novalite.objects import RequestSpec, Selection
from novalite.objects.upgrade import VersionedRPCAPI

TOPIC = "scheduler"


class SchedulerAPI(VersionedRPCAPI):
    TOPIC = TOPIC
    RPC_API_VERSION = "2.0"
    UPGRADE_LEVEL = "scheduler"
    LEVEL_ATTRIBUTE = "scheduler_rpc"
    AUTO_BINARY = "novalite-scheduler"

    def select_destinations(self, ctxt: RequestContext, request_spec: RequestSpec,
                            instance_uuids: list[str], return_alternates: bool = True
                            ) -> list[list[Selection]]:
        """Claim a host per instance. Raises NoValidHost.

        Returns, per instance (in ``instance_uuids`` order), its Selections: the claimed
        host first, then up to ``[scheduler] max_attempts - 1`` unclaimed alternates.
        """
        answer: list[list[Selection]] = self.prepare(version="2.0").call(
            ctxt, "select_destinations", request_spec=request_spec,
            instance_uuids=instance_uuids, return_alternates=return_alternates)
        return answer

    def claim_resources(self, ctxt: RequestContext, instance_uuid: str, provider_uuid: str,
                        resources: dict[str, int]) -> bool:
        """Atomically claim an alternate's resources; False when they no longer fit."""
        return bool(self.prepare(version="2.0").call(
            ctxt, "claim_resources", instance_uuid=instance_uuid,
            provider_uuid=provider_uuid, resources=resources))

    def remove_allocations(self, ctxt: RequestContext, instance_uuid: str) -> bool:
        """Release everything an instance holds; True if it held anything."""
        return bool(self.prepare(version="2.0").call(
            ctxt, "remove_allocations", instance_uuid=instance_uuid))
