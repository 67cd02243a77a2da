"""The compute agent's volumes (Nova's ``attach_volume``, ``detach_volume`` and the
build's block devices, boot flow steps 25–27): the volume service exports a volume to
this host (the attachment's connector), the driver connects it to the guest, the
attachment is completed. The API records the mappings; this side talks to the volume
service with the caller's token and to the driver."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.compute.manager_base import ManagerBase
from novalite.conf import CONF
from novalite.objects import BlockDeviceMapping, Instance
from novalite.volume.client import VolumeClient

LOG = logging.getLogger(__name__)
#: the states a volume the build made passes through before it is usable
_CREATING = ("creating", "downloading")


class VolumeBuildFailed(exception.NovaliteException):
    msg_fmt = "Build of instance %(instance_uuid)s aborted: %(reason)s"


class VolumesMixin(ManagerBase):
    def _connect_volume(self, ctxt: RequestContext, instance: Instance,
                        bdm: BlockDeviceMapping, *, live: bool = True) -> BlockDeviceMapping:
        """Export ``bdm``'s reserved volume to this host, connect it to the guest (when
        ``live``; a build connects its volumes with the definition) and complete the
        attachment; ``bdm`` with its ``connection_info``."""
        if not bdm.attachment_id or not bdm.volume_id or not bdm.device_name:
            raise exception.Invalid(message="The block device mapping has no attachment")
        client = VolumeClient(ctxt)
        connector = self.driver.get_volume_connector(self._driver_instance(instance))
        attachment = client.attachment_update(bdm.attachment_id, connector,
                                              f"/dev/{bdm.device_name}")
        info: dict[str, Any] = dict(attachment.get("connection_info") or {})
        if live:
            self.driver.attach_volume(ctxt, info, self._driver_instance(instance),
                                      bdm.device_name, bdm.volume_id)
        try:
            client.attachment_complete(bdm.attachment_id)
        except exception.NovaliteException:
            if live:
                self.driver.detach_volume(ctxt, info, self._driver_instance(instance),
                                          bdm.device_name, bdm.volume_id)
            raise
        bdm.connection_info = json.dumps(info)
        return bdm

    def attach_volume(self, ctxt: RequestContext, instance: Instance,
                      bdm: BlockDeviceMapping) -> BlockDeviceMapping:
        """Hot-plug (or, stopped, add to the definition) a volume the API reserved."""
        with (self._instance_lock(instance.uuid),
              self._event(ctxt, instance.uuid, "compute_attach_volume")):
            return self._connect_volume(ctxt, instance, bdm)

    def detach_volume(self, ctxt: RequestContext, instance: Instance,
                      bdm: BlockDeviceMapping) -> None:
        """Take the volume from the guest, then delete its attachment (the volume
        service stops exporting it; the volume is ``available`` again)."""
        with (self._instance_lock(instance.uuid),
              self._event(ctxt, instance.uuid, "compute_detach_volume")):
            self.driver.detach_volume(ctxt, bdm.connection(), self._driver_instance(instance),
                                      bdm.device_name or "", bdm.volume_id or "")
            if bdm.attachment_id:
                VolumeClient(ctxt).attachment_delete(bdm.attachment_id)

    # --- the build's volumes (steps 25–27) ----------------------------------------------

    def _prepare_block_devices(self, ctxt: RequestContext, instance: Instance
                               ) -> list[BlockDeviceMapping]:
        """Make the volumes the mappings ask for (from an image, a snapshot, or blank),
        wait until each is available, reserve and connect them; the mappings with their
        volumes, attachments and connections, as the conductor is to record them."""
        client = VolumeClient(ctxt)
        prepared: list[BlockDeviceMapping] = []
        for bdm in instance.block_device_mappings:
            if bdm.destination_type != "volume":
                continue
            if bdm.source_type != "volume" or not bdm.volume_id:
                created = client.create(
                    int(bdm.volume_size or 1), name="",
                    image_id=bdm.image_id if bdm.source_type == "image" else None,
                    snapshot_id=bdm.snapshot_id if bdm.source_type == "snapshot" else None,
                    volume_type=bdm.volume_type,
                    availability_zone=instance.availability_zone)
                bdm.volume_id = str(created["id"])
                prepared.append(bdm)  # recorded even if it fails: the delete cleans up
                self._await_volume(ctxt, client, instance, bdm.volume_id)
            else:
                prepared.append(bdm)
            if not bdm.attachment_id:
                attachment = client.attachment_create(bdm.volume_id, instance.uuid)
                bdm.attachment_id = str(attachment["id"])
            self._connect_volume(ctxt, instance, bdm, live=False)
        return prepared

    def _build_block_devices(self, ctxt: RequestContext, instance: Instance,
                             mappings: list[BlockDeviceMapping]) -> dict[str, Any] | None:
        """Steps 25–27 for a build: the volumes made and connected, recorded through the
        conductor; the driver's ``block_device_info`` (None without volumes)."""
        if not any(bdm.destination_type == "volume" for bdm in mappings):
            return None
        instance.block_device_mappings = mappings
        try:
            self._prepare_block_devices(ctxt, instance)
        finally:
            instance.block_device_mappings = mappings
            self._save(ctxt, instance, block_device_mappings=mappings)
        return block_device_info(mappings)

    def _unbuild_block_devices(self, ctxt: RequestContext, instance: Instance,
                               mappings: list[BlockDeviceMapping]) -> None:
        """A failed build lets go of its volumes: attachments deleted, the volumes it
        made deleted, so a build elsewhere starts afresh."""
        made = [bdm for bdm in mappings if bdm.destination_type == "volume"
                and bdm.source_type != "volume" and bdm.volume_id]
        self._release_block_devices(ctxt, instance, [
            bdm.obj_clone() for bdm in mappings if bdm.destination_type == "volume"])
        client = VolumeClient(ctxt)
        for bdm in made:
            try:
                if not bdm.delete_on_termination:
                    client.delete_volume(bdm.volume_id or "")
            except exception.NovaliteException as error:
                LOG.warning("volume %s of failed build %s not deleted: %s", bdm.volume_id,
                            instance.uuid, error)
            bdm.volume_id = None
        for bdm in mappings:
            bdm.attachment_id = None
            bdm.connection_info = None
        if mappings:
            try:
                instance.block_device_mappings = mappings
                self._save(ctxt, instance, block_device_mappings=mappings)
            except exception.InstanceNotFound:
                pass

    def _await_volume(self, ctxt: RequestContext, client: VolumeClient, instance: Instance,
                      volume_id: str) -> None:
        """Wait while the new volume is being made: ``[DEFAULT]
        block_device_allocate_retries`` checks, ``..._interval`` seconds apart."""
        retries = max(int(CONF.block_device_allocate_retries), 0)
        interval = float(CONF.block_device_allocate_retries_interval)
        status = "creating"
        for attempt in range(retries + 1):
            status = str(client.get(volume_id).get("status"))
            if status not in _CREATING:
                break
            if attempt < retries:
                time.sleep(interval)
        if status != "available":
            reason = (f"Volume {volume_id} did not finish being created even after we "
                      f"waited {int(retries * interval)} seconds or {retries + 1} attempts. "
                      f"And its status is {status}.") if status in _CREATING else \
                f"Volume {volume_id} is {status}, not available."
            raise VolumeBuildFailed(instance_uuid=instance.uuid, reason=reason)

    def _release_block_devices(self, ctxt: RequestContext, instance: Instance,
                               mappings: list[BlockDeviceMapping]) -> None:
        """After the guest is gone: delete the attachments, then the volumes marked
        ``delete_on_termination`` (as Nova's ``_cleanup_volumes``); failures are logged."""
        client = VolumeClient(ctxt)
        for bdm in mappings:
            if bdm.destination_type != "volume" or not bdm.volume_id:
                continue
            try:
                if bdm.attachment_id:
                    client.attachment_delete(bdm.attachment_id)
                if bdm.delete_on_termination:
                    client.delete_volume(bdm.volume_id)
            except exception.NovaliteException as error:
                LOG.warning("volume %s of %s not released: %s", bdm.volume_id,
                            instance.uuid, error)


def block_device_info(mappings: list[BlockDeviceMapping]) -> dict[str, Any]:
    """What a driver's ``spawn`` reads of the volumes (Nova's ``block_device_info``):
    ``block_device_mapping`` [{connection_info, mount_device, volume_id, boot_index}],
    boot disk first."""
    return {"block_device_mapping": [
        {"connection_info": bdm.connection(), "mount_device": bdm.device_name,
         "volume_id": bdm.volume_id, "boot_index": bdm.boot_index}
        for bdm in mappings if bdm.destination_type == "volume" and bdm.connection_info]}
