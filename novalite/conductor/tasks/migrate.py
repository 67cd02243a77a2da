"""Moves the conductor starts: resize and cold migration (Nova's MigrationTask), live
migration (LiveMigrationTask) and evacuation (a rebuild elsewhere).

Each records a Migration, hands the instance's allocations on its host to it (Nova's
``move_allocations``: the migration holds the source while the instance claims the
destination), asks the scheduler for a destination other than the source (unless a
resize may stay, ``[DEFAULT] allow_resize_to_same_host``), then casts the first step
to a compute node. With no destination the allocations go back, the migration is in
``error`` and the server is as it was, with a fault that says why (an evacuated one,
whose host is down, goes to ERROR as in Nova).
"""

from __future__ import annotations

import logging
from typing import Any

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute import rpcapi as compute_rpcapi
from novalite.db import instance_migrations, instances, service_store
from novalite.objects import Flavor, Instance, Migration, RequestSpec, Selection
from novalite.objects import migration as migration_types
from novalite.objects.migration import flavor_record
from novalite.placement import client as placement
from novalite.scheduler import rpcapi as scheduler_rpcapi

LOG = logging.getLogger(__name__)


class UnableToMigrateToSelf(exception.Invalid):
    msg_fmt = ("Unable to migrate instance (%(instance_id)s) to current host "
               "(%(host)s).")


class ComputeServiceUnavailable(exception.Invalid):
    msg_fmt = "Compute service of %(host)s is unavailable at this time."


def event_start(ctxt: RequestContext, instance_uuid: str, event: str) -> None:
    try:
        instances.event_start(instance_uuid, ctxt.request_id, event)
    except exception.InstanceActionNotFound:
        pass


def event_finish(ctxt: RequestContext, instance_uuid: str, event: str,
                 error: str | None = None) -> None:
    try:
        instances.event_finish(instance_uuid, ctxt.request_id, event,
                               result="Error" if error else "Success", details=error)
    except exception.InstanceActionNotFound:
        pass


def set_state_after_failure(ctxt: RequestContext, instance_uuid: str, message: str,
                            event: str, code: int = 500, **values: Any) -> None:
    """The fault first (whoever sees the state must find why), then the state."""
    instances.add_fault(instance_uuid, code, message)
    try:
        instances.update(None, instance_uuid, {"task_state": None, **values})
    except exception.InstanceNotFound:
        return
    event_finish(ctxt, instance_uuid, event, error=message)


def new_migration(instance: Instance, migration_type: str, status: str,
                  new_flavor: Flavor | None = None, dest_host: str | None = None
                  ) -> Migration:
    """Record a move of ``instance`` from its host."""
    old = instance.flavor
    new = new_flavor or old
    return Migration.from_db(instance_migrations.create({
        "instance_uuid": instance.uuid, "source_compute": instance.host,
        "source_node": instance.node, "dest_compute": dest_host,
        "old_instance_type_id": old.id if old else None,
        "new_instance_type_id": new.id if new else None,
        "old_flavor": flavor_record(old), "new_flavor": flavor_record(new),
        "migration_type": migration_type, "status": status,
        "project_id": instance.project_id, "user_id": instance.user_id}))


class MoveTask:
    #: the conductor's event in the instance action
    EVENT = "conductor_migrate_server"

    def __init__(self, scheduler: scheduler_rpcapi.SchedulerAPI | None = None,
                 compute: compute_rpcapi.ComputeAPI | None = None) -> None:
        self.scheduler = scheduler or scheduler_rpcapi.SchedulerAPI()
        self.compute = compute or compute_rpcapi.ComputeAPI(
            minimum_version=service_store.minimum_version)

    def _destination(self, ctxt: RequestContext, instance: Instance,
                     request_spec: RequestSpec, migration: Migration) -> Selection:
        """Where to (claimed for the instance), its source's allocations handed to the
        migration first; ``NoValidHost`` after handing them back."""
        placement.move_allocations(instance.uuid, str(migration.uuid))
        try:
            return self.scheduler.select_destinations(
                ctxt, request_spec, [instance.uuid], return_alternates=False)[0][0]
        except Exception:
            placement.move_allocations(str(migration.uuid), instance.uuid)
            instance_migrations.update(int(migration.id or 0), {"status": "error"})
            raise

    @staticmethod
    def _record_destination(migration: Migration, selection: Selection,
                            status: str) -> Migration:
        return Migration.from_db(instance_migrations.update(int(migration.id or 0), {
            "dest_compute": selection.service_host, "dest_node": selection.nodename,
            "dest_host": selection.service_host, "status": status}))


class MigrateTask(MoveTask):
    """Resize (another flavor) or cold migration (the same one)."""

    def execute(self, ctxt: RequestContext, instance: Instance, flavor: Flavor,
                request_spec: RequestSpec) -> None:
        resize = instance.flavor is None or flavor.flavorid != instance.flavor.flavorid
        event_start(ctxt, instance.uuid, self.EVENT)
        migration = new_migration(
            instance, migration_types.RESIZE if resize else migration_types.MIGRATION,
            "pre-migrating", new_flavor=flavor)
        try:
            selection = self._destination(ctxt, instance, request_spec, migration)
        except exception.NoValidHost:
            reason = ("No valid host found for resize" if resize
                      else "No valid host found for cold migrate")
            LOG.info("%s of %s: %s", "resize" if resize else "migration", instance.uuid,
                     reason)
            set_state_after_failure(ctxt, instance.uuid,
                                    exception.NoValidHost(reason=reason).message,
                                    self.EVENT, vm_state=instance.vm_state)
            return
        migration = self._record_destination(migration, selection, "pre-migrating")
        event_finish(ctxt, instance.uuid, self.EVENT)
        self.compute.prep_resize(ctxt, selection.service_host, instance, flavor, migration,
                                 request_spec)


class LiveMigrateTask(MoveTask):
    EVENT = "conductor_live_migrate_instance"

    def execute(self, ctxt: RequestContext, instance: Instance, request_spec: RequestSpec,
                host: str | None, block_migration: bool | None) -> None:
        """Raises why no destination would do (after putting the server back), for the
        callers that wait (microversions before 2.34)."""
        event_start(ctxt, instance.uuid, self.EVENT)
        migration = new_migration(instance, migration_types.LIVE_MIGRATION, "accepted",
                                  dest_host=host)
        try:
            if host:
                self._check_requested_host(instance, host)
                request_spec.force_hosts = [host]
            request_spec.ignore_hosts = [instance.host or ""]
            selection = self._destination(ctxt, instance, request_spec, migration)
        except (exception.NoValidHost, exception.Invalid) as error:
            instance_migrations.update(int(migration.id or 0), {"status": "error"})
            set_state_after_failure(ctxt, instance.uuid, error.message, self.EVENT,
                                    vm_state=instance.vm_state)
            raise
        migration = self._record_destination(migration, selection, "preparing")
        event_finish(ctxt, instance.uuid, self.EVENT)
        self.compute.live_migration(ctxt, instance.host or "", instance, migration)

    @staticmethod
    def _check_requested_host(instance: Instance, host: str) -> None:
        if host == instance.host:
            raise UnableToMigrateToSelf(instance_id=instance.uuid, host=host)
        rows = service_store.list_services(binary="novalite-compute", host=host)
        if not rows or rows[0]["state"] != "up":
            raise ComputeServiceUnavailable(host=host)


class EvacuateTask(MoveTask):
    """Rebuild a server whose host is down on another host. The migration keeps the
    source's allocations until that host's compute service is back and has removed
    the guest it still has (``evacuations_from``)."""

    EVENT = "conductor_rebuild_server"

    def execute(self, ctxt: RequestContext, instance: Instance, request_spec: RequestSpec,
                migration: Migration, new_pass: str | None) -> None:
        event_start(ctxt, instance.uuid, self.EVENT)
        request_spec.ignore_hosts = [instance.host or ""]
        if migration.dest_compute:
            request_spec.force_hosts = [migration.dest_compute]
        try:
            selection = self._destination(ctxt, instance, request_spec, migration)
        except exception.NoValidHost as error:
            set_state_after_failure(ctxt, instance.uuid, error.message, self.EVENT,
                                    vm_state=states.ERROR)
            return
        migration = self._record_destination(migration, selection, "pre-migrating")
        event_finish(ctxt, instance.uuid, self.EVENT)
        image = instance.image_meta or request_spec.image
        self.compute.rebuild_instance(ctxt, instance, image, new_pass, instance.image_ref,
                                      host=selection.service_host, migration=migration)
