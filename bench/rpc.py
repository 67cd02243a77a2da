"""RPC call round trip: in-process bus and the real RabbitMQ. Prints JSON.

usage: python bench/rpc.py [--calls N] [--rabbit URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid

import oslo_messaging as messaging

from novalite.common import rpc
from novalite.common.context import RequestContext
from novalite.common.manager import Manager
from novalite.common.rpcapi import RPCAPIBase
from novalite.common.service import Service
from novalite.conf import CONF


class PingManager(Manager):
    target = messaging.Target(version="1.0")

    def ping(self, ctxt: RequestContext, payload: int) -> int:
        return payload


class NullReporter:
    def report(self, host: str, binary: str, topic: str | None) -> None:
        pass


def measure(url: str, calls: int) -> dict[str, float]:
    rpc.cleanup()
    CONF.set_override("transport_url", url)
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    service = Service("bench", topic, PingManager("bench", "bench"), NullReporter(), host="bench")
    service.start()
    try:
        client = RPCAPIBase(topic).prepare(version="1.0")
        ctxt = RequestContext(user_id="bench", project_id="bench")
        client.call(ctxt, "ping", payload=0)  # connection set-up is not measured
        samples = []
        started = time.perf_counter()
        for i in range(calls):
            before = time.perf_counter()
            client.call(ctxt, "ping", payload=i)
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
    result = {"benchmark": "rpc_call_round_trip",
              "in_process": measure("kombu+memory:////", args.calls),
              "rabbitmq": measure(args.rabbit, args.calls)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
