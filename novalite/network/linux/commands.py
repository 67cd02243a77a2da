"""Running host commands, and entering a network namespace from one thread."""

from __future__ import annotations

import ctypes
import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

CLONE_NEWNET = 0x40000000
NETNS_RUN_DIR = "/run/netns"


class DataPlaneError(Exception):
    """A data plane operation failed; carries the command and its stderr when there is one."""

    def __init__(self, message: str, command: Sequence[str] | None = None,
                 stderr: str = "", returncode: int | None = None) -> None:
        self.command = list(command) if command is not None else None
        self.stderr = stderr
        self.returncode = returncode
        detail = message
        if command is not None:
            detail += f" (command: {' '.join(command)}; exit {returncode}"
            detail += f"; stderr: {stderr.strip()})" if stderr.strip() else ")"
        super().__init__(detail)


def run(command: Sequence[str], stdin: str | None = None, check: bool = True,
        timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Runs an argument list (never a shell); raises DataPlaneError when it fails."""
    try:
        result = subprocess.run(list(command), input=stdin, capture_output=True, text=True,
                                timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DataPlaneError(f"could not run: {error}", command) from error
    if check and result.returncode != 0:
        raise DataPlaneError("command failed", command, result.stderr, result.returncode)
    return result


def netns_path(namespace: str) -> str:
    return os.path.join(NETNS_RUN_DIR, namespace)


def _setns(fd: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}")


def in_namespace(namespace: str, action: Callable[[], T]) -> T:
    """Calls `action` with the calling thread switched into `namespace`, then switches back.

    Python 3.11 has no os.setns, so libc's setns is called through ctypes. Only the
    calling thread changes namespace; sockets made by `action` keep the namespace
    they were made in. Call this from a thread of its own (see run_in_namespace):
    if the switch back ever failed, that thread must not do anything else.
    """
    with open("/proc/thread-self/ns/net", "rb") as original, \
            open(netns_path(namespace), "rb") as target:
        _setns(target.fileno())
        try:
            return action()
        finally:
            _setns(original.fileno())


def run_in_namespace(namespace: str, action: Callable[[], T]) -> T:
    """Runs `action` inside `namespace` on a dedicated short-lived thread; returns its result."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = in_namespace(namespace, action)
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    thread = threading.Thread(target=target, name=f"netns-{namespace}", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        error = outcome["error"]
        assert isinstance(error, BaseException)
        raise error
    return outcome["value"]  # type: ignore[return-value]
