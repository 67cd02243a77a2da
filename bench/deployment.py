"""The cloud as separate processes, as in production, for the benchmarks: identity, image,
network, metadata, api, conductor, scheduler and two fake compute services over the real
RabbitMQ and PostgreSQL or MariaDB on 127.0.0.1, each its own console script.

``start(directory, database)`` creates a scratch database, syncs it, bootstraps the cloud,
starts the processes and writes ``clouds.yaml``; ``stop()`` ends them with SIGTERM (compute
nodes first) and drops the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import requests
import sqlalchemy as sa

from novalite.cmd.up import write_clouds_yaml

BIN = os.path.dirname(sys.executable)
RABBIT_URL = "rabbit://guest:guest@127.0.0.1:5672/"
SERVER_URLS = {"postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
               "mysql": "mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"}
ADMIN_URLS = {"postgresql": SERVER_URLS["postgresql"].format(name="postgres"),
              "mysql": SERVER_URLS["mysql"].format(name="")}
PASSWORD = "bench-admin-password"


class Deployment:
    def __init__(self, directory: str, database: str) -> None:
        from boot import free_port

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
