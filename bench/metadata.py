"""Metadata API throughput: signed requests per second; prints one JSON object.

Runs the metadata API on 127.0.0.1 (ephemeral port, ``[DEFAULT] metadata_workers``
threads) over a scratch SQLite database, or the database in ``NOVALITE_BENCH_DB`` (an
SQLAlchemy URL), with ``--instances`` instance records (default 50, two projects). Client
threads (``--threads``, default 4, one HTTP keep-alive session each) send requests
signed as the metadata proxy signs them, cycling over the instances, for ``--seconds``
(default 5) per measurement:

* ``meta_data_cached_per_s``: ``GET /openstack/latest/meta_data.json`` with the
  15 s instance cache (``[api] metadata_cache_expiration``), as deployed;
* ``meta_data_uncached_per_s``: the same with the cache off (two database reads per
  request: the instance and its key pair);
* ``ec2_leaf_cached_per_s``: ``GET /latest/meta-data/local-ipv4``;
* ``forged_403_per_s``: requests with a wrong signature (rejected before any read);
* ``p50_ms``/``p99_ms`` of the cached meta_data.json requests.

Client and server share one process (and its GIL), so the figures are a floor.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import statistics
import tempfile
import threading
import time
from typing import Any

import requests

from novalite.api.metadata import handler
from novalite.common import wsgi
from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.db import instances, keypairs, migration

SECRET = "bench-secret"


def seed(count: int) -> list[tuple[str, str]]:
    """``count`` active instances with a key pair and user data: (uuid, project id)."""
    created = []
    for project in ("bench-a", "bench-b"):
        ctxt = RequestContext(user_id=f"{project}-user", project_id=project, roles=["admin"])
        keypairs.create(ctxt.user_id, "key", "ssh-ed25519 AAAAbench bench\n", "00:11")
        values = [{"project_id": project, "user_id": ctxt.user_id, "display_name": f"vm{i}",
                   "hostname": f"vm{i}", "vcpus": 1, "memory_mb": 128, "root_gb": 1,
                   "instance_type_id": "1", "flavor": {"name": "m1.tiny"},
                   "vm_state": "active", "task_state": None, "power_state": 1,
                   "key_name": "key", "key_data": "ssh-ed25519 AAAAbench bench\n",
                   "user_data": base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
                   "metadata": {"role": "bench"}} for i in range(count // 2)]
        created += [(row["uuid"], project) for row in
                    instances.create_instances(ctxt, values, check_quota=False)]
    return created


def measure(url: str, path: str, targets: list[tuple[str, str]], threads: int,
            seconds: float, forge: bool = False, expect: int = 200) -> dict[str, Any]:
    signed = [{"X-Instance-ID": uuid, "X-Tenant-ID": project,
               "X-Instance-ID-Signature": ("0" * 64) if forge
               else handler.sign_instance_id(SECRET, uuid)} for uuid, project in targets]
    counts = [0] * threads
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[str] = []
    start = threading.Barrier(threads + 1)
    stop = threading.Event()

    def worker(index: int) -> None:
        session = requests.Session()
        start.wait()
        position = index
        while not stop.is_set():
            began = time.perf_counter()
            response = session.get(url + path, headers=signed[position % len(signed)],
                                   timeout=30)
            latencies[index].append(time.perf_counter() - began)
            if response.status_code != expect:
                errors.append(f"{response.status_code} {response.text[:200]}")
                return
            counts[index] += 1
            position += threads

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)  # the measurement window itself
    stop.set()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{path}: {errors[0]}")
    every = sorted(value for values in latencies for value in values)
    return {"per_s": round(sum(counts) / elapsed, 1),
            "p50_ms": round(statistics.median(every) * 1000, 2),
            "p99_ms": round(every[int(len(every) * 0.99) - 1] * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--instances", type=int, default=50)
    args = parser.parse_args()
    # One warning per forged request would measure the terminal, not the API.
    logging.getLogger("novalite.api.metadata").setLevel(logging.ERROR)
    CONF([], project="novalite", default_config_files=[])
    CONF.set_override("state_path", tempfile.mkdtemp(prefix="novalite-bench-"))
    CONF.set_override("metadata_proxy_shared_secret", SECRET, "neutron")
    if os.environ.get("NOVALITE_BENCH_DB"):
        CONF.set_override("connection", os.environ["NOVALITE_BENCH_DB"], "database")
    migration.db_sync()
    targets = seed(args.instances)
    result: dict[str, Any] = {"benchmark": "metadata",
                              "database": db_api.get_engine().dialect.name,
                              "instances": len(targets), "client_threads": args.threads,
                              "server_threads": CONF.metadata_workers,
                              "seconds_each": args.seconds}
    runs = [("meta_data_cached", None, "/openstack/latest/meta_data.json", False, 200),
            ("meta_data_uncached", 0, "/openstack/latest/meta_data.json", False, 200),
            ("ec2_leaf_cached", None, "/latest/meta-data/local-ipv4", False, 200),
            ("forged_403", None, "/openstack/latest/meta_data.json", True, 403)]
    for name, ttl, path, forge, expect in runs:
        server = wsgi.Server("metadata", handler.make_app(cache_expiration=ttl), "127.0.0.1",
                             0, threads=CONF.metadata_workers)
        server.start()
        try:
            figures = measure(server.url, path, targets, args.threads, args.seconds,
                              forge=forge, expect=expect)
        finally:
            server.stop()
        result[f"{name}_per_s"] = figures["per_s"]
        if name == "meta_data_cached":
            result["p50_ms"], result["p99_ms"] = figures["p50_ms"], figures["p99_ms"]
        if name == "meta_data_uncached":
            result["uncached_p50_ms"] = figures["p50_ms"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
