"""The compute agent: drives one host's hypervisor through a virt driver.

It never touches the database: every read and write of an instance goes through
the conductor. Operations on one instance are serialized by a per-instance lock
(a delete waits for the build it races with). Each operation records an action
event, leaves a fault when it fails, and clears the instance's task_state.

The day-2 actions live in mixins of their own: images of a server (snapshot, backup,
shelve), moves (resize, cold and live migration, evacuation) and the rest (rebuild,
rescue, password, crash dump, soft delete).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from novalite.common import exception, rpc
from novalite.common import instance_states as states
from novalite.common.context import RequestContext, get_admin_context
from novalite.common.manager import periodic_task
from novalite.compute import consoles, network
from novalite.compute.legacy import ComputeV1Proxy
from novalite.compute.manager_base import (
    _GONE,
    ManagerBase,
    _utcnow,
    _vifs,
    choose_driver,
    load_driver,
)
from novalite.compute.manager_images import ImagesMixin
from novalite.compute.manager_init import InitInstancesMixin
from novalite.compute.manager_moves import MovesMixin
from novalite.compute.manager_recovery import RecoveryMixin
from novalite.compute.manager_volumes import VolumesMixin
from novalite.conf import CONF
from novalite.objects import (
    ConsoleAuthToken,
    Instance,
    InstanceActionEvent,
    InstanceExternalEvent,
    RequestSpec,
    Selection,
)
from novalite.virt.driver import (
    ComputeDriver,
    ConsoleEndpoint,
    ConsoleUnavailable,
    Diagnostics,
    GuestNotRunning,
    LifecycleEvent,
    VirtDriverError,
)

LOG = logging.getLogger(__name__)

__all__ = ["ComputeManager", "choose_driver", "load_driver"]


class ComputeManager(VolumesMixin, ImagesMixin, MovesMixin, RecoveryMixin, InitInstancesMixin,
                     ManagerBase):
    def rpc_endpoints(self) -> list[object]:
        return [self, ComputeV1Proxy(self)]

    # --- lifecycle of the service -------------------------------------------------------

    def init_host(self) -> None:
        self.driver.init_host(self.host)
        self.driver.register_event_listener(self._handle_lifecycle_event)
        ctxt = get_admin_context()
        self.resource_tracker.update_available_resource(ctxt)
        self._init_instances(ctxt)
        self._sync_power_states(ctxt)
        self._clean_up_evacuations(ctxt)
        cleanup = getattr(self.driver, "cleanup_unowned_domains", None)
        if cleanup is not None:
            owned = [i.uuid for i in self.conductor.instance_get_all_by_host(ctxt, self.host)]
            for unowned in cleanup(owned):
                LOG.warning("guest %s on %s belongs to no instance", unowned, self.host)

    def cleanup_host(self) -> None:
        self.driver.cleanup_host(self.host)

    @periodic_task(spacing=None)
    def _update_available_resource(self, ctxt: RequestContext) -> None:
        self.resource_tracker.update_available_resource(ctxt)

    @periodic_task(spacing=None)
    def _sync_power_states_task(self, ctxt: RequestContext) -> None:
        self._sync_power_states(ctxt)

    @periodic_task(spacing=None)
    def _clean_image_cache(self, ctxt: RequestContext) -> None:
        """Remove cached base images no instance on this host uses any more."""
        cleanup = getattr(self.driver, "cleanup_unused_base_images", None)
        if cleanup is None:
            return
        used: set[str] = set()
        for instance in self.conductor.instance_get_all_by_host(ctxt, self.host):
            used.update(filter(None, (instance.image_ref, instance.kernel_id,
                                      instance.ramdisk_id)))
        cleanup(sorted(used))

    @periodic_task(spacing=None)
    def _refresh_security_group_rules(self, ctxt: RequestContext) -> None:
        """Security group rules (and remote group members) changed since a port was
        plugged reach the host's data plane here, as Neutron's agents get them."""
        instances = [i for i in self.conductor.instance_get_all_by_host(ctxt, self.host)
                     if i.network_info]
        ports = [vif["id"] for i in instances for vif in i.network_info]
        rules = network.security_group_rules(ports) if ports else None
        if not rules:
            return
        for instance in instances:
            for vif in instance.network_info:
                if vif["id"] in rules:
                    self.driver.refresh_security_group_rules(
                        self._driver_instance(instance),
                        {**vif, "security_group_rules": rules[vif["id"]]})

    @periodic_task(spacing=None)
    def _sync_routers(self, ctxt: RequestContext) -> None:
        """Routers and floating IPs into the host's data plane (SNAT, DNAT), as
        Neutron's L3 agent keeps them; the driver applies only what changed."""
        if type(self.driver).apply_l3_state is ComputeDriver.apply_l3_state:
            return   # no data plane here: nothing to ask the network service
        try:
            state = network.l3_state()
        except exception.ServiceUnavailable as error:
            LOG.warning("routers and floating IPs not synced: %s", error)
            return
        if state is not None:
            self.driver.apply_l3_state(state)

    def periodic_tasks(self):  # type: ignore[no-untyped-def]
        spacing = {"_update_available_resource": CONF.update_resources_interval,
                   "_refresh_security_group_rules":
                       CONF.network.security_group_refresh_interval,
                   "_sync_routers": CONF.network.security_group_refresh_interval,
                   "_sync_power_states_task": CONF.sync_power_state_interval,
                   "_clean_image_cache": CONF.image_cache_manager_interval,
                   "_reclaim_queued_deletes": max(CONF.reclaim_instance_interval, 1),
                   "_poll_shelved_instances": CONF.shelved_poll_interval}
        tasks = []
        for method, spec in super().periodic_tasks():
            spec = type(spec)(spacing.get(method.__name__, spec.spacing), spec.run_immediately)
            tasks.append((method, spec))
        return tasks

    def _sync_power_states(self, ctxt: RequestContext) -> None:
        for instance in self.conductor.instance_get_all_by_host(ctxt, self.host):
            self._sync_instance_power_state(ctxt, instance)

    def _sync_instance_power_state(self, ctxt: RequestContext, instance: Instance,
                                   power_state: int | None = None) -> None:
        """Make the database agree with the hypervisor for an instance nobody is acting on."""
        if instance.task_state is not None:
            return
        if power_state is None:
            power_state = self.driver.get_power_state(self._driver_instance(instance))
        values: dict[str, Any] = {}
        if power_state != instance.power_state:
            values["power_state"] = power_state
        if instance.vm_state == states.ACTIVE and power_state in (
                states.SHUTDOWN, states.CRASHED, states.NOSTATE):
            values["vm_state"] = states.STOPPED
        if values:
            LOG.info("power state sync: instance %s %s", instance.uuid, values)
            try:
                self._save(ctxt, instance, expected_task_state=None, check=True, **values)
            except _GONE:
                pass

    def _handle_lifecycle_event(self, event: LifecycleEvent) -> None:
        ctxt = get_admin_context()
        try:
            instance = self.conductor.instance_get(ctxt, event.instance_uuid)
        except exception.InstanceNotFound:
            return
        self._sync_instance_power_state(ctxt, instance, event.power_state)

    # --- build --------------------------------------------------------------------------

    def build_and_run_instance(self, ctxt: RequestContext, instance: Instance,
                               request_spec: RequestSpec, alternates: list[Selection],
                               node: str | None = None) -> None:
        instance_uuid = instance.uuid
        mappings = list(instance.block_device_mappings)  # the saves below return none
        with self._instance_lock(instance_uuid):
            if not self._still_ours_to_build(ctxt, instance_uuid):
                return
            try:
                instance = self._save(ctxt, instance, task_state=states.SPAWNING,
                                      expected_task_state=[states.SCHEDULING, None],
                                      check=True)
            except _GONE:
                LOG.info("instance %s was deleted before its build started", instance_uuid)
                return
            network_info: list[dict[str, Any]] = []
            try:
                with self._event(ctxt, instance_uuid, "compute__do_build_and_run_instance"):
                    network_info = self._allocate_network(ctxt, instance, request_spec)
                    instance.network_info = network_info
                    block_device_info = self._build_block_devices(ctxt, instance, mappings)
                    self.driver.spawn(ctxt, self._driver_instance(instance),
                                      request_spec.image.to_legacy(), network_info,
                                      block_device_info)
            except Exception as error:
                LOG.warning("build of %s failed on %s: %s", instance_uuid, self.host, error)
                self._destroy_quietly(ctxt, instance)
                network.deallocate_for_instance(ctxt, instance, network_info)
                self._unbuild_block_devices(ctxt, instance, mappings)
                try:  # back to the conductor, as Nova does before a reschedule
                    self._save(ctxt, instance, task_state=states.SCHEDULING, host=None,
                               node=None, network_info=[],
                               expected_task_state=states.SPAWNING, check=True)
                except _GONE:
                    return
                self.conductor.build_failed(ctxt, instance_uuid, self.host, str(error),
                                            request_spec, alternates)
                return
            try:
                self._save(ctxt, instance, vm_state=states.ACTIVE, task_state=None,
                           power_state=self.driver.get_power_state(
                               self._driver_instance(instance)),
                           launched_at=_utcnow(), expected_task_state=states.SPAWNING,
                           check=True)
            except _GONE:
                LOG.info("instance %s was deleted while it was built", instance_uuid)
                self._destroy_quietly(ctxt, instance)
                network.deallocate_for_instance(ctxt, instance, network_info)

    def _still_ours_to_build(self, ctxt: RequestContext, instance_uuid: str) -> bool:
        """A build cast that waited in this host's queue while the host was down may be
        stale: the build was rescheduled elsewhere, or resolved into ERROR meanwhile."""
        try:
            current = self.conductor.instance_get(ctxt, instance_uuid)
        except exception.InstanceNotFound:
            LOG.info("instance %s was deleted before its build started", instance_uuid)
            return False
        if current.host != self.host or current.vm_state != states.BUILDING:
            LOG.info("build of %s is no longer this host's (host %s, vm_state %s): skipped",
                     instance_uuid, current.host, current.vm_state)
            return False
        return True

    def _allocate_network(self, ctxt: RequestContext, instance: Instance,
                          request_spec: RequestSpec) -> list[dict[str, Any]]:
        """Ports for the instance (boot flow steps 22–24), recorded in its info cache
        before the guest starts, so a delete racing the build finds them."""
        network_info = network.allocate_for_instance(
            ctxt, instance, instance.requested_networks, request_spec.security_groups,
            host=self.host)
        if network_info:
            self._save(ctxt, instance, network_info=network_info)
        return network_info

    # --- delete -------------------------------------------------------------------------

    def terminate_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        instance_uuid = instance.uuid
        with (self._instance_lock(instance_uuid),
              self._event(ctxt, instance_uuid, "compute_terminate_instance")):
            network_info = instance.network_info
            mappings = list(instance.block_device_mappings)
            self.driver.destroy(ctxt, self._driver_instance(instance), network_info)
            network.deallocate_for_instance(ctxt, instance, network_info)
            self._release_block_devices(ctxt, instance, mappings)
            self.conductor.instance_destroy(ctxt, instance)

    # --- power actions ------------------------------------------------------------------

    def _power_action(self, ctxt: RequestContext, instance: Instance, event: str,
                      running_task_state: str | None, expected_task_state: str,
                      final_vm_state: str, call: Callable[[dict[str, Any]], None],
                      ends_consoles: bool = False) -> None:
        """Run one driver call for an instance whose task_state the API already set;
        ``ends_consoles``: its console tokens are deleted once the call returned (the
        guest's displays and serial port are gone or moved)."""
        instance_uuid = instance.uuid
        with self._instance_lock(instance_uuid):
            try:
                if running_task_state is not None:
                    instance = self._save(ctxt, instance, task_state=running_task_state,
                                          expected_task_state=expected_task_state, check=True)
                    expected_task_state = running_task_state
                with self._event(ctxt, instance_uuid, event):
                    call(self._driver_instance(instance))
                if ends_consoles:
                    self._delete_console_tokens(ctxt, instance_uuid)
            except _GONE:
                return
            except Exception as error:
                LOG.warning("%s of %s failed: %s", event, instance_uuid, error)
                self._fault(ctxt, instance_uuid, error)
                power = self.driver.get_power_state(self._driver_instance(instance))
                try:
                    self._save(ctxt, instance, task_state=None, power_state=power)
                except exception.InstanceNotFound:
                    pass
                return
            power = self.driver.get_power_state(self._driver_instance(instance))
            try:
                self._save(ctxt, instance, vm_state=final_vm_state, task_state=None,
                           power_state=power, expected_task_state=expected_task_state,
                           check=True)
            except _GONE:
                pass

    def reboot_instance(self, ctxt: RequestContext, instance: Instance, reboot_type: str) -> None:
        hard = reboot_type == "HARD"
        self._power_action(
            ctxt, instance, "compute_reboot_instance",
            states.REBOOT_STARTED_HARD if hard else states.REBOOT_STARTED,
            states.REBOOTING_HARD if hard else states.REBOOTING,
            states.ACTIVE, lambda i: self.driver.reboot(ctxt, i, _vifs(i), reboot_type),
            ends_consoles=hard)

    def stop_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._power_action(ctxt, instance, "compute_stop_instance", None, states.POWERING_OFF,
                           states.STOPPED,
                           lambda i: self.driver.power_off(i, CONF.shutdown_timeout),
                           ends_consoles=True)

    def start_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._power_action(ctxt, instance, "compute_start_instance", None, states.POWERING_ON,
                           states.ACTIVE, lambda i: self.driver.power_on(ctxt, i, _vifs(i)))

    def pause_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._power_action(ctxt, instance, "compute_pause_instance", None, states.PAUSING,
                           states.PAUSED, self.driver.pause)

    def unpause_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._power_action(ctxt, instance, "compute_unpause_instance", None, states.UNPAUSING,
                           states.ACTIVE, self.driver.unpause)

    def suspend_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._power_action(ctxt, instance, "compute_suspend_instance", None, states.SUSPENDING,
                           states.SUSPENDED, lambda i: self.driver.suspend(ctxt, i))

    def resume_instance(self, ctxt: RequestContext, instance: Instance) -> None:
        self._power_action(ctxt, instance, "compute_resume_instance", None, states.RESUMING,
                           states.ACTIVE, lambda i: self.driver.resume(ctxt, i, _vifs(i)))

    # --- interfaces ---------------------------------------------------------------------

    def attach_interface(self, ctxt: RequestContext, instance: Instance,
                         network_id: str | None, port_id: str | None,
                         requested_ip: str | None) -> dict[str, Any]:
        instance_uuid = instance.uuid
        request: dict[str, Any] = {"port_id": port_id} if port_id else {
            "network_id": network_id}
        if requested_ip:
            request["fixed_ip"] = requested_ip
        with (self._instance_lock(instance_uuid),
              self._event(ctxt, instance_uuid, "compute_attach_interface")):
            current = self.conductor.instance_get(ctxt, instance_uuid)
            vif = network.allocate_for_instance(ctxt, current, [request], host=self.host)[0]
            try:
                self.driver.attach_interface(ctxt, self._driver_instance(current), vif)
            except Exception:
                network.deallocate_for_instance(ctxt, current, [vif], only=[vif["id"]])
                raise
            self._save(ctxt, current, network_info=[*current.network_info, vif])
        return vif

    def detach_interface(self, ctxt: RequestContext, instance: Instance, port_id: str) -> None:
        instance_uuid = instance.uuid
        with (self._instance_lock(instance_uuid),
              self._event(ctxt, instance_uuid, "compute_detach_interface")):
            current = self.conductor.instance_get(ctxt, instance_uuid)
            vifs = current.network_info
            vif = next((v for v in vifs if v["id"] == port_id), None)
            if vif is None:
                return
            self.driver.detach_interface(ctxt, self._driver_instance(current), vif)
            network.deallocate_for_instance(ctxt, current, [vif], only=[port_id])
            self._save(ctxt, current, network_info=[v for v in vifs if v["id"] != port_id])

    # --- reads --------------------------------------------------------------------------

    def get_diagnostics(self, ctxt: RequestContext, instance: Instance) -> Diagnostics:
        return self.driver.get_diagnostics(self._driver_instance(instance))

    def get_console_output(self, ctxt: RequestContext, instance: Instance,
                           tail_length: int | None = None) -> str:
        output = self.driver.get_console_output(ctxt, self._driver_instance(instance))
        if tail_length is not None:
            lines = output.splitlines()
            output = "\n".join(lines[-tail_length:]) + ("\n" if lines else "")
        return output

    # --- consoles -----------------------------------------------------------------------

    def _console_endpoint(self, instance: Instance, kind: consoles.ConsoleType
                          ) -> ConsoleEndpoint:
        driver_instance = self._driver_instance(instance)
        read = {"vnc": self.driver.get_vnc_console, "spice": self.driver.get_spice_console,
                "serial": self.driver.get_serial_console}[kind.display]
        try:
            return read(driver_instance)
        except GuestNotRunning:
            raise exception.InstanceNotReady(instance_id=instance.uuid) from None
        except ConsoleUnavailable:
            raise exception.ConsoleTypeUnavailable(console_type=kind.name) from None
        except VirtDriverError:  # no such guest here (yet)
            raise exception.InstanceNotReady(instance_id=instance.uuid) from None

    @rpc.expected_exceptions(exception.ConsoleTypeInvalid, exception.ConsoleTypeUnavailable,
                             exception.InstanceNotReady)
    def get_console(self, ctxt: RequestContext, instance: Instance,
                    console_type: str) -> ConsoleAuthToken:
        kind = consoles.console_type(console_type)
        endpoint = self._console_endpoint(instance, kind)
        return ConsoleAuthToken(
            console_type=kind.name, host=endpoint.host, port=endpoint.port,
            internal_access_path=endpoint.internal_access_path, instance_uuid=instance.uuid,
            access_url_base=kind.access_url_base())

    def validate_console_port(self, ctxt: RequestContext, instance: Instance, port: int,
                              console_type: str) -> bool:
        """Whether the console still listens where the token says: a guest restarted
        or redefined since may listen elsewhere, and another guest may have the port."""
        try:
            endpoint = self._console_endpoint(instance, consoles.console_type(console_type))
        except exception.NovaliteException:
            return False
        return endpoint.port == int(port)

    def get_host_uptime(self, ctxt: RequestContext) -> str:
        return self.driver.get_host_uptime()

    # --- events of other services -------------------------------------------------------

    def external_instance_event(self, ctxt: RequestContext, instances: list[Instance],
                                events: list[InstanceExternalEvent]) -> None:
        """Events the network and volume services report (``os-server-external-events``).

        ``network-changed`` and ``network-vif-deleted`` read the server's ports again into
        its info cache (a floating IP associated through the network API shows on the
        server), as Nova's refresh of the instance's network info; no build waits for
        ``network-vif-plugged``. ``volume-extended`` and ``power-update`` are recorded
        under the action the API started for them, as Error: this host does not grow an
        attached volume in its running guest (the guest keeps the size it saw) and its
        driver has no external power state to follow.
        """
        by_uuid = {instance.uuid: instance for instance in instances}
        refreshed: set[str] = set()
        for event in events:
            if event.instance_uuid not in by_uuid:
                continue
            LOG.info("Received event %s%s for instance %s", event.name,
                     f"-{event.tag}" if event.tag else "", event.instance_uuid)
            if event.name in ("network-changed", "network-vif-deleted"):
                if event.instance_uuid not in refreshed:
                    refreshed.add(event.instance_uuid)
                    self._refresh_network_info(ctxt, by_uuid[event.instance_uuid])
            elif event.name == "volume-extended":
                self._refused_event(ctxt, event, "compute_extend_volume",
                                    f"Volume {event.tag} of instance "
                                    f"{event.instance_uuid} was not extended in the guest: "
                                    "this host does not resize attached volumes.")
            elif event.name == "power-update":
                self._refused_event(ctxt, event, "compute_power_update",
                                    f"The {CONF.compute_driver} driver does not follow "
                                    "power updates of another service.")

    def _refresh_network_info(self, ctxt: RequestContext, instance: Instance) -> None:
        try:
            with self._instance_lock(instance.uuid):
                network_info = network.refresh_network_info(ctxt, instance)
                self._save(ctxt, instance, network_info=network_info)
        except exception.NovaliteException as error:  # gone meanwhile, network down
            LOG.warning("Could not refresh the network info of instance %s: %s",
                        instance.uuid, error)

    def _refused_event(self, ctxt: RequestContext, event: InstanceExternalEvent, name: str,
                       reason: str) -> None:
        record = InstanceActionEvent(instance_uuid=event.instance_uuid, event=name,
                                     host=self.host,
                                     request_id=event.request_id or ctxt.request_id or "")
        try:
            self.conductor.action_event_start(ctxt, record)
        except exception.InstanceActionNotFound:
            return
        record.details = reason
        self._event_finish(ctxt, record, "Error")
