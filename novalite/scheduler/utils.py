"""What ``select_destinations`` takes and gives back.

request_spec (a plain dict, every key optional unless noted):

``flavor`` (required)
    ``{"vcpus": int, "memory_mb": int, "root_gb": int, "ephemeral_gb": int,
    "swap": int (MB), "extra_specs": {str: str}}``. The resources asked of placement
    are VCPU = vcpus, MEMORY_MB = memory_mb, DISK_GB = root_gb + ephemeral_gb +
    ceil(swap / 1024); an extra spec ``resources:<CLASS>`` = N overrides (0 drops it).
``image``
    ``{"properties": {...}}``; ImagePropertiesFilter reads ``hw_architecture``,
    ``img_hv_type`` and ``hw_vm_mode``.
``availability_zone``
    Only hosts in this zone pass AvailabilityZoneFilter (None: any zone).
``project_id``
    The instance's project (for logs and future tenant-aware filters).
``ignore_hosts``
    Compute hosts never chosen (hosts that already failed this build, the source of
    a migration).
``force_hosts`` / ``force_nodes``
    Only these hosts / nodenames are considered and the filters are skipped, as
    Nova does for ``availability_zone=zone:host:node``; capacity still applies.
``num_instances``
    How many instances the request is for; ``instance_uuids`` wins when given.
``scheduler_hints``
    ``{hint: [value, ...]}`` as the create sent them.
``instance_group``
    The server group of the ``group`` hint: ``{"uuid", "policy", "rules", "members",
    "member_hosts": {member: host}}``; the ServerGroup filters and weighers read it.

Selection (one dict per host in the answer): ``service_host`` (the compute service
host, its RPC server), ``nodename``, ``compute_node_uuid`` (= the resource provider
uuid), ``availability_zone``, ``limits`` ({"vcpu", "memory_mb", "disk_gb"}: the
provider's capacity after allocation ratios), ``allocation_request`` (placement-style
``{"allocations": {provider_uuid: {"resources": {...}}}}``, what the first selection
holds and what claiming an alternate takes) and ``allocation_request_version``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from novalite.common import exception
from novalite.placement import client as placement

ALLOCATION_REQUEST_VERSION = "1.0"


def _int(value: Any, field: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise exception.Invalid(reason=f"flavor {field} must be an integer") from None
    if number < 0:
        raise exception.Invalid(reason=f"flavor {field} must not be negative")
    return number


def resources_from_spec(request_spec: Mapping[str, Any]) -> dict[str, int]:
    """The placement resources one instance of this request consumes."""
    flavor = request_spec.get("flavor")
    if not isinstance(flavor, Mapping):
        raise exception.Invalid(reason="request_spec has no flavor")
    swap_mb = _int(flavor.get("swap"), "swap")
    resources = {
        placement.VCPU: _int(flavor.get("vcpus"), "vcpus"),
        placement.MEMORY_MB: _int(flavor.get("memory_mb"), "memory_mb"),
        placement.DISK_GB: (_int(flavor.get("root_gb"), "root_gb")
                        + _int(flavor.get("ephemeral_gb"), "ephemeral_gb")
                        + math.ceil(swap_mb / 1024)),
    }
    for key, value in (flavor.get("extra_specs") or {}).items():
        if key.startswith("resources:"):
            resources[key.split(":", 1)[1]] = _int(value, key)
    return {rc: amount for rc, amount in resources.items() if amount}


def describe(resources: Mapping[str, int]) -> str:
    return ", ".join(f"{rc}={amount}" for rc, amount in sorted(resources.items()))
