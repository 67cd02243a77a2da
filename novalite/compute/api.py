"""The compute API the REST layer calls: checks, records, then hands work to the services.

It runs in the API process, so unlike the compute agent it reads and writes the
database itself (as Nova's compute API does); the agent modules stay database-free
(the import-linter contract names them). A state change is a compare-and-swap of
task_state, so two concurrent requests for one instance cannot both start.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from typing import Any

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute import block_device_request, network, quotas
from novalite.compute.api_base import APIBase, Instance, compute_is_up
from novalite.compute.api_events import EventsAPI
from novalite.compute.api_images import ImagesAPI
from novalite.compute.api_moves import MovesAPI
from novalite.compute.api_network import NetworkActionsAPI
from novalite.compute.api_recovery import RecoveryAPI
from novalite.compute.api_volumes import VolumesAPI
from novalite.compute.boot_request import BootRequest
from novalite.conf import CONF
from novalite.db import (
    block_devices,
    console_auth_tokens,
    instance_migrations,
    instances,
    keypairs,
)
from novalite.image.client import ImageClient
from novalite.objects import ConsoleAuthToken, Flavor, ImageMeta, RequestSpec
from novalite.objects import Instance as InstanceObject
from novalite.placement import client as placement

__all__ = ["API", "Instance"]
LOG = logging.getLogger(__name__)


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _resources(flavor: dict[str, Any]) -> dict[str, int]:
    """The sizes of a flavor record (``novalite.db.flavors``) an instance is charged."""
    return {"vcpus": int(flavor["vcpus"]), "memory_mb": int(flavor["memory_mb"]),
            "root_gb": int(flavor["root_gb"]),
            "ephemeral_gb": int(flavor.get("ephemeral_gb") or 0)}


class API(VolumesAPI, ImagesAPI, MovesAPI, RecoveryAPI, NetworkActionsAPI, EventsAPI,
          APIBase):
    # --- create -------------------------------------------------------------------------

    def create(self, ctxt: RequestContext, boot: BootRequest) -> tuple[list[Instance], str]:
        """Resolve what ``boot`` names, record the instances (quota-checked) and cast the
        build (boot flow steps 6–8); returns the records and the reservation id."""
        requested_networks = self.resolver.networks(ctxt, boot.networks)
        volumes = block_device_request.resolve(ctxt, self.resolver,
                                               boot.block_device_mapping_v2,
                                               boot.config_drive, boot.max_count)
        if volumes.mappings:  # a compute node before 2.4 would boot without them
            self.compute.require("2.4", "Booting with volumes")
        flavor = self.resolver.flavor(ctxt, boot.flavor_ref)
        image = volumes.root_image if volumes.root_image is not None else \
            self.resolver.image(ctxt, boot.image_ref)
        zone = self.resolver.availability_zone(boot.availability_zone)
        group = self.resolver.server_group(ctxt, boot.scheduler_hints.get("group"))
        if boot.min_count > boot.max_count:
            raise exception.Invalid(reason="min_count must be <= max_count")
        if volumes.root_image is None:
            self._check_image_fits(flavor, image)
        key_data = None
        if boot.key_name:
            key_data = keypairs.get(str(ctxt.user_id), boot.key_name)["public_key"]
        reservation_id = f"r-{uuid.uuid4().hex[:8]}"
        hints = _hint_lists(boot.scheduler_hints)
        count = boot.max_count
        while True:
            values = [self._instance_values(
                ctxt, flavor, image, boot.name if count == 1 else f"{boot.name}-{index + 1}",
                index, reservation_id, key_name=boot.key_name, key_data=key_data,
                user_data=boot.user_data, metadata=boot.metadata, availability_zone=zone,
                description=boot.description, hostname=boot.hostname,
                config_drive=boot.config_drive, tags=boot.tags,
                access_ip_v4=boot.access_ip_v4, access_ip_v6=boot.access_ip_v6,
                requested_networks=requested_networks or "none", hints=hints)
                for index in range(count)]
            try:
                created = instances.create_instances(
                    ctxt, values, server_group=group,
                    limits=quotas.limits(str(ctxt.project_id)) if quotas.unified() else None)
                break
            except exception.OverQuota:
                if count == boot.min_count:
                    raise
                count = boot.min_count
        for instance in created:
            instances.action_start(ctxt, instance["uuid"], "create")
            for mapping in volumes.mappings:
                block_devices.create({**mapping, "instance_uuid": instance["uuid"]})
        request_spec = RequestSpec(
            flavor=Flavor.from_dict(flavor), image=ImageMeta.from_image(image),
            availability_zone=zone, project_id=ctxt.project_id, user_id=ctxt.user_id,
            num_instances=len(created), security_groups=list(boot.security_groups),
            force_hosts=list(boot.force_hosts), force_nodes=list(boot.force_nodes),
            scheduler_hints=hints)
        self.conductor.schedule_and_build_instances(ctxt, request_spec,
                                                    [i["uuid"] for i in created])
        return created, reservation_id

    @staticmethod
    def _instance_values(ctxt: RequestContext, flavor: dict[str, Any], image: dict[str, Any],
                         display_name: str, index: int, reservation_id: str,
                         **fields: Any) -> dict[str, Any]:
        properties = image.get("properties") or {}
        hostname = fields.pop("hostname") or _hostname(display_name)
        system_metadata: dict[str, Any] = {f"image_{key}": value
                                           for key, value in properties.items()}
        hints = fields.pop("hints")
        if hints:
            system_metadata["scheduler_hints"] = hints  # shown from microversion 2.100
        return {
            "project_id": ctxt.project_id, "user_id": ctxt.user_id,
            "display_name": display_name,
            "display_description": fields.pop("description"),
            "hostname": hostname,
            "instance_type_id": str(flavor["flavorid"]),
            "flavor": {"flavorid": flavor["flavorid"], "name": flavor["name"],
                       "vcpus": flavor["vcpus"], "memory_mb": flavor["memory_mb"],
                       "root_gb": flavor["root_gb"],
                       "ephemeral_gb": flavor.get("ephemeral_gb") or 0,
                       "swap": flavor.get("swap") or 0,
                       "extra_specs": flavor.get("extra_specs") or {}},
            **_resources(flavor),
            "image_ref": image.get("id") or "",
            "kernel_id": properties.get("kernel_id"),
            "ramdisk_id": properties.get("ramdisk_id"),
            "reservation_id": reservation_id,
            "launch_index": index,
            "config_drive": "True" if fields.pop("config_drive") else "",
            "system_metadata": system_metadata,
            **{key: value for key, value in fields.items()},
        }

    # --- state changes ------------------------------------------------------------------

    def reboot(self, ctxt: RequestContext, instance: Instance, reboot_type: str) -> None:
        hard = reboot_type == "HARD"
        updated = self._begin(ctxt, instance, "reboot_hard" if hard else "reboot", "reboot")
        self.compute.reboot_instance(ctxt, updated, "HARD" if hard else "SOFT")

    def stop(self, ctxt: RequestContext, instance: Instance) -> None:
        self.compute.stop_instance(ctxt, self._begin(ctxt, instance, "stop", "stop"))

    def start(self, ctxt: RequestContext, instance: Instance) -> None:
        self.compute.start_instance(ctxt, self._begin(ctxt, instance, "start", "start"))

    def pause(self, ctxt: RequestContext, instance: Instance) -> None:
        self.compute.pause_instance(ctxt, self._begin(ctxt, instance, "pause", "pause"))

    def unpause(self, ctxt: RequestContext, instance: Instance) -> None:
        self.compute.unpause_instance(ctxt, self._begin(ctxt, instance, "unpause", "unpause"))

    def suspend(self, ctxt: RequestContext, instance: Instance) -> None:
        self.compute.suspend_instance(ctxt, self._begin(ctxt, instance, "suspend", "suspend"))

    def resume(self, ctxt: RequestContext, instance: Instance) -> None:
        self.compute.resume_instance(ctxt, self._begin(ctxt, instance, "resume", "resume"))

    def lock(self, ctxt: RequestContext, instance: Instance, reason: str | None = None) -> None:
        by = "owner" if ctxt.project_id == instance["project_id"] else "admin"
        instances.update(ctxt, instance["uuid"], {"locked": True, "locked_by": by,
                                                  "locked_reason": reason})
        instances.action_start(ctxt, instance["uuid"], "lock")

    def unlock(self, ctxt: RequestContext, instance: Instance) -> None:
        if (instance.get("locked") and instance.get("locked_by") == "admin"
                and not ctxt.is_admin):
            raise exception.PolicyNotAuthorized(action="os_compute_api:os-lock-server:unlock")
        instances.update(ctxt, instance["uuid"], {"locked": False, "locked_by": None,
                                                  "locked_reason": None})
        instances.action_start(ctxt, instance["uuid"], "unlock")

    # --- delete -------------------------------------------------------------------------

    def delete(self, ctxt: RequestContext, instance: Instance, force: bool = False) -> None:
        """Delete (``force``: forceDelete, whatever the server is doing). A shelved
        server's snapshot goes with it; a resize waiting for a confirm is confirmed."""
        self._check_lock(ctxt, instance)
        if instance["task_state"] in (states.DELETING, states.SOFT_DELETING) and not force:
            return
        self._before_delete(ctxt, instance)
        host = instance.get("host")
        if not host or not compute_is_up(host):
            self._local_delete(ctxt, instance)
            return
        try:
            updated = instances.update(ctxt, instance["uuid"], {"task_state": states.DELETING})
        except exception.InstanceNotFound:
            return
        instances.action_start(ctxt, instance["uuid"], "delete")
        self.compute.terminate_instance(ctxt, self.with_block_devices(updated))

    def soft_delete(self, ctxt: RequestContext, instance: Instance) -> None:
        """A delete with ``[DEFAULT] reclaim_instance_interval``: SOFT_DELETED (the guest
        stopped, its disk, ports and resources kept) until restored, force-deleted or
        reclaimed. A server never launched is refused (the caller deletes it)."""
        if instance["task_state"] in (states.DELETING, states.SOFT_DELETING):
            self._check_lock(ctxt, instance)
            return
        self._check_lock(ctxt, instance)
        self._check_state(instance, "soft_delete")
        host = instance.get("host")
        if not host or not compute_is_up(host):
            instances.action_start(ctxt, instance["uuid"], "delete")
            instances.update(ctxt, instance["uuid"], {
                "vm_state": states.SOFT_DELETED, "task_state": None,
                "deleted_at": _utcnow()})
            return
        self._require_compute("delete")
        self._before_delete(ctxt, instance)
        updated = self._begin(ctxt, instance, "soft_delete",
                              values={"deleted_at": _utcnow()})
        self.compute.soft_delete_instance(ctxt, updated)

    def _before_delete(self, ctxt: RequestContext, instance: Instance) -> None:
        """What Nova's ``_delete`` does first: the snapshot of a shelved server is
        deleted; a resize waiting in VERIFY_RESIZE is confirmed (the source's
        allocations released, the migration confirmed)."""
        if instance["vm_state"] in (states.SHELVED, states.SHELVED_OFFLOADED):
            image_id = (instance.get("system_metadata") or {}).get("shelved_image_id")
            if image_id:
                try:
                    ImageClient(ctxt).delete_image(image_id)
                except exception.NovaliteException as error:
                    LOG.warning("snapshot %s of shelved %s not deleted: %s", image_id,
                                instance["uuid"], error)
        if instance["vm_state"] == states.RESIZED:
            try:
                migration = instance_migrations.get_by_instance_and_status(
                    instance["uuid"], "finished", "confirming")
            except instance_migrations.MigrationNotFound:
                return
            instances.action_start(ctxt, instance["uuid"], "confirmResize")
            placement.remove_allocations(migration["uuid"])
            instance_migrations.update(migration["id"], {"status": "confirmed"})

    def _local_delete(self, ctxt: RequestContext, instance: Instance) -> None:
        """No compute node holds this instance (never scheduled, shelved offloaded, or its
        host is down): its ports, volumes and resources are released here."""
        instances.action_start(ctxt, instance["uuid"], "delete")
        placement.remove_allocations(instance["uuid"])
        self.release_volumes_locally(ctxt, instance)
        if instance.get("network_info"):
            network.deallocate_for_instance(ctxt, InstanceObject.from_db(instance),
                                            list(instance["network_info"]))
        try:
            instances.soft_delete(ctxt, instance["uuid"])
        except exception.InstanceNotFound:
            pass

    # --- interfaces ---------------------------------------------------------------------

    def attach_interface(self, ctxt: RequestContext, instance: Instance,
                         network_id: str | None, port_id: str | None,
                         requested_ip: str | None) -> dict[str, Any]:
        """Plug a port into the running guest (recorded as the ``attach_interface``
        action, under which the compute node's events land); its VIF."""
        instances.action_start(ctxt, instance["uuid"], "attach_interface")
        return self.compute.attach_interface(ctxt, InstanceObject.from_db(instance),
                                             network_id, port_id, requested_ip)

    def detach_interface(self, ctxt: RequestContext, instance: Instance, port_id: str) -> None:
        instances.action_start(ctxt, instance["uuid"], "detach_interface")
        self.compute.detach_interface(ctxt, InstanceObject.from_db(instance), port_id)

    # --- reads through the compute node -------------------------------------------------

    def get_host_uptime(self, ctxt: RequestContext, host: str) -> str:
        """The ``uptime`` of a compute host; 400 while its service is down."""
        if not compute_is_up(host):
            raise exception.ComputeServiceUnavailable(host=host)
        return self.compute.get_host_uptime(ctxt, host)

    def get_diagnostics(self, ctxt: RequestContext, instance: Instance) -> dict[str, Any]:
        if not instance.get("host") or instance["vm_state"] in (states.BUILDING, states.ERROR):
            raise exception.InstanceInvalidState(action="get_diagnostics",
                                                 instance_uuid=instance["uuid"],
                                                 attr="vm_state", state=instance["vm_state"])
        return self.compute.get_diagnostics(ctxt, InstanceObject.from_db(instance))

    def get_console_output(self, ctxt: RequestContext, instance: Instance,
                           tail_length: int | None = None) -> str:
        if not instance.get("host") or instance["vm_state"] == states.BUILDING:
            raise exception.InstanceInvalidState(action="get_console_output",
                                                 instance_uuid=instance["uuid"],
                                                 attr="vm_state", state=instance["vm_state"])
        return self.compute.get_console_output(ctxt, InstanceObject.from_db(instance),
                                               tail_length)

    # --- remote consoles ----------------------------------------------------------------

    def get_console(self, ctxt: RequestContext, instance: Instance,
                    console_type: str) -> ConsoleAuthToken:
        """A new token for the server's console of ``console_type`` (its URL is the
        object's ``access_url``): the compute node says where the console is, the
        token is made and stored (as a hash) here. 409 unless the guest runs."""
        if (not instance.get("host") or instance["vm_state"] not in _CONSOLE_VM_STATES
                or instance["task_state"] in (states.DELETING, states.POWERING_OFF)):
            raise exception.InstanceNotReady(instance_id=instance["uuid"])
        connection = self.compute.get_console(ctxt, InstanceObject.from_db(instance),
                                              console_type)
        return console_auth_tokens.authorize(connection, CONF.consoleauth.token_ttl)

    @staticmethod
    def get_console_token(token: str) -> ConsoleAuthToken:
        """The connection a valid console token stands for (the admin API)."""
        found = console_auth_tokens.get_by_token(token)
        if found is None:
            raise exception.NotFound(message="Token not found")
        return found


#: a guest in these states has running displays and serial port
_CONSOLE_VM_STATES = (states.ACTIVE, states.PAUSED)


def _hint_lists(hints: dict[str, Any]) -> dict[str, list[str]]:
    """Each hint as a list of strings, as Nova's RequestSpec keeps them."""
    result: dict[str, list[str]] = {}
    for key, value in hints.items():
        values = value if isinstance(value, list) else [value]
        result[str(key)] = [item if isinstance(item, str) else json.dumps(item)
                            for item in values]
    return result


def _hostname(display_name: str) -> str:
    """A DNS-safe hostname from a display name, as Nova makes it."""
    cleaned = "".join(c if c.isalnum() or c == "-" else "-" for c in display_name.lower())
    cleaned = cleaned.strip("-.")[:63]
    return cleaned or "server"
