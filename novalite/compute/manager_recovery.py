"""The compute agent's other day-2 actions: rebuild (and its re-creation on another host,
an evacuation), rescue and unrescue, the admin password, a crash dump, network info,
soft delete and restore with the reclaim of soft-deleted servers.
"""

from __future__ import annotations

import datetime
import logging

from novalite.common import exception, rpc
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.common.manager import periodic_task
from novalite.compute import network
from novalite.compute.manager_base import _GONE, ManagerBase, _utcnow
from novalite.conf import CONF
from novalite.objects import ImageMeta, Instance, Migration
from novalite.virt.driver import AgentNotEnabled, GuestNotRunning, NotSupportedByDriver

LOG = logging.getLogger(__name__)


class InstanceNotRunning(exception.Conflict):
    msg_fmt = "Instance %(instance_id)s is not running."


class TriggerCrashDumpNotSupported(exception.Invalid):
    msg_fmt = "Triggering crash dump is not supported"


class SetAdminPasswdNotSupported(exception.Conflict):
    msg_fmt = "Failed to set admin password on %(instance)s because %(reason)s"


class SetAdminPasswdNotImplemented(exception.NovaliteException):
    msg_fmt = "Unable to set password on instance"
    code = 501


class RecoveryMixin(ManagerBase):
    # --- rebuild and evacuation ------------------------------------------------------------

    def rebuild_instance(self, ctxt: RequestContext, instance: Instance, image: ImageMeta,
                         new_pass: str | None, orig_image_ref: str | None,
                         preserve_ephemeral: bool = False,
                         migration: Migration | None = None) -> None:
        """The guest made again from ``image`` on the same ports (same addresses), with a
        new definition; a stopped server is stopped again after. With ``migration`` (an
        evacuation) it is re-created here, its host being down."""
        with self._instance_lock(instance.uuid):
            orig_vm_state = instance.vm_state
            try:
                with self._event(ctxt, instance.uuid, "compute_rebuild_instance"):
                    if migration is not None:
                        migration = self._save_migration(ctxt, migration,
                                                         status="rebuilding")
                        instance = self._save(ctxt, instance, host=self.host,
                                              node=migration.dest_node,
                                              network_info=network.bind_ports(
                                                  ctxt, instance.network_info, self.host))
                    else:
                        self.driver.destroy(ctxt, self._driver_instance(instance),
                                            instance.network_info)
                    self._delete_console_tokens(ctxt, instance.uuid)
                    instance = self._save(ctxt, instance, task_state=states.REBUILD_SPAWNING,
                                          expected_task_state=states.REBUILDING, check=True)
                    self.driver.spawn(ctxt, self._driver_instance(instance),
                                      image.to_legacy(), instance.network_info, None)
                    if orig_vm_state == states.STOPPED:
                        self.driver.power_off(self._driver_instance(instance),
                                              CONF.shutdown_timeout)
                    self._save(ctxt, instance,
                               vm_state=states.STOPPED if orig_vm_state == states.STOPPED
                               else states.ACTIVE, task_state=None, launched_at=_utcnow(),
                               power_state=self.driver.get_power_state(
                                   self._driver_instance(instance)),
                               expected_task_state=states.REBUILD_SPAWNING, check=True)
                    if migration is not None:
                        self._save_migration(ctxt, migration, status="done")
            except _GONE:
                return
            except Exception as error:
                if migration is not None:
                    try:
                        self._save_migration(ctxt, migration, status="failed")
                    except exception.NovaliteException:
                        LOG.exception("the failed evacuation of %s", instance.uuid)
                self._fail_quietly(ctxt, instance, error, vm_state=states.ERROR)

    def _clean_up_evacuations(self, ctxt: RequestContext) -> None:
        """At start: guests evacuated away while this host was down are destroyed here
        and the source's allocations (held by their migrations) released."""
        if not self.conductor.can_send_version("2.2"):
            return
        for migration in self.conductor.evacuations_from(ctxt, self.host):
            LOG.info("instance %s was evacuated from %s: destroying its guest here",
                     migration.instance_uuid, self.host)
            try:
                instance = self.conductor.instance_get(ctxt, migration.instance_uuid)
                self.driver.destroy(ctxt, self._driver_instance(instance), [])
            except exception.InstanceNotFound:
                pass
            except Exception:
                LOG.exception("evacuated guest of %s", migration.instance_uuid)
            self.conductor.migration_confirm_allocations(ctxt, migration)
            self._save_migration(ctxt, migration, status="completed")

    # --- rescue --------------------------------------------------------------------------------

    def rescue_instance(self, ctxt: RequestContext, instance: Instance,
                        rescue_password: str | None, rescue_image: ImageMeta) -> None:
        with self._instance_lock(instance.uuid):
            try:
                with self._event(ctxt, instance.uuid, "compute_rescue_instance"):
                    self.driver.rescue(ctxt, self._driver_instance(instance),
                                       instance.network_info, rescue_image.to_legacy(),
                                       rescue_password)
                    self._delete_console_tokens(ctxt, instance.uuid)
                    self._save(ctxt, instance, vm_state=states.RESCUED, task_state=None,
                               launched_at=_utcnow(),
                               power_state=self.driver.get_power_state(
                                   self._driver_instance(instance)),
                               expected_task_state=states.RESCUING, check=True)
            except _GONE:
                return
            except Exception as error:
                self._fail_quietly(ctxt, instance, error)

    def unrescue_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        with self._instance_lock(instance.uuid):
            try:
                with self._event(ctxt, instance.uuid, "compute_unrescue_instance"):
                    self.driver.unrescue(ctxt, self._driver_instance(instance),
                                         instance.network_info)
                    self._delete_console_tokens(ctxt, instance.uuid)
                    self._save(ctxt, instance, vm_state=states.ACTIVE, task_state=None,
                               power_state=self.driver.get_power_state(
                                   self._driver_instance(instance)),
                               expected_task_state=states.UNRESCUING, check=True)
            except _GONE:
                return
            except Exception as error:
                self._fail_quietly(ctxt, instance, error)

    # --- guest operations --------------------------------------------------------------------

    @rpc.expected_exceptions(InstanceNotRunning, TriggerCrashDumpNotSupported)
    def trigger_crash_dump(self, ctxt: RequestContext, instance: Instance) -> None:
        with self._event(ctxt, instance.uuid, "compute_trigger_crash_dump"):
            try:
                self.driver.trigger_crash_dump(self._driver_instance(instance))
            except GuestNotRunning:
                raise InstanceNotRunning(instance_id=instance.uuid) from None
            except NotSupportedByDriver:
                raise TriggerCrashDumpNotSupported() from None

    @rpc.expected_exceptions(SetAdminPasswdNotSupported, SetAdminPasswdNotImplemented)
    def set_admin_password(self, ctxt: RequestContext, instance: Instance, new_pass: str
                           ) -> None:
        """Nova's answers: no agent in the guest is a 409, a driver that cannot is a 501;
        task_state is cleared either way."""
        try:
            with self._event(ctxt, instance.uuid, "compute_set_admin_password"):
                self.driver.set_admin_password(self._driver_instance(instance), new_pass)
        except AgentNotEnabled as error:
            self._save(ctxt, instance, task_state=None)
            raise SetAdminPasswdNotSupported(instance=instance.uuid,
                                             reason=str(error)) from None
        except NotSupportedByDriver:
            self._save(ctxt, instance, task_state=None)
            raise SetAdminPasswdNotImplemented() from None
        except Exception as error:
            LOG.warning("set_admin_password of %s failed: %s", instance.uuid, error)
            self._save(ctxt, instance, task_state=None)
            raise SetAdminPasswdNotSupported(instance=instance.uuid,
                                             reason="error setting admin password") from None
        self._save(ctxt, instance, task_state=None,
                   expected_task_state=states.UPDATING_PASSWORD, check=True)

    def inject_network_info(self, ctxt: RequestContext, instance: Instance) -> None:
        """Read the ports again into the info cache and tell the guest."""
        with (self._instance_lock(instance.uuid),
              self._event(ctxt, instance.uuid, "compute_inject_network_info")):
            network_info = network.refresh_network_info(ctxt, instance)
            instance = self._save(ctxt, instance, network_info=network_info)
            self.driver.inject_network_info(self._driver_instance(instance), network_info)

    # --- soft delete --------------------------------------------------------------------------

    def soft_delete_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        """The guest stops, keeping its disk, ports and resources: SOFT_DELETED until it
        is restored, force-deleted or reclaimed."""
        with self._instance_lock(instance.uuid):
            try:
                with self._event(ctxt, instance.uuid, "compute_soft_delete_instance"):
                    self.driver.soft_delete(self._driver_instance(instance),
                                            CONF.shutdown_timeout)
                    self._delete_console_tokens(ctxt, instance.uuid)
                    self._save(ctxt, instance, vm_state=states.SOFT_DELETED, task_state=None,
                               power_state=self.driver.get_power_state(
                                   self._driver_instance(instance)),
                               expected_task_state=states.SOFT_DELETING, check=True)
            except _GONE:
                return
            except Exception as error:
                self._fail_quietly(ctxt, instance, error)

    def restore_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        with self._instance_lock(instance.uuid):
            try:
                with self._event(ctxt, instance.uuid, "compute_restore_instance"):
                    self.driver.restore(ctxt, self._driver_instance(instance),
                                        instance.network_info)
                    self._save(ctxt, instance, vm_state=states.ACTIVE, task_state=None,
                               power_state=self.driver.get_power_state(
                                   self._driver_instance(instance)),
                               expected_task_state=states.RESTORING, check=True)
            except _GONE:
                return
            except Exception as error:
                self._fail_quietly(ctxt, instance, error)

    @periodic_task(spacing=None)
    def _reclaim_queued_deletes(self, ctxt: RequestContext) -> None:
        """Delete for good the servers soft-deleted here longer than
        ``reclaim_instance_interval`` (Nova's ``_reclaim_queued_deletes``)."""
        interval = CONF.reclaim_instance_interval
        if interval <= 0:
            return
        cutoff = _utcnow() - datetime.timedelta(seconds=interval)
        for instance in self.conductor.instance_get_all_by_host(ctxt, self.host):
            if (instance.vm_state != states.SOFT_DELETED or instance.task_state is not None
                    or (instance.deleted_at is not None and instance.deleted_at > cutoff)):
                continue
            try:
                instance = self._save(ctxt, instance, task_state=states.DELETING,
                                      expected_task_state=None, check=True)
            except _GONE:
                continue
            LOG.info("reclaiming %s, soft-deleted at %s", instance.uuid, instance.deleted_at)
            self.terminate_instance(ctxt, instance)
