"""CPUWeigher: prefer hosts with more free vCPUs (capacity after the ratio minus usage).

A negative ``[filter_scheduler] cpu_weight_multiplier`` stacks instances instead of spreading them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from novalite.conf import CONF
from novalite.scheduler.host_state import HostState
from novalite.scheduler.weights import BaseHostWeigher


class CPUWeigher(BaseHostWeigher):
    def weight_multiplier(self) -> float:
        return float(CONF.filter_scheduler.cpu_weight_multiplier)

    def weigh_object(self, host_state: HostState, request_spec: Mapping[str, Any]) -> float:
        return host_state.free_vcpus
