"""The compute API's images of a server: createImage, createBackup, shelve,
shelveOffload and unshelve.

The image record is made here, with the user's token, before the compute node
uploads into it (Nova's ``compute_utils.create_image``): named as asked, private to
the server's project (shared, with ``instance_owner``, when an admin of another
project makes it), carrying the base image's properties (less the non-inheritable
ones) and ``instance_uuid``, ``user_id``, ``image_type`` (snapshot or backup),
``base_image_ref`` and, for backups, ``backup_type``.
"""

from __future__ import annotations

import logging
from typing import Any

from novalite.common import exception, policy
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute.api_base import APIBase, Instance
from novalite.conf import CONF
from novalite.db import instances, service_store
from novalite.image.client import ImageClient
from novalite.objects import Flavor, ImageMeta, RequestSpec
from novalite.objects import Instance as InstanceObject

LOG = logging.getLogger(__name__)
#: properties a snapshot never inherits (Nova's NON_INHERITABLE_IMAGE_PROPERTIES and
#: namespaces), besides ``[DEFAULT] non_inheritable_image_properties``
_NEVER_INHERITED = ("img_signature", "img_signature_hash_method", "img_signature_key_type",
                    "img_signature_certificate_uuid")
_NEVER_INHERITED_PREFIXES = ("os_glance",)
#: an unshelve that names no zone (below 2.77, or without the key)
UNSET: Any = object()


class UnshelveInstanceInvalidState(exception.Conflict):
    msg_fmt = ("The unshelve action failed: Specified availability zone or host is only "
               "allowed for instances in shelved_offloaded state; instance "
               "%(instance_uuid)s is in %(state)s.")


class ComputeHostNotFound(exception.Invalid):
    msg_fmt = "Compute host %(host)s could not be found."


class VolumeBackedNotSupported(exception.Invalid):
    msg_fmt = "%(what)s is not supported for volume-backed instances."


def is_volume_backed(instance: Instance) -> bool:
    """A server whose root disk is a volume (it booted no image of its own)."""
    return not instance.get("image_ref")


def snapshot_properties(ctxt: RequestContext, instance: Instance, image_type: str,
                        extra: dict[str, str] | None = None) -> dict[str, Any]:
    """The new image's properties and visibility, from what the server recorded of its
    image at boot (``image_*`` system metadata)."""
    system = instance.get("system_metadata") or {}
    inherited = {key[len("image_"):]: value for key, value in system.items()
                 if key.startswith("image_")}
    never = set(_NEVER_INHERITED) | set(CONF.non_inheritable_image_properties)
    properties = {key: value for key, value in inherited.items()
                  if key not in never and not key.startswith(_NEVER_INHERITED_PREFIXES)}
    if instance.get("image_ref") and "base_image_ref" not in properties:
        properties["base_image_ref"] = str(instance["image_ref"])
    properties.update({"instance_uuid": instance["uuid"], "user_id": str(ctxt.user_id),
                       "image_type": image_type})
    body: dict[str, Any] = {"visibility": "private"}
    if ctxt.project_id != instance["project_id"]:
        body["visibility"] = "shared"
        properties["instance_owner"] = instance["project_id"]
    properties.update(extra or {})
    body.update(properties)
    return body


def compute_host_exists(host: str) -> bool:
    return bool(service_store.list_services(binary="novalite-compute", host=host))


class ImagesAPI(APIBase):
    def _create_image_record(self, ctxt: RequestContext, instance: Instance, name: str,
                             image_type: str, extra: dict[str, str] | None = None
                             ) -> dict[str, Any]:
        body = snapshot_properties(ctxt, instance, image_type, extra)
        body["name"] = name
        image: dict[str, Any] = ImageClient(ctxt).create(body)
        return image

    def _begin_with_image(self, ctxt: RequestContext, instance: Instance, action: str,
                          name: str, image_type: str, extra: dict[str, str] | None = None,
                          check_lock: bool = True) -> tuple[InstanceObject, dict[str, Any]]:
        """The state checked, the image record made, then task_state moved (the image
        deleted again if another request won the server meanwhile)."""
        if check_lock:
            self._check_lock(ctxt, instance)
        self._check_state(instance, action)
        image = self._create_image_record(ctxt, instance, name, image_type, extra)
        try:
            updated = self._begin(ctxt, instance, action, check_lock=False)
        except exception.NovaliteException:
            ImageClient(ctxt).delete_image(str(image["id"]))
            raise
        return updated, image

    def snapshot(self, ctxt: RequestContext, instance: Instance, name: str,
                 metadata: dict[str, str] | None = None) -> dict[str, Any]:
        """createImage: the image record (queued until the compute node uploaded it)."""
        self._require_compute("createImage")
        if is_volume_backed(instance):
            from novalite.compute.api_volumes import snapshot_volume_backed

            self._check_lock(ctxt, instance)
            self._check_state(instance, "snapshot")
            policy.authorize(ctxt, "os_compute_api:servers:create_image:allow_volume_backed",
                             {"project_id": instance["project_id"]})
            body = snapshot_properties(ctxt, instance, "snapshot", metadata)
            instances.action_start(ctxt, instance["uuid"], "createImage")
            return snapshot_volume_backed(ctxt, instance, name, body)
        updated, image = self._begin_with_image(ctxt, instance, "snapshot", name, "snapshot",
                                                metadata, check_lock=False)
        self.compute.snapshot_instance(ctxt, updated, str(image["id"]))
        return image

    def backup(self, ctxt: RequestContext, instance: Instance, name: str, backup_type: str,
               rotation: int, metadata: dict[str, str] | None = None) -> dict[str, Any]:
        """createBackup: a snapshot of type backup; the newest ``rotation`` backups of
        ``backup_type`` of this server are kept."""
        self._require_compute("createBackup")
        if is_volume_backed(instance):
            raise VolumeBackedNotSupported(what="Backup")
        updated, image = self._begin_with_image(
            ctxt, instance, "backup", name, "backup",
            {**(metadata or {}), "backup_type": backup_type}, check_lock=False)
        self.compute.backup_instance(ctxt, updated, str(image["id"]), backup_type, rotation)
        return image

    # --- shelve -------------------------------------------------------------------------

    def shelve(self, ctxt: RequestContext, instance: Instance) -> None:
        self._require_compute("shelve")
        if is_volume_backed(instance):
            raise VolumeBackedNotSupported(what="Shelve")
        updated, image = self._begin_with_image(
            ctxt, instance, "shelve", f"{instance['display_name']}-shelved", "snapshot")
        self.compute.shelve_instance(ctxt, updated, str(image["id"]))

    def shelve_offload(self, ctxt: RequestContext, instance: Instance) -> None:
        self._require_compute("shelveOffload")
        updated = self._begin(ctxt, instance, "shelve_offload")
        self.compute.shelve_offload_instance(ctxt, updated)

    def unshelve(self, ctxt: RequestContext, instance: Instance,
                 availability_zone: Any = UNSET, host: str | None = None) -> None:
        """Back from the shelf: started on its host (SHELVED) or scheduled again
        (SHELVED_OFFLOADED), in ``availability_zone`` (2.77; None unpins, 2.91) or on
        ``host`` (2.91)."""
        self._require_compute("unshelve")
        self.conductor.require_moves("unshelve")
        self._check_lock(ctxt, instance)
        self._check_state(instance, "unshelve")
        offloaded = instance["vm_state"] == states.SHELVED_OFFLOADED
        if (availability_zone is not UNSET or host) and not offloaded:
            raise UnshelveInstanceInvalidState(instance_uuid=instance["uuid"],
                                               state=instance["vm_state"])
        if availability_zone not in (UNSET, None):
            self.resolver.availability_zone(str(availability_zone))
        if host and not compute_host_exists(host):
            raise ComputeHostNotFound(host=host)
        system = dict(instance.get("system_metadata") or {})
        zone = system.get("requested_availability_zone")
        if availability_zone is not UNSET:
            zone = availability_zone
            if zone is None:
                system.pop("requested_availability_zone", None)
            else:
                system["requested_availability_zone"] = str(zone)
        updated = self._begin(ctxt, instance, "unshelve", check_lock=False,
                              values={"system_metadata": system})
        request_spec = request_spec_for(updated, zone=zone,
                                        force_hosts=[host] if host else [])
        self.conductor.unshelve_instance(ctxt, updated, request_spec)


def request_spec_for(instance: InstanceObject, flavor: Flavor | None = None,
                     zone: str | None = None, image: ImageMeta | None = None,
                     **fields: Any) -> RequestSpec:
    """What the scheduler is asked for an existing server (Nova keeps its RequestSpec;
    novalite makes it again from the instance)."""
    return RequestSpec(
        flavor=flavor or instance.flavor or Flavor(), image=image or instance.image_meta
        or ImageMeta(id=instance.image_ref), availability_zone=zone,
        project_id=instance.project_id, user_id=instance.user_id, num_instances=1,
        **fields)


def requested_zone(instance: Instance) -> str | None:
    return (instance.get("system_metadata") or {}).get("requested_availability_zone")
