"""The service runner: an RPC server, periodic tasks and a heartbeat, stopped cleanly.

One ``Service`` object is one row of ``openstack compute service list``. How the
heartbeat reaches the database is injected (``Reporter``): services that own a
database connection write the row directly, compute nodes go through the
conductor. On stop the RPC server first stops taking messages, then waits for the
requests it is handling, so SIGTERM never cuts an operation in half.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

import oslo_messaging as messaging

from novalite.common import rpc
from novalite.common.context import RequestContext, get_admin_context
from novalite.common.manager import Manager
from novalite.conf import CONF

LOG = logging.getLogger(__name__)


class Reporter(Protocol):
    """Writes a service's heartbeat (creating its row on first report)."""

    def report(self, host: str, binary: str, topic: str | None) -> None: ...


class Runnable(Protocol):
    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...


def _with_admin_context(method: Callable[[RequestContext], None]) -> Callable[[], None]:
    """``method`` called with a fresh admin context on every run."""
    return lambda: method(get_admin_context())


class _Repeater:
    """Calls ``fn`` every ``interval`` seconds on its own thread until stopped."""

    def __init__(self, name: str, fn: Callable[[], None], interval: float,
                 run_immediately: bool = True) -> None:
        self._fn = fn
        self._interval = interval
        self._run_immediately = run_immediately
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        if not self._run_immediately and self._stop.wait(self._interval):
            return
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self._fn()
            except Exception:
                LOG.exception("%s failed", self._thread.name)
            if self._stop.wait(max(0.0, self._interval - (time.monotonic() - started))):
                return

    def stop(self, timeout: float = 10.0) -> None:
        """Stop; a run still in progress (an RPC call to a peer that is gone) is given
        ``timeout`` seconds, then left to die with the process (the thread is a daemon)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)


class Service:
    """Runs ``manager`` as the RPC server of ``topic`` on ``host``."""

    def __init__(self, binary: str, topic: str, manager: Manager, reporter: Reporter,
                 host: str | None = None, report_interval: float | None = None,
                 server_name: str | None = None) -> None:
        self.binary = binary
        self.name = binary
        self.topic = topic
        self.host = host or CONF.host
        self.manager = manager
        self.reporter = reporter
        self.report_interval = report_interval or CONF.report_interval
        self.server_name = server_name or self.host
        self._server: messaging.MessageHandlingServer | None = None
        self._repeaters: list[_Repeater] = []

    def start(self) -> None:
        self.reporter.report(self.host, self.binary, self.topic)
        self.manager.init_host()
        target = messaging.Target(topic=self.topic, server=self.server_name)
        self._server = rpc.get_server(target, self.manager.rpc_endpoints(),
                                      serializer=self.manager.rpc_serializer())
        self._server.start()
        self._repeaters.append(_Repeater(
            f"{self.binary}-heartbeat", self.heartbeat, self.report_interval,
            run_immediately=False))
        for method, spec in self.manager.periodic_tasks():
            spacing = spec.spacing or CONF.periodic_interval
            self._repeaters.append(_Repeater(
                f"{self.binary}-{method.__name__}", _with_admin_context(method),
                spacing, spec.run_immediately))
        for repeater in self._repeaters:
            repeater.start()
        LOG.info("%s started on %s (topic %s)", self.binary, self.host, self.topic)

    def heartbeat(self) -> None:
        self.reporter.report(self.host, self.binary, self.topic)

    def stop(self) -> None:
        """Stop taking requests, finish the ones in flight, then stop the timers."""
        if self._server is not None:
            self._server.stop()
            self._server.wait()
            self._server = None
        for repeater in self._repeaters:
            repeater.stop()
        self._repeaters.clear()
        self.manager.cleanup_host()
        LOG.info("%s stopped on %s", self.binary, self.host)


def wait_for_signal(signals: Iterable[int] = (signal.SIGTERM, signal.SIGINT)) -> int:
    """Block the main thread until one of ``signals`` arrives; return its number."""
    received: list[int] = []
    event = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        received.append(signum)
        event.set()

    for signum in signals:
        signal.signal(signum, handler)
    while not event.wait(3600):
        pass
    return received[0]


def run_services(services: list[Runnable]) -> None:
    """Start ``services`` in order, run until SIGTERM/SIGINT, stop them in reverse."""
    started: list[Runnable] = []
    try:
        for service in services:
            service.start()
            started.append(service)
        signum = wait_for_signal()
        LOG.info("received signal %d, stopping", signum)
    finally:
        for service in reversed(started):
            service.stop()
        rpc.cleanup()
