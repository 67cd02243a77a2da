"""The compute agent's moves: resize and cold migration (Nova's prep_resize →
resize_instance → finish_resize, then confirm_resize or revert_resize →
finish_revert_resize) and live migration (pre_live_migration on the destination,
live_migration on the source, post_live_migration_at_destination).

The conductor chose the destination and moved the instance's allocations on the
source to the migration (Nova's ``move_allocations``); the instance holds the new
flavor on the destination. A confirm releases what the migration holds, a revert gives
it back to the instance and drops the destination's. On one host (``[DEFAULT]
allow_resize_to_same_host``) every step runs here.
"""

from __future__ import annotations

import logging
from typing import Any

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.compute import network
from novalite.compute.manager_base import _GONE, ManagerBase
from novalite.conf import CONF
from novalite.objects import Flavor, Instance, Migration, RequestSpec
from novalite.virt.driver import MoveRefused

LOG = logging.getLogger(__name__)
#: where the server was before the move (ACTIVE or STOPPED), as Nova keeps it
OLD_VM_STATE = "old_vm_state"


def _sizes(flavor: Flavor) -> dict[str, Any]:
    """The instance columns a flavor sets."""
    return {"flavor": flavor, "instance_type_id": flavor.flavorid, "vcpus": flavor.vcpus,
            "memory_mb": flavor.memory_mb, "root_gb": flavor.root_gb,
            "ephemeral_gb": flavor.ephemeral_gb}


class MovesMixin(ManagerBase):
    def _move_failed(self, ctxt: RequestContext, instance: Instance, migration: Migration,
                     error: BaseException, rollback: bool) -> None:
        """A move that stopped: the migration is in error; with ``rollback`` (nothing was
        done to the guest) the server is back as it was, holding its old allocations;
        else it is in ERROR."""
        LOG.warning("move %s of %s failed on %s: %s", migration.uuid, instance.uuid,
                    self.host, error)
        try:
            self._save_migration(ctxt, migration, status="error")
            if rollback:
                self.conductor.migration_revert_allocations(ctxt, migration)
        except exception.NovaliteException:
            LOG.exception("the failed move %s was not recorded", migration.uuid)
        old_vm_state = instance.system_metadata.get(OLD_VM_STATE) or instance.vm_state
        system_metadata = {k: v for k, v in instance.system_metadata.items()
                           if k != OLD_VM_STATE}
        self._fail_quietly(ctxt, instance, error, system_metadata=system_metadata,
                           vm_state=old_vm_state if rollback else states.ERROR)

    # --- resize and cold migration --------------------------------------------------------

    def prep_resize(self, ctxt: RequestContext, instance: Instance, flavor: Flavor,
                    migration: Migration, request_spec: RequestSpec) -> None:
        """On the destination, which the scheduler claimed for the new flavor: remember
        where the server was and hand the move to the source."""
        try:
            with self._event(ctxt, instance.uuid, "compute_prep_resize"):
                instance = self._save(
                    ctxt, instance, system_metadata={**instance.system_metadata,
                                                     OLD_VM_STATE: str(instance.vm_state)},
                    expected_task_state=states.RESIZE_PREP, check=True)
                source = migration.source_compute or instance.host or ""
                self.compute_rpc().resize_instance(ctxt, source, instance, flavor, migration)
        except _GONE:
            return
        except Exception as error:
            self._move_failed(ctxt, instance, migration, error, rollback=True)

    def resize_instance(self, ctxt: RequestContext, instance: Instance, flavor: Flavor,
                        migration: Migration) -> None:
        """On the source: stop the guest and keep its disk for a revert, then the
        instance belongs to the destination (RESIZE_MIGRATED)."""
        with self._instance_lock(instance.uuid):
            move = self._move(migration, instance)
            try:
                with self._event(ctxt, instance.uuid, "compute_resize_instance"):
                    migration = self._save_migration(ctxt, migration, status="migrating")
                    instance = self._save(ctxt, instance, task_state=states.RESIZE_MIGRATING,
                                          expected_task_state=states.RESIZE_PREP, check=True)
                    try:
                        self.driver.migrate_disk_and_power_off(
                            ctxt, self._driver_instance(instance), instance.network_info,
                            move, CONF.shutdown_timeout)
                    except MoveRefused as refused:
                        self._move_failed(ctxt, instance, migration, refused, rollback=True)
                        raise
                    self._delete_console_tokens(ctxt, instance.uuid)
                    migration = self._save_migration(ctxt, migration, status="post-migrating")
                    instance = self._save(
                        ctxt, instance, task_state=states.RESIZE_MIGRATED,
                        host=migration.dest_compute, node=migration.dest_node,
                        power_state=states.SHUTDOWN,
                        expected_task_state=states.RESIZE_MIGRATING, check=True)
            except MoveRefused:
                return
            except _GONE:
                return
            except Exception as error:
                self._move_failed(ctxt, instance, migration, error, rollback=False)
                return
        self.compute_rpc().finish_resize(ctxt, migration.dest_compute or "", instance,
                                         migration)

    def finish_resize(self, ctxt: RequestContext, instance: Instance, migration: Migration
                      ) -> None:
        """On the destination: the guest with the new flavor (started unless it was
        stopped before), VERIFY_RESIZE until confirmed or reverted."""
        with self._instance_lock(instance.uuid):
            move = self._move(migration, instance)
            try:
                with self._event(ctxt, instance.uuid, "compute_finish_resize"):
                    new_flavor = migration.new_flavor or instance.flavor or Flavor()
                    instance = self._save(ctxt, instance, task_state=states.RESIZE_FINISH,
                                          **_sizes(new_flavor),
                                          expected_task_state=states.RESIZE_MIGRATED,
                                          check=True)
                    if not move.same_host:
                        instance = self._save(ctxt, instance, network_info=network.bind_ports(
                            ctxt, instance.network_info, self.host))
                    power_on = instance.system_metadata.get(OLD_VM_STATE) != states.STOPPED
                    self.driver.finish_migration(
                        ctxt, self._driver_instance(instance), instance.image_meta.to_legacy()
                        if instance.image_meta else {}, instance.network_info, move, power_on)
                    self._save_migration(ctxt, migration, status="finished")
                    self._save(ctxt, instance, vm_state=states.RESIZED, task_state=None,
                               power_state=self.driver.get_power_state(
                                   self._driver_instance(instance)),
                               expected_task_state=states.RESIZE_FINISH, check=True)
            except _GONE:
                return
            except Exception as error:
                self._move_failed(ctxt, instance, migration, error, rollback=False)

    def confirm_resize(self, ctxt: RequestContext, instance: Instance, migration: Migration
                       ) -> None:
        """On the source: the move is kept; what was kept for a revert goes, and so do
        the source's allocations (held by the migration)."""
        with self._instance_lock(instance.uuid):
            try:
                with self._event(ctxt, instance.uuid, "compute_confirm_resize"):
                    self.driver.confirm_migration(ctxt, self._driver_instance(instance),
                                                  instance.network_info,
                                                  self._move(migration, instance))
                    self.conductor.migration_confirm_allocations(ctxt, migration)
                    self._save_migration(ctxt, migration, status="confirmed")
                    stopped = instance.power_state in (states.SHUTDOWN, states.NOSTATE,
                                                       states.CRASHED)
                    self._save(ctxt, instance,
                               vm_state=states.STOPPED if stopped else states.ACTIVE,
                               task_state=None, system_metadata={
                                   k: v for k, v in instance.system_metadata.items()
                                   if k != OLD_VM_STATE},
                               expected_task_state=[None, states.RESIZE_CONFIRMING],
                               check=True)
            except _GONE:
                return
            except Exception as error:
                self._move_failed(ctxt, instance, migration, error, rollback=False)

    def revert_resize(self, ctxt: RequestContext, instance: Instance, migration: Migration
                      ) -> None:
        """On the destination: the guest made here goes (unless this is also the source,
        which keeps one guest), then the source takes the server back."""
        with self._instance_lock(instance.uuid):
            move = self._move(migration, instance)
            try:
                with self._event(ctxt, instance.uuid, "compute_revert_resize"):
                    if not move.same_host:
                        self.driver.destroy(ctxt, self._driver_instance(instance),
                                            instance.network_info)
                    self._delete_console_tokens(ctxt, instance.uuid)
            except Exception as error:
                self._move_failed(ctxt, instance, migration, error, rollback=False)
                return
        self.compute_rpc().finish_revert_resize(ctxt, migration.source_compute or "",
                                                instance, migration)

    def finish_revert_resize(self, ctxt: RequestContext, instance: Instance,
                             migration: Migration) -> None:
        """On the source: the server with its old flavor, here, as it was before."""
        with self._instance_lock(instance.uuid):
            move = self._move(migration, instance)
            try:
                with self._event(ctxt, instance.uuid, "compute_finish_revert_resize"):
                    old_flavor = migration.old_flavor or instance.flavor or Flavor()
                    instance = self._save(ctxt, instance, **_sizes(old_flavor),
                                          host=migration.source_compute,
                                          node=migration.source_node)
                    if not move.same_host:
                        instance = self._save(ctxt, instance, network_info=network.bind_ports(
                            ctxt, instance.network_info, self.host))
                    old_vm_state = instance.system_metadata.get(OLD_VM_STATE) or states.ACTIVE
                    self.driver.finish_revert_migration(
                        ctxt, self._driver_instance(instance), instance.network_info, move,
                        power_on=old_vm_state != states.STOPPED)
                    self.conductor.migration_revert_allocations(ctxt, migration)
                    self._save_migration(ctxt, migration, status="reverted")
                    self._save(ctxt, instance, vm_state=old_vm_state, task_state=None,
                               power_state=self.driver.get_power_state(
                                   self._driver_instance(instance)),
                               system_metadata={k: v for k, v in
                                                instance.system_metadata.items()
                                                if k != OLD_VM_STATE},
                               expected_task_state=states.RESIZE_REVERTING, check=True)
            except _GONE:
                return
            except Exception as error:
                self._move_failed(ctxt, instance, migration, error, rollback=False)

    # --- live migration ---------------------------------------------------------------------

    def live_migration(self, ctxt: RequestContext, instance: Instance, migration: Migration
                       ) -> None:
        """On the source: the destination gets ready, the running guest goes over, the
        destination takes it; the source's allocations (the migration's) are released.
        Anything failing before the guest left leaves it running here."""
        dest = migration.dest_compute or ""
        with self._instance_lock(instance.uuid):
            move = self._move(migration, instance)
            handed_over = False
            try:
                with self._event(ctxt, instance.uuid, "compute_live_migration"):
                    migration = self._save_migration(ctxt, migration, status="running")
                    self.compute_rpc().pre_live_migration(ctxt, dest, instance, migration)
                    self.driver.live_migration(ctxt, self._driver_instance(instance), move)
                    handed_over = True
                    self._delete_console_tokens(ctxt, instance.uuid)
                    self.compute_rpc().post_live_migration_at_destination(
                        ctxt, dest, instance, migration)
                    self.conductor.migration_confirm_allocations(ctxt, migration)
                    self._save_migration(ctxt, migration, status="completed")
            except _GONE:
                return
            except Exception as error:
                if not handed_over:
                    try:
                        self.compute_rpc().rollback_live_migration_at_destination(
                            ctxt, dest, instance)
                    except exception.NovaliteException:
                        LOG.exception("rollback of %s on %s", instance.uuid, dest)
                self._move_failed(ctxt, instance, migration, error, rollback=not handed_over)

    def pre_live_migration(self, ctxt: RequestContext, instance: Instance,
                           migration: Migration) -> None:
        with self._event(ctxt, instance.uuid, "compute_pre_live_migration"):
            self.driver.pre_live_migration(ctxt, self._driver_instance(instance),
                                           instance.network_info,
                                           self._move(migration, instance))

    def post_live_migration_at_destination(self, ctxt: RequestContext, instance: Instance,
                                           migration: Migration) -> Instance:
        """The guest runs here now: its ports are bound here and the instance is ours."""
        with self._event(ctxt, instance.uuid, "compute_post_live_migration_at_destination"):
            network_info = network.bind_ports(ctxt, instance.network_info, self.host)
            self.driver.post_live_migration_at_destination(
                ctxt, self._driver_instance(instance), network_info,
                self._move(migration, instance))
            return self._save(ctxt, instance, host=self.host, node=migration.dest_node,
                              network_info=network_info, task_state=None,
                              power_state=self.driver.get_power_state(
                                  self._driver_instance(instance)),
                              expected_task_state=states.MIGRATING, check=True)

    def rollback_live_migration_at_destination(self, ctxt: RequestContext,
                                               instance: Instance) -> None:
        self.driver.rollback_live_migration_at_destination(
            ctxt, self._driver_instance(instance), instance.network_info)
