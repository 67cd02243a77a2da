"""ServerGroupSoftAffinityWeigher and ServerGroupSoftAntiAffinityWeigher: the soft
policies of the request's server group, as weights rather than filters.

The raw weight of a host is the number of the group's members on it (negated for
soft-anti-affinity), normalized over the hosts like every weight, times
``[filter_scheduler] soft_affinity_weight_multiplier`` or
``soft_anti_affinity_weight_multiplier``; a request without such a group weighs 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from novalite.conf import CONF
from novalite.scheduler.filters.affinity_filter import group_of, members_on
from novalite.scheduler.host_state import HostState
from novalite.scheduler.weights import BaseHostWeigher


class ServerGroupSoftAffinityWeigher(BaseHostWeigher):
    policy = "soft-affinity"

    def weight_multiplier(self) -> float:
        return float(CONF.filter_scheduler.soft_affinity_weight_multiplier)

    def weigh_object(self, host_state: HostState, request_spec: Mapping[str, Any]) -> float:
        group = group_of(request_spec, self.policy)
        return float(members_on(group, host_state.host)) if group is not None else 0.0


class ServerGroupSoftAntiAffinityWeigher(ServerGroupSoftAffinityWeigher):
    policy = "soft-anti-affinity"

    def weight_multiplier(self) -> float:
        return float(CONF.filter_scheduler.soft_anti_affinity_weight_multiplier)

    def weigh_object(self, host_state: HostState, request_spec: Mapping[str, Any]) -> float:
        return -super().weigh_object(host_state, request_spec)
