"""Typing on a real guest's serial console."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from typing import Any


class _Serial:
    """The guest's first serial port: its TCP server (serial consoles enabled), or its
    pty. Writes fail quietly once QEMU is gone."""

    def __init__(self, driver: Any, instance: dict[str, Any]) -> None:
        self._socket: socket.socket | None = None
        self._fd: int | None = None
        pty = driver.console_pty(instance)
        if pty is not None and pty.startswith("/dev/"):
            self._fd = os.open(pty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            return
        endpoint = driver.get_serial_console(instance)
        self._socket = socket.create_connection((endpoint.host, endpoint.port), timeout=10)
        self._socket.setblocking(False)

    def write(self, data: bytes) -> bool:
        try:
            if self._socket is not None:
                self._socket.sendall(data)
            elif self._fd is not None:
                os.write(self._fd, data)
        except OSError:
            return False
        return True

    def drain(self) -> None:
        try:
            if self._socket is not None:
                self._socket.recv(65536)
            elif self._fd is not None:
                os.read(self._fd, 65536)
        except (BlockingIOError, OSError):
            pass

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
        if self._fd is not None:
            os.close(self._fd)


def send_until(driver: Any, instance: dict[str, Any], line: str,
               predicate: Callable[[], Any], what: str) -> None:
    """Type ``line`` on the serial console until ``predicate`` holds.

    getty drops what arrives while it is still setting up the terminal, so an
    attempt may be lost; the connection stays open meanwhile (QEMU treats a closed
    pty as disconnected) and what the guest echoes is drained.
    """
    serial = _Serial(driver, instance)
    try:
        deadline = time.monotonic() + 90
        connected = True
        while time.monotonic() < deadline:
            if connected:
                connected = serial.write(line.encode() + b"\r")
            attempt_end = time.monotonic() + 5
            while time.monotonic() < attempt_end:
                serial.drain()
                if predicate():
                    return
                time.sleep(0.1)
    finally:
        serial.close()
    raise AssertionError(f"timed out waiting for {what}")
