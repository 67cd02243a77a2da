"""Steps 8–18 of the boot flow: schedule, record the host, hand the build to a compute
node; and when a compute node reports a failed build, retry on an alternate host.

The scheduler claims the first host of each instance; an alternate is claimed here,
directly in placement, only when the build is retried on it, as Nova's conductor does.
"""

from __future__ import annotations

import logging

import oslo_messaging as messaging

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute import rpcapi as compute_rpcapi
from novalite.db import block_devices, instances, server_groups, service_store
from novalite.objects import BlockDeviceMapping, Instance, InstanceGroup, RequestSpec, Selection
from novalite.placement import client as placement
from novalite.scheduler import rpcapi as scheduler_rpcapi

LOG = logging.getLogger(__name__)
#: times the conductor asks the scheduler before the build goes into ERROR
SELECT_ATTEMPTS = 3


def set_error(ctxt: RequestContext, instance_uuid: str, message: str, host: str | None = None,
              code: int = 500) -> None:
    """Put a build that cannot go on into ERROR, with the fault that says why."""
    placement.remove_allocations(instance_uuid)
    # the fault first: whoever sees ERROR must also find why
    instances.add_fault(instance_uuid, code, message, host=host)
    try:
        instances.update(None, instance_uuid, {"vm_state": states.ERROR, "task_state": None})
    except exception.InstanceNotFound:
        return
    try:
        instances.event_finish(instance_uuid, ctxt.request_id, "conductor_schedule_and_build",
                               result="Error", details=message)
    except exception.InstanceActionNotFound:
        pass


class BuildTask:
    def __init__(self, scheduler: scheduler_rpcapi.SchedulerAPI | None = None,
                 compute: compute_rpcapi.ComputeAPI | None = None) -> None:
        self.scheduler = scheduler or scheduler_rpcapi.SchedulerAPI()
        self.compute = compute or compute_rpcapi.ComputeAPI(
            minimum_version=service_store.minimum_version)

    def schedule_and_build(self, ctxt: RequestContext, request_spec: RequestSpec,
                           instance_uuids: list[str]) -> None:
        for instance_uuid in instance_uuids:
            _event_start(ctxt, instance_uuid)
        try:
            _setup_instance_group(request_spec)
        except exception.InstanceGroupNotFound as error:
            for instance_uuid in instance_uuids:
                set_error(ctxt, instance_uuid, error.message, code=400)
            return
        try:
            selections = self._select_destinations(ctxt, request_spec, instance_uuids)
        except exception.NoValidHost as error:
            for instance_uuid in instance_uuids:
                set_error(ctxt, instance_uuid, error.message)
            return
        except messaging.MessagingTimeout as error:
            for instance_uuid in instance_uuids:
                set_error(ctxt, instance_uuid, f"The scheduler did not answer: {error}")
            return
        for instance_uuid, hosts in zip(instance_uuids, selections, strict=True):
            self._build_on(ctxt, instance_uuid, request_spec, hosts[0], hosts[1:])

    def _select_destinations(self, ctxt: RequestContext, request_spec: RequestSpec,
                             instance_uuids: list[str]) -> list[list[Selection]]:
        """The scheduler's answer, asked again when it was lost (a broker restart drops
        the replies in flight); what a lost answer may have claimed is released first."""
        for attempt in range(1, SELECT_ATTEMPTS + 1):
            try:
                return self.scheduler.select_destinations(
                    ctxt, request_spec, instance_uuids, return_alternates=True)
            except messaging.MessagingTimeout:
                if attempt == SELECT_ATTEMPTS:
                    raise
                LOG.warning("no answer from the scheduler for %s (attempt %d): asking again",
                            instance_uuids, attempt)
                for instance_uuid in instance_uuids:
                    placement.remove_allocations(instance_uuid)
        raise AssertionError("unreachable")

    def _build_on(self, ctxt: RequestContext, instance_uuid: str, request_spec: RequestSpec,
                  selection: Selection, alternates: list[Selection]) -> None:
        host = selection.service_host
        try:
            instance = Instance.from_db(instances.update(
                None, instance_uuid, {"host": host, "node": selection.nodename,
                                      "launched_on": host,
                                      "availability_zone": selection.availability_zone},
                expected_task_state=[states.SCHEDULING, None]))
        except (exception.InstanceNotFound, exception.UnexpectedStateError):
            LOG.info("instance %s went away while it was scheduled", instance_uuid)
            placement.remove_allocations(instance_uuid)
            return
        instance.block_device_mappings = [
            BlockDeviceMapping.from_dict(bdm)
            for bdm in block_devices.list_for_instance(instance_uuid)]
        instance.obj_reset_changes()
        _event_finish(ctxt, instance_uuid)
        self.compute.build_and_run_instance(ctxt, host, instance, request_spec, alternates,
                                            node=selection.nodename)

    def build_failed(self, ctxt: RequestContext, instance_uuid: str, host: str, reason: str,
                     request_spec: RequestSpec, alternates: list[Selection]) -> None:
        """A compute node could not build: claim the next alternate, or give up (ERROR)."""
        placement.remove_allocations(instance_uuid)
        remaining = list(alternates)
        while remaining:
            selection = remaining.pop(0)
            try:
                claimed = placement.claim(instance_uuid, selection.compute_node_uuid,
                                          selection.allocated_resources())
            except exception.ResourceProviderNotFound:
                claimed = False
            if claimed:
                LOG.info("rescheduling %s from %s to %s: %s", instance_uuid, host,
                         selection.service_host, reason)
                self._build_on(ctxt, instance_uuid, request_spec, selection, remaining)
                return
        set_error(ctxt, instance_uuid,
                  f"Build of instance {instance_uuid} aborted: {reason}. Exceeded maximum "
                  f"number of retries. Exhausted all hosts available for retrying build "
                  f"failures for instance {instance_uuid}.", host=host)


def _setup_instance_group(request_spec: RequestSpec) -> None:
    """The server group of the ``group`` hint, with where its members run now, for the
    scheduler's affinity filters and weighers (Nova's setup_instance_group)."""
    hint = (request_spec.scheduler_hints or {}).get("group")
    if not hint:
        return
    request_spec.instance_group = InstanceGroup.from_dict(server_groups.get(hint[0]))


def _event_start(ctxt: RequestContext, instance_uuid: str) -> None:
    try:
        instances.event_start(instance_uuid, ctxt.request_id, "conductor_schedule_and_build")
    except exception.InstanceActionNotFound:
        pass


def _event_finish(ctxt: RequestContext, instance_uuid: str) -> None:
    try:
        instances.event_finish(instance_uuid, ctxt.request_id, "conductor_schedule_and_build")
    except exception.InstanceActionNotFound:
        pass
