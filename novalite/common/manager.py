"""The base of every service's RPC endpoint (its ``manager.py``) and periodic tasks."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import TypeVar

import oslo_messaging as messaging

from novalite.common.context import RequestContext

#: A manager method taking the request context (the manager's own subclass as self).
PeriodicFn = TypeVar("PeriodicFn", bound=Callable[..., None])


@dataclasses.dataclass(frozen=True)
class PeriodicSpec:
    spacing: float | None
    run_immediately: bool


def periodic_task(spacing: float | None = None, run_immediately: bool = False
                  ) -> Callable[[PeriodicFn], PeriodicFn]:
    """Mark a manager method to run every ``spacing`` seconds (default: periodic_interval)."""

    def decorate(fn: PeriodicFn) -> PeriodicFn:
        # a function attribute, found again on the bound method by periodic_tasks()
        fn.__dict__["_periodic_spec"] = PeriodicSpec(spacing, run_immediately)
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
        tasks: list[tuple[Callable[[RequestContext], None], PeriodicSpec]] = []
        for _name, method in inspect.getmembers(self, inspect.ismethod):
            spec = getattr(method, "_periodic_spec", None)
            if spec is not None:
                tasks.append((method, spec))
        return tasks
