"""The compute API's repairs and guest operations: rebuild, rescue and unrescue,
os-resetState, injectNetworkInfo, trigger_crash_dump, changePassword and restore.
"""

from __future__ import annotations

from typing import Any

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute.api_base import APIBase, Instance, compute_is_up
from novalite.compute.api_images import is_volume_backed
from novalite.db import instances, keypairs
from novalite.image.client import ImageClient, properties
from novalite.objects import ImageMeta
from novalite.objects import Instance as InstanceObject

#: what a rebuild may leave as it is (an absent key) versus set to None
UNSET: Any = object()


class UnsupportedRescueImage(exception.Invalid):
    msg_fmt = "Requested rescue image '%(image)s' is not supported"


class InstanceNotRescuable(exception.Invalid):
    msg_fmt = "Instance %(instance_id)s cannot be rescued: %(reason)s"


class InvalidKeyName(exception.Invalid):
    msg_fmt = "Invalid key_name provided."


class InstanceNotRunning(exception.Conflict):
    msg_fmt = "Instance %(instance_id)s is not running."


def _image_meta(found: dict[str, Any]) -> ImageMeta:
    return ImageMeta.from_image({**found, "properties": properties(found)})


class RecoveryAPI(APIBase):
    def rebuild(self, ctxt: RequestContext, instance: Instance, image_ref: str,
                admin_password: str | None, *, name: str | None = None,
                metadata: dict[str, str] | None = None,
                preserve_ephemeral: bool = False, key_name: Any = UNSET,
                user_data: Any = UNSET, hostname: str | None = None,
                description: Any = UNSET, access_ip_v4: str | None = None,
                access_ip_v6: str | None = None) -> Instance:
        """A new image for the same server: same ports and addresses, a new guest. The
        record as it is once the rebuild started."""
        self._require_compute("rebuild")
        self._check_lock(ctxt, instance)
        self._check_state(instance, "rebuild")
        image = self.resolver.image(ctxt, image_ref)
        flavor = instance.get("flavor") or {}
        self._check_image_fits({**flavor, "memory_mb": flavor.get("memory_mb", 0),
                                "root_gb": flavor.get("root_gb", 0)}, image)
        image_properties = image.get("properties") or {}
        system = {key: value for key, value in (instance.get("system_metadata") or {}).items()
                  if not key.startswith("image_")}
        system.update({f"image_{key}": str(value) for key, value in image_properties.items()})
        values: dict[str, Any] = {
            "image_ref": image["id"], "kernel_id": image_properties.get("kernel_id"),
            "ramdisk_id": image_properties.get("ramdisk_id"), "system_metadata": system,
            "progress": 0}
        if name is not None:
            values["display_name"] = name
        if metadata is not None:
            values["metadata"] = metadata
        if access_ip_v4 is not None:
            values["access_ip_v4"] = access_ip_v4
        if access_ip_v6 is not None:
            values["access_ip_v6"] = access_ip_v6
        if hostname is not None:
            values["hostname"] = hostname
        if description is not UNSET:
            values["display_description"] = description
        if user_data is not UNSET:
            values["user_data"] = user_data
        if key_name is not UNSET:
            values.update(self._key(ctxt, key_name))
        updated = self._begin(ctxt, instance, "rebuild", check_lock=False, values=values)
        self.compute.rebuild_instance(ctxt, updated, ImageMeta.from_image(image),
                                      admin_password, instance.get("image_ref"),
                                      preserve_ephemeral)
        return instances.get(ctxt, instance["uuid"])

    @staticmethod
    def _key(ctxt: RequestContext, key_name: str | None) -> dict[str, Any]:
        if key_name is None:
            return {"key_name": None, "key_data": None}
        try:
            pair = keypairs.get(str(ctxt.user_id), key_name)
        except exception.NotFound:
            raise InvalidKeyName() from None
        return {"key_name": key_name, "key_data": pair["public_key"]}

    def rescue(self, ctxt: RequestContext, instance: Instance, rescue_password: str | None,
               rescue_image_ref: str | None = None) -> None:
        """Boot the rescue image (``rescue_image_ref``, else the server's own image) with
        the server's disk as the second disk: RESCUE."""
        self._require_compute("rescue")
        self._check_lock(ctxt, instance)
        self._check_state(instance, "rescue")
        if is_volume_backed(instance):
            raise InstanceNotRescuable(instance_id=instance["uuid"],
                                       reason="Cannot rescue a volume-backed instance")
        client = ImageClient(ctxt)
        if rescue_image_ref:
            try:
                image = _image_meta(client.get(rescue_image_ref))
            except exception.ImageNotFound:
                raise UnsupportedRescueImage(image=rescue_image_ref) from None
        else:
            own = str((instance.get("system_metadata") or {}).get("image_base_image_ref")
                      or instance.get("image_ref") or "")
            try:
                image = _image_meta(client.get(own))
            except exception.ImageNotFound:
                raise InstanceNotRescuable(
                    instance_id=instance["uuid"],
                    reason=f"its image {own} could not be found") from None
        updated = self._begin(ctxt, instance, "rescue", check_lock=False)
        self.compute.rescue_instance(ctxt, updated, rescue_password, image)

    def unrescue(self, ctxt: RequestContext, instance: Instance) -> None:
        self._require_compute("unrescue")
        self.compute.unrescue_instance(ctxt, self._begin(ctxt, instance, "unrescue"))

    @staticmethod
    def reset_state(ctxt: RequestContext, instance: Instance, state: str) -> None:
        """os-resetState (admin): vm_state active or error, whatever was going on."""
        instances.update(ctxt, instance["uuid"], {"vm_state": state, "task_state": None})
        instances.action_start(ctxt, instance["uuid"], "resetState")

    def inject_network_info(self, ctxt: RequestContext, instance: Instance) -> None:
        self._require_compute("injectNetworkInfo")
        self._check_lock(ctxt, instance)
        if not instance.get("host"):
            raise exception.InstanceNotReady(instance_id=instance["uuid"])
        self.compute.inject_network_info(ctxt, InstanceObject.from_db(instance))

    def trigger_crash_dump(self, ctxt: RequestContext, instance: Instance) -> None:
        """An NMI into the guest (2.17); a 409 unless it runs."""
        self._require_compute("trigger_crash_dump")
        self._check_lock(ctxt, instance)
        if not instance.get("host"):
            raise exception.InstanceNotReady(instance_id=instance["uuid"])
        self._check_state(instance, "trigger_crash_dump")
        if instance.get("power_state") not in (states.RUNNING, states.POWER_PAUSED):
            raise InstanceNotRunning(instance_id=instance["uuid"])
        updated = self._begin(ctxt, instance, "trigger_crash_dump", check_lock=False)
        self.compute.trigger_crash_dump(ctxt, updated)

    def set_admin_password(self, ctxt: RequestContext, instance: Instance, password: str
                           ) -> None:
        """changePassword: through the guest's agent (a 409 when it has none)."""
        self._require_compute("changePassword")
        updated = self._begin(ctxt, instance, "set_admin_password")
        self.compute.set_admin_password(ctxt, updated, password)

    def restore(self, ctxt: RequestContext, instance: Instance) -> None:
        """A SOFT_DELETED server back to ACTIVE (its guest started again)."""
        self._check_lock(ctxt, instance)
        self._check_state(instance, "restore")
        host = instance.get("host")
        if not host or not compute_is_up(host):
            instances.update(ctxt, instance["uuid"], {"vm_state": states.ACTIVE,
                                                      "task_state": None, "deleted_at": None},
                             expected_task_state=None)
            instances.action_start(ctxt, instance["uuid"], "restore")
            return
        self._require_compute("restore")
        updated = self._begin(ctxt, instance, "restore", check_lock=False,
                              values={"deleted_at": None})
        self.compute.restore_instance(ctxt, updated)
