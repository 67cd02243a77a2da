"""ServerGroupAffinityFilter and ServerGroupAntiAffinityFilter: the hard policies of the
request's server group (``RequestSpec.instance_group``).

Affinity keeps a new member on the hosts the group's members already run on (any host
while none runs yet); anti-affinity keeps it off every host that already runs
``max_server_per_host`` members (the rule of microversion 2.64, 1 by default). Neither
runs once per request: the scheduler records each host it picks for a member of a
multi-create before it places the next one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from novalite.scheduler.filters import BaseHostFilter
from novalite.scheduler.host_state import HostState

LOG = logging.getLogger(__name__)


def group_of(request_spec: Mapping[str, Any], policy: str) -> Mapping[str, Any] | None:
    """The request's server group if its policy is ``policy``."""
    group: Mapping[str, Any] | None = request_spec.get("instance_group")
    if not group or group.get("policy") != policy:
        return None
    return group


def members_on(group: Mapping[str, Any], host: str) -> int:
    """How many members of ``group`` run on ``host``."""
    return sum(1 for where in (group.get("member_hosts") or {}).values() if where == host)


class ServerGroupAffinityFilter(BaseHostFilter):
    def host_passes(self, host_state: HostState, request_spec: Mapping[str, Any]) -> bool:
        group = group_of(request_spec, "affinity")
        if group is None:
            return True
        hosts = set((group.get("member_hosts") or {}).values())
        LOG.debug("Group affinity: check if %s in %s", host_state.host, sorted(hosts))
        return not hosts or host_state.host in hosts


class ServerGroupAntiAffinityFilter(BaseHostFilter):
    def host_passes(self, host_state: HostState, request_spec: Mapping[str, Any]) -> bool:
        group = group_of(request_spec, "anti-affinity")
        if group is None:
            return True
        limit = int((group.get("rules") or {}).get("max_server_per_host") or 1)
        LOG.debug("Group anti-affinity: check if the number of servers from group %s on "
                  "host %s is less than %s.", group.get("uuid"), host_state.host, limit)
        return members_on(group, host_state.host) < limit
