"""The service runner over the in-process bus: heartbeat, periodic tasks, RPC, stop."""

from __future__ import annotations

import threading

import oslo_messaging as messaging

from novalite.common.context import RequestContext
from novalite.common.manager import Manager, periodic_task
from novalite.common.rpcapi import RPCAPIBase
from novalite.common.service import Service


class RecordingReporter:
    def __init__(self) -> None:
        self.reports: list[tuple[str, str, str | None]] = []
        self.second = threading.Event()

    def report(self, host: str, binary: str, topic: str | None) -> None:
        self.reports.append((host, binary, topic))
        if len(self.reports) >= 2:
            self.second.set()


class TickManager(Manager):
    target = messaging.Target(version="1.0")

    def __init__(self) -> None:
        super().__init__("h1", "tick")
        self.ticks = threading.Event()
        self.stopped = False

    @periodic_task(spacing=0.05, run_immediately=True)
    def _tick(self, ctxt: RequestContext) -> None:
        assert ctxt.is_admin
        self.ticks.set()

    def add(self, ctxt: RequestContext, a: int, b: int) -> int:
        return a + b

    def cleanup_host(self) -> None:
        self.stopped = True


def test_service_heartbeats_runs_periodic_tasks_and_serves_rpc(conf):
    reporter = RecordingReporter()
    manager = TickManager()
    service = Service("novalite-tick", "tick-topic", manager, reporter, host="h1",
                      report_interval=0.05)
    service.start()
    try:
        assert RPCAPIBase("tick-topic").prepare().call(RequestContext(), "add", a=2, b=3) == 5
        assert manager.ticks.wait(5)
        assert reporter.second.wait(5)
        assert reporter.reports[0] == ("h1", "novalite-tick", "tick-topic")
    finally:
        service.stop()
    assert manager.stopped


class TwoTaskManager(Manager):
    """Two periodic tasks recording which one ran and the context it was given."""

    def __init__(self) -> None:
        super().__init__("h1", "two")
        self.runs: list[tuple[str, str]] = []
        self.enough = threading.Event()

    def _record(self, name: str, ctxt: RequestContext) -> None:
        assert ctxt.is_admin
        self.runs.append((name, ctxt.request_id))
        if {n for n, _ in self.runs} == {"first", "second"} and len(self.runs) >= 4:
            self.enough.set()

    @periodic_task(spacing=0.05, run_immediately=True)
    def _first(self, ctxt: RequestContext) -> None:
        self._record("first", ctxt)

    @periodic_task(spacing=0.05, run_immediately=True)
    def _second(self, ctxt: RequestContext) -> None:
        self._record("second", ctxt)


def test_each_periodic_task_runs_itself_with_a_fresh_admin_context(conf):
    manager = TwoTaskManager()
    service = Service("novalite-two", "two-topic", manager, RecordingReporter(), host="h1",
                      report_interval=60)
    service.start()
    try:
        assert manager.enough.wait(5)
    finally:
        service.stop()
    request_ids = [request_id for _, request_id in manager.runs]
    assert len(set(request_ids)) == len(request_ids)
