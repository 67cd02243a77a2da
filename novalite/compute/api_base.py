"""What every compute API action shares: the state machine (Nova's
``check_instance_state`` per action), the lock check, and ``_begin``, the
compare-and-swap of task_state that starts an action and records it.

The table holds, per action, the vm_states it is allowed from (None: any), the
task_states (Nova's default: none running), the task_state it sets (None: it sets
none), the name the API gives it in a 409 and the instance action it is recorded as.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute import resolve
from novalite.compute import rpcapi as compute_rpcapi
from novalite.conductor import rpcapi as conductor_rpcapi
from novalite.db import instances, service_store
from novalite.objects import Instance as InstanceObject

#: an instance record as ``novalite.db.instances`` reads it (what the REST views render)
Instance = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Rule:
    vm_states: tuple[str, ...] | None
    task_state: str | None
    #: the action's name in Nova's 409 ("Cannot 'createImage' instance ...")
    api_name: str
    #: the instance action recorded (None: the API name)
    record: str | None = None
    #: the task_states allowed (None: any)
    task_states: tuple[str | None, ...] | None = (None,)
    #: Nova's must_have_launched: a server never launched is refused
    launched: bool = True

    @property
    def action(self) -> str:
        return self.record or self.api_name


_IMAGE_STATES = (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED)
_REBUILD_STATES = (states.ACTIVE, states.STOPPED, states.ERROR)

RULES: dict[str, Rule] = {
    "reboot": Rule((states.ACTIVE,), states.REBOOTING, "reboot", launched=False),
    "reboot_hard": Rule((states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED,
                         states.ERROR), states.REBOOTING_HARD, "reboot",
                        task_states=states.ALLOW_REBOOT, launched=False),
    "stop": Rule((states.ACTIVE, states.ERROR), states.POWERING_OFF, "stop", launched=False),
    "start": Rule((states.STOPPED,), states.POWERING_ON, "start", launched=False),
    "pause": Rule((states.ACTIVE,), states.PAUSING, "pause", launched=False),
    "unpause": Rule((states.PAUSED,), states.UNPAUSING, "unpause", launched=False),
    "suspend": Rule((states.ACTIVE,), states.SUSPENDING, "suspend", launched=False),
    "resume": Rule((states.SUSPENDED,), states.RESUMING, "resume", launched=False),
    "snapshot": Rule(_IMAGE_STATES, states.IMAGE_SNAPSHOT_PENDING, "createImage"),
    "backup": Rule(_IMAGE_STATES, states.IMAGE_BACKUP, "createBackup"),
    "shelve": Rule(_IMAGE_STATES, states.SHELVING, "shelve"),
    "shelve_offload": Rule((states.SHELVED,), states.SHELVING_OFFLOADING, "shelveOffload"),
    "unshelve": Rule((states.SHELVED, states.SHELVED_OFFLOADED), states.UNSHELVING,
                     "unshelve"),
    "rebuild": Rule(_REBUILD_STATES, states.REBUILDING, "rebuild"),
    "evacuate": Rule(_REBUILD_STATES, states.REBUILDING, "evacuate"),
    "rescue": Rule(_REBUILD_STATES, states.RESCUING, "rescue"),
    "unrescue": Rule((states.RESCUED,), states.UNRESCUING, "unrescue"),
    "resize": Rule((states.ACTIVE, states.STOPPED), states.RESIZE_PREP, "resize"),
    "migrate": Rule((states.ACTIVE, states.STOPPED), states.RESIZE_PREP, "migrate"),
    "confirm_resize": Rule((states.RESIZED,), None, "confirmResize"),
    "revert_resize": Rule((states.RESIZED,), states.RESIZE_REVERTING, "revertResize"),
    "live_migrate": Rule((states.ACTIVE, states.PAUSED), states.MIGRATING, "os-migrateLive",
                         record="live-migration"),
    "set_admin_password": Rule((states.ACTIVE,), states.UPDATING_PASSWORD, "changePassword"),
    "trigger_crash_dump": Rule((states.ACTIVE, states.PAUSED, states.RESCUED,
                                states.RESIZED, states.ERROR), None, "trigger_crash_dump"),
    "restore": Rule((states.SOFT_DELETED,), states.RESTORING, "restore"),
    "soft_delete": Rule(None, states.SOFT_DELETING, "delete", task_states=None),
}


class ServiceUnavailable(exception.Conflict):
    msg_fmt = "Service is unavailable at this time."


class APIBase:
    def __init__(self, conductor: conductor_rpcapi.ConductorAPI | None = None,
                 compute: compute_rpcapi.ComputeAPI | None = None,
                 resolver: resolve.Resolver | None = None) -> None:
        self.resolver = resolver or resolve.Resolver()
        self.conductor = conductor or conductor_rpcapi.ConductorAPI()
        self.compute = compute or compute_rpcapi.ComputeAPI(
            minimum_version=service_store.minimum_version)

    @staticmethod
    def _check_lock(ctxt: RequestContext, instance: Instance) -> None:
        if instance.get("locked") and not ctxt.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=instance["uuid"])

    @staticmethod
    def _check_state(instance: Instance, action: str) -> Rule:
        """Nova's ``check_instance_state`` for ``action``: a 409 naming the state."""
        rule = RULES[action]
        if rule.vm_states is not None and instance["vm_state"] not in rule.vm_states:
            raise exception.InstanceInvalidState(action=rule.api_name,
                                                 instance_uuid=instance["uuid"],
                                                 attr="vm_state", state=instance["vm_state"])
        if rule.task_states is not None and instance["task_state"] not in rule.task_states:
            raise exception.InstanceInvalidState(action=rule.api_name,
                                                 instance_uuid=instance["uuid"],
                                                 attr="task_state",
                                                 state=instance["task_state"])
        if rule.launched and not instance.get("launched_at"):
            raise exception.InstanceInvalidState(action=rule.api_name,
                                                 instance_uuid=instance["uuid"],
                                                 attr="vm_state", state=instance["vm_state"])
        return rule

    @staticmethod
    def _check_host_up(instance: Instance) -> None:
        """Nova's ``check_instance_host(check_is_up=True)``."""
        host = instance.get("host")
        if not host:
            raise exception.InstanceNotReady(instance_id=instance["uuid"])
        if not compute_is_up(host):
            raise ServiceUnavailable()

    def _begin(self, ctxt: RequestContext, instance: Instance, action: str,
               record_as: str | None = None, values: dict[str, Any] | None = None,
               check_lock: bool = True) -> InstanceObject:
        """Check the states, move task_state atomically (with ``values``), record the
        instance action; the instance as it is now."""
        if check_lock:
            self._check_lock(ctxt, instance)
        rule = self._check_state(instance, action)
        changes = dict(values or {})
        if rule.task_state is not None:
            changes["task_state"] = rule.task_state
        expected: dict[str, Any] = {"expected_task_state": [instance["task_state"]]
                                    if rule.task_states is None else list(rule.task_states)}
        if rule.vm_states is not None:
            expected["expected_vm_state"] = list(rule.vm_states)
        try:
            if changes:
                updated = instances.update(ctxt, instance["uuid"], changes, **expected)
            else:
                updated = instance
        except exception.UnexpectedStateError as error:
            raise exception.InstanceInvalidState(
                action=rule.api_name, instance_uuid=instance["uuid"],
                attr=error.kwargs.get("field", "task_state"),
                state=error.kwargs.get("actual")) from None
        instances.action_start(ctxt, instance["uuid"], record_as or rule.action)
        return InstanceObject.from_db(updated)

    @staticmethod
    def _check_image_fits(flavor: dict[str, Any], image: dict[str, Any]) -> None:
        if not image:
            return
        if image.get("status") not in (None, "active"):
            raise exception.ImageNotActive(image_id=image.get("id"))
        min_ram = int(image.get("min_ram") or 0)
        if min_ram and int(flavor["memory_mb"]) < min_ram:
            raise exception.FlavorTooSmall(reason="Flavor's memory is too small for "
                                                  "requested image.")
        min_disk = int(image.get("min_disk") or 0)
        size_gb = -(-int(image.get("size") or 0) // (1024 ** 3))
        if int(flavor["root_gb"]) and int(flavor["root_gb"]) < max(min_disk, size_gb):
            raise exception.FlavorTooSmall(reason="Flavor's disk is too small for "
                                                  "requested image.")

    def _require_compute(self, what: str) -> None:
        """The compute nodes must speak RPC 2.3 before an action changes any state."""
        self.compute.require("2.3", what)


def compute_is_up(host: str) -> bool:
    rows = service_store.list_services(binary="novalite-compute", host=host)
    return bool(rows) and rows[0]["state"] == "up"
