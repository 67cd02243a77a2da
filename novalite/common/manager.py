"""The base of every service's RPC endpoint (its ``manager.py``) and periodic tasks."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

import oslo_messaging as messaging

from novalite.common.context import RequestContext

PeriodicFn = Callable[[Any, RequestContext], None]


@dataclasses.dataclass(frozen=True)
class PeriodicSpec:
    spacing: float | None
    run_immediately: bool


def periodic_task(spacing: float | None = None, run_immediately: bool = False
                  ) -> Callable[[PeriodicFn], PeriodicFn]:
    """Mark a manager method to run every ``spacing`` seconds (default: periodic_interval)."""

    def decorate(fn: PeriodicFn) -> PeriodicFn:
        fn._periodic_spec = PeriodicSpec(spacing, run_immediately)  # type: ignore[attr-defined]
        return fn

    return decorate


class Manager:
    """An RPC endpoint. Subclasses set ``target`` with the version they implement."""

    target = messaging.Target(version="1.0")

    def __init__(self, host: str, service_name: str) -> None:
        self.host = host
        self.service_name = service_name

    def rpc_endpoints(self) -> list[object]:
        """The RPC endpoints served: this manager, and older versions' doors if any."""
        return [self]

    def rpc_serializer(self) -> messaging.Serializer | None:
        """How entities of the messages are (de)serialized (None: plain JSON)."""
        return None

    def init_host(self) -> None:
        """Runs once before the RPC server starts."""

    def cleanup_host(self) -> None:
        """Runs once after the RPC server stopped."""

    def periodic_tasks(self) -> list[tuple[Callable[[RequestContext], None], PeriodicSpec]]:
        tasks = []
        for _name, method in inspect.getmembers(self, inspect.ismethod):
            spec = getattr(method, "_periodic_spec", None)
            if spec is not None:
                tasks.append((method, spec))
        return tasks
