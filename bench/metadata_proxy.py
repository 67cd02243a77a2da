"""Metadata requests per second through the data plane's metadata proxy, as a guest sees
it; prints one JSON object.

usage (root): python bench/metadata_proxy.py [--seconds 5] [--threads 4]

Builds a DataPlane in a namespace of its own (``nlb-<random>``) with network
10.254.99.0/24 (gateway .1), and one "guest": a network namespace whose eth0 is one end
of a veth pair, the other end plugged into the plane's bridge with plug_tap, with the
static address 10.254.99.10/24 (no DHCP). The metadata API runs in this process on
127.0.0.1 (ephemeral port, ``[DEFAULT] metadata_workers`` threads, the 15 s instance
cache as deployed) over a scratch SQLite database (or ``NOVALITE_BENCH_DB``) seeded by
bench/metadata.py; the proxy (also in this process, as in novalite) maps 10.254.99.10 to
one seeded instance and signs with ``[neutron] metadata_proxy_shared_secret``.

The load runs INSIDE the guest namespace, in a separate process: ``--threads`` threads,
one keep-alive ``requests`` session each, ``GET
http://169.254.169.254/openstack/latest/meta_data.json`` for ``--seconds``, each reply
checked for status 200 and the instance uuid. Output: requests_per_s, p50_ms/p99_ms
and errors (replies that were not a 200 with the uuid, or failed requests).

The proxy and the API share one process (and its GIL); the client has its own. Every
namespace, the veth pair and dnsmasq are removed on exit, also on Ctrl-C or SIGTERM.
Traffic stays inside the namespaces and on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from types import FrameType
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
from metadata import SECRET, seed  # noqa: E402

from novalite.api.metadata import handler  # noqa: E402
from novalite.common import wsgi  # noqa: E402
from novalite.conf import CONF  # noqa: E402
from novalite.db import api as db_api  # noqa: E402
from novalite.db import migration  # noqa: E402
from novalite.network.linux import DataPlane  # noqa: E402

CIDR = "10.254.99.0/24"
GATEWAY = "10.254.99.1"
GUEST_IP = "10.254.99.10"
NETWORK_ID = "bench-net"
URL = "http://169.254.169.254/openstack/latest/meta_data.json"

# Runs in the guest namespace: argv = url, expected uuid, threads, seconds. Prints JSON.
CLIENT = r"""
import json, statistics, sys, threading, time
import requests

url, expected, threads, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
counts = [0] * threads
errors = [0] * threads
first_error = []
latencies = [[] for _ in range(threads)]
start = threading.Barrier(threads + 1)
window = {}

def worker(index):
    session = requests.Session()
    start.wait()
    deadline = window["end"]
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        try:
            response = session.get(url, timeout=10)
            ok = response.status_code == 200 and expected in response.text
            detail = f"{response.status_code} {response.text[:200]}"
        except requests.RequestException as error:
            ok, detail = False, repr(error)
        latencies[index].append(time.perf_counter() - began)
        if ok:
            counts[index] += 1
        else:
            errors[index] += 1
            if not first_error:
                first_error.append(detail)

workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
for thread in workers:
    thread.start()
began = time.perf_counter()
window["end"] = began + seconds
start.wait()
for thread in workers:
    thread.join()
elapsed = time.perf_counter() - began
every = sorted(value for values in latencies for value in values)
print(json.dumps({
    "ok": sum(counts), "errors": sum(errors), "elapsed_s": elapsed,
    "p50_ms": round(statistics.median(every) * 1000, 2) if every else None,
    "p99_ms": round(every[max(int(len(every) * 0.99) - 1, 0)] * 1000, 2) if every else None,
    "first_error": first_error[0] if first_error else None}))
"""


def sh(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, check=check,
                          timeout=60)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # so the finally blocks tear everything down


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (network namespaces)")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it
    signal.signal(signal.SIGTERM, _terminate)
    logging.getLogger("novalite.api.metadata").setLevel(logging.ERROR)

    suffix = uuid.uuid4().hex[:6]
    plane_ns, guest_ns = f"nlb-{suffix}", f"nlbguest-{suffix}"
    tap, bridge = f"tapnlb{suffix}", f"brnlb{suffix}"
    scratch = tempfile.mkdtemp(prefix="novalite-bench-proxy-")
    plane = DataPlane(plane_ns, os.path.join(scratch, "plane"))
    server: wsgi.Server | None = None
    try:
        CONF([], project="novalite", default_config_files=[])
        CONF.set_override("state_path", os.path.join(scratch, "state"))
        CONF.set_override("metadata_proxy_shared_secret", SECRET, "neutron")
        if os.environ.get("NOVALITE_BENCH_DB"):
            CONF.set_override("connection", os.environ["NOVALITE_BENCH_DB"], "database")
        os.makedirs(CONF.state_path, exist_ok=True)
        migration.db_sync()
        instance_id, project_id = seed(2)[0]

        server = wsgi.Server("metadata", handler.make_app(), "127.0.0.1", 0,
                             threads=CONF.metadata_workers)
        server.start()

        plane.ensure_network(NETWORK_ID, bridge, CIDR, GATEWAY)
        sh("ip", "netns", "add", guest_ns)
        sh("ip", "link", "add", tap, "type", "veth", "peer", "name", "eth0",
           "netns", guest_ns)
        sh("ip", "-n", guest_ns, "link", "set", "lo", "up")
        sh("ip", "-n", guest_ns, "link", "set", "eth0", "up")
        sh("ip", "-n", guest_ns, "addr", "add", f"{GUEST_IP}/24", "dev", "eth0")
        sh("ip", "-n", guest_ns, "route", "add", "default", "via", GATEWAY)
        plane.plug_tap(NETWORK_ID, tap)

        def lookup(network_id: str, ip: str) -> tuple[str, str] | None:
            if network_id == NETWORK_ID and ip == GUEST_IP:
                return instance_id, project_id
            return None

        plane.start_metadata_proxy(lookup, server.url, CONF.neutron.metadata_proxy_shared_secret)

        script = os.path.join(scratch, "client.py")
        with open(script, "w") as handle:
            handle.write(CLIENT)
        client = subprocess.run(
            ["ip", "netns", "exec", guest_ns, sys.executable, script, URL, instance_id,
             str(args.threads), str(args.seconds)],
            capture_output=True, text=True, timeout=args.seconds + 120)
        if client.returncode != 0:
            raise SystemExit(f"client failed ({client.returncode}): {client.stderr[-2000:]}")
        figures = json.loads(client.stdout)
        result: dict[str, Any] = {
            "benchmark": "metadata_proxy", "database": db_api.get_engine().dialect.name,
            "threads": args.threads, "seconds": args.seconds,
            "server_threads": CONF.metadata_workers,
            "requests_per_s": round(figures["ok"] / figures["elapsed_s"], 1),
            "p50_ms": figures["p50_ms"], "p99_ms": figures["p99_ms"],
            "errors": figures["errors"]}
        if figures["first_error"]:
            result["first_error"] = figures["first_error"]
        print(json.dumps(result))
    except KeyboardInterrupt:
        print("interrupted; tearing down", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # a second Ctrl-C must not cut cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        # A client killed mid-request makes the proxy log a BrokenPipe traceback: not news.
        logging.getLogger("novalite.network.linux.metadata_proxy").setLevel(logging.CRITICAL)
        try:
            plane.teardown()
        finally:
            sh("ip", "netns", "delete", guest_ns, check=False)
            sh("ip", "link", "del", tap, check=False)  # if it never left the root namespace
            if server is not None:
                server.stop()
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
