"""Typing on a real guest's serial console."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any


def send_until(driver: Any, instance: dict[str, Any], line: str,
               predicate: Callable[[], Any], what: str) -> None:
    """Type ``line`` on the serial console (its pty) until ``predicate`` holds.

    getty drops what arrives while it is still setting up the terminal, so an
    attempt may be lost; the pty stays open meanwhile (QEMU treats a closed pty as
    disconnected) and what the guest echoes is drained.
    """
    pty = driver.console_pty(instance)
    assert pty is not None
    descriptor = os.open(pty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        deadline = time.monotonic() + 90
        connected = True
        while time.monotonic() < deadline:
            if connected:
                try:
                    os.write(descriptor, line.encode() + b"\r")
                except OSError:  # QEMU is gone (the guest powered off): just wait
                    connected = False
            attempt_end = time.monotonic() + 5
            while time.monotonic() < attempt_end:
                try:
                    os.read(descriptor, 65536)
                except (BlockingIOError, OSError):
                    pass
                if predicate():
                    return
                time.sleep(0.1)
    finally:
        os.close(descriptor)
    raise AssertionError(f"timed out waiting for {what}")
