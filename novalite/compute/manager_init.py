"""What a compute service that starts does with the instances it was acting on when it
died (Nova's ``ComputeManager._init_instance``): every instance of this host whose
task_state is set is resolved before the service takes requests again.

- a build (vm_state ``building``): ERROR with a fault; nothing may say how far it got;
- a delete: finished;
- a reboot, stop or start: done again (a reboot as a hard reboot);
- a move or a rebuild (resize, revert, confirm, rebuild, unshelve): ERROR with a fault,
  for an administrator to look at (Nova's ``resetState`` or a hard reboot recovers it);
- anything else (pause, suspend, rescue, snapshot, password, live migration): the
  task_state is cleared and the power state synchronised from the hypervisor.
"""

from __future__ import annotations

import logging

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute.manager_base import _GONE, ManagerBase
from novalite.objects import Instance

LOG = logging.getLogger(__name__)

#: task states of a move or rebuild an interrupted agent cannot finish on its own
_TO_ERROR = frozenset({*states.RESIZE_STATES, *states.REBUILD_STATES,
                       states.RESIZE_REVERTING, states.RESIZE_CONFIRMING, states.UNSHELVING})
_REDO_REBOOT = frozenset({*states.REBOOT_SOFT_STATES, *states.REBOOT_HARD_STATES})


class InterruptedByRestart(exception.NovaliteException):
    msg_fmt = ("Instance was %(task)s on %(host)s when its compute service stopped; "
               "it was restarted")


class InitInstancesMixin(ManagerBase):
    """``_init_instances``: run by ``init_host`` before the RPC server starts."""

    def _init_instances(self, ctxt: RequestContext) -> dict[str, int]:
        """Resolve every instance of this host with a task_state; how many were resolved
        by each way (``error``, ``deleted``, ``redone``, ``cleared``)."""
        counts = {"error": 0, "deleted": 0, "redone": 0, "cleared": 0}
        for instance in self.conductor.instance_get_all_by_host(ctxt, self.host):
            if instance.task_state is None and instance.vm_state != states.BUILDING:
                continue
            try:
                way = self._init_instance(ctxt, instance)
            except _GONE:
                continue  # deleted, or another request took it meanwhile
            except Exception:
                LOG.exception("could not resolve instance %s (%s/%s) on start",
                              instance.uuid, instance.vm_state, instance.task_state)
                continue
            counts[way] += 1
        if any(counts.values()):
            LOG.info("instances interrupted by the last stop of %s resolved: %s", self.host,
                     counts)
        return counts

    def _init_instance(self, ctxt: RequestContext, instance: Instance) -> str:
        task = instance.task_state
        LOG.info("instance %s was %s/%s when %s stopped", instance.uuid, instance.vm_state,
                 task, self.host)
        if instance.vm_state == states.BUILDING or task in _TO_ERROR:
            self._error_interrupted(ctxt, instance)
            return "error"
        if task == states.DELETING:
            self.terminate_instance(ctxt, instance)
            return "deleted"
        if task in _REDO_REBOOT:
            instance = self._save(ctxt, instance, task_state=states.REBOOTING_HARD,
                                  expected_task_state=task, check=True)
            self.reboot_instance(ctxt, instance, "HARD")
            return "redone"
        if task == states.POWERING_OFF:
            self.stop_instance(ctxt, instance)
            return "redone"
        if task == states.POWERING_ON:
            self.start_instance(ctxt, instance)
            return "redone"
        power = self.driver.get_power_state(self._driver_instance(instance))
        changes: dict[str, object] = {"task_state": None, "power_state": power}
        if instance.vm_state == states.ACTIVE and power in (
                states.SHUTDOWN, states.CRASHED, states.NOSTATE):
            changes["vm_state"] = states.STOPPED
        self._save(ctxt, instance, expected_task_state=task, check=True, **changes)
        return "cleared"

    def _error_interrupted(self, ctxt: RequestContext, instance: Instance) -> None:
        """ERROR with the fault that says what was interrupted; a half-built guest goes."""
        task = instance.task_state or instance.vm_state
        error = InterruptedByRestart(task=task, host=self.host)
        if instance.vm_state == states.BUILDING:
            self._destroy_quietly(ctxt, instance)
        self._fault(ctxt, instance.uuid, error)
        self._save(ctxt, instance, vm_state=states.ERROR, task_state=None,
                   expected_task_state=instance.task_state, check=True)
