"""RPC call round trip: in-process bus and the real RabbitMQ, with a small payload and
with an Instance object (through the object serializer); and the cost of serializing
an Instance alone (object -> primitive -> JSON -> object). Prints JSON.

usage: python bench/rpc.py [--calls N] [--rabbit URL]
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import time
import uuid
from typing import Any

import oslo_messaging as messaging

from novalite.common import rpc
from novalite.common.context import RequestContext
from novalite.common.manager import Manager
from novalite.common.rpcapi import RPCAPIBase
from novalite.common.service import Service
from novalite.conf import CONF
from novalite.objects import Flavor, Instance, ObjectSerializer


class PingManager(Manager):
    target = messaging.Target(version="1.0")

    def ping(self, ctxt: RequestContext, payload: Any) -> Any:
        return payload

    def rpc_serializer(self) -> messaging.Serializer:
        return ObjectSerializer()


def sample_instance() -> Instance:
    """An instance as a build carries it: flavor, one port, metadata, times."""
    return Instance(
        id=42, uuid=str(uuid.uuid4()), display_name="vm-1", project_id="p" * 32,
        user_id="u" * 32, host="compute-1", node="compute-1.node", vcpus=1, memory_mb=128,
        root_gb=1, flavor=Flavor(flavorid="1", name="m1.tiny", vcpus=1, memory_mb=128,
                                 root_gb=1, extra_specs={"hw:cpu_policy": "shared"}),
        image_ref=str(uuid.uuid4()), vm_state="building", task_state="spawning",
        launched_at=datetime.datetime(2026, 12, 1, 12, 0, 0, 123456),
        created_at=datetime.datetime(2026, 12, 1, 11, 59, 59),
        metadata={"role": "web"}, tags=["a", "b"], system_metadata={"image_os": "tiny"},
        network_info=[{"id": str(uuid.uuid4()), "address": "fa:16:3e:00:00:01",
                       "network": {"id": str(uuid.uuid4()), "label": "shared", "subnets": [
                           {"cidr": "10.254.0.0/24", "ips": [{"address": "10.254.0.5"}]}]}}])


def serialization(rounds: int) -> dict[str, float]:
    """Object -> wire -> object for one Instance, as a message carries it."""
    serializer = ObjectSerializer()
    instance = sample_instance()
    samples = []
    for _ in range(rounds):
        before = time.perf_counter()
        wire = json.dumps(serializer.serialize_entity(None, instance))
        serializer.deserialize_entity(None, json.loads(wire))
        samples.append((time.perf_counter() - before) * 1e6)
    samples.sort()
    return {"rounds": rounds, "instance_round_trip_p50_us": round(statistics.median(samples), 1),
            "instance_wire_bytes": len(wire)}


class NullReporter:
    def report(self, host: str, binary: str, topic: str | None) -> None:
        pass


def measure(url: str, calls: int, payload: Any = None) -> dict[str, float]:
    rpc.cleanup()
    CONF.set_override("transport_url", url)
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    service = Service("bench", topic, PingManager("bench", "bench"), NullReporter(), host="bench")
    service.start()
    try:
        client = RPCAPIBase(topic, serializer=ObjectSerializer()).prepare(version="1.0")
        ctxt = RequestContext(user_id="bench", project_id="bench")
        client.call(ctxt, "ping", payload=0)  # connection set-up is not measured
        samples = []
        started = time.perf_counter()
        for i in range(calls):
            before = time.perf_counter()
            client.call(ctxt, "ping", payload=i if payload is None else payload)
            samples.append((time.perf_counter() - before) * 1000)
        elapsed = time.perf_counter() - started
    finally:
        service.stop()
        rpc.cleanup()
    samples.sort()
    return {"calls": calls, "calls_per_s": round(calls / elapsed, 1),
            "p50_ms": round(statistics.median(samples), 3),
            "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rabbit", default="rabbit://guest:guest@127.0.0.1:5672/")
    args = parser.parse_args()
    CONF([], project="novalite", default_config_files=[])
    instance = sample_instance()
    result = {"benchmark": "rpc_call_round_trip",
              "in_process": measure("kombu+memory:////", args.calls),
              "rabbitmq": measure(args.rabbit, args.calls),
              "in_process_instance": measure("kombu+memory:////", args.calls, instance),
              "rabbitmq_instance": measure(args.rabbit, args.calls, instance),
              "serialization": serialization(args.calls * 5)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
