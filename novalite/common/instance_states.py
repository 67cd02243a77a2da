"""Instance states (vm_state, task_state, power_state) and the API status they show as.

Pure Python on purpose, and in the lowest layer because every layer uses it: the
database (``novalite.db.instances``), the virt drivers, the compute agent, the
conductor and the REST layer. The table is Nova's ``_STATE_MAP``
(``nova/api/openstack/common.py``).
"""

from __future__ import annotations

# vm_state
ACTIVE = "active"
BUILDING = "building"
PAUSED = "paused"
SUSPENDED = "suspended"
STOPPED = "stopped"
RESCUED = "rescued"
RESIZED = "resized"
SOFT_DELETED = "soft-delete"
DELETED = "deleted"
ERROR = "error"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"

VM_STATES = (ACTIVE, BUILDING, PAUSED, SUSPENDED, STOPPED, RESCUED, RESIZED, SOFT_DELETED,
             DELETED, ERROR, SHELVED, SHELVED_OFFLOADED)

# task_state
SCHEDULING = "scheduling"
BLOCK_DEVICE_MAPPING = "block_device_mapping"
NETWORKING = "networking"
SPAWNING = "spawning"
IMAGE_SNAPSHOT = "image_snapshot"
IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
IMAGE_PENDING_UPLOAD = "image_pending_upload"
IMAGE_UPLOADING = "image_uploading"
IMAGE_BACKUP = "image_backup"
UPDATING_PASSWORD = "updating_password"
RESIZE_PREP = "resize_prep"
RESIZE_MIGRATING = "resize_migrating"
RESIZE_MIGRATED = "resize_migrated"
RESIZE_FINISH = "resize_finish"
RESIZE_REVERTING = "resize_reverting"
RESIZE_CONFIRMING = "resize_confirming"
REBOOTING = "rebooting"
REBOOT_PENDING = "reboot_pending"
REBOOT_STARTED = "reboot_started"
REBOOTING_HARD = "rebooting_hard"
REBOOT_PENDING_HARD = "reboot_pending_hard"
REBOOT_STARTED_HARD = "reboot_started_hard"
PAUSING = "pausing"
UNPAUSING = "unpausing"
SUSPENDING = "suspending"
RESUMING = "resuming"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
RESCUING = "rescuing"
UNRESCUING = "unrescuing"
REBUILDING = "rebuilding"
REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
REBUILD_SPAWNING = "rebuild_spawning"
MIGRATING = "migrating"
DELETING = "deleting"
SOFT_DELETING = "soft-deleting"
RESTORING = "restoring"
SHELVING = "shelving"
SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
SHELVING_OFFLOADING = "shelving_offloading"
UNSHELVING = "unshelving"

REBOOT_SOFT_STATES = (REBOOTING, REBOOT_PENDING, REBOOT_STARTED)
REBOOT_HARD_STATES = (REBOOTING_HARD, REBOOT_PENDING_HARD, REBOOT_STARTED_HARD)
RESIZE_STATES = (RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED, RESIZE_FINISH)
REBUILD_STATES = (REBUILDING, REBUILD_BLOCK_DEVICE_MAPPING, REBUILD_SPAWNING)
# Task states from which a HARD reboot is still allowed (Nova's ALLOW_REBOOT).
ALLOW_REBOOT = (None, REBOOTING, REBOOT_PENDING, REBOOT_STARTED, RESUMING, REBOOTING_HARD,
                UNPAUSING, PAUSING, SUSPENDING)

# power_state
NOSTATE = 0
RUNNING = 1
POWER_PAUSED = 3
SHUTDOWN = 4
CRASHED = 6
POWER_SUSPENDED = 7

POWER_STATE_NAMES = {NOSTATE: "pending", RUNNING: "running", POWER_PAUSED: "paused",
                     SHUTDOWN: "shutdown", CRASHED: "crashed", POWER_SUSPENDED: "suspended"}

DEFAULT = "default"
UNKNOWN = "UNKNOWN"


def _same(status: str, task_states: tuple[str, ...]) -> dict[str, str]:
    return {task: status for task in task_states}


# vm_state -> {task_state or DEFAULT: API status}
STATE_MAP: dict[str, dict[str, str]] = {
    ACTIVE: {DEFAULT: "ACTIVE", **_same("REBOOT", REBOOT_SOFT_STATES),
             **_same("HARD_REBOOT", REBOOT_HARD_STATES), UPDATING_PASSWORD: "PASSWORD",
             **_same("REBUILD", REBUILD_STATES), MIGRATING: "MIGRATING",
             **_same("RESIZE", RESIZE_STATES)},
    BUILDING: {DEFAULT: "BUILD"},
    STOPPED: {DEFAULT: "SHUTOFF", **_same("RESIZE", RESIZE_STATES),
              **_same("REBUILD", REBUILD_STATES)},
    RESIZED: {DEFAULT: "VERIFY_RESIZE", RESIZE_REVERTING: "REVERT_RESIZE"},
    PAUSED: {DEFAULT: "PAUSED", MIGRATING: "MIGRATING"},
    SUSPENDED: {DEFAULT: "SUSPENDED"},
    RESCUED: {DEFAULT: "RESCUE"},
    ERROR: {DEFAULT: "ERROR", **_same("REBUILD", REBUILD_STATES)},
    DELETED: {DEFAULT: "DELETED"},
    SOFT_DELETED: {DEFAULT: "SOFT_DELETED"},
    SHELVED: {DEFAULT: "SHELVED"},
    SHELVED_OFFLOADED: {DEFAULT: "SHELVED_OFFLOADED"},
}

# Statuses during which the server view shows ``progress``.
PROGRESS_STATUSES = frozenset({"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE",
                               "MIGRATING"})


def status_from_state(vm_state: str | None, task_state: str | None = None) -> str:
    """The API ``status`` of an instance in ``vm_state``/``task_state``."""
    task_map = STATE_MAP.get(vm_state or "")
    if task_map is None:
        return UNKNOWN
    return task_map.get(task_state or DEFAULT, task_map[DEFAULT])


def states_from_status(status: str) -> list[tuple[str, str | None | object]]:
    """The (vm_state, task_state) pairs a ``status`` list filter matches.

    The task_state is ``ANY_TASK`` where the status is a vm_state's default (any
    task not overriding it matches), else the specific task state.
    """
    wanted = status.upper()
    pairs: list[tuple[str, str | None | object]] = []
    for vm_state, task_map in STATE_MAP.items():
        for task, shown in task_map.items():
            if shown != wanted:
                continue
            pairs.append((vm_state, ANY_TASK if task == DEFAULT else task))
    return pairs


class _AnyTask:
    def __repr__(self) -> str:
        return "ANY_TASK"


ANY_TASK: object = _AnyTask()
