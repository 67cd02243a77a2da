"""A cloud for the benchmarks to measure, and a login to it (a helper, not a benchmark).

``start_cloud`` runs ``novalite up`` (fake driver) in a scratch directory. ``Deployment``
is the cloud as separate processes, as in production: identity, image, network,
metadata, api, conductor, scheduler and two fake compute services over the real
RabbitMQ and PostgreSQL or MariaDB on 127.0.0.1, each its own console script;
``start(directory, database)`` creates a scratch database, syncs it, bootstraps the
cloud, starts the processes and writes ``clouds.yaml``; ``stop()`` ends them with
SIGTERM (compute nodes first) and drops the database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import requests
import sqlalchemy as sa
import yaml

from novalite.cmd.up import write_clouds_yaml

BIN = os.path.dirname(sys.executable)
RABBIT_URL = "rabbit://guest:guest@127.0.0.1:5672/"
SERVER_URLS = {"postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
               "mysql": "mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"}
ADMIN_URLS = {"postgresql": SERVER_URLS["postgresql"].format(name="postgres"),
              "mysql": SERVER_URLS["mysql"].format(name="")}
PASSWORD = "bench-admin-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_cloud(data_dir: str, database_url: str | None = None, with_ports: bool = False
                ) -> Any:
    """``novalite up`` in ``data_dir``: (process, clouds.yaml path), and the ports when
    ``with_ports``."""
    ports = {key: free_port() for key in ("identity", "image", "compute", "network",
                                          "metadata", "dashboard")}
    with open(os.path.join(data_dir, "novalite.conf"), "w") as handle:
        handle.write(f"[DEFAULT]\nosapi_compute_listen_port = {ports['compute']}\n"
                     f"metadata_listen_port = {ports['metadata']}\n"
                     f"compute_driver = fake\nbuild_tiny_image = false\n"
                     f"[identity]\nlisten_port = {ports['identity']}\n"
                     f"[image]\nbind_port = {ports['image']}\n"
                     f"[network]\nbind_port = {ports['network']}\n"
                     f"[dashboard]\nlisten_port = {ports['dashboard']}\n"
                     f"[quota]\ninstances = -1\ncores = -1\nram = -1\n"
                     f"[fake_driver]\nvcpus = 1024\nmemory_mb = 1048576\n")
        if database_url:
            handle.write(f"[database]\nconnection = {database_url}\n")
    novalite = os.path.join(os.path.dirname(sys.executable), "novalite")
    process = subprocess.Popen([novalite, "up", "--data-dir", data_dir],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if "clouds.yaml written" in line:
            break
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    clouds = os.path.join(data_dir, "clouds.yaml")
    return (process, clouds, ports) if with_ports else (process, clouds)


def login(clouds_yaml: str, cloud: str) -> tuple[str, dict[str, str]]:
    with open(clouds_yaml) as handle:
        auth = yaml.safe_load(handle)["clouds"][cloud]["auth"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": auth["username"], "domain": {"name": auth["user_domain_name"]},
        "password": auth["password"]}}}, "scope": {"project": {
            "name": auth["project_name"], "domain": {"name": auth["project_domain_name"]}}}}}
    response = requests.post(f"{auth['auth_url']}/auth/tokens", json=body, timeout=30)
    response.raise_for_status()
    catalog = {s["type"]: next(e["url"] for e in s["endpoints"] if e["interface"] == "public")
               for s in response.json()["token"]["catalog"]}
    return response.headers["X-Subject-Token"], catalog


def rss_by_process() -> dict[str, int]:
    """RSS (KiB) of every novalite process on this machine."""
    found: dict[str, int] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().split(b"\0")
            with open(f"/proc/{pid}/status") as handle:
                status = handle.read()
        except OSError:
            continue
        name = next((os.path.basename(a.decode()) for a in cmdline[:2]
                     if os.path.basename(a).startswith(b"novalite")), None)
        if name is None:
            continue
        rss = next(int(line.split()[1]) for line in status.splitlines()
                   if line.startswith("VmRSS:"))
        found[f"{name}[{pid}]"] = rss
    return found



class Deployment:
    def __init__(self, directory: str, database: str) -> None:
        self.directory = directory
        self.kind = database
        self.name = f"novalite_bench_{uuid.uuid4().hex[:10]}"
        self.ports = {key: free_port() for key in
                      ("identity", "image", "compute", "network", "metadata")}
        self.processes: list[subprocess.Popen[bytes]] = []
        self.config = os.path.join(directory, "novalite.conf")

    def _admin(self) -> sa.Engine:
        return sa.create_engine(ADMIN_URLS[self.kind], isolation_level="AUTOCOMMIT")

    def start(self) -> str:
        """Everything up and answering; the path of clouds.yaml."""
        with self._admin().connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {self.name}"))
        with open(self.config, "w") as handle:
            handle.write(
                f"[DEFAULT]\nstate_path = {self.directory}\ntransport_url = {RABBIT_URL}\n"
                f"control_exchange = novalite-{uuid.uuid4().hex[:8]}\ncompute_driver = fake\n"
                f"osapi_compute_listen_port = {self.ports['compute']}\n"
                f"metadata_listen_port = {self.ports['metadata']}\n"
                f"[database]\nconnection = {SERVER_URLS[self.kind].format(name=self.name)}\n"
                f"[identity]\nlisten_port = {self.ports['identity']}\n"
                f"[image]\nbind_port = {self.ports['image']}\n"
                f"[network]\nbind_port = {self.ports['network']}\n"
                "[quota]\ninstances = -1\ncores = -1\nram = -1\n"
                "[fake_driver]\nvcpus = 1024\nmemory_mb = 1048576\n")
        for args in (("db", "sync"), ("fernet", "setup"),
                     ("bootstrap", "--bootstrap-password", PASSWORD)):
            subprocess.run([os.path.join(BIN, "novalite-manage"), "--config-file", self.config,
                            *args], check=True, capture_output=True, timeout=300)
        for binary in ("novalite-identity", "novalite-image", "novalite-network",
                       "novalite-metadata", "novalite-conductor", "novalite-scheduler",
                       "novalite-api"):
            self._spawn(binary)
        for host in ("compute-a", "compute-b"):
            host_config = os.path.join(self.directory, f"{host}.conf")
            with open(host_config, "w") as handle:
                handle.write(f"[DEFAULT]\nhost = {host}\n")
            self._spawn("novalite-compute", "--config-file", host_config)
        auth_url = f"http://127.0.0.1:{self.ports['identity']}/v3"
        self._wait(f"http://127.0.0.1:{self.ports['compute']}/v2.1")
        clouds = write_clouds_yaml(self.directory, {"admin_password": PASSWORD,
                                                    "demo_password": "unused"}, auth_url)
        return clouds

    def _spawn(self, binary: str, *extra: str) -> None:
        log = open(os.path.join(self.directory, f"{binary}-{len(self.processes)}.log"), "wb")  # noqa: SIM115
        self.processes.append(subprocess.Popen(
            [os.path.join(BIN, binary), "--config-file", self.config, *extra],
            stdout=log, stderr=subprocess.STDOUT))

    def _wait(self, url: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(url, timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer within {timeout} s")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        with self._admin().connect() as connection:
            if self.kind == "postgresql":
                connection.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()"))
            connection.execute(sa.text(f"DROP DATABASE {self.name}"))
