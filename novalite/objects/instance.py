"""Instance: a server, with its flavor, image metadata, ports, disks and newest fault.

Version history:
  1.0 - Initial version (release 0.2.0)
"""

from __future__ import annotations

import datetime
from dataclasses import field
from typing import Any

from novalite.common import instance_states as states
from novalite.objects.base import NovaliteObject
from novalite.objects.block_device import BlockDeviceMapping
from novalite.objects.flavor import Flavor
from novalite.objects.image_meta import ImageMeta
from novalite.objects.instance_fault import InstanceFault

#: one VIF of ``network_info``: a port as Nova's info cache holds it (JSON)
VIF = dict[str, Any]

# The columns of an instance record (also the keys of release 0.1.0's instance dict).
_COLUMNS = (
    "id", "uuid", "display_name", "display_description", "project_id", "user_id", "host",
    "node", "launched_on", "instance_type_id", "vcpus", "memory_mb", "root_gb",
    "ephemeral_gb", "image_ref", "kernel_id", "ramdisk_id", "key_name", "key_data",
    "user_data", "vm_state", "task_state", "power_state", "availability_zone", "launched_at",
    "terminated_at", "deleted", "deleted_at", "locked", "locked_by", "locked_reason",
    "access_ip_v4", "access_ip_v6", "hostname", "reservation_id", "launch_index",
    "config_drive", "progress", "root_device_name", "system_metadata", "network_info",
    "requested_networks", "created_at", "updated_at")


class Instance(NovaliteObject):
    VERSION = "1.0"

    id: int | None = None
    uuid: str = ""
    display_name: str | None = None
    display_description: str | None = None
    project_id: str = ""
    user_id: str = ""
    host: str | None = None
    node: str | None = None
    launched_on: str | None = None
    instance_type_id: str | None = None
    vcpus: int = 0
    memory_mb: int = 0
    root_gb: int = 0
    ephemeral_gb: int = 0
    flavor: Flavor | None = None
    image_ref: str | None = None
    image_meta: ImageMeta | None = None
    kernel_id: str | None = None
    ramdisk_id: str | None = None
    key_name: str | None = None
    key_data: str | None = None
    user_data: str | None = None
    vm_state: str | None = None
    task_state: str | None = None
    power_state: int = 0
    availability_zone: str | None = None
    launched_at: datetime.datetime | None = None
    terminated_at: datetime.datetime | None = None
    deleted: bool = False
    deleted_at: datetime.datetime | None = None
    locked: bool = False
    locked_by: str | None = None
    locked_reason: str | None = None
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    hostname: str | None = None
    reservation_id: str | None = None
    launch_index: int = 0
    config_drive: str | None = None
    progress: int = 0
    root_device_name: str | None = None
    system_metadata: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    network_info: list[VIF] = field(default_factory=list)
    #: what the create request asked for: "auto", "none" or a list of requests
    requested_networks: Any = None
    block_device_mappings: list[BlockDeviceMapping] = field(default_factory=list)
    fault: InstanceFault | None = None
    created_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None

    @property
    def status(self) -> str:
        return states.status_from_state(self.vm_state, self.task_state)

    @classmethod
    def from_db(cls, values: dict[str, Any]) -> Instance:
        """From an instance record as ``novalite.db.instances`` reads it."""
        return cls.from_legacy(values)

    @classmethod
    def from_legacy(cls, values: dict[str, Any]) -> Instance:
        """From release 0.1.0's instance dict (the record's columns, JSON decoded, with
        ``metadata``, ``tags``, ``fault`` and ``status``); RPC gave datetimes as text."""
        fields = {key: values[key] for key in _COLUMNS
                  if key in values and key not in ("system_metadata", "network_info")}
        for key in ("launched_at", "terminated_at", "deleted_at", "created_at", "updated_at"):
            if isinstance(fields.get(key), str):
                fields[key] = datetime.datetime.fromisoformat(
                    fields[key].rstrip("Z")).replace(tzinfo=None)
        flavor = values.get("flavor")
        system_metadata = {str(k): str(v) for k, v in
                           (values.get("system_metadata") or {}).items()}
        fault = values.get("fault")
        instance = cls(**fields, system_metadata=system_metadata,
                   flavor=Flavor.from_dict(flavor) if flavor else None,
                   image_meta=ImageMeta.from_system_metadata(values.get("image_ref"),
                                                             system_metadata),
                   metadata=dict(values.get("metadata") or {}),
                   tags=list(values.get("tags") or []),
                   network_info=list(values.get("network_info") or []),
                   fault=InstanceFault.from_dict(fault) if fault else None)
        instance.obj_reset_changes()  # as loaded: nothing to save yet
        return instance

    def to_legacy(self) -> dict[str, Any]:
        """Release 0.1.0's instance dict, for a compute node of that release."""
        values = {key: getattr(self, key) for key in _COLUMNS}
        values["flavor"] = self.flavor.to_instance_copy() if self.flavor else {}
        values["system_metadata"] = dict(self.system_metadata)
        values["network_info"] = list(self.network_info)
        values["metadata"] = dict(self.metadata)
        values["tags"] = list(self.tags)
        values["fault"] = self.fault.obj_to_dict() if self.fault else None
        values["status"] = self.status
        return values

    def to_driver(self, name: str) -> dict[str, Any]:
        """What a virt driver reads: the record plus its hypervisor name and the flavor's
        extra specs (the driver contract is plain data)."""
        return {**self.to_legacy(), "name": name,
                "extra_specs": dict(self.flavor.extra_specs) if self.flavor else {}}

    def values_to_save(self) -> dict[str, Any]:
        """The changed fields as record values (what the conductor writes)."""
        values: dict[str, Any] = {}
        for name in self.obj_what_changed():
            value = getattr(self, name)
            if name == "flavor":
                value = value.to_instance_copy() if value is not None else None
            elif name in ("image_meta", "fault", "block_device_mappings"):
                continue  # kept elsewhere, never written through the instance row
            values[name] = value
        return values
