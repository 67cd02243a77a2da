"""Unshelve: a server still SHELVED on its host is started there; a SHELVED_OFFLOADED one
is scheduled again (the zone asked at 2.77, the host at 2.91), its host recorded, and
spawned from its shelved snapshot. With no host for it, it stays offloaded with a fault.
"""

from __future__ import annotations

import logging

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute import rpcapi as compute_rpcapi
from novalite.conductor.tasks.migrate import event_finish, event_start, set_state_after_failure
from novalite.db import instances, service_store
from novalite.image.client import ImageClient, properties
from novalite.objects import ImageMeta, Instance, RequestSpec
from novalite.placement import client as placement
from novalite.scheduler import rpcapi as scheduler_rpcapi

LOG = logging.getLogger(__name__)
EVENT = "conductor_unshelve_instance"


class UnshelveTask:
    def __init__(self, scheduler: scheduler_rpcapi.SchedulerAPI | None = None,
                 compute: compute_rpcapi.ComputeAPI | None = None) -> None:
        self.scheduler = scheduler or scheduler_rpcapi.SchedulerAPI()
        self.compute = compute or compute_rpcapi.ComputeAPI(
            minimum_version=service_store.minimum_version)

    def execute(self, ctxt: RequestContext, instance: Instance, request_spec: RequestSpec
                ) -> None:
        if instance.vm_state == states.SHELVED:
            self.compute.unshelve_instance(ctxt, instance.host or "", instance, None,
                                           request_spec)
            return
        event_start(ctxt, instance.uuid, EVENT)
        image_id = instance.system_metadata.get("shelved_image_id") or ""
        try:
            found = ImageClient(ctxt).get(image_id)
        except exception.ImageNotFound:
            set_state_after_failure(
                ctxt, instance.uuid, f"Unshelve attempted but the image {image_id} cannot "
                                     "be found.", EVENT, vm_state=states.SHELVED_OFFLOADED)
            return
        image = ImageMeta.from_image({**found, "properties": properties(found)})
        request_spec.image = image
        try:
            selection = self.scheduler.select_destinations(
                ctxt, request_spec, [instance.uuid], return_alternates=False)[0][0]
        except exception.NoValidHost as error:
            set_state_after_failure(ctxt, instance.uuid, error.message, EVENT,
                                    vm_state=states.SHELVED_OFFLOADED)
            return
        try:
            instance = Instance.from_db(instances.update(
                None, instance.uuid, {"host": selection.service_host,
                                      "node": selection.nodename,
                                      "availability_zone": selection.availability_zone},
                expected_task_state=states.UNSHELVING))
        except (exception.InstanceNotFound, exception.UnexpectedStateError):
            LOG.info("instance %s went away while it was unshelved", instance.uuid)
            placement.remove_allocations(instance.uuid)
            return
        event_finish(ctxt, instance.uuid, EVENT)
        self.compute.unshelve_instance(ctxt, selection.service_host, instance, image,
                                       request_spec, node=selection.nodename)
