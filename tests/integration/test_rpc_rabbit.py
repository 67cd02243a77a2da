"""RPC call, cast and fanout between separate processes over the real RabbitMQ;
version caps; graceful stop on SIGTERM; a service marked down when its heartbeat stops."""

from __future__ import annotations

import signal
import threading
import time
import uuid

import oslo_messaging as messaging
import pytest

from novalite.common.context import RequestContext
from novalite.common.rpcapi import RPCAPIBase
from novalite.db import service_store


class EchoAPI(RPCAPIBase):
    """Client of rpc_peer.py. 1.0: echo(payload); 1.1: echo(payload, shout)."""

    RPC_API_VERSION = "1.1"

    def echo(self, ctxt: RequestContext, payload: str, shout: bool = False,
             server: str | None = None) -> dict:
        if self.can_send_version("1.1"):
            return self.prepare(version="1.1", server=server).call(
                ctxt, "echo", payload=payload, shout=shout)
        return self.prepare(version="1.0", server=server).call(ctxt, "echo", payload=payload)

    def slow_echo(self, ctxt: RequestContext, payload: str, seconds: float, server: str) -> dict:
        return self.prepare(server=server, timeout=30).call(
            ctxt, "slow_echo", payload=payload, seconds=seconds)

    def record(self, ctxt: RequestContext, value: str, server: str | None = None) -> None:
        self.prepare(server=server).cast(ctxt, "record", value=value)

    def record_everywhere(self, ctxt: RequestContext, value: str) -> None:
        self.prepare(fanout=True).cast(ctxt, "record", value=value)


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def records(tmp_path) -> list[str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "record.txt"
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def topic() -> str:
    return f"novalite-test-{uuid.uuid4().hex[:8]}"


def test_call_carries_context_to_another_process(rabbit, start_peer, topic):
    start_peer(topic, "host-a")
    ctxt = RequestContext(user_id="u1", project_id="p1")
    answer = EchoAPI(topic).echo(ctxt, "hello", server="host-a")
    assert answer == {"payload": "hello", "host": "host-a", "user_id": "u1",
                      "request_id": ctxt.request_id}


def test_cast_and_fanout_reach_peers(rabbit, start_peer, topic, tmp_path):
    start_peer(topic, "host-a")
    start_peer(topic, "host-b")
    api = EchoAPI(topic)
    ctxt = RequestContext(user_id="u1")
    api.record(ctxt, "direct", server="host-b")
    wait_for(lambda: "host-b:direct" in records(tmp_path))
    api.record_everywhere(ctxt, "all")
    wait_for(lambda: {"host-a:all", "host-b:all"} <= set(records(tmp_path)))
    assert "host-a:direct" not in records(tmp_path)


def test_version_capped_client_talks_to_older_endpoint(rabbit, start_peer, topic):
    start_peer(topic, "old-host", "1.0")
    ctxt = RequestContext(user_id="u1")
    capped = EchoAPI(topic, version_cap="1.0")
    assert capped.echo(ctxt, "hi", shout=True, server="old-host")["payload"] == "hi"
    with pytest.raises(messaging.RemoteError, match="UnsupportedVersion"):
        EchoAPI(topic).echo(ctxt, "hi", shout=True, server="old-host")


def test_newer_endpoint_serves_both_versions(rabbit, start_peer, topic):
    start_peer(topic, "new-host", "1.1")
    ctxt = RequestContext(user_id="u1")
    assert EchoAPI(topic).echo(ctxt, "hi", shout=True, server="new-host")["payload"] == "HI"
    assert EchoAPI(topic, version_cap="1.0").echo(
        ctxt, "hi", shout=True, server="new-host")["payload"] == "hi"


def test_sigterm_finishes_in_flight_call(rabbit, start_peer, topic, tmp_path):
    process = start_peer(topic, "host-a")
    api = EchoAPI(topic)
    result: dict = {}
    caller = threading.Thread(target=lambda: result.update(
        api.slow_echo(RequestContext(), "done", 1.5, server="host-a")))
    caller.start()
    wait_for(lambda: "host-a:slow-started" in records(tmp_path))
    process.send_signal(signal.SIGTERM)
    caller.join(timeout=30)
    assert result == {"payload": "done", "host": "host-a"}
    assert process.wait(timeout=30) == 0


def test_service_marked_down_when_heartbeat_stops(rabbit, db, start_peer, topic, conf):
    conf.set_override("service_down_time", 3)
    process = start_peer(topic, "beating-host", "1.1", db, "0.5")

    def peer_row() -> dict | None:
        rows = service_store.list_services(host="beating-host")
        return rows[0] if rows else None

    first = wait_for(lambda: peer_row())
    wait_for(lambda: peer_row()["report_count"] > first["report_count"])
    assert peer_row()["state"] == "up"
    process.kill()
    process.wait()
    wait_for(lambda: peer_row()["state"] == "down", timeout=10, interval=0.25)
    conf.clear_override("service_down_time")
