"""Integration fixtures: peer processes over the real RabbitMQ on 127.0.0.1:5672."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

RABBIT_URL = os.environ.get("NOVALITE_TEST_RABBIT", "rabbit://guest:guest@127.0.0.1:5672/")
PEER = os.path.join(os.path.dirname(__file__), "rpc_peer.py")


@pytest.fixture
def rabbit(conf) -> Iterator[str]:
    conf.set_override("transport_url", RABBIT_URL)
    yield RABBIT_URL


@pytest.fixture
def start_peer(tmp_path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Starts rpc_peer.py processes and waits until each prints "ready"."""
    peers: list[subprocess.Popen[str]] = []

    def start(topic: str, host: str, version: str = "1.1", *extra: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, PEER, RABBIT_URL, topic, host, version,
             str(tmp_path / "record.txt"), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peers.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            process.kill()
            raise AssertionError(f"peer did not start: {line} {process.stderr.read()}")
        return process

    yield start
    for process in peers:
        if process.poll() is None:
            process.kill()
        process.wait()

# The in-process cloud of the functional tests (identity, image, compute API, conductor,
# scheduler, compute nodes), for integration tests that drive real guests through it.
from tests.functional.conftest import cloud, identity  # noqa: E402, F401
