"""Client side of the compute RPC API: each message goes to ``compute`` on one host.

Version history:
  1.0 - build_and_run_instance, terminate_instance, reboot_instance, stop_instance,
        start_instance, pause_instance, unpause_instance, suspend_instance,
        resume_instance, get_diagnostics, get_console_output
  1.1 - attach_interface, detach_interface
  2.0 - (release 0.2.0) instances, request specs and selections are versioned objects
        (novalite.objects); 1.x carried release 0.1.0's plain dicts
  2.1 - (release 0.2.0) get_console, validate_console_port (ConsoleAuthToken)
  2.2 - (release 0.2.0) get_host_uptime, external_instance_event
  2.3 - (release 0.2.0) the day-2 server actions: snapshot_instance, backup_instance,
        rebuild_instance, rescue_instance, unrescue_instance, shelve_instance,
        shelve_offload_instance, unshelve_instance, prep_resize, resize_instance,
        finish_resize, confirm_resize, revert_resize, finish_revert_resize,
        live_migration, pre_live_migration, post_live_migration_at_destination,
        rollback_live_migration_at_destination, inject_network_info,
        trigger_crash_dump, set_admin_password, soft_delete_instance,
        restore_instance (Migration, Flavor and ImageMeta objects)
  2.4 - (release 0.2.0) volumes: attach_volume, detach_volume (BlockDeviceMapping);
        build_and_run_instance and terminate_instance carry the instance's
        block_device_mappings

A compute service of release 0.1.0 gets 1.x messages with its dicts (the objects'
``to_legacy``) until it is upgraded: ``[upgrade_levels] compute = auto`` follows the
oldest compute service.
"""

from __future__ import annotations

from typing import Any

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.objects import (
    BlockDeviceMapping,
    ConsoleAuthToken,
    Flavor,
    ImageMeta,
    Instance,
    InstanceExternalEvent,
    Migration,
    RequestSpec,
    Selection,
)
from novalite.objects.upgrade import MinimumVersion, VersionedRPCAPI

TOPIC = "compute"
BINARY = "novalite-compute"
#: the 1.x version of each method, for a compute of release 0.1.0
_LEGACY_VERSIONS = {"attach_interface": "1.1", "detach_interface": "1.1"}


def _legacy(value: Any) -> Any:
    """Objects as release 0.1.0's dicts (inside lists too)."""
    if isinstance(value, Instance | RequestSpec | Selection):
        return value.to_legacy()
    if isinstance(value, list):
        return [_legacy(item) for item in value]
    return value


class ComputeAPI(VersionedRPCAPI):
    TOPIC = TOPIC
    RPC_API_VERSION = "2.4"
    UPGRADE_LEVEL = "compute"
    LEVEL_ATTRIBUTE = "compute_rpc"
    AUTO_BINARY = BINARY

    def __init__(self, topic: str | None = None, version_cap: str | None = None,
                 minimum_version: MinimumVersion | None = None) -> None:
        super().__init__(topic, version_cap, minimum_version)

    def _send(self, ctxt: RequestContext, host: str | None, method: str, *,
              call: bool = False, version: str = "2.0", **kwargs: Any) -> Any:
        if not host:
            raise exception.Invalid(reason=f"{method}: the instance has no host")
        if version != "2.0" and not self.can_send_version(version):
            raise exception.ComputeTooOld(host=host, method=method, version=version)
        if self.can_send_version("2.0"):
            client = self.prepare(server=host, version=version)
        else:
            client = self.prepare(server=host, version=_LEGACY_VERSIONS.get(method, "1.0"))
            kwargs = {key: _legacy(value) for key, value in kwargs.items()}
        if call:
            return client.call(ctxt, method, **kwargs)
        client.cast(ctxt, method, **kwargs)
        return None

    def _require(self, version: str, what: str) -> None:
        """A 409 when the compute nodes are too old for ``what``."""
        if not self.can_send_version(version):
            raise exception.Conflict(reason=f"{what} needs compute RPC {version}; this "
                                            f"cloud is capped at {self.version_cap}")

    def require(self, version: str, what: str) -> None:
        """What the compute API checks before it changes a server's state for an action
        whose message needs ``version`` (the same 409 the sending method gives)."""
        self._require(version, what)

    def _v23(self, ctxt: RequestContext, host: str | None, method: str, what: str,
             call: bool = False, **kwargs: Any) -> Any:
        self._require("2.3", what)
        if not host:
            raise exception.InstanceNotReady(instance_id=getattr(
                kwargs.get("instance"), "uuid", "?"))
        client = self.prepare(server=host, version="2.3")
        if call:
            return client.call(ctxt, method, **kwargs)
        client.cast(ctxt, method, **kwargs)
        return None

    def _call_v21(self, ctxt: RequestContext, host: str | None, method: str, what: str,
                  **kwargs: Any) -> Any:
        self._require("2.1", what)
        if not host:
            raise exception.Invalid(reason=f"{method}: the instance has no host")
        return self.prepare(server=host, version="2.1").call(ctxt, method, **kwargs)

    def build_and_run_instance(self, ctxt: RequestContext, host: str, instance: Instance,
                               request_spec: RequestSpec, alternates: list[Selection],
                               node: str | None = None) -> None:
        self._send(ctxt, host, "build_and_run_instance", instance=instance,
                   request_spec=request_spec, alternates=alternates, node=node)

    def terminate_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "terminate_instance", instance=instance)

    def reboot_instance(self, ctxt: RequestContext, instance: Instance, reboot_type: str) -> None:
        self._send(ctxt, instance.host, "reboot_instance", instance=instance,
                   reboot_type=reboot_type)

    def stop_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "stop_instance", instance=instance)

    def start_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "start_instance", instance=instance)

    def pause_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "pause_instance", instance=instance)

    def unpause_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "unpause_instance", instance=instance)

    def suspend_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "suspend_instance", instance=instance)

    def resume_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._send(ctxt, instance.host, "resume_instance", instance=instance)

    def get_diagnostics(self, ctxt: RequestContext, instance: Instance) -> dict[str, Any]:
        result: dict[str, Any] = self._send(ctxt, instance.host, "get_diagnostics", call=True,
                                            instance=instance)
        return result

    def get_console_output(self, ctxt: RequestContext, instance: Instance,
                           tail_length: int | None = None) -> str:
        output: str = self._send(ctxt, instance.host, "get_console_output", call=True,
                                 instance=instance, tail_length=tail_length)
        return output

    def attach_interface(self, ctxt: RequestContext, instance: Instance,
                         network_id: str | None, port_id: str | None,
                         requested_ip: str | None) -> dict[str, Any]:
        """A new port of ``network_id`` (or the given port) plugged into the guest; its VIF."""
        vif: dict[str, Any] = self._send(
            ctxt, instance.host, "attach_interface", call=True, instance=instance,
            network_id=network_id, port_id=port_id, requested_ip=requested_ip)
        return vif

    def detach_interface(self, ctxt: RequestContext, instance: Instance, port_id: str) -> None:
        self._send(ctxt, instance.host, "detach_interface", instance=instance, port_id=port_id)

    def attach_volume(self, ctxt: RequestContext, instance: Instance,
                      bdm: BlockDeviceMapping) -> BlockDeviceMapping:
        """Connect the volume the API reserved (``bdm.attachment_id``) to the guest; the
        mapping with its ``connection_info``."""
        self._require("2.4", "Attaching a volume")
        attached: BlockDeviceMapping = self._send(
            ctxt, instance.host, "attach_volume", call=True, version="2.4",
            instance=instance, bdm=bdm)
        return attached

    def detach_volume(self, ctxt: RequestContext, instance: Instance,
                      bdm: BlockDeviceMapping) -> None:
        """Take the volume from the guest and delete its attachment (a call: the API
        forgets the mapping once it returned)."""
        self._require("2.4", "Detaching a volume")
        self._send(ctxt, instance.host, "detach_volume", call=True, version="2.4",
                   instance=instance, bdm=bdm)

    def get_console(self, ctxt: RequestContext, instance: Instance,
                    console_type: str) -> ConsoleAuthToken:
        """Where the guest's console of ``console_type`` is, as a token not yet
        authorized (no token, no id): the caller stores it."""
        connection: ConsoleAuthToken = self._call_v21(
            ctxt, instance.host, "get_console", "A remote console", instance=instance,
            console_type=console_type)
        return connection

    def validate_console_port(self, ctxt: RequestContext, instance: Instance, port: int,
                              console_type: str) -> bool:
        """Whether the guest's console of ``console_type`` still listens on ``port``."""
        valid: bool = self._call_v21(
            ctxt, instance.host, "validate_console_port", "Checking a console token",
            instance=instance, port=port, console_type=console_type)
        return valid

    def get_host_uptime(self, ctxt: RequestContext, host: str) -> str:
        """The ``uptime`` line of ``host`` (2.2; a 409 for an older compute)."""
        uptime: str = self._send(ctxt, host, "get_host_uptime", call=True, version="2.2")
        return uptime

    def external_instance_event(self, ctxt: RequestContext, host: str,
                                instances: list[Instance],
                                events: list[InstanceExternalEvent]) -> None:
        """Hand events of other services about ``host``'s instances to it (2.2)."""
        self._send(ctxt, host, "external_instance_event", version="2.2",
                   instances=instances, events=events)

    # --- 2.3: images of a server --------------------------------------------------------

    def snapshot_instance(self, ctxt: RequestContext, instance: Instance, image_id: str
                          ) -> None:
        self._v23(ctxt, instance.host, "snapshot_instance", "createImage", instance=instance,
                  image_id=image_id)

    def backup_instance(self, ctxt: RequestContext, instance: Instance, image_id: str,
                        backup_type: str, rotation: int) -> None:
        self._v23(ctxt, instance.host, "backup_instance", "createBackup", instance=instance,
                  image_id=image_id, backup_type=backup_type, rotation=rotation)

    def shelve_instance(self, ctxt: RequestContext, instance: Instance, image_id: str
                        ) -> None:
        self._v23(ctxt, instance.host, "shelve_instance", "shelve", instance=instance,
                  image_id=image_id)

    def shelve_offload_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._v23(ctxt, instance.host, "shelve_offload_instance", "shelveOffload",
                  instance=instance)

    def unshelve_instance(self, ctxt: RequestContext, host: str, instance: Instance,
                          image: ImageMeta | None, request_spec: RequestSpec,
                          node: str | None = None) -> None:
        """Spawn a shelved-offloaded server on ``host`` from its snapshot ``image`` (None:
        the server is still shelved on its host, which starts it again)."""
        self._v23(ctxt, host, "unshelve_instance", "unshelve", instance=instance,
                  image=image, request_spec=request_spec, node=node)

    # --- 2.3: rebuild, rescue -------------------------------------------------------------

    def rebuild_instance(self, ctxt: RequestContext, instance: Instance, image: ImageMeta,
                         new_pass: str | None, orig_image_ref: str | None,
                         preserve_ephemeral: bool = False, host: str | None = None,
                         migration: Migration | None = None) -> None:
        """Rebuild on the server's host; with ``host`` and ``migration``, re-create it
        there (an evacuation)."""
        self._v23(ctxt, host or instance.host, "rebuild_instance", "rebuild",
                  instance=instance, image=image, new_pass=new_pass,
                  orig_image_ref=orig_image_ref, preserve_ephemeral=preserve_ephemeral,
                  migration=migration)

    def rescue_instance(self, ctxt: RequestContext, instance: Instance,
                        rescue_password: str | None, rescue_image: ImageMeta) -> None:
        self._v23(ctxt, instance.host, "rescue_instance", "rescue", instance=instance,
                  rescue_password=rescue_password, rescue_image=rescue_image)

    def unrescue_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._v23(ctxt, instance.host, "unrescue_instance", "unrescue", instance=instance)

    # --- 2.3: resize and cold migration ---------------------------------------------------

    def prep_resize(self, ctxt: RequestContext, host: str, instance: Instance,
                    flavor: Flavor, migration: Migration, request_spec: RequestSpec) -> None:
        self._v23(ctxt, host, "prep_resize", "resize", instance=instance, flavor=flavor,
                  migration=migration, request_spec=request_spec)

    def resize_instance(self, ctxt: RequestContext, host: str, instance: Instance,
                        flavor: Flavor, migration: Migration) -> None:
        self._v23(ctxt, host, "resize_instance", "resize", instance=instance, flavor=flavor,
                  migration=migration)

    def finish_resize(self, ctxt: RequestContext, host: str, instance: Instance,
                      migration: Migration) -> None:
        self._v23(ctxt, host, "finish_resize", "resize", instance=instance,
                  migration=migration)

    def confirm_resize(self, ctxt: RequestContext, host: str, instance: Instance,
                       migration: Migration) -> None:
        self._v23(ctxt, host, "confirm_resize", "confirmResize", instance=instance,
                  migration=migration)

    def revert_resize(self, ctxt: RequestContext, host: str, instance: Instance,
                      migration: Migration) -> None:
        self._v23(ctxt, host, "revert_resize", "revertResize", instance=instance,
                  migration=migration)

    def finish_revert_resize(self, ctxt: RequestContext, host: str, instance: Instance,
                             migration: Migration) -> None:
        self._v23(ctxt, host, "finish_revert_resize", "revertResize", instance=instance,
                  migration=migration)

    # --- 2.3: live migration --------------------------------------------------------------

    def live_migration(self, ctxt: RequestContext, host: str, instance: Instance,
                       migration: Migration) -> None:
        self._v23(ctxt, host, "live_migration", "os-migrateLive", instance=instance,
                  migration=migration)

    def pre_live_migration(self, ctxt: RequestContext, host: str, instance: Instance,
                           migration: Migration) -> None:
        self._v23(ctxt, host, "pre_live_migration", "os-migrateLive", call=True,
                  instance=instance, migration=migration)

    def post_live_migration_at_destination(self, ctxt: RequestContext, host: str,
                                           instance: Instance, migration: Migration
                                           ) -> Instance:
        moved: Instance = self._v23(ctxt, host, "post_live_migration_at_destination",
                                    "os-migrateLive", call=True, instance=instance,
                                    migration=migration)
        return moved

    def rollback_live_migration_at_destination(self, ctxt: RequestContext, host: str,
                                               instance: Instance) -> None:
        self._v23(ctxt, host, "rollback_live_migration_at_destination", "os-migrateLive",
                  instance=instance)

    # --- 2.3: guest operations --------------------------------------------------------------

    def inject_network_info(self, ctxt: RequestContext, instance: Instance) -> None:
        self._v23(ctxt, instance.host, "inject_network_info", "injectNetworkInfo",
                  instance=instance)

    def trigger_crash_dump(self, ctxt: RequestContext, instance: Instance) -> None:
        """A call, so that a guest that cannot take an NMI is the caller's 409."""
        self._v23(ctxt, instance.host, "trigger_crash_dump", "trigger_crash_dump",
                  call=True, instance=instance)

    def set_admin_password(self, ctxt: RequestContext, instance: Instance, new_pass: str
                           ) -> None:
        self._v23(ctxt, instance.host, "set_admin_password", "changePassword", call=True,
                  instance=instance, new_pass=new_pass)

    def soft_delete_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._v23(ctxt, instance.host, "soft_delete_instance", "delete", instance=instance)

    def restore_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._v23(ctxt, instance.host, "restore_instance", "restore", instance=instance)
