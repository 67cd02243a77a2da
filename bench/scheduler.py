"""Scheduler scale: select_destinations latency with 1,000 and 10,000 fake hosts.

Builds a scratch SQLite database (or ``--connection URL``) with N resource providers
and N compute service rows, then times ``SchedulerManager.select_destinations`` (the
full pipeline: refresh from the database, capacity, filters, weighers, atomic claim)
for ``--requests`` single-instance requests. Prints JSON.

    .venv/bin/python bench/scheduler.py [--hosts 1000 10000] [--requests 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from typing import Any

from sqlalchemy import insert

from novalite.conf import CONF
from novalite.db import api as db_api
from novalite.db import migration
from novalite.db.base import utcnow
from novalite.db.models import Service
from novalite.placement.models import Inventory, ResourceProvider
from novalite.scheduler.manager import SchedulerManager

SPEC = {"flavor": {"vcpus": 1, "memory_mb": 512, "root_gb": 1, "ephemeral_gb": 0, "swap": 0},
        "image": {"properties": {}}, "availability_zone": None}


def populate(hosts: int) -> None:
    now = utcnow()
    providers, inventories, services = [], [], []
    for index in range(hosts):
        name = f"fake-{index:05d}"
        providers.append({"id": index + 1, "uuid": str(uuid.uuid4()), "name": name,
                          "host": name, "generation": 1, "availability_zone": "nova",
                          "supported_instances": [["x86_64", "fake", "hvm"]],
                          "created_at": now})
        for rc, total, ratio in (("VCPU", 32, 4.0), ("MEMORY_MB", 131072 + index, 1.0),
                                 ("DISK_GB", 2000, 1.0)):
            inventories.append({"resource_provider_id": index + 1, "resource_class": rc,
                                "total": total, "reserved": 0, "min_unit": 1,
                                "max_unit": total, "step_size": 1, "allocation_ratio": ratio})
        services.append({"uuid": str(uuid.uuid4()), "host": name, "binary": "novalite-compute",
                         "topic": "compute", "report_count": 1, "disabled": False,
                         "forced_down": False, "last_seen_up": now, "version": 0,
                         "created_at": now})
    with db_api.session_scope() as session:
        session.execute(insert(ResourceProvider), providers)
        session.execute(insert(Inventory), inventories)
        session.execute(insert(Service), services)


def run(hosts: int, requests: int, connection: str | None) -> dict[str, Any]:
    scratch = tempfile.TemporaryDirectory()
    url = connection or f"sqlite:///{scratch.name}/bench.sqlite"
    CONF.set_override("connection", url, "database")
    CONF.set_override("service_down_time", 3600)
    db_api.dispose()
    migration.db_sync()
    populate(hosts)
    manager = SchedulerManager("bench")
    started = time.perf_counter()
    manager.host_manager.refresh()
    cold = time.perf_counter() - started
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        manager.select_destinations(None, SPEC, [str(uuid.uuid4())])
        latencies.append(time.perf_counter() - started)
    db_api.dispose()
    scratch.cleanup()
    latencies.sort()
    return {
        "hosts": hosts,
        "requests": requests,
        "cold_load_ms": round(cold * 1000, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--connection", help="database URL (default: scratch SQLite)")
    args = parser.parse_args()
    CONF([], project="novalite", default_config_files=[])
    results = [run(hosts, args.requests, args.connection) for hosts in args.hosts]
    print(json.dumps({"benchmark": "scheduler.select_destinations", "database":
                      (args.connection or "sqlite").split(":")[0], "results": results},
                     indent=2))


if __name__ == "__main__":
    main()
