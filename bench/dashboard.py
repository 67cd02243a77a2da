"""Dashboard page time: the instances page (and its polled JSON) with 500 servers.
Prints JSON.

usage: python bench/dashboard.py [--servers 500] [--rounds 20]
It starts ``novalite up`` (fake driver) in a scratch directory, records the servers
directly in the database (as bench/api.py does), signs in to the dashboard as the admin
and times ``GET /instances`` from request to last byte on loopback: the dashboard's
server time, which includes its own calls to the compute and image APIs (target: a
median <= 300 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import time

import requests
import yaml

sys.path.insert(0, os.path.dirname(__file__))
from api import seed  # noqa: E402
from cloud import login, start_cloud  # noqa: E402

TIMINGS: dict[str, list[float]] = {}


def timed(session: requests.Session, url: str, rounds: int) -> tuple[list[float], str]:
    times = []
    text = ""
    for _ in range(rounds):
        started = time.perf_counter()
        response = session.get(url, timeout=60)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        text = response.text
        # the dashboard's own split: waiting for the APIs, rendering the page
        for part in filter(None, response.headers.get("Server-Timing", "").split(",")):
            name, _, dur = part.strip().partition(";dur=")
            TIMINGS.setdefault(name, []).append(float(dur) / 1000)
    return times, text


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
            "min_ms": round(ordered[0] * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    process, clouds_yaml, ports = start_cloud(scratch.name, with_ports=True)
    try:
        token, catalog = login(clouds_yaml, "novalite")
        me = requests.get(f"{catalog['identity']}/auth/tokens", timeout=30, headers={
            "X-Auth-Token": token, "X-Subject-Token": token}).json()["token"]
        seed(scratch.name, me["project"]["id"], me["user"]["id"], args.servers)
        base = f"http://127.0.0.1:{ports['dashboard']}"
        with open(clouds_yaml) as handle:
            password = yaml.safe_load(handle)["clouds"]["novalite"]["auth"]["password"]
        browser = requests.Session()
        form = browser.get(f"{base}/login", timeout=30).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore
        signed = browser.post(f"{base}/login", timeout=30, data={
            "csrf_token": csrf, "domain": "Default", "username": "admin",
            "password": password})
        assert signed.url.endswith("/instances"), signed.url
        timed(browser, f"{base}/instances", 2)  # warm: first-use imports, caches
        TIMINGS.clear()
        page, text = timed(browser, f"{base}/instances", args.rounds)
        rows = text.count("<tr data-id=")
        assert rows == args.servers, rows
        split = {name: summary(values) for name, values in TIMINGS.items()}
        polled, _ = timed(browser, f"{base}/instances.json", args.rounds)
        api = requests.Session()
        api.headers.update({"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.79"})
        detail, _ = timed(api, f"{catalog['compute']}/servers/detail?limit=1000", args.rounds)
        print(json.dumps({
            "servers": args.servers, "rounds": args.rounds, "rows_rendered": rows,
            "page_bytes": len(text.encode()),
            "instances_page": summary(page), "instances_page_server_timing": split,
            "instances_json": summary(polled),
            "compute_servers_detail": summary(detail),
            "target_ms": 300,
            "met": statistics.median(page) * 1000 <= 300}, indent=2))
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        scratch.cleanup()


if __name__ == "__main__":
    main()
