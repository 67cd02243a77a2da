"""Host filters: each module holds one; ``enabled_filters`` names them by class.

A filter answers ``host_passes(host_state, request_spec)``; the handler runs the
enabled ones in order and records how many hosts each let through, so a request
that ends with no host can say which filter removed the last ones, as Nova logs it.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from novalite.common import exception
from novalite.scheduler.host_state import HostState

LOG = logging.getLogger(__name__)


class BaseHostFilter:
    """Base of every filter. Subclasses implement ``host_passes``."""

    #: a filter whose answer does not change between instances of one request
    run_filter_once_per_request = False

    def host_passes(self, host_state: HostState, request_spec: Mapping[str, Any]) -> bool:
        raise NotImplementedError

    def filter_all(self, hosts: Iterable[HostState],
                   request_spec: Mapping[str, Any]) -> list[HostState]:
        return [host for host in hosts if self.host_passes(host, request_spec)]

    @property
    def name(self) -> str:
        return type(self).__name__


def all_filters() -> dict[str, type[BaseHostFilter]]:
    """Every filter class in this package, by class name."""
    found: dict[str, type[BaseHostFilter]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, BaseHostFilter)
                    and value is not BaseHostFilter):
                found[value.__name__] = value
    return found


def load_filters(names: Sequence[str]) -> list[BaseHostFilter]:
    available = all_filters()
    unknown = [name for name in names if name not in available]
    if unknown:
        raise exception.ConfigurationError(
            reason=f"unknown [filter_scheduler] enabled_filters: {', '.join(unknown)}; "
                   f"available: {', '.join(sorted(available))}")
    return [available[name]() for name in names]


class FilterResult:
    """The hosts that passed and, per filter, how many went in and came out."""

    def __init__(self, hosts: list[HostState], log: list[tuple[str, int, int]]) -> None:
        self.hosts = hosts
        self.log = log

    def describe(self) -> str:
        return str([f"{name}: (start: {start}, end: {end})" for name, start, end in self.log])

    def culprit(self) -> str | None:
        """The filter that removed the last hosts, if filtering is why none is left."""
        for name, start, end in self.log:
            if start and not end:
                return name
        return None


def run_filters(filters: Sequence[BaseHostFilter], hosts: list[HostState],
                request_spec: Mapping[str, Any], index: int = 0) -> FilterResult:
    """``index``: which instance of the request is placed; from the second on, the filters
    whose answer cannot have changed (``run_filter_once_per_request``) are skipped."""
    log: list[tuple[str, int, int]] = []
    for host_filter in filters:
        if index and host_filter.run_filter_once_per_request:
            continue
        start = len(hosts)
        hosts = host_filter.filter_all(hosts, request_spec)
        log.append((host_filter.name, start, len(hosts)))
        if not hosts:
            LOG.info("Filter %s returned 0 hosts", host_filter.name)
            break
    return FilterResult(hosts, log)
