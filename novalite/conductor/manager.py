"""The conductor's RPC endpoint: builds, and the database methods compute nodes call.

Everything that crosses its door is a versioned object (``novalite.objects``);
``novalite.conductor.legacy`` serves release 0.1.0's compute nodes (RPC 1.x, dicts).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import oslo_messaging as messaging

from novalite.common import exception, rpc
from novalite.common.context import RequestContext
from novalite.common.manager import Manager, periodic_task
from novalite.compute import rpcapi as compute_rpcapi
from novalite.conductor import records
from novalite.conductor.legacy import ConductorV1Proxy
from novalite.conductor.tasks import confirm, stuck_builds
from novalite.conductor.tasks.build import BuildTask
from novalite.conductor.tasks.migrate import EvacuateTask, LiveMigrateTask, MigrateTask
from novalite.conductor.tasks.stuck_builds import StuckBuilds
from novalite.conductor.tasks.unshelve import UnshelveTask
from novalite.conf import CONF
from novalite.db import (
    block_devices,
    console_auth_tokens,
    instance_migrations,
    instances,
    service_store,
)
from novalite.db.base import utcnow
from novalite.db.reconnect import RetryingEndpoint
from novalite.objects import (
    ComputeNode,
    ConsoleAuthToken,
    Flavor,
    Instance,
    InstanceActionEvent,
    InstanceFault,
    Migration,
    ObjectSerializer,
    RequestSpec,
    Selection,
)
from novalite.placement import client as placement

LOG = logging.getLogger(__name__)


class ConductorManager(Manager):
    target = messaging.Target(version="2.2")

    def __init__(self, host: str, service_name: str) -> None:
        super().__init__(host, service_name)
        self.build_task = BuildTask()
        self.stuck_builds = StuckBuilds(self.build_task)
        self.compute = compute_rpcapi.ComputeAPI(minimum_version=service_store.minimum_version)
        self.migrate_task = MigrateTask(compute=self.compute)
        self.live_migrate_task = LiveMigrateTask(compute=self.compute)
        self.evacuate_task = EvacuateTask(compute=self.compute)
        self.unshelve_task = UnshelveTask(compute=self.compute)

    def rpc_endpoints(self) -> list[object]:
        """Every request waits out a database restart (``novalite.db.reconnect``)."""
        return [RetryingEndpoint(self), RetryingEndpoint(ConductorV1Proxy(self))]

    def rpc_serializer(self) -> messaging.Serializer:
        return ObjectSerializer()

    def service_report(self, ctxt: RequestContext, host: str, binary: str,
                       topic: str | None, version: int = 0) -> None:
        service_store.report(host, binary, topic, version=version)

    def ping(self, ctxt: RequestContext, payload: Any) -> dict[str, Any]:
        return {"payload": payload, "host": self.host}

    # --- builds -------------------------------------------------------------------------

    def schedule_and_build_instances(self, ctxt: RequestContext, request_spec: RequestSpec,
                                     instance_uuids: list[str]) -> None:
        self.build_task.schedule_and_build(ctxt, request_spec, instance_uuids)

    def build_failed(self, ctxt: RequestContext, instance_uuid: str, host: str, reason: str,
                     request_spec: RequestSpec, alternates: list[Selection]) -> None:
        self.build_task.build_failed(ctxt, instance_uuid, host, reason, request_spec,
                                     alternates)

    # --- instance records for compute nodes ---------------------------------------------

    def instance_get(self, ctxt: RequestContext, instance_uuid: str) -> Instance:
        return Instance.from_db(instances.get(None, instance_uuid))

    @rpc.expected_exceptions(exception.InstanceNotFound, exception.UnexpectedStateError)
    def instance_save(self, ctxt: RequestContext, instance: Instance,
                      expected_task_state: Any = None, check_task_state: bool = False
                      ) -> Instance:
        values = instance.values_to_save()
        if "block_device_mappings" in instance.obj_what_changed():
            block_devices.save_for_instance(
                instance.uuid, [bdm.obj_to_dict() for bdm in instance.block_device_mappings])
        if check_task_state:
            row = instances.update(None, instance.uuid, values,
                                   expected_task_state=expected_task_state)
        elif values:
            row = instances.update(None, instance.uuid, values)
        else:
            row = instances.get(None, instance.uuid)
        return Instance.from_db(row)

    def instance_get_all_by_host(self, ctxt: RequestContext, host: str) -> list[Instance]:
        return [Instance.from_db(row)
                for row in instances.list_instances(None, {"host": host}, limit=None)]

    def instance_fault_create(self, ctxt: RequestContext, fault: InstanceFault) -> None:
        instances.add_fault(fault.instance_uuid, fault.code, fault.message,
                            details=fault.details, host=fault.host)

    @rpc.expected_exceptions(exception.InstanceActionNotFound)
    def action_event_start(self, ctxt: RequestContext, event: InstanceActionEvent) -> None:
        instances.event_start(event.instance_uuid, event.request_id or ctxt.request_id,
                              event.event, host=event.host)

    @rpc.expected_exceptions(exception.InstanceActionNotFound)
    def action_event_finish(self, ctxt: RequestContext, event: InstanceActionEvent) -> None:
        instances.event_finish(event.instance_uuid, event.request_id or ctxt.request_id,
                               event.event, result=event.result or "Success",
                               traceback=event.traceback)

    def instance_destroy(self, ctxt: RequestContext, instance: Instance) -> None:
        records.destroy_instance(instance.uuid)

    def compute_node_update(self, ctxt: RequestContext, node: ComputeNode) -> str:
        return records.update_compute_node(node)

    # --- console tokens -----------------------------------------------------------------

    @rpc.expected_exceptions(exception.InvalidToken)
    def console_auth_token_validate(self, ctxt: RequestContext, token_hash: str
                                    ) -> ConsoleAuthToken:
        token = console_auth_tokens.validate(token_hash)
        if token is None:
            raise exception.InvalidToken()
        try:
            instance = Instance.from_db(instances.get(None, token.instance_uuid))
        except exception.InstanceNotFound:
            console_auth_tokens.delete_for_instance(token.instance_uuid)
            raise exception.InvalidToken() from None
        if not self.compute.validate_console_port(ctxt, instance, token.port,
                                                  token.console_type):
            LOG.info("%s console of %s moved from port %d: its tokens are deleted",
                     token.console_type, token.instance_uuid, token.port)
            console_auth_tokens.delete_for_instance(token.instance_uuid, token.console_type,
                                                    token.port)
            raise exception.InvalidToken()
        return token

    def console_auth_tokens_delete(self, ctxt: RequestContext, instance_uuid: str) -> None:
        console_auth_tokens.delete_for_instance(instance_uuid)

    # --- moves (cast by the API) ---------------------------------------------------------

    def migrate_server(self, ctxt: RequestContext, instance: Instance, flavor: Flavor,
                       request_spec: RequestSpec) -> None:
        self.migrate_task.execute(ctxt, instance, flavor, request_spec)

    @rpc.expected_exceptions(exception.NoValidHost, exception.Invalid)
    def live_migrate_instance(self, ctxt: RequestContext, instance: Instance,
                              request_spec: RequestSpec, host: str | None,
                              block_migration: bool | None) -> None:
        self.live_migrate_task.execute(ctxt, instance, request_spec, host, block_migration)

    def unshelve_instance(self, ctxt: RequestContext, instance: Instance,
                          request_spec: RequestSpec) -> None:
        self.unshelve_task.execute(ctxt, instance, request_spec)

    def evacuate_instance(self, ctxt: RequestContext, instance: Instance,
                          request_spec: RequestSpec, migration: Migration,
                          new_pass: str | None) -> None:
        self.evacuate_task.execute(ctxt, instance, request_spec, migration, new_pass)

    # --- migration records and allocations for compute nodes ----------------------------

    def migration_save(self, ctxt: RequestContext, migration: Migration) -> Migration:
        values = migration.values_to_save()
        if not values:
            return Migration.from_db(instance_migrations.get(int(migration.id or 0)))
        return Migration.from_db(instance_migrations.update(int(migration.id or 0), values))

    def migration_confirm_allocations(self, ctxt: RequestContext, migration: Migration
                                      ) -> None:
        placement.remove_allocations(str(migration.uuid))

    def migration_revert_allocations(self, ctxt: RequestContext, migration: Migration
                                     ) -> None:
        """The instance holds again what the migration held (the source); what it got on
        the destination goes. Nothing happens when the migration holds nothing (already
        reverted): the instance keeps what it has."""
        if placement.get_allocations(str(migration.uuid)):
            placement.move_allocations(str(migration.uuid), migration.instance_uuid)

    def instance_release_allocations(self, ctxt: RequestContext, instance: Instance) -> None:
        placement.remove_allocations(instance.uuid)

    def evacuations_from(self, ctxt: RequestContext, host: str) -> list[Migration]:
        return [Migration.from_db(row) for row in instance_migrations.list_migrations(
            {"source_compute": host, "migration_type": "evacuation", "status": "done"})]

    @periodic_task(spacing=None)
    def _poll_unconfirmed_resizes(self, ctxt: RequestContext) -> None:
        """Confirm the resizes waiting longer than ``[DEFAULT] resize_confirm_window``
        (Nova runs this on each destination host; the conductor sees them all)."""
        window = CONF.resize_confirm_window
        if window <= 0:
            return
        cutoff = utcnow() - datetime.timedelta(seconds=window)
        for row in instance_migrations.unconfirmed(cutoff):
            confirm.auto_confirm(ctxt, row, self.compute)

    @periodic_task(spacing=None)
    def _resolve_stuck_builds(self, ctxt: RequestContext) -> None:
        """Builds whose compute node went down, and builds that timed out
        (``novalite.conductor.tasks.stuck_builds``)."""
        self.stuck_builds.run(ctxt)

    @periodic_task(spacing=None)
    def _purge_expired_console_auth_tokens(self, ctxt: RequestContext) -> None:
        purged = console_auth_tokens.purge_expired()
        if purged:
            LOG.info("purged %d expired console tokens", purged)

    def periodic_tasks(self):  # type: ignore[no-untyped-def]
        tasks = []
        for method, spec in super().periodic_tasks():
            if method.__name__ == "_resolve_stuck_builds":
                spec = type(spec)(stuck_builds.interval(), spec.run_immediately)
            elif method.__name__ == "_purge_expired_console_auth_tokens":
                spec = type(spec)(CONF.consoleauth.purge_interval, spec.run_immediately)
            elif method.__name__ == "_poll_unconfirmed_resizes" and CONF.resize_confirm_window:
                spec = type(spec)(min(CONF.periodic_interval, CONF.resize_confirm_window),
                                  spec.run_immediately)
            tasks.append((method, spec))
        return tasks

