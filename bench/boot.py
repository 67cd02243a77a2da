"""Boot throughput: N servers on the fake driver through the Compute API at concurrency C.

Each worker creates a server (``networks: none``) and polls ``GET /servers/{id}`` every
0.5 s, as a client would, until ACTIVE; then all are deleted (polling until 404).
Prints JSON: time-to-ACTIVE p50/p95/max, servers/s, delete rate, time until 404, and
the peak RSS of every novalite process.

usage: python bench/boot.py [-n 200] [-c 10] [--clouds-yaml PATH] [--cloud novalite]
Without --clouds-yaml it starts ``novalite up`` in a scratch directory (fake driver).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import signal
import statistics
import tempfile
import threading
import time

import requests
from cloud import Deployment, login, rss_by_process, start_cloud

POLL = 0.5


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("-c", type=int, default=10)
    parser.add_argument("--clouds-yaml")
    parser.add_argument("--cloud", default="novalite")
    parser.add_argument("--database-url", help="for the started cloud (default: SQLite)")
    parser.add_argument("--separate-processes", choices=("postgresql", "mysql"),
                        help="start one process per service over RabbitMQ and this database "
                             "instead of novalite up")
    args = parser.parse_args()
    process = None
    deployment = None
    scratch = tempfile.TemporaryDirectory()
    clouds_yaml = args.clouds_yaml
    if clouds_yaml is None and args.separate_processes:
        deployment = Deployment(scratch.name, args.separate_processes)
        clouds_yaml = deployment.start()
    elif clouds_yaml is None:
        process, clouds_yaml = start_cloud(scratch.name, args.database_url)
    try:
        wait_for_compute_nodes(clouds_yaml, args.cloud, 2 if deployment else 1)
        result = run(args, clouds_yaml)
        if deployment is not None:
            result["deployment"] = f"separate processes, RabbitMQ, {args.separate_processes}"
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        if deployment is not None:
            deployment.stop()
    print(json.dumps(result, indent=2))


def wait_for_compute_nodes(clouds_yaml: str, cloud: str, count: int) -> None:
    token, catalog = login(clouds_yaml, cloud)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = requests.get(f"{catalog['compute']}/os-hypervisors",
                                headers={"X-Auth-Token": token}, timeout=10)
        if response.ok and len(response.json()["hypervisors"]) >= count:
            return
        time.sleep(0.2)
    raise RuntimeError(f"fewer than {count} compute nodes reported within 60 s")


def run(args: argparse.Namespace, clouds_yaml: str) -> dict[str, object]:
    token, catalog = login(clouds_yaml, args.cloud)
    compute, image_api = catalog["compute"], catalog["image"]
    session = requests.Session()
    session.headers.update({"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.90"})
    image = session.post(f"{image_api}/v2/images", json={
        "name": "bench", "disk_format": "raw", "container_format": "bare"}).json()
    session.put(f"{image_api}/v2/images/{image['id']}/file", data=b"\0" * 1024,
                headers={"Content-Type": "application/octet-stream"}).raise_for_status()
    peak: dict[str, int] = {}
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.wait(0.5):
            for name, rss in rss_by_process().items():
                peak[name] = max(peak.get(name, 0), rss)

    threading.Thread(target=sample, daemon=True).start()
    idle_rss = rss_by_process()

    def boot(index: int) -> tuple[str, float]:
        started = time.monotonic()
        response = session.post(f"{compute}/servers", json={"server": {
            "name": f"bench-{index}", "flavorRef": "1", "imageRef": image["id"],
            "networks": "none"}})
        response.raise_for_status()
        server_id = response.json()["server"]["id"]
        while True:
            server = session.get(f"{compute}/servers/{server_id}").json()["server"]
            if server["status"] == "ACTIVE":
                return server_id, time.monotonic() - started
            if server["status"] == "ERROR":
                raise RuntimeError(f"server {server_id} went to ERROR: {server.get('fault')}")
            time.sleep(POLL)

    def delete(server_id: str) -> float:
        started = time.monotonic()
        session.delete(f"{compute}/servers/{server_id}").raise_for_status()
        while session.get(f"{compute}/servers/{server_id}").status_code != 404:
            time.sleep(POLL)
        return time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(args.c) as pool:
        started = time.monotonic()
        booted = list(pool.map(boot, range(args.n)))
        boot_elapsed = time.monotonic() - started
        started = time.monotonic()
        deleted = list(pool.map(delete, [server_id for server_id, _ in booted]))
        delete_elapsed = time.monotonic() - started
    stop_sampling.set()
    times = [seconds for _, seconds in booted]
    return {
        "benchmark": "boot", "servers": args.n, "concurrency": args.c,
        "time_to_active_s": {"p50": round(statistics.median(times), 3),
                             "p95": round(percentile(times, 0.95), 3),
                             "max": round(max(times), 3)},
        "servers_per_s": round(args.n / boot_elapsed, 2),
        "delete_per_s": round(args.n / delete_elapsed, 2),
        "time_until_404_s": {"p50": round(statistics.median(deleted), 3),
                             "max": round(max(deleted), 3)},
        "idle_rss_mib": {name: round(kib / 1024, 1) for name, kib in idle_rss.items()},
        "peak_rss_mib": {name: round(kib / 1024, 1) for name, kib in peak.items()},
    }


if __name__ == "__main__":
    main()
