"""Tells placement (through the conductor) what this compute node offers."""

from __future__ import annotations

import dataclasses

from novalite.common.context import RequestContext
from novalite.conductor.rpcapi import ConductorAPI
from novalite.conf import CONF
from novalite.objects import ComputeNode
from novalite.virt.driver import ComputeDriver


class ResourceTracker:
    def __init__(self, host: str, driver: ComputeDriver, conductor: ConductorAPI) -> None:
        self.host = host
        self.driver = driver
        self.conductor = conductor
        self.provider_uuid: str | None = None

    def update_available_resource(self, ctxt: RequestContext) -> str:
        resources = dataclasses.asdict(self.driver.get_host_resources())
        known = set(ComputeNode.obj_fields())
        node = ComputeNode(host=self.host, **{k: v for k, v in resources.items() if k in known})
        node.reserved_host_memory_mb = CONF.reserved_host_memory_mb
        node.availability_zone = CONF.default_availability_zone
        self.provider_uuid = self.conductor.compute_node_update(ctxt, node)
        return self.provider_uuid
