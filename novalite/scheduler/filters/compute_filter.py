"""ComputeFilter: only hosts whose compute service is enabled and up."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from novalite.db.base import utcnow
from novalite.scheduler.filters import BaseHostFilter
from novalite.scheduler.host_state import HostState

LOG = logging.getLogger(__name__)


class ComputeFilter(BaseHostFilter):
    run_filter_once_per_request = True

    def host_passes(self, host_state: HostState, request_spec: Mapping[str, Any],
                    now: datetime.datetime | None = None) -> bool:
        service = host_state.service
        if service is None:
            LOG.debug("%s has no compute service record", host_state.host)
            return False
        if service.get("disabled"):
            LOG.debug("%s is disabled, reason: %s", host_state.host,
                      service.get("disabled_reason"))
            return False
        if not host_state.service_is_up(now):
            LOG.warning("%s has not been heard from in a while", host_state.host)
            return False
        return True

    def filter_all(self, hosts: Iterable[HostState],
                   request_spec: Mapping[str, Any]) -> list[HostState]:
        now = utcnow()  # one clock reading for the whole pass
        passed = []
        for host in hosts:
            service = host.service
            # fast path for the common case; the rest take the full check, which logs why
            if (service is not None and service.get("up") and not service.get("disabled")) \
                    or self.host_passes(host, request_spec, now):
                passed.append(host)
        return passed
