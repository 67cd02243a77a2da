"""Events other services report about servers (``POST /os-server-external-events``):
each accepted event goes to the compute host of its server, the hosts' events in one
cast each; ``volume-extended`` and ``power-update`` are recorded as the instance actions
``extend_volume`` and ``power_update`` first, as Nova does."""

from __future__ import annotations

from collections import defaultdict

from novalite.common.context import RequestContext
from novalite.compute.api_base import APIBase, Instance
from novalite.db import instances
from novalite.objects import Instance as InstanceObject
from novalite.objects import InstanceExternalEvent

ACTIONS = {"volume-extended": "extend_volume", "power-update": "power_update"}


class EventsAPI(APIBase):
    def external_instance_event(self, ctxt: RequestContext,
                                found: list[tuple[Instance, InstanceExternalEvent]]) -> None:
        """``found``: (server record, event) pairs whose server has a host."""
        by_host: dict[str, list[InstanceExternalEvent]] = defaultdict(list)
        servers: dict[str, dict[str, Instance]] = defaultdict(dict)
        for instance, event in found:
            action = ACTIONS.get(event.name)
            if action is not None:
                instances.action_start(ctxt, instance["uuid"], action)
                event.request_id = ctxt.request_id
            host = str(instance["host"])
            by_host[host].append(event)
            servers[host][instance["uuid"]] = instance
        for host, events in by_host.items():
            self.compute.external_instance_event(
                ctxt, host, [InstanceObject.from_db(i) for i in servers[host].values()],
                events)
