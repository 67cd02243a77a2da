"""Serial console ports: round-robin over the range, skipping ports in use."""

from __future__ import annotations

import socket

import pytest

from novalite.common import exception
from novalite.virt.libvirt.serial import SerialPorts, parse_range


def _free_range(size: int) -> tuple[int, int]:
    """``size`` consecutive ports nothing on this host listens on."""
    for start in range(31000, 32000, size):
        if all(_free(port) for port in range(start, start + size)):
            return start, start + size - 1
    raise AssertionError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_round_robin_skips_ports_in_use_and_wraps() -> None:
    start, end = _free_range(4)
    ports = SerialPorts(f"{start}:{end}", "127.0.0.1")
    assert ports.acquire(set()) == start
    assert ports.acquire({start + 1}) == start + 2  # another domain names start+1
    with socket.socket() as listener:  # something else listens on start+3
        listener.bind(("127.0.0.1", start + 3))
        listener.listen()
        assert ports.acquire(set()) == start  # wrapped around
    assert ports.acquire({start}) == start + 1


def test_an_exhausted_range_and_a_bad_range() -> None:
    start, end = _free_range(2)
    ports = SerialPorts(f"{start}:{end}", "127.0.0.1")
    with pytest.raises(exception.ConsolePortRangeExhausted, match=f"{start}-{end}"):
        ports.acquire({start, end})
    with pytest.raises(exception.ConfigurationError):
        parse_range("20000:10000")
