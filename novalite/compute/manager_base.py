"""The compute agent's base: its driver and conductor, the per-instance locks, and the
helpers every operation uses (saving through the conductor, action events, faults).

The agent never touches the database: every read and write of an instance or a
migration goes through the conductor.
"""

from __future__ import annotations

import datetime
import logging
import traceback
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

import oslo_messaging as messaging

from novalite.common import exception
from novalite.common.cache import KeyedLocks
from novalite.common.context import RequestContext
from novalite.common.manager import Manager
from novalite.compute.resource_tracker import ResourceTracker
from novalite.compute.rpcapi import ComputeAPI
from novalite.conductor.rpcapi import ConductorAPI
from novalite.conf import CONF
from novalite.objects import (
    Instance,
    InstanceActionEvent,
    InstanceFault,
    Migration,
    ObjectSerializer,
)
from novalite.virt.driver import ComputeDriver, Move, VirtDriverError

LOG = logging.getLogger(__name__)

#: the record went away (deleted) or its task_state moved on (another request won)
_GONE = (exception.InstanceNotFound, exception.UnexpectedStateError)
GONE = _GONE


def choose_driver() -> str:
    """``compute_driver``, with ``auto`` resolved: libvirt if libvirtd answers, else fake."""
    if CONF.compute_driver != "auto":
        return str(CONF.compute_driver)
    from novalite.virt.libvirt import daemon

    try:
        daemon.check(CONF.libvirt.connection_uri)
    except VirtDriverError as error:
        LOG.warning("libvirt is not usable, using the fake driver (no real guests): %s", error)
        return "fake"
    return "libvirt"


def load_driver(host: str) -> ComputeDriver:
    if choose_driver() == "libvirt":
        from novalite.virt.libvirt.driver import LibvirtDriver

        return LibvirtDriver(host)
    from novalite.virt.fake import FakeDriver

    return FakeDriver(host)


def _vifs(instance: dict[str, Any]) -> list[dict[str, Any]]:
    """The VIFs of a driver's view of an instance."""
    return list(instance.get("network_info") or [])


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class ManagerBase(Manager):
    """The compute agent's state and the helpers every operation uses."""

    target = messaging.Target(version="2.4")

    def __init__(self, host: str, service_name: str = "novalite-compute",
                 driver: ComputeDriver | None = None,
                 conductor: ConductorAPI | None = None) -> None:
        super().__init__(host, service_name)
        self.driver = driver or load_driver(host)
        self.conductor = conductor or ConductorAPI()
        self.resource_tracker = ResourceTracker(host, self.driver, self.conductor)
        self._locks = KeyedLocks()
        self._compute_rpc: ComputeAPI | None = None

    def compute_rpc(self) -> ComputeAPI:
        """The client to other compute nodes (a move's source and destination)."""
        if self._compute_rpc is None:
            self._compute_rpc = ComputeAPI()
        return self._compute_rpc

    if TYPE_CHECKING:  # the operations the mixins call, which ComputeManager defines
        def terminate_instance(self, ctxt: RequestContext, instance: Instance) -> None: ...

        def reboot_instance(self, ctxt: RequestContext, instance: Instance,
                            reboot_type: str) -> None: ...

        def stop_instance(self, ctxt: RequestContext, instance: Instance) -> None: ...

        def start_instance(self, ctxt: RequestContext, instance: Instance) -> None: ...

    def rpc_serializer(self) -> messaging.Serializer:
        return ObjectSerializer()

    # --- helpers ------------------------------------------------------------------------

    def _instance_lock(self, instance_uuid: str) -> AbstractContextManager[None]:
        return self._locks.hold(instance_uuid)

    @staticmethod
    def _driver_instance(instance: Instance) -> dict[str, Any]:
        """The instance as drivers see it: with its hypervisor name."""
        return instance.to_driver(CONF.instance_name_template % int(instance.id or 0))

    def _save(self, ctxt: RequestContext, instance: Instance, expected_task_state: Any = None,
              check: bool = False, **changes: Any) -> Instance:
        """Set ``changes`` on the instance and write them through the conductor (only if
        task_state is ``expected_task_state`` when ``check``); the record as it is now."""
        for name, value in changes.items():
            setattr(instance, name, value)
        return self.conductor.instance_save(ctxt, instance,
                                            expected_task_state=expected_task_state,
                                            check_task_state=check)

    @contextmanager
    def _event(self, ctxt: RequestContext, instance_uuid: str, event: str) -> Iterator[None]:
        """Record an instance action event around an operation (Success or Error)."""
        record = InstanceActionEvent(instance_uuid=instance_uuid, event=event, host=self.host,
                                     request_id=ctxt.request_id or "")
        try:
            self.conductor.action_event_start(ctxt, record)
        except exception.InstanceActionNotFound:
            LOG.debug("no action to record %s of %s under", event, instance_uuid)
        try:
            yield
        except Exception:
            self._event_finish(ctxt, record, "Error", traceback.format_exc())
            raise
        self._event_finish(ctxt, record, "Success")

    def _event_finish(self, ctxt: RequestContext, record: InstanceActionEvent, result: str,
                      trace: str | None = None) -> None:
        record.result = result
        record.traceback = trace
        try:
            self.conductor.action_event_finish(ctxt, record)
        except exception.InstanceActionNotFound:
            pass

    def _fault(self, ctxt: RequestContext, instance_uuid: str, error: BaseException) -> None:
        self.conductor.instance_fault_create(ctxt, InstanceFault(
            instance_uuid=instance_uuid, code=int(getattr(error, "code", 500)),
            message=str(error), details=traceback.format_exc(), host=self.host))

    def _destroy_quietly(self, ctxt: RequestContext, instance: Instance) -> None:
        try:
            self.driver.destroy(ctxt, self._driver_instance(instance), instance.network_info)
        except Exception:
            LOG.exception("clean-up of %s failed", instance.uuid)

    def _delete_console_tokens(self, ctxt: RequestContext, instance_uuid: str) -> None:
        if not self.conductor.can_send_version("2.1"):
            LOG.debug("conductor too old to delete console tokens of %s", instance_uuid)
            return
        self.conductor.console_auth_tokens_delete(ctxt, instance_uuid)

    def _save_migration(self, ctxt: RequestContext, migration: Migration, **changes: Any
                        ) -> Migration:
        for name, value in changes.items():
            setattr(migration, name, value)
        return self.conductor.migration_save(ctxt, migration)

    @staticmethod
    def _move(migration: Migration, instance: Instance) -> Move:
        """The driver's view of a move."""
        old = migration.old_flavor or instance.flavor
        new = migration.new_flavor or instance.flavor
        return Move(source_host=migration.source_compute or "",
                    dest_host=migration.dest_compute or "",
                    old_flavor=old.to_instance_copy() if old else {},
                    new_flavor=new.to_instance_copy() if new else {})

    def _fail_quietly(self, ctxt: RequestContext, instance: Instance, error: BaseException,
                      **changes: Any) -> None:
        """Record the fault of a failed operation and set ``changes`` (task_state None
        at least), unless the instance went away meanwhile."""
        LOG.warning("operation on %s failed on %s: %s", instance.uuid, self.host, error)
        try:
            self._fault(ctxt, instance.uuid, error)
            self._save(ctxt, instance, **{"task_state": None, **changes})
        except exception.InstanceNotFound:
            pass

