"""Client side of the conductor RPC API: the compute nodes' only way to the database.

Version history:
  1.0 - service_report, ping
  1.1 - schedule_and_build_instances, build_failed, instance_get, instance_update,
        instance_get_all_by_host, instance_fault_create, action_event_start,
        action_event_finish, instance_destroy, compute_node_update
  2.0 - (release 0.2.0) versioned objects: Instance, RequestSpec, Selection,
        InstanceFault, InstanceActionEvent, ComputeNode; instance_update became
        instance_save (the object's changed fields); service_report carries the
        service version
  2.1 - (release 0.2.0) console_auth_token_validate, console_auth_tokens_delete
  2.2 - (release 0.2.0) the moves: migrate_server, live_migrate_instance,
        unshelve_instance, evacuate_instance (cast by the API); migration_save,
        migration_confirm_allocations, migration_revert_allocations,
        instance_release_allocations, evacuations_from (compute nodes); Migration
        objects

The conductor serves 1.x too (``novalite.conductor.legacy``) for compute services
of release 0.1.0 during a rolling upgrade.
"""

from __future__ import annotations

import logging
from typing import Any

import oslo_messaging as messaging

from novalite.common import exception
from novalite.common.context import RequestContext, get_admin_context
from novalite.objects import (
    SERVICE_VERSION,
    ComputeNode,
    ConsoleAuthToken,
    Flavor,
    Instance,
    InstanceActionEvent,
    InstanceFault,
    Migration,
    RequestSpec,
    Selection,
)
from novalite.objects.upgrade import VersionedRPCAPI

TOPIC = "conductor"
LOG = logging.getLogger(__name__)


class ConductorAPI(VersionedRPCAPI):
    TOPIC = TOPIC
    RPC_API_VERSION = "2.2"
    UPGRADE_LEVEL = "conductor"
    LEVEL_ATTRIBUTE = "conductor_rpc"
    AUTO_BINARY = "novalite-conductor"

    def _v2(self, timeout: float | None = None) -> messaging.RPCClient:
        if timeout is None:
            return self.prepare(version="2.0")
        return self.prepare(version="2.0", timeout=timeout)

    def service_report(self, ctxt: RequestContext, host: str, binary: str,
                       topic: str | None, version: int = SERVICE_VERSION) -> None:
        self._v2().call(ctxt, "service_report", host=host, binary=binary, topic=topic,
                        version=version)

    def ping(self, ctxt: RequestContext, payload: Any, timeout: float | None = None) -> Any:
        return self._v2(timeout).call(ctxt, "ping", payload=payload)

    def wait_until_ready(self, ctxt: RequestContext, timeout_per_try: float = 5.0) -> None:
        """Block until a conductor answers (as nova-compute does at start-up): a message
        sent before any conductor declared its queue is lost, so ask again."""
        attempt = 0
        while True:
            try:
                self.ping(ctxt, "ready?", timeout=timeout_per_try)
                return
            except messaging.MessagingTimeout:
                attempt += 1
                LOG.warning("no conductor answered yet (attempt %d); waiting", attempt)

    # --- builds (cast by the API, called back by compute nodes) -------------------------

    def schedule_and_build_instances(self, ctxt: RequestContext, request_spec: RequestSpec,
                                     instance_uuids: list[str]) -> None:
        self._v2().cast(ctxt, "schedule_and_build_instances", request_spec=request_spec,
                        instance_uuids=instance_uuids)

    def build_failed(self, ctxt: RequestContext, instance_uuid: str, host: str, reason: str,
                     request_spec: RequestSpec, alternates: list[Selection]) -> None:
        self._v2().cast(ctxt, "build_failed", instance_uuid=instance_uuid, host=host,
                        reason=reason, request_spec=request_spec, alternates=alternates)

    # --- instance records for compute nodes ---------------------------------------------

    def instance_get(self, ctxt: RequestContext, instance_uuid: str) -> Instance:
        instance: Instance = self._v2().call(ctxt, "instance_get", instance_uuid=instance_uuid)
        return instance

    def instance_save(self, ctxt: RequestContext, instance: Instance,
                      expected_task_state: Any = None, check_task_state: bool = False
                      ) -> Instance:
        """Write the instance's changed fields; the record as it is now.

        ``check_task_state`` makes the write conditional on ``expected_task_state``
        (a state, None, or a list), which a plain None could not say over the wire."""
        saved: Instance = self._v2().call(
            ctxt, "instance_save", instance=instance, expected_task_state=expected_task_state,
            check_task_state=check_task_state)
        return saved

    def instance_get_all_by_host(self, ctxt: RequestContext, host: str) -> list[Instance]:
        found: list[Instance] = self._v2().call(ctxt, "instance_get_all_by_host", host=host)
        return found

    def instance_fault_create(self, ctxt: RequestContext, fault: InstanceFault) -> None:
        self._v2().call(ctxt, "instance_fault_create", fault=fault)

    def action_event_start(self, ctxt: RequestContext, event: InstanceActionEvent) -> None:
        self._v2().call(ctxt, "action_event_start", event=event)

    def action_event_finish(self, ctxt: RequestContext, event: InstanceActionEvent) -> None:
        self._v2().call(ctxt, "action_event_finish", event=event)

    def instance_destroy(self, ctxt: RequestContext, instance: Instance) -> None:
        self._v2().call(ctxt, "instance_destroy", instance=instance)

    def compute_node_update(self, ctxt: RequestContext, node: ComputeNode) -> str:
        """Report a node's resources; returns its resource provider uuid."""
        provider: str = self._v2().call(ctxt, "compute_node_update", node=node)
        return provider


    # --- console tokens (proxies and compute nodes) --------------------------------------

    def console_auth_token_validate(self, ctxt: RequestContext, token_hash: str
                                    ) -> ConsoleAuthToken:
        """The unexpired token of ``token_hash`` whose console still listens where it
        says; ``InvalidToken`` otherwise. Proxies send the SHA-256 of what they were
        given, so the bus never carries a usable token."""
        token: ConsoleAuthToken = self.prepare(version="2.1").call(
            ctxt, "console_auth_token_validate", token_hash=token_hash)
        return token

    def console_auth_tokens_delete(self, ctxt: RequestContext, instance_uuid: str) -> None:
        self.prepare(version="2.1").call(ctxt, "console_auth_tokens_delete",
                                         instance_uuid=instance_uuid)

    # --- 2.2: moves (cast by the API) -------------------------------------------------------

    def _v22(self, what: str) -> messaging.RPCClient:
        if not self.can_send_version("2.2"):
            raise exception.Conflict(reason=f"{what} needs conductor RPC 2.2; this cloud "
                                            f"is capped at {self.version_cap}")
        return self.prepare(version="2.2")

    def require_moves(self, what: str) -> None:
        """The 409 the move methods give when the conductors are too old, asked before
        the API changes a server's state."""
        self._v22(what)

    def migrate_server(self, ctxt: RequestContext, instance: Instance, flavor: Flavor,
                       request_spec: RequestSpec) -> None:
        """Resize (``flavor`` is the new one) or cold-migrate (the same flavor)."""
        self._v22("resize").cast(ctxt, "migrate_server", instance=instance, flavor=flavor,
                                 request_spec=request_spec)

    def live_migrate_instance(self, ctxt: RequestContext, instance: Instance,
                              request_spec: RequestSpec, host: str | None,
                              block_migration: bool | None, do_cast: bool = True) -> None:
        """Choose (or check) the destination and start the live migration; not cast
        (before microversion 2.34), the caller hears why no host would do."""
        client = self._v22("os-migrateLive")
        kwargs = {"instance": instance, "request_spec": request_spec, "host": host,
                  "block_migration": block_migration}
        if do_cast:
            client.cast(ctxt, "live_migrate_instance", **kwargs)
        else:
            client.call(ctxt, "live_migrate_instance", **kwargs)

    def unshelve_instance(self, ctxt: RequestContext, instance: Instance,
                          request_spec: RequestSpec) -> None:
        self._v22("unshelve").cast(ctxt, "unshelve_instance", instance=instance,
                                   request_spec=request_spec)

    def evacuate_instance(self, ctxt: RequestContext, instance: Instance,
                          request_spec: RequestSpec, migration: Migration,
                          new_pass: str | None) -> None:
        self._v22("evacuate").cast(ctxt, "evacuate_instance", instance=instance,
                                   request_spec=request_spec, migration=migration,
                                   new_pass=new_pass)

    # --- 2.2: migration records and their allocations (compute nodes) -------------------------

    def migration_save(self, ctxt: RequestContext, migration: Migration) -> Migration:
        saved: Migration = self._v22("a move").call(ctxt, "migration_save",
                                                    migration=migration)
        return saved

    def migration_confirm_allocations(self, ctxt: RequestContext, migration: Migration
                                      ) -> None:
        """The move is kept: release what the migration held on the source."""
        self._v22("a move").call(ctxt, "migration_confirm_allocations", migration=migration)

    def migration_revert_allocations(self, ctxt: RequestContext, migration: Migration
                                     ) -> None:
        """The move is undone: the instance holds the source again (what the migration
        held), and nothing on the destination."""
        self._v22("a move").call(ctxt, "migration_revert_allocations", migration=migration)

    def instance_release_allocations(self, ctxt: RequestContext, instance: Instance) -> None:
        """The instance left its host (shelve offload): it holds nothing any more."""
        self._v22("shelveOffload").call(ctxt, "instance_release_allocations",
                                        instance=instance)

    def evacuations_from(self, ctxt: RequestContext, host: str) -> list[Migration]:
        """Evacuations away from ``host`` that its compute service has not cleaned up."""
        found: list[Migration] = self._v22("an evacuation").call(
            ctxt, "evacuations_from", host=host)
        return found


class ConductorReporter:
    """Heartbeat for compute nodes, which never reach the database themselves."""

    def __init__(self, api: ConductorAPI | None = None) -> None:
        self.api = api or ConductorAPI()
        self._ready = False

    def report(self, host: str, binary: str, topic: str | None) -> None:
        if not self._ready:
            self.api.wait_until_ready(get_admin_context())
            self._ready = True
        self.api.service_report(get_admin_context(), host, binary, topic)
