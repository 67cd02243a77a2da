"""Compute API latency: ``GET /servers/detail`` with 1,000 servers, and requests/s of
``GET /servers/{id}``. Prints JSON.

usage: python bench/api.py [--servers 1000] [--seconds 10] [--threads 4]
It starts ``novalite up`` (fake driver) in a scratch directory and records the servers
directly in the database (building 1,000 servers is bench/boot.py's job).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid

import requests

sys.path.insert(0, os.path.dirname(__file__))
from cloud import login, start_cloud  # noqa: E402


def seed(data_dir: str, project_id: str, user_id: str, count: int) -> list[str]:
    """Insert ``count`` ACTIVE servers of ``project_id`` straight into the database."""
    from novalite.common.context import RequestContext
    from novalite.conf import CONF
    from novalite.db import instances

    CONF([], project="novalite", default_config_files=[])
    CONF.set_override("state_path", data_dir)
    ctxt = RequestContext(user_id=user_id, project_id=project_id, roles=["admin"])
    flavor = {"flavorid": "1", "name": "m1.tiny", "vcpus": 1, "memory_mb": 128, "root_gb": 1}
    values = [{"project_id": project_id, "user_id": user_id, "display_name": f"s{i}",
               "uuid": str(uuid.uuid4()), "vcpus": 1, "memory_mb": 128, "root_gb": 1,
               "instance_type_id": "1", "flavor": flavor, "image_ref": str(uuid.uuid4()),
               "vm_state": "active", "task_state": None, "power_state": 1,
               "host": "bench", "node": "bench", "metadata": {"k": "v"}}
              for i in range(count)]
    created: list[str] = []
    for start in range(0, count, 200):
        batch = instances.create_instances(ctxt, values[start:start + 200], check_quota=False)
        created.extend(i["uuid"] for i in batch)
    return created


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    process, clouds_yaml = start_cloud(scratch.name)
    try:
        token, catalog = login(clouds_yaml, "novalite")
        compute = catalog["compute"]
        session = requests.Session()
        session.headers.update({"X-Auth-Token": token,
                                "OpenStack-API-Version": "compute 2.100"})
        me = session.get(f"{catalog['identity']}/auth/tokens",
                         headers={"X-Subject-Token": token}).json()["token"]
        ids = seed(scratch.name, me["project"]["id"], me["user"]["id"], args.servers)
        detail = []
        for _ in range(10):
            started = time.perf_counter()
            response = session.get(f"{compute}/servers/detail")
            detail.append(time.perf_counter() - started)
            assert len(response.json()["servers"]) == args.servers
        deadline = time.monotonic() + args.seconds
        latencies: list[float] = []

        def hammer(worker: int) -> None:
            own = requests.Session()
            own.headers.update(session.headers)
            index = worker
            while time.monotonic() < deadline:
                started = time.perf_counter()
                own.get(f"{compute}/servers/{ids[index % len(ids)]}").raise_for_status()
                latencies.append(time.perf_counter() - started)
                index += args.threads

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(hammer, range(args.threads)))
        elapsed = time.monotonic() - started
        latencies.sort()
        print(json.dumps({
            "benchmark": "api", "servers": args.servers,
            "servers_detail_ms": {"p50": round(statistics.median(detail) * 1000, 1),
                                  "max": round(max(detail) * 1000, 1)},
            "server_show": {"threads": args.threads,
                            "requests_per_s": round(len(latencies) / elapsed, 1),
                            "p50_ms": round(statistics.median(latencies) * 1000, 2),
                            "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2)},
        }, indent=2))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
