"""AvailabilityZoneFilter: only hosts in the requested availability zone.

A host's zone is the ``availability_zone`` metadata of its host aggregates, else the
zone its compute node reports (``[DEFAULT] default_availability_zone``), as Nova's
filter reads it.
"""

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
        zones = host_state.aggregate_metadata("availability_zone").get("availability_zone")
        if zones:
            return wanted in zones
        return host_state.zone() == wanted
