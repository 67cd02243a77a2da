"""TCP ports for the guests' serial consoles, from ``[serial_console] port_range``.

Ports are handed out round-robin rather than lowest-free: a hard reboot (a new
definition) moves the guest to a new port, so a client or token holding the old
``host:port`` never lands on the console of the guest that gets that port next. A
port is skipped when another domain of this host names it or something else on the
host listens there (checked by binding it as QEMU will, with SO_REUSEADDR).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Collection

from novalite.common import exception


def parse_range(port_range: str) -> tuple[int, int]:
    low, _, high = port_range.partition(":")
    start, end = int(low), int(high)
    if not 0 < start <= end < 65536:
        raise exception.ConfigurationError(
            reason=f"[serial_console] port_range {port_range!r} is not MIN:MAX")
    return start, end


def _bindable(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class SerialPorts:
    def __init__(self, port_range: str, host: str) -> None:
        self.start, self.end = parse_range(port_range)
        self.host = host
        self._next = self.start
        self._lock = threading.Lock()

    def acquire(self, in_use: Collection[int]) -> int:
        """The next free port after the last one handed out."""
        count = self.end - self.start + 1
        with self._lock:
            for offset in range(count):
                port = self.start + (self._next - self.start + offset) % count
                if port in in_use or not _bindable(self.host, port):
                    continue
                self._next = port + 1 if port < self.end else self.start
                return port
        raise exception.ConsolePortRangeExhausted(min_port=self.start, max_port=self.end)
