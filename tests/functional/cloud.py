"""An in-process control plane for functional tests: conductor, scheduler, compute nodes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from novalite import services
from novalite.common.service import Service


class ControlPlane:
    """Starts conductor, scheduler and ``compute_hosts`` fake compute nodes."""

    def __init__(self, compute_hosts: tuple[str, ...] = ("compute-1", "compute-2")) -> None:
        self.services: list[Service] = [services.conductor_service(),
                                        services.scheduler_service()]
        self.computes = {host: services.compute_service(host) for host in compute_hosts}
        self.services.extend(self.computes.values())

    def driver(self, host: str) -> Any:
        return self.computes[host].manager.driver

    def restart_compute(self, host: str) -> Service:
        """Stop ``host``'s compute service and start a new one in its place."""
        old = self.computes[host]
        old.stop()
        new = services.compute_service(host)
        self.services[self.services.index(old)] = new
        self.computes[host] = new
        new.start()
        return new

    def start(self) -> ControlPlane:
        for service in self.services:
            service.start()
        return self

    def stop(self) -> None:
        """Stop every service at once (each RPC server takes a poll interval to notice)."""
        threads = [threading.Thread(target=service.stop) for service in self.services]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.02,
             message: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} not met within {timeout} s")
        time.sleep(interval)
