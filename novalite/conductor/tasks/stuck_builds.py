"""Builds nobody will finish: the conductor finds them and reschedules or fails them.

Run periodically by every conductor (an update conditioned on the states it read makes
concurrent conductors, and a compute node coming back, safe):

- a build whose compute node is down (no heartbeat for ``service_down_time``), that
  has not changed for as long, and that asked for no network is scheduled again,
  without that host; one with networks goes into ERROR (see ``_reschedulable``), as
  does one no other host can take; while no compute node at all is heard from, none
  is taken (the outage is the control plane's);
- a build older than ``instance_build_timeout`` (the cast was lost: its conductor or
  compute node died holding it) goes into ERROR, with Nova's fault message.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.conductor.tasks.build import BuildTask, set_error
from novalite.conf import CONF
from novalite.db import instances, service_store
from novalite.db.base import utcnow
from novalite.objects import Flavor, ImageMeta, Instance, RequestSpec
from novalite.placement import client as placement

LOG = logging.getLogger(__name__)

COMPUTE_BINARY = "novalite-compute"
TIMED_OUT = "Instance build timed out. Set to error state."


def interval() -> int:
    return int(CONF.stuck_build_check_interval or max(1, CONF.service_down_time // 2))


def _down_hosts() -> set[str]:
    """Compute hosts without a recent heartbeat; none when no compute is heard from at
    all: then the control plane is what cannot hear (a broker or conductor outage —
    heartbeats travel through both), not every host that died at once."""
    rows = service_store.list_services(binary=COMPUTE_BINARY)
    down = {row["host"] for row in rows if row["state"] != "up"}
    if rows and len(down) == len({row["host"] for row in rows}):
        LOG.warning("no compute service is heard from: builds are not taken from any")
        return set()
    return down


def _idle_since(row: dict[str, Any], now: datetime.datetime) -> datetime.timedelta:
    """How long the build made no change (a build its host still works on moves)."""
    changed: datetime.datetime = row["updated_at"] or row["created_at"]
    return now - changed


def _request_spec(instance: Instance, ignore_host: str) -> RequestSpec:
    """What the scheduler is asked again (novalite keeps no RequestSpec: it is made from
    the instance, as for a move)."""
    return RequestSpec(
        flavor=instance.flavor or Flavor(),
        image=instance.image_meta or ImageMeta(id=instance.image_ref),
        availability_zone=(instance.system_metadata or {}).get(
            "requested_availability_zone"),
        project_id=instance.project_id, user_id=instance.user_id, num_instances=1,
        ignore_hosts=[ignore_host])


def _reschedulable(instance: Instance) -> bool:
    """Only a build without networking is scheduled again: ports need the user's token
    (which a periodic task does not have) and the request's security groups (which only
    the first request spec held), and a port may already be bound to the dead host."""
    requested = instance.requested_networks
    return not instance.network_info and (not requested or isinstance(requested, str))


class StuckBuilds:
    def __init__(self, build_task: BuildTask) -> None:
        self.build_task = build_task

    def run(self, ctxt: RequestContext, now: datetime.datetime | None = None
            ) -> dict[str, int]:
        """One pass; how many builds were ``rescheduled``, ``failed`` or ``timed_out``."""
        now = now or utcnow()
        counts = {"rescheduled": 0, "failed": 0, "timed_out": 0}
        rows = instances.list_instances(None, {"vm_state": states.BUILDING}, limit=None)
        if not rows:
            return counts
        timeout = CONF.instance_build_timeout
        down = _down_hosts()
        quiet = datetime.timedelta(seconds=CONF.service_down_time)
        for row in rows:
            try:
                if timeout and now - row["created_at"] > datetime.timedelta(seconds=timeout):
                    self._time_out(ctxt, row)
                    counts["timed_out"] += 1
                elif row["host"] in down and _idle_since(row, now) > quiet:
                    counts[self._rescue(ctxt, row)] += 1
            except (exception.InstanceNotFound, exception.UnexpectedStateError):
                continue  # it moved on meanwhile: someone else resolved it
        if any(counts.values()):
            LOG.info("stuck builds: %s", counts)
        return counts

    def _time_out(self, ctxt: RequestContext, row: dict[str, Any]) -> None:
        instances.update(None, row["uuid"], {"task_state": None},
                         expected_task_state=row["task_state"],
                         expected_vm_state=states.BUILDING)
        LOG.warning("build of %s timed out (created %s, host %s)", row["uuid"],
                    row["created_at"], row["host"])
        set_error(ctxt, row["uuid"], TIMED_OUT, host=row["host"])

    def _rescue(self, ctxt: RequestContext, row: dict[str, Any]) -> str:
        """Take the build from its dead host (conditioned on what was read), then schedule
        it again or fail it."""
        host = row["host"]
        instance = Instance.from_db(instances.update(
            None, row["uuid"], {"task_state": states.SCHEDULING, "host": None, "node": None},
            expected_task_state=row["task_state"], expected_vm_state=states.BUILDING))
        if not _reschedulable(instance):
            set_error(ctxt, row["uuid"], f"Build of instance {row['uuid']} aborted: its "
                      f"compute host {host} went down while it was building.", host=host)
            return "failed"
        LOG.warning("compute host %s is down: scheduling the build of %s again", host,
                    row["uuid"])
        placement.remove_allocations(row["uuid"])
        self.build_task.schedule_and_build(ctxt, _request_spec(instance, host), [row["uuid"]])
        return "rescheduled"
