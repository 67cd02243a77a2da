"""Network service: port create latency under concurrent creators; prints one JSON object.

Runs identity and the network API on 127.0.0.1 (ephemeral ports) over a scratch SQLite
database, or the database in ``NOVALITE_BENCH_DB`` (an SQLAlchemy URL). ``--creators``
threads (default 20) each create ``--ports`` ports (default 25) with a real token on
one shared subnet, as concurrent boots do; every request is timed end to end over
HTTP (token validation, policy, IP allocation, commit). Then all ports are deleted,
timed the same way, and the allocation table is checked to be empty.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import statistics
import tempfile
import time

import requests

from novalite.common import wsgi
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.db import migration
from novalite.identity import bootstrap
from novalite.identity.api import make_app as make_identity_app
from novalite.network import store
from novalite.network.api import make_app as make_network_app


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return round(ordered[index] * 1000, 2)


def _summary(latencies: list[float], wall: float) -> dict[str, float]:
    return {"p50_ms": _percentile(latencies, 0.50), "p95_ms": _percentile(latencies, 0.95),
            "p99_ms": _percentile(latencies, 0.99),
            "mean_ms": round(statistics.mean(latencies) * 1000, 2),
            "max_ms": round(max(latencies) * 1000, 2),
            "per_s": round(len(latencies) / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creators", type=int, default=20)
    parser.add_argument("--ports", type=int, default=25, help="ports per creator")
    args = parser.parse_args()
    CONF([], project="novalite", default_config_files=[])
    state = tempfile.mkdtemp(prefix="novalite-bench-")
    CONF.set_override("state_path", state)
    CONF.set_override("password_hash_memory_kib", 1024, "identity")
    if os.environ.get("NOVALITE_BENCH_DB"):
        CONF.set_override("connection", os.environ["NOVALITE_BENCH_DB"], "database")
    migration.db_sync()
    bootstrap.bootstrap("bench-admin", demo_password="bench-demo")
    identity = wsgi.Server("identity", make_identity_app(), "127.0.0.1", 0, threads=4)
    network = wsgi.Server("network", make_network_app(), "127.0.0.1", 0,
                          threads=CONF.network.workers)
    identity.start()
    network.start()
    total = args.creators * args.ports
    try:
        def token(user: str, password: str) -> str:
            body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"id": "default"}, "password": password}}},
                "scope": {"project": {"name": user, "domain": {"id": "default"}}}}}
            response = requests.post(f"{identity.url}/v3/auth/tokens", json=body, timeout=30)
            response.raise_for_status()
            return response.headers["X-Subject-Token"]

        admin_headers = {"X-Auth-Token": token("admin", "bench-admin")}
        demo_headers = {"X-Auth-Token": token("demo", "bench-demo")}
        api = f"{network.url}/v2.0"
        net = requests.post(f"{api}/networks", headers=admin_headers, timeout=30, json={
            "network": {"name": "bench", "shared": True}}).json()["network"]
        prefix = 32 - max(8, (total + 2).bit_length() + 1)
        subnet = requests.post(f"{api}/subnets", headers=admin_headers, timeout=30, json={
            "subnet": {"network_id": net["id"], "cidr": f"10.128.0.0/{prefix}",
                       "ip_version": 4}}).json()["subnet"]
        # Warm up (the demo project's default security group is made here).
        warm = requests.post(f"{api}/ports", headers=demo_headers, timeout=30,
                             json={"port": {"network_id": net["id"]}})
        warm.raise_for_status()
        requests.delete(f"{api}/ports/{warm.json()['port']['id']}", headers=demo_headers,
                        timeout=30).raise_for_status()

        def creator(index: int) -> tuple[list[float], list[str]]:
            session = requests.Session()
            session.headers.update(demo_headers)
            latencies, ids = [], []
            for number in range(args.ports):
                started = time.perf_counter()
                response = session.post(f"{api}/ports", timeout=60, json={"port": {
                    "network_id": net["id"], "device_id": f"vm-{index}-{number}"}})
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()
                ids.append(response.json()["port"]["id"])
            return latencies, ids

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.creators) as pool:
            results = list(pool.map(creator, range(args.creators)))
        create_wall = time.perf_counter() - started
        create_latencies = [value for latencies, _ in results for value in latencies]
        port_ids = [port_id for _, ids in results for port_id in ids]
        allocated = store.count_allocations(subnet["id"])

        def deleter(ids: list[str]) -> list[float]:
            session = requests.Session()
            session.headers.update(demo_headers)
            latencies = []
            for port_id in ids:
                begun = time.perf_counter()
                session.delete(f"{api}/ports/{port_id}", timeout=60).raise_for_status()
                latencies.append(time.perf_counter() - begun)
            return latencies

        chunks = [port_ids[i::args.creators] for i in range(args.creators)]
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.creators) as pool:
            delete_latencies = [v for chunk in pool.map(deleter, chunks) for v in chunk]
        delete_wall = time.perf_counter() - started
        result = {
            "benchmark": "network",
            "database": db_api.get_engine().dialect.name,
            "creators": args.creators, "ports": total, "subnet": subnet["cidr"],
            "api_threads": CONF.network.workers,
            "distinct_addresses": allocated == total == len(port_ids),
            "port_create": _summary(create_latencies, create_wall),
            "port_delete": _summary(delete_latencies, delete_wall),
            "allocations_left": store.count_allocations(),
        }
    finally:
        network.stop()
        identity.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
