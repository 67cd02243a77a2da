"""Where the Compute API's quota limits come from: ``[quota] driver``.

``db`` (Nova's DbQuotaDriver): the ``[quota]`` defaults and os-quota-sets overrides
(``novalite.db.quotas``). ``unified_limits`` (Nova's UnifiedLimitsDriver): identity's
registered and project limits of the compute service under Nova's resource names,
given back under the legacy names the API shows; a resource without a registered
limit follows ``unified_limits_resource_strategy`` as in Nova (0 when required,
unlimited when not), a negative limit is unlimited. Usage is counted the same way in
both (from the instances table), inside the reservation's lock.
"""

from __future__ import annotations

from novalite.conf import CONF
from novalite.db import quotas
from novalite.identity import limits as identity_limits

UNIFIED_DRIVERS = ("unified_limits", "nova.quota.UnifiedLimitsDriver")
# Nova's unified limit names -> the legacy quota names (nova/limit/{placement,local}.py)
LEGACY_NAMES = {
    "servers": "instances",
    "class:VCPU": "cores",
    "class:MEMORY_MB": "ram",
    "server_metadata_items": "metadata_items",
    "server_key_pairs": "key_pairs",
    "server_groups": "server_groups",
    "server_group_members": "server_group_members",
}


def unified() -> bool:
    return bool(CONF.quota.driver in UNIFIED_DRIVERS)


def _enforced_when_missing(name: str) -> bool:
    listed = name in CONF.quota.unified_limits_resource_list
    if CONF.quota.unified_limits_resource_strategy == "ignore":
        return not listed
    return listed


def _unified(project_id: str | None) -> dict[str, int]:
    found = identity_limits.project_limits("compute", project_id, LEGACY_NAMES,
                                           region_id=CONF.identity.region)
    result: dict[str, int] = {}
    for name, legacy in LEGACY_NAMES.items():
        value = found[name]
        if value is None:
            value = 0 if _enforced_when_missing(name) else quotas.UNLIMITED
        result[legacy] = quotas.UNLIMITED if value < 0 else value
    return result


def limits(project_id: str) -> dict[str, int]:
    """The limit of every resource of ``quotas.RESOURCES`` for ``project_id``."""
    return _unified(project_id) if unified() else quotas.get_limits(project_id)


def defaults() -> dict[str, int]:
    """The limits of a project with no limits of its own."""
    return _unified(None) if unified() else quotas.defaults()
