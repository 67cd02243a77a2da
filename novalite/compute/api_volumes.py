"""The compute API's volumes (Nova's ``attach_volume``, ``detach_volume`` and the block
device mappings of a new server), in the API process: it records the mappings and
reserves, or lets go of, the volumes with the caller's token; the compute node connects
them to the guest (compute RPC 2.4).

* Attach (``os-volume_attachments`` POST): the volume is read (404), a mapping with the
  next free device name recorded, the volume reserved (``POST /attachments`` without a
  connector), the compute node connects it; any failure deletes the attachment and the
  mapping again.
* Detach: ``os-begin_detaching``, the compute node takes the disk away and deletes the
  attachment, the mapping is forgotten; a failure rolls the volume back to ``in-use``.
* Create: ``block_device_mapping_v2`` entries with ``destination_type: volume`` become
  mappings the compute node's build makes and connects (steps 25–27).
"""

from __future__ import annotations

import json
import logging
import os
import string
from typing import Any

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute.api_base import APIBase, Instance
from novalite.db import block_devices, instances
from novalite.image.client import ImageClient
from novalite.objects import BlockDeviceMapping
from novalite.objects import Instance as InstanceObject
from novalite.volume.client import VolumeClient

LOG = logging.getLogger(__name__)
#: vm_states a volume can be attached or detached in (the guest running or not)
_ATTACHABLE = (states.ACTIVE, states.PAUSED, states.STOPPED, states.SUSPENDED)
#: the most volumes one server may have (Nova's libvirt limit of virtio disks)
MAX_VOLUMES = 24


class VolumeAlreadyAttached(exception.Invalid):
    msg_fmt = "Invalid volume: volume %(volume_id)s already attached"


def next_device_name(taken: set[str], config_drive: bool) -> str:
    """The first free ``vdX`` (``vda`` is the root disk, ``vdb`` a config drive)."""
    used = {name.rsplit("/", 1)[-1] for name in taken} | {"vda"}
    if config_drive:
        used.add("vdb")
    for letter in string.ascii_lowercase[1:]:
        if f"vd{letter}" not in used:
            return f"vd{letter}"
    raise exception.Invalid(message="No free disk device names for prefix 'vd'")


def _device(requested: str | None, taken: set[str], config_drive: bool) -> str:
    """The device of a new volume: the one asked for when it is a free ``vdX`` (Nova
    honours a request only as a hint; the guest names disks itself)."""
    if requested:
        name = requested.rsplit("/", 1)[-1]
        if (len(name) == 3 and name.startswith("vd") and name[2] in string.ascii_lowercase
                and name not in {t.rsplit("/", 1)[-1] for t in taken} | {"vda"}
                and not (config_drive and name == "vdb")):
            return name
    return next_device_name(taken, config_drive)


class VolumesAPI(APIBase):
    # --- reads --------------------------------------------------------------------------

    @staticmethod
    def volume_attachments(instance: Instance) -> list[BlockDeviceMapping]:
        return [BlockDeviceMapping.from_dict(bdm)
                for bdm in block_devices.list_for_instance(instance["uuid"])
                if bdm["volume_id"]]

    @staticmethod
    def volume_attachment(instance: Instance, volume_id: str) -> BlockDeviceMapping:
        try:
            bdm = block_devices.get_by_volume(instance["uuid"], volume_id)
        except block_devices.VolumeBDMNotFound:
            raise exception.NotFound(
                message=f"Volume {volume_id} is not attached to server "
                        f"{instance['uuid']}") from None
        return BlockDeviceMapping.from_dict(bdm)

    def update_volume_attachment(self, instance: Instance, volume_id: str,
                                 delete_on_termination: bool) -> None:
        bdm = self.volume_attachment(instance, volume_id)
        block_devices.update(int(bdm.id or 0),
                             {"delete_on_termination": delete_on_termination})

    def with_block_devices(self, instance: Instance) -> InstanceObject:
        """The instance as an object with its mappings (what the compute node reads)."""
        found = InstanceObject.from_db(instance)
        found.block_device_mappings = [
            BlockDeviceMapping.from_dict(bdm)
            for bdm in block_devices.list_for_instance(instance["uuid"])]
        found.obj_reset_changes()
        return found

    # --- attach and detach --------------------------------------------------------------

    def _check_volume_state(self, ctxt: RequestContext, instance: Instance,
                            action: str) -> None:
        self._check_lock(ctxt, instance)
        if instance["vm_state"] not in _ATTACHABLE or instance.get("task_state"):
            raise exception.InstanceInvalidState(
                message=f"Cannot '{action}' instance {instance['uuid']} while it is in "
                        f"vm_state {instance['vm_state']}")
        if not instance.get("host"):
            raise exception.InstanceInvalidState(
                message=f"Instance {instance['uuid']} is not on a host")
        self._check_host_up(instance)
        self.compute.require("2.4", action)

    def attach_volume(self, ctxt: RequestContext, instance: Instance, volume_id: str, *,
                      device: str | None = None, tag: str | None = None,
                      delete_on_termination: bool = False) -> BlockDeviceMapping:
        """Reserve ``volume_id`` for the server and have its host connect it; the
        mapping (its ``device_name`` is where the guest sees it)."""
        self._check_volume_state(ctxt, instance, "attach_volume")
        client = VolumeClient(ctxt)
        volume = client.get(volume_id)
        existing = block_devices.list_for_instance(instance["uuid"])
        if any(bdm["volume_id"] == volume["id"] for bdm in existing):
            raise VolumeAlreadyAttached(volume_id=volume_id)
        if len(existing) >= MAX_VOLUMES:
            raise exception.Forbidden(message="The maximum allowed number of disk devices "
                                              f"({MAX_VOLUMES}) to attach to a single "
                                              "instance has been exceeded.")
        taken = {str(bdm["device_name"]) for bdm in existing if bdm["device_name"]}
        name = _device(device, taken, bool(instance.get("config_drive")))
        attachment = client.attachment_create(volume["id"], instance["uuid"])
        try:
            record = block_devices.create({
                "instance_uuid": instance["uuid"], "source_type": "volume",
                "destination_type": "volume", "device_name": name, "device_type": "disk",
                "disk_bus": "virtio", "volume_id": volume["id"],
                "attachment_id": attachment["id"], "tag": tag,
                "delete_on_termination": delete_on_termination})
        except Exception:
            client.attachment_delete(attachment["id"])
            raise
        instances.action_start(ctxt, instance["uuid"], "attach_volume")
        bdm = BlockDeviceMapping.from_dict(record)
        try:
            attached = self.compute.attach_volume(ctxt, InstanceObject.from_db(instance), bdm)
        except Exception:
            LOG.warning("attach of volume %s to %s failed: rolling back", volume_id,
                        instance["uuid"])
            block_devices.destroy(int(record["id"]))
            client.attachment_delete(attachment["id"])
            raise
        saved = block_devices.update(int(record["id"]),
                                     {"connection_info": attached.connection_info})
        return BlockDeviceMapping.from_dict(saved)

    def detach_volume(self, ctxt: RequestContext, instance: Instance, volume_id: str) -> None:
        self._check_volume_state(ctxt, instance, "detach_volume")
        bdm = self.volume_attachment(instance, volume_id)
        if bdm.boot_index == 0:
            raise exception.Invalid(message="Cannot detach a root device volume")
        client = VolumeClient(ctxt)
        client.begin_detaching(volume_id)
        instances.action_start(ctxt, instance["uuid"], "detach_volume")
        try:
            self.compute.detach_volume(ctxt, InstanceObject.from_db(instance), bdm)
        except Exception:
            LOG.warning("detach of volume %s from %s failed", volume_id, instance["uuid"])
            try:
                client.roll_detaching(volume_id)
            except exception.NovaliteException as error:
                LOG.warning("roll_detaching of %s failed: %s", volume_id, error)
            raise
        block_devices.destroy(int(bdm.id or 0))

    def release_volumes_locally(self, ctxt: RequestContext, instance: Instance) -> None:
        """A server deleted without its host (never built, or its host down): its
        attachments are deleted here, and its delete_on_termination volumes."""
        client: VolumeClient | None = None
        for bdm in block_devices.list_for_instance(instance["uuid"]):
            if not bdm["volume_id"]:
                continue
            try:
                client = client or VolumeClient(ctxt)
                if bdm["attachment_id"]:
                    client.attachment_delete(bdm["attachment_id"])
                if bdm["delete_on_termination"]:
                    client.delete_volume(bdm["volume_id"])
            except exception.NovaliteException as error:
                LOG.warning("volume %s of %s not released: %s", bdm["volume_id"],
                            instance["uuid"], error)
        block_devices.destroy_for_instance(instance["uuid"])


def snapshot_volume_backed(ctxt: RequestContext, instance: Instance, name: str,
                           body: dict[str, Any]) -> dict[str, Any]:
    """createImage of a volume-backed server (Nova's ``snapshot_volume_backed``): a
    snapshot of each of its volumes (``force``: they are in use) and an image with no
    data (active, size 0) whose ``block_device_mapping`` property maps the snapshots,
    ``bdm_v2`` and ``root_device_name`` set. ``body``: the image record's properties."""
    client = VolumeClient(ctxt)
    mappings: list[dict[str, Any]] = []
    for bdm in block_devices.list_for_instance(instance["uuid"]):
        if not bdm["volume_id"]:
            continue
        snapshot = client.create_snapshot(bdm["volume_id"], f"snapshot for {name}")
        mappings.append({
            "source_type": "snapshot", "destination_type": "volume",
            "snapshot_id": snapshot["id"], "volume_id": None, "image_id": None,
            "volume_size": snapshot.get("size") or bdm["volume_size"],
            "boot_index": bdm["boot_index"], "device_name": f"/dev/{bdm['device_name']}",
            "delete_on_termination": bool(bdm["delete_on_termination"]),
            "device_type": bdm["device_type"] or "disk", "disk_bus": bdm["disk_bus"],
            "guest_format": bdm["guest_format"], "tag": bdm["tag"],
            "volume_type": bdm["volume_type"], "no_device": None})
    images = ImageClient(ctxt)
    record = {key: value for key, value in body.items() if key != "base_image_ref"}
    record.update({"name": name, "disk_format": record.get("disk_format") or "raw",
                   "container_format": record.get("container_format") or "bare",
                   "block_device_mapping": json.dumps(mappings), "bdm_v2": "True",
                   "root_device_name": "/dev/vda"})
    image: dict[str, Any] = images.create(record)
    images.upload(str(image["id"]), os.devnull)  # no data: active at once, as Nova's
    return images.get(str(image["id"]))
