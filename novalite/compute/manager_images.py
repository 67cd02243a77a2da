"""The compute agent's images of a server: snapshot (createImage), backup with its
rotation, and shelving (the snapshot the server comes back from, its host's
resources released at offload, the spawn on unshelve).

The driver writes the guest's disk as one file; the agent uploads it to the image
service with the user's token (the record the API made, queued until then), moving
task_state through Nova's steps: image_snapshot → image_pending_upload →
image_uploading (backups start at image_backup, shelving at shelving).
"""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import tempfile
from typing import Any

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.common.manager import periodic_task
from novalite.compute import network
from novalite.compute.manager_base import _GONE, ManagerBase, _utcnow
from novalite.conf import CONF
from novalite.image.client import ImageClient
from novalite.objects import ImageMeta, Instance, RequestSpec

LOG = logging.getLogger(__name__)
#: the system metadata of a shelved server (Nova's keys)
SHELVED_KEYS = ("shelved_at", "shelved_image_id", "shelved_host")


def _scratch_dir() -> str:
    path = os.path.join(os.path.expanduser(str(CONF.state_path)), "snapshots")
    os.makedirs(path, exist_ok=True)
    return tempfile.mkdtemp(dir=path)


class ImagesMixin(ManagerBase):
    # --- snapshot and backup ----------------------------------------------------------

    def _upload_snapshot(self, ctxt: RequestContext, instance: Instance, image_id: str,
                         pending: str, uploading: str) -> Instance:
        """The guest's disk into image ``image_id``; task_state ``pending`` while it is
        written, ``uploading`` while it goes up. The instance as it is then."""
        directory = _scratch_dir()
        try:
            written = self.driver.snapshot(ctxt, self._driver_instance(instance), directory)
            instance = self._save(ctxt, instance, task_state=pending,
                                  expected_task_state=instance.task_state, check=True)
            client = ImageClient(ctxt)
            client.update(image_id, {"disk_format": written.disk_format,
                                     "container_format": written.container_format})
            instance = self._save(ctxt, instance, task_state=uploading,
                                  expected_task_state=pending, check=True)
            client.upload(image_id, written.path)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return instance

    def _snapshot_failed(self, ctxt: RequestContext, instance: Instance, image_id: str,
                         error: BaseException) -> None:
        """The image is deleted (a half-made snapshot helps nobody), the server goes on."""
        try:
            ImageClient(ctxt).delete_image(image_id)
        except exception.NovaliteException as cleanup:
            LOG.warning("image %s of %s was not deleted: %s", image_id, instance.uuid,
                        cleanup)
        self._fail_quietly(ctxt, instance, error)

    def _snapshot(self, ctxt: RequestContext, instance: Instance, image_id: str, event: str,
                  expected: str, running: str | None) -> bool:
        """Snapshot under ``event``; whether it was uploaded."""
        with self._instance_lock(instance.uuid):
            try:
                if running is not None:
                    instance = self._save(ctxt, instance, task_state=running,
                                          expected_task_state=expected, check=True)
                with self._event(ctxt, instance.uuid, event):
                    instance = self._upload_snapshot(ctxt, instance, image_id,
                                                     states.IMAGE_PENDING_UPLOAD,
                                                     states.IMAGE_UPLOADING)
                self._save(ctxt, instance, task_state=None,
                           expected_task_state=states.IMAGE_UPLOADING, check=True)
            except _GONE:
                ImageClient(ctxt).delete_image(image_id)
                return False
            except Exception as error:
                self._snapshot_failed(ctxt, instance, image_id, error)
                return False
        return True

    def snapshot_instance(self, ctxt: RequestContext, instance: Instance, image_id: str
                          ) -> None:
        self._snapshot(ctxt, instance, image_id, "compute_snapshot_instance",
                       states.IMAGE_SNAPSHOT_PENDING, states.IMAGE_SNAPSHOT)

    def backup_instance(self, ctxt: RequestContext, instance: Instance, image_id: str,
                        backup_type: str, rotation: int) -> None:
        if self._snapshot(ctxt, instance, image_id, "compute_backup_instance",
                          states.IMAGE_BACKUP, None):
            self._rotate_backups(ctxt, instance, backup_type, rotation)

    @staticmethod
    def _rotate_backups(ctxt: RequestContext, instance: Instance, backup_type: str,
                        rotation: int) -> None:
        """Keep the newest ``rotation`` backups of this type of this server (Nova's
        ``_rotate_backups``: the oldest beyond it are deleted)."""
        client = ImageClient(ctxt)
        backups = client.list_images(image_type="backup", backup_type=backup_type,
                                     instance_uuid=instance.uuid)
        for image in backups[rotation:]:
            LOG.info("rotating out backup %s of %s", image["id"], instance.uuid)
            client.delete_image(str(image["id"]))

    # --- shelve -------------------------------------------------------------------------

    def shelve_instance(self, ctxt: RequestContext, instance: Instance, image_id: str
                        ) -> None:
        """Stop the guest, snapshot it into ``image_id``, SHELVED; offloaded at once
        when ``[DEFAULT] shelved_offload_time`` is 0."""
        with self._instance_lock(instance.uuid):
            try:
                with self._event(ctxt, instance.uuid, "compute_shelve_instance"):
                    self.driver.power_off(self._driver_instance(instance),
                                          CONF.shutdown_timeout)
                    self._delete_console_tokens(ctxt, instance.uuid)
                    instance = self._upload_snapshot(
                        ctxt, instance, image_id, states.SHELVING_IMAGE_PENDING_UPLOAD,
                        states.SHELVING_IMAGE_UPLOADING)
                    system_metadata = {**instance.system_metadata,
                                       "shelved_at": _utcnow().isoformat(),
                                       "shelved_image_id": image_id,
                                       "shelved_host": self.host}
                    instance = self._save(
                        ctxt, instance, vm_state=states.SHELVED,
                        task_state=None if CONF.shelved_offload_time else
                        states.SHELVING_OFFLOADING,
                        power_state=self.driver.get_power_state(
                            self._driver_instance(instance)),
                        system_metadata=system_metadata,
                        expected_task_state=states.SHELVING_IMAGE_UPLOADING, check=True)
            except _GONE:
                ImageClient(ctxt).delete_image(image_id)
                return
            except Exception as error:
                self._snapshot_failed(ctxt, instance, image_id, error)
                return
            if not CONF.shelved_offload_time:
                self._offload(ctxt, instance)

    def shelve_offload_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        with self._instance_lock(instance.uuid):
            self._offload(ctxt, instance)

    def _offload(self, ctxt: RequestContext, instance: Instance) -> None:
        """The guest and its disk go; its ports stay, bound to no host; its resources
        are released. SHELVED_OFFLOADED, on no host."""
        try:
            with self._event(ctxt, instance.uuid, "compute_shelve_offload_instance"):
                self.driver.destroy(ctxt, self._driver_instance(instance),
                                    instance.network_info)
                network.unbind_ports(ctxt, instance.network_info)
                self.conductor.instance_release_allocations(ctxt, instance)
                self._save(ctxt, instance, vm_state=states.SHELVED_OFFLOADED,
                           task_state=None, power_state=states.NOSTATE, host=None, node=None,
                           expected_task_state=states.SHELVING_OFFLOADING, check=True)
        except _GONE:
            return
        except Exception as error:
            self._fail_quietly(ctxt, instance, error)

    @periodic_task(spacing=None)
    def _poll_shelved_instances(self, ctxt: RequestContext) -> None:
        """Offload the servers shelved here longer than ``shelved_offload_time``."""
        if CONF.shelved_offload_time <= 0:
            return
        cutoff = _utcnow() - datetime.timedelta(seconds=CONF.shelved_offload_time)
        for instance in self.conductor.instance_get_all_by_host(ctxt, self.host):
            shelved_at = instance.system_metadata.get("shelved_at")
            if (instance.vm_state != states.SHELVED or instance.task_state is not None
                    or not shelved_at
                    or datetime.datetime.fromisoformat(shelved_at) > cutoff):
                continue
            try:
                instance = self._save(ctxt, instance, task_state=states.SHELVING_OFFLOADING,
                                      expected_task_state=None, check=True)
            except _GONE:
                continue
            LOG.info("offloading %s, shelved since %s", instance.uuid, shelved_at)
            self.shelve_offload_instance(ctxt, instance)

    # --- unshelve -----------------------------------------------------------------------

    def unshelve_instance(self, ctxt: RequestContext, instance: Instance,
                          image: ImageMeta | None, request_spec: RequestSpec,
                          node: str | None = None) -> None:
        """Spawn the server here from its shelved snapshot (or, still SHELVED on this
        host, start it); ACTIVE, the snapshot deleted."""
        with self._instance_lock(instance.uuid):
            try:
                with self._event(ctxt, instance.uuid, "compute_unshelve_instance"):
                    if image is None:
                        instance = self._save(ctxt, instance, task_state=states.POWERING_ON,
                                              expected_task_state=states.UNSHELVING,
                                              check=True)
                        driver_instance = self._driver_instance(instance)
                        self.driver.power_on(ctxt, driver_instance, instance.network_info)
                    else:
                        instance = self._save(ctxt, instance, task_state=states.SPAWNING,
                                              expected_task_state=states.UNSHELVING,
                                              check=True)
                        instance = self._spawn_shelved(ctxt, instance, image)
                    self._finish_unshelve(ctxt, instance)
            except _GONE:
                return
            except Exception as error:
                self._unshelve_failed(ctxt, instance, image, error)

    def _spawn_shelved(self, ctxt: RequestContext, instance: Instance, image: ImageMeta
                       ) -> Instance:
        network_info = network.bind_ports(ctxt, instance.network_info, self.host)
        instance = self._save(ctxt, instance, network_info=network_info)
        driver_instance = self._driver_instance(instance)
        driver_instance["image_ref"] = image.id  # the snapshot, not the original image
        self.driver.spawn(ctxt, driver_instance, image.to_legacy(), network_info, None)
        return instance

    def _finish_unshelve(self, ctxt: RequestContext, instance: Instance) -> None:
        image_id = instance.system_metadata.get("shelved_image_id")
        system_metadata = {key: value for key, value in instance.system_metadata.items()
                           if key not in SHELVED_KEYS}
        self._save(ctxt, instance, vm_state=states.ACTIVE, task_state=None,
                   power_state=self.driver.get_power_state(self._driver_instance(instance)),
                   system_metadata=system_metadata, expected_task_state=instance.task_state,
                   check=True)
        if image_id:
            try:
                ImageClient(ctxt).delete_image(image_id)
            except exception.NovaliteException as error:
                LOG.warning("shelved image %s of %s was not deleted: %s", image_id,
                            instance.uuid, error)

    def _unshelve_failed(self, ctxt: RequestContext, instance: Instance,
                         image: ImageMeta | None, error: BaseException) -> None:
        """A server that did not come back stays shelved: offloaded again (nothing of
        it left on this host, nothing held) when its spawn failed."""
        changes: dict[str, Any] = {}
        if image is not None:
            self._destroy_quietly(ctxt, instance)
            try:
                network.unbind_ports(ctxt, instance.network_info)
                self.conductor.instance_release_allocations(ctxt, instance)
            except Exception:
                LOG.exception("clean-up of the failed unshelve of %s", instance.uuid)
            changes = {"vm_state": states.SHELVED_OFFLOADED, "host": None, "node": None,
                       "power_state": states.NOSTATE}
        self._fail_quietly(ctxt, instance, error, **changes)
