"""The scheduler's RPC endpoint: ``select_destinations`` and claims for retries.

Per request: the hosts with capacity for one instance (placement's formula over the
cached host states) -> ``ignore_hosts`` / ``force_hosts`` / ``force_nodes`` -> the
enabled filters (skipped when hosts are forced) -> the weighers -> a random pick among
the best ``host_subset_size`` -> an atomic claim in placement. A claim lost to another
scheduler drops that host and tries the next one. For several instances the claimed
resources are counted in memory before the next instance is placed; if one instance
finds no host, the claims made for the others are released.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
from collections.abc import Mapping
from typing import Any

import oslo_messaging as messaging

from novalite.common import exception, rpc
from novalite.common.context import RequestContext
from novalite.common.manager import Manager
from novalite.conf import CONF
from novalite.db.reconnect import RetryingEndpoint
from novalite.objects import ObjectSerializer, RequestSpec, Selection
from novalite.placement import client as placement
from novalite.scheduler import utils
from novalite.scheduler.host_manager import HostManager
from novalite.scheduler.host_state import HostState
from novalite.scheduler.weights import WeighedHost

LOG = logging.getLogger(__name__)

NOT_ENOUGH_HOSTS = "There are not enough hosts available."


class SchedulerManager(Manager):
    target = messaging.Target(version="2.0")

    def __init__(self, host: str | None = None,
                 service_name: str = "novalite-scheduler") -> None:
        super().__init__(host or CONF.host, service_name)
        self.host_manager = HostManager(list(CONF.filter_scheduler.enabled_filters),
                                        list(CONF.filter_scheduler.weight_classes))
        # one request at a time per scheduler process: the cached host states and the
        # in-memory accounting of claims are not shared between concurrent requests
        self._lock = threading.Lock()

    def rpc_endpoints(self) -> list[object]:
        """Every request waits out a database restart (``novalite.db.reconnect``)."""
        return [RetryingEndpoint(self), RetryingEndpoint(SchedulerV1Proxy(self))]

    def rpc_serializer(self) -> messaging.Serializer:
        return ObjectSerializer()

    # --- RPC methods --------------------------------------------------------------------

    @rpc.expected_exceptions(exception.NoValidHost, exception.Invalid)
    def select_destinations(self, ctxt: RequestContext, request_spec: RequestSpec,
                            instance_uuids: list[str],
                            return_alternates: bool = True) -> list[list[Selection]]:
        """Claim a host for each instance; per instance [chosen, *alternates]."""
        # the filters and weighers read the request as a mapping
        spec = request_spec.to_legacy()
        resources = utils.resources_from_spec(spec)
        uuids = list(instance_uuids or [])
        if not uuids:
            raise exception.Invalid(reason="select_destinations needs instance_uuids")
        alternates_wanted = CONF.scheduler.max_attempts - 1 if return_alternates else 0
        group: dict[str, Any] | None = spec.get("instance_group")
        forced = bool(spec.get("force_hosts") or spec.get("force_nodes"))
        with self._lock:
            self.host_manager.refresh()
            if group is not None:
                self._locate_members(group)
            hosts = self._candidate_hosts(spec, resources, uuids[0])
            claimed: list[str] = []
            answer: list[list[Selection]] = []
            try:
                for index, instance_uuid in enumerate(uuids):
                    candidates = hosts
                    if index:  # earlier instances of this request used some capacity
                        hosts = candidates = [h for h in hosts if h.fits(resources)]
                        if group is not None and not forced:
                            # and moved the group: its filters answer anew
                            candidates = self._filter_again(spec, hosts, index,
                                                            instance_uuid)
                    weighed = self.host_manager.get_weighed_hosts(candidates, spec)
                    chosen = self._claim_best(instance_uuid, weighed, resources)
                    if chosen is None:
                        raise exception.NoValidHost(reason=NOT_ENOUGH_HOSTS)
                    claimed.append(instance_uuid)
                    chosen.consume(resources)
                    if group is not None:
                        group.setdefault("member_hosts", {})[instance_uuid] = chosen.host
                    answer.append([chosen.selection(resources)] + [
                        h.selection(resources)
                        for h in itertools.islice(
                            (w.obj for w in weighed
                             if w.obj.host != chosen.host and w.obj.fits(resources)),
                            alternates_wanted)])
            except Exception:
                for instance_uuid in claimed:
                    placement.remove_allocations(instance_uuid)
                raise
        return answer

    def claim_resources(self, ctxt: RequestContext, instance_uuid: str, provider_uuid: str,
                        resources: dict[str, int]) -> bool:
        """Claim an alternate for a retried build; False when it no longer fits."""
        try:
            return placement.claim(instance_uuid, provider_uuid, resources)
        except exception.ResourceProviderNotFound:
            return False

    def remove_allocations(self, ctxt: RequestContext, instance_uuid: str) -> bool:
        """Release everything an instance holds (failed build, delete, before a retry)."""
        return placement.remove_allocations(instance_uuid)

    # --- the pipeline -------------------------------------------------------------------

    def _candidate_hosts(self, spec: Mapping[str, Any], resources: Mapping[str, int],
                         instance_uuid: str) -> list[HostState]:
        hosts = [h for h in self.host_manager.host_states() if h.fits(resources)]
        if not hosts:
            raise exception.NoValidHost(
                reason=f"{NOT_ENOUGH_HOSTS} No compute node has room for "
                       f"{utils.describe(resources)}.")
        ignore = set(spec.get("ignore_hosts") or [])
        if ignore:
            hosts = [h for h in hosts if h.host not in ignore]
            if not hosts:
                raise exception.NoValidHost(
                    reason=f"{NOT_ENOUGH_HOSTS} Every host with room is in ignore_hosts.")
        force_hosts = set(spec.get("force_hosts") or [])
        force_nodes = set(spec.get("force_nodes") or [])
        if force_hosts or force_nodes:
            hosts = [h for h in hosts
                     if (not force_hosts or h.host in force_hosts)
                     and (not force_nodes or h.nodename in force_nodes)]
            if not hosts:
                raise exception.NoValidHost(
                    reason=f"{NOT_ENOUGH_HOSTS} No host with room matches force_hosts "
                           f"{sorted(force_hosts)} / force_nodes {sorted(force_nodes)}.")
            return hosts  # forced hosts skip the filters, as in Nova
        result = self.host_manager.get_filtered_hosts(hosts, spec)
        if not result.hosts:
            LOG.info("Filtering removed all hosts for the request with instance ID '%s'. "
                     "Filter results: %s", instance_uuid, result.describe())
            raise exception.NoValidHost(
                reason=f"{NOT_ENOUGH_HOSTS} Filter {result.culprit()} removed the last "
                       f"hosts. Filter results: {result.describe()}")
        return result.hosts

    def _locate_members(self, group: dict[str, Any]) -> None:
        """Add where placement holds each member that has no host recorded yet: a member
        scheduled by a request that ran just before this one (under this lock) has its
        claim, but its host may not be written yet."""
        member_hosts = group.setdefault("member_hosts", {})
        for member in group.get("members") or ():
            if member in member_hosts:
                continue
            for provider_uuid in placement.get_allocations(member):
                host = self.host_manager.host_of_provider(provider_uuid)
                if host is not None:
                    member_hosts[member] = host
                    break

    def _filter_again(self, spec: Mapping[str, Any], hosts: list[HostState], index: int,
                      instance_uuid: str) -> list[HostState]:
        result = self.host_manager.get_filtered_hosts(hosts, spec, index)
        if not result.hosts:
            LOG.info("Filtering removed all hosts for the request with instance ID '%s'. "
                     "Filter results: %s", instance_uuid, result.describe())
            raise exception.NoValidHost(
                reason=f"{NOT_ENOUGH_HOSTS} Filter {result.culprit()} removed the last "
                       f"hosts. Filter results: {result.describe()}")
        return result.hosts

    def _claim_best(self, instance_uuid: str, weighed: list[WeighedHost],
                    resources: Mapping[str, int]) -> HostState | None:
        remaining = list(weighed)
        subset_size = CONF.filter_scheduler.host_subset_size
        while remaining:
            index = random.randrange(min(subset_size, len(remaining)))
            host = remaining.pop(index).obj
            try:
                if placement.claim(instance_uuid, host.uuid, resources):
                    return host
            except exception.ResourceProviderNotFound:
                pass
            LOG.info("Lost the claim for %s on %s to another request; trying the next host",
                     instance_uuid, host.nodename)
            self.host_manager.invalidate(host.uuid)
        return None


class SchedulerV1Proxy:
    """RPC 1.0 (release 0.1.0's conductor): plain dicts in and out."""

    target = messaging.Target(version="1.0")

    def __init__(self, manager: SchedulerManager) -> None:
        self.manager = manager

    @rpc.expected_exceptions(exception.NoValidHost, exception.Invalid)
    def select_destinations(self, ctxt: RequestContext, request_spec: dict[str, Any],
                            instance_uuids: list[str],
                            return_alternates: bool = True) -> list[list[dict[str, Any]]]:
        answer = self.manager.select_destinations(
            ctxt, RequestSpec.from_legacy(request_spec or {}), instance_uuids,
            return_alternates)
        return [[selection.to_legacy() for selection in hosts] for hosts in answer]

    def claim_resources(self, ctxt: RequestContext, instance_uuid: str, provider_uuid: str,
                        resources: dict[str, int]) -> bool:
        return self.manager.claim_resources(ctxt, instance_uuid, provider_uuid, resources)

    def remove_allocations(self, ctxt: RequestContext, instance_uuid: str) -> bool:
        return self.manager.remove_allocations(ctxt, instance_uuid)
