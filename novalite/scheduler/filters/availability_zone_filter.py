"""AvailabilityZoneFilter: only hosts in the requested availability zone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from novalite.scheduler.filters import BaseHostFilter
from novalite.scheduler.host_state import HostState


class AvailabilityZoneFilter(BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state: HostState, request_spec: Mapping[str, Any]) -> bool:
        wanted: str | None = request_spec.get("availability_zone")
        if not wanted:
            return True
        return host_state.zone() == wanted
