"""Host weighers: each module holds one; ``weight_classes`` picks them.

As in Nova, each weigher's raw values are normalized to [0, 1] over the hosts being
weighed (``(w - min) / (max - min)``, all 0 when every host is equal), multiplied by
the weigher's multiplier and summed; the host with the highest total wins.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Mapping, Sequence
from typing import Any

from novalite.common import exception
from novalite.scheduler.host_state import HostState

ALL_WEIGHERS = ("all_weighers", "novalite.scheduler.weights.all_weighers")


class BaseHostWeigher:
    """Base of every weigher. Subclasses implement ``weigh_object`` and ``weight_multiplier``."""

    #: fixed bounds for normalization (None: the min/max of the hosts weighed)
    minval: float | None = None
    maxval: float | None = None

    def weight_multiplier(self) -> float:
        """Read once per request (not per host): configuration lookups are not free."""
        return 1.0

    def weigh_object(self, host_state: HostState, request_spec: Mapping[str, Any]) -> float:
        raise NotImplementedError


@dataclasses.dataclass
class WeighedHost:
    obj: HostState
    weight: float = 0.0


def normalize(values: Sequence[float], minval: float | None = None,
              maxval: float | None = None) -> list[float]:
    if not values:
        return []
    low = float(min(values) if minval is None else minval)
    high = float(max(values) if maxval is None else maxval)
    if low == high:
        return [0.0] * len(values)
    span = high - low
    return [(value - low) / span for value in values]


def all_weighers() -> dict[str, type[BaseHostWeigher]]:
    found: dict[str, type[BaseHostWeigher]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, BaseHostWeigher)
                    and value is not BaseHostWeigher):
                found[value.__name__] = value
    return found


def load_weighers(names: Sequence[str]) -> list[BaseHostWeigher]:
    """Weighers by class name, dotted path, or ``all_weighers``."""
    available = all_weighers()
    classes: list[type[BaseHostWeigher]] = []
    for name in names:
        if name in ALL_WEIGHERS:
            classes.extend(available[key] for key in sorted(available))
        elif name in available:
            classes.append(available[name])
        elif "." in name:
            module_name, _, class_name = name.rpartition(".")
            try:
                cls = getattr(importlib.import_module(module_name), class_name)
            except (ImportError, AttributeError):
                raise exception.ConfigurationError(
                    reason=f"cannot load weigher {name}") from None
            classes.append(cls)
        else:
            raise exception.ConfigurationError(
                reason=f"unknown [filter_scheduler] weight_classes entry {name}; "
                       f"available: {', '.join(sorted(available))}")
    unique = list(dict.fromkeys(classes))
    return [cls() for cls in unique]


def weigh_hosts(weighers: Sequence[BaseHostWeigher], hosts: Sequence[HostState],
                request_spec: Mapping[str, Any]) -> list[WeighedHost]:
    """The hosts with their total weights, best first (stable for equal weights)."""
    totals = [0.0] * len(hosts)
    for weigher in weighers:
        multiplier = weigher.weight_multiplier()
        if not multiplier:
            continue
        raw = [weigher.weigh_object(host, request_spec) for host in hosts]
        for index, value in enumerate(normalize(raw, weigher.minval, weigher.maxval)):
            totals[index] += multiplier * value
    order = sorted(range(len(hosts)), key=totals.__getitem__, reverse=True)
    return [WeighedHost(hosts[index], totals[index]) for index in order]
