"""Service: one running service, and the version history that makes rolling upgrades safe.

A service records ``SERVICE_VERSION`` in its heartbeat. ``[upgrade_levels] compute =
auto`` caps what the control plane sends at what the oldest compute service
understands: the RPC versions and object versions of its entry in
``SERVICE_VERSION_HISTORY``. A compute of release 0.1.0 reports version 0 (it did not
know of versions): it speaks compute RPC 1.1 with plain dicts.

Version history of the object:
  1.0 - Initial version
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from novalite.objects.base import Manifest, NovaliteObject, current_manifest

#: this code's service version: bump it (and add an entry below) whenever an RPC API
#: or an object version changes
SERVICE_VERSION = 1


@dataclass(frozen=True)
class ServiceLevel:
    release: str
    compute_rpc: str
    conductor_rpc: str
    scheduler_rpc: str
    #: object versions the service understands; None: no objects (plain dicts)
    objects: Manifest | None


SERVICE_VERSION_HISTORY: tuple[ServiceLevel, ...] = (
    # 0: release 0.1.0 - plain dicts over RPC
    ServiceLevel("0.1.0", compute_rpc="1.1", conductor_rpc="1.1", scheduler_rpc="1.0",
                 objects=None),
    # 1: release 0.2.0 - versioned objects at every door (compute 2.0, conductor 2.0,
    #    scheduler 2.0); remote consoles (compute 2.1, conductor 2.1); host uptime and
    #    external instance events (compute 2.2); the day-2 server actions and moves
    #    (compute 2.3, conductor 2.2); volumes (compute 2.4)
    ServiceLevel("0.2.0", compute_rpc="2.4", conductor_rpc="2.2", scheduler_rpc="2.0",
                 objects={"BlockDeviceMapping": "1.0", "ComputeNode": "1.0",
                          "ConsoleAuthToken": "1.0", "Flavor": "1.0", "ImageMeta": "1.0",
                          "Instance": "1.0", "InstanceAction": "1.0",
                          "InstanceActionEvent": "1.0",
                          "InstanceExternalEvent": "1.0", "InstanceFault": "1.0",
                          "InstanceGroup": "1.0",
                          "Migration": "1.0", "RequestSpec": "1.0", "Selection": "1.0",
                          "Service": "1.0", "VolumeAttachment": "1.0"}),
)


def level(version: int) -> ServiceLevel:
    """The entry of a service version (a newer one than this code knows: ours)."""
    if version < 0:
        version = 0
    return SERVICE_VERSION_HISTORY[min(version, SERVICE_VERSION)]


def level_for_rpc(attribute: str, rpc_version: str) -> ServiceLevel:
    """The newest entry whose ``attribute`` (e.g. ``compute_rpc``) is ``rpc_version`` or
    older: what an explicit ``[upgrade_levels]`` cap means for objects. A cap inside a
    major version no entry names exactly (2.0, when 0.2.0 speaks 2.1) is that major's
    first entry: minor versions only add methods, so its objects are the same."""
    from novalite.objects.base import version_tuple

    wanted = version_tuple(rpc_version)
    chosen = SERVICE_VERSION_HISTORY[0]
    for entry in SERVICE_VERSION_HISTORY:
        if version_tuple(getattr(entry, attribute)) <= wanted:
            chosen = entry
    if version_tuple(getattr(chosen, attribute))[0] < wanted[0]:
        for entry in SERVICE_VERSION_HISTORY:
            if version_tuple(getattr(entry, attribute))[0] == wanted[0]:
                return entry
    return chosen


def this_manifest() -> dict[str, str]:
    return current_manifest()


class Service(NovaliteObject):
    VERSION = "1.0"

    id: int | None = None
    uuid: str | None = None
    host: str = ""
    binary: str = ""
    topic: str | None = None
    report_count: int = 0
    disabled: bool = False
    disabled_reason: str | None = None
    forced_down: bool = False
    last_seen_up: datetime.datetime | None = None
    version: int = 0
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None
