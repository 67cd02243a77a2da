"""Real guests through the whole cloud: seconds from ``POST /servers`` to ACTIVE and to
``login:`` on the serial console (``os-getConsoleOutput``), for the tiny image on
``novalite up`` with the libvirt driver. Prints JSON.

Runs ``--sequential`` boots one after the other (default 5), then ``--parallel`` at once
(default 4), reporting the p50 and max of each, and the RSS of the ``novalite up``
process (where the compute service runs) while the parallel guests run.

usage: python bench/vm_boot.py [--sequential 5] [--parallel 4]
Needs libvirt (tools/setup-libvirt); the tiny image is built on the first start (cached in
the scratch data dir's tiny/ from NOVALITE_TINY_CACHE when that is set).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, os.path.dirname(__file__))
from cloud import free_port, login, rss_by_process  # noqa: E402

POLL = 0.1


def start_cloud(data_dir: str) -> tuple[subprocess.Popen[str], str]:
    ports = {key: free_port() for key in ("identity", "image", "compute", "network",
                                          "metadata", "dashboard")}
    cache = os.environ.get("NOVALITE_TINY_CACHE",
                           os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))
    if os.path.isdir(cache):
        shutil.copytree(cache, os.path.join(data_dir, "tiny"))
    with open(os.path.join(data_dir, "novalite.conf"), "w") as handle:
        handle.write(f"[DEFAULT]\nosapi_compute_listen_port = {ports['compute']}\n"
                     f"metadata_listen_port = {ports['metadata']}\n"
                     "compute_driver = libvirt\nbuild_tiny_image = true\n"
                     f"[identity]\nlisten_port = {ports['identity']}\n"
                     f"[image]\nbind_port = {ports['image']}\n"
                     f"[network]\nbind_port = {ports['network']}\n"
                     f"namespace = nlbench-{os.getpid()}\n"
                     f"[dashboard]\nlisten_port = {ports['dashboard']}\n")
    novalite = os.path.join(os.path.dirname(sys.executable), "novalite")
    process = subprocess.Popen([novalite, "up", "--data-dir", data_dir],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if "clouds.yaml written" in line:
            break
    else:
        raise RuntimeError("novalite up did not come up:\n" + "".join(lines))
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, os.path.join(data_dir, "clouds.yaml")


class Client:
    def __init__(self, clouds_yaml: str) -> None:
        token, catalog = login(clouds_yaml, "novalite")
        self.compute = catalog["compute"]
        self.session = requests.Session()
        self.session.headers.update({"X-Auth-Token": token,
                                     "OpenStack-API-Version": "compute 2.90"})
        images = requests.get(f"{catalog['image']}/v2/images?name=tiny",
                              headers={"X-Auth-Token": token}, timeout=30).json()["images"]
        self.image = images[0]["id"]

    def boot(self, name: str) -> dict[str, float | str]:
        started = time.monotonic()
        response = self.session.post(f"{self.compute}/servers", json={"server": {
            "name": name, "flavorRef": "1", "imageRef": self.image, "networks": "none"}})
        response.raise_for_status()
        server_id = response.json()["server"]["id"]
        active = None
        while time.monotonic() - started < 300:
            if active is None:
                status = self.session.get(f"{self.compute}/servers/{server_id}").json()[
                    "server"]["status"]
                if status == "ERROR":
                    raise RuntimeError(f"{name} went to ERROR")
                if status == "ACTIVE":
                    active = time.monotonic() - started
            if active is not None:
                output = self.session.post(
                    f"{self.compute}/servers/{server_id}/action",
                    json={"os-getConsoleOutput": {"length": 50}}).json()["output"]
                if "login:" in output:
                    return {"id": server_id, "active_s": active,
                            "login_s": time.monotonic() - started}
            time.sleep(POLL)
        raise RuntimeError(f"{name} did not reach login: in 300 s")

    def delete(self, server_id: str) -> None:
        self.session.delete(f"{self.compute}/servers/{server_id}").raise_for_status()
        while self.session.get(f"{self.compute}/servers/{server_id}").status_code != 404:
            time.sleep(POLL)


def summary(runs: list[dict[str, float | str]]) -> dict[str, float]:
    active = [float(r["active_s"]) for r in runs]
    login_ = [float(r["login_s"]) for r in runs]
    return {"active_p50_s": round(statistics.median(active), 2),
            "active_max_s": round(max(active), 2),
            "login_p50_s": round(statistics.median(login_), 2),
            "login_max_s": round(max(login_), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sequential", type=int, default=5)
    parser.add_argument("--parallel", type=int, default=4)
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    process, clouds_yaml = start_cloud(scratch.name)
    try:
        client = Client(clouds_yaml)
        sequential = []
        for index in range(args.sequential):
            run = client.boot(f"seq-{index}")
            sequential.append(run)
            client.delete(str(run["id"]))
        with concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
            parallel = list(pool.map(client.boot, [f"par-{i}" for i in range(args.parallel)]))
        rss = {name: round(kib / 1024, 1) for name, kib in rss_by_process().items()
               if f"[{process.pid}]" in name}
        qemu = subprocess.run(["pgrep", "-c", "qemu-system"], capture_output=True,
                              text=True).stdout.strip()
        for run in parallel:
            client.delete(str(run["id"]))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
    print(json.dumps({
        "benchmark": "vm_boot", "image": "tiny", "flavor": "m1.tiny",
        "sequential": {"boots": args.sequential, **summary(sequential)},
        "parallel": {"boots": args.parallel, **summary(parallel)},
        "novalite_up_rss_mib_while_parallel_guests_run": rss,
        "qemu_processes_while_parallel": int(qemu or 0),
    }, indent=2))


if __name__ == "__main__":
    main()
