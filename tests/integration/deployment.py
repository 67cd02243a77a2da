"""The cloud as separate processes, as in production, for integration tests: a scratch
server database, one configuration file, ``novalite-manage`` set-up, each service
started from a virtualenv's console scripts (this code's, or a release's), and a
shutdown that wants every process to exit 0 on SIGTERM, as under systemd."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from tests.conftest import SERVER_URLS, _admin_url
from tests.integration.conftest import RABBIT_URL

#: the console scripts of this code (the venv running the tests)
BIN = os.path.dirname(sys.executable)
REPOSITORY = Path(__file__).resolve().parents[2]
CONTROL_PLANE = ("novalite-identity", "novalite-image", "novalite-network",
                 "novalite-metadata", "novalite-conductor", "novalite-scheduler",
                 "novalite-api")
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], T | None], timeout: float = 60.0,
             interval: float = 0.2, what: str = "condition") -> T:
    """``predicate``'s first truthy result; exceptions count as "not yet" (services still
    starting), the last one is named if time runs out."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
        except Exception as error:
            last, result = error, None
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{what}: not met in {timeout:.0f} s (last error: {last!r})")


@contextlib.contextmanager
def server_database(kind: str) -> Iterator[str]:
    """A scratch database on the PostgreSQL or MariaDB server, dropped afterwards."""
    name = f"novalite_mp_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(_admin_url(kind), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield SERVER_URLS[kind].format(name=name)
    finally:
        with admin.connect() as connection:
            if kind == "postgresql":
                connection.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
            connection.execute(sa.text(f"DROP DATABASE {name}"))
        admin.dispose()


def rabbitmqctl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["rabbitmqctl", *args], check=check, capture_output=True,
                          text=True, timeout=120)


def current_env() -> dict[str, str]:
    """The environment of this code's processes: the repository first on the path (the
    venv's editable install may point at another checkout)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPOSITORY), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def release_env() -> dict[str, str]:
    """The environment of a release's processes: nothing that would put this code first."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def render(sections: Mapping[str, Mapping[str, object]]) -> str:
    return "".join(f"[{name}]\n" + "".join(f"{key} = {value}\n"
                                          for key, value in options.items())
                   for name, options in sections.items())


class Deployment:
    """One cloud: its configuration under ``root`` and the processes started for it."""

    def __init__(self, root: Path, database_url: str,
                 options: Mapping[str, Mapping[str, object]] | None = None) -> None:
        self.root = root
        self.database_url = database_url
        root.mkdir(parents=True, exist_ok=True)
        # a vhost of its own: queue names (conductor, compute.<host>) are the same in every
        # deployment, and the tests of others share the broker
        self.vhost = f"novalite-{uuid.uuid4().hex[:10]}"
        rabbitmqctl("add_vhost", self.vhost)
        rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
        self.transport_url = RABBIT_URL.rstrip("/") + "/" + self.vhost
        self.ports = {name: free_port() for name in ("identity", "image", "compute",
                                                     "network", "metadata")}
        sections: dict[str, dict[str, object]] = {
            "DEFAULT": {"state_path": root, "transport_url": self.transport_url,
                        "control_exchange": f"novalite-{uuid.uuid4().hex[:8]}",
                        "report_interval": 1, "compute_driver": "fake",
                        "osapi_compute_listen_port": self.ports["compute"],
                        "metadata_listen_port": self.ports["metadata"]},
            "database": {"connection": database_url},
            "identity": {"listen_port": self.ports["identity"],
                         "password_hash_memory_kib": 1024},
            "image": {"bind_port": self.ports["image"]},
            "network": {"bind_port": self.ports["network"]},
        }
        for name, values in (options or {}).items():
            sections.setdefault(name, {}).update(values)
        # the shared secrets as an operator makes them (the services refuse to start
        # without); the cloud's own file comes after it, so ``options`` may override them
        self.secrets = root / "secrets.conf"
        subprocess.run([os.path.join(BIN, "novalite-manage"), "secrets", "generate",
                        "--output-file", str(self.secrets)], check=True, capture_output=True,
                       timeout=120, env=current_env())
        self.config = root / "novalite.conf"
        self.config.write_text(render(sections))
        self.processes: list[tuple[str, str, subprocess.Popen[bytes]]] = []
        self.exit_codes: dict[str, int] = {}

    @property
    def identity_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['identity']}/v3"

    def manage(self, *args: str, bin_dir: str = BIN, check: bool = True
               ) -> subprocess.CompletedProcess[str]:
        """``novalite-manage`` with this cloud's configuration."""
        env = current_env() if bin_dir == BIN else release_env()
        return subprocess.run([os.path.join(bin_dir, "novalite-manage"), "--config-file",
                               str(self.secrets), "--config-file", str(self.config), *args],
                              check=check, capture_output=True, text=True, timeout=120,
                              env=env)

    def bootstrap(self, admin_password: str) -> None:
        self.manage("db", "sync")
        self.manage("fernet", "setup")
        self.manage("bootstrap", "--bootstrap-password", admin_password)

    def host_config(self, host: str, options: Mapping[str, object] | None = None) -> Path:
        """A second configuration file for one compute host."""
        path = self.root / f"{host}.conf"
        path.write_text(render({"DEFAULT": {"host": host, **(options or {})}}))
        return path

    def start(self, binary: str, *config_files: Path, bin_dir: str = BIN,
              name: str | None = None) -> subprocess.Popen[bytes]:
        """Start ``binary`` of ``bin_dir`` (this code's by default) with the cloud's
        configuration (and ``config_files`` after it); its output goes to ``<name>.log``."""
        name = name or f"{binary}-{len(self.processes)}"
        log = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        arguments: list[str] = []
        for path in (self.secrets, self.config, *config_files):
            arguments += ["--config-file", str(path)]
        process = subprocess.Popen(
            [os.path.join(bin_dir, binary), *arguments], stdout=log, stderr=subprocess.STDOUT,
            env=current_env() if bin_dir == BIN else release_env())
        log.close()
        self.processes.append((name, binary, process))
        return process

    def start_control_plane(self) -> None:
        for binary in CONTROL_PLANE:
            self.start(binary, name=binary)

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")

    def stop(self, *processes: subprocess.Popen[Any], timeout: float = 60) -> int:
        """SIGTERM to each, then their worst exit code (each recorded for ``stop_all``)."""
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        worst = 0
        for process in processes:
            name = next(n for n, _, p in self.processes if p is process)
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                code = process.wait()
                code = code or -signal.SIGKILL
            self.exit_codes[name] = code
            worst = worst or code
        return worst

    def stop_all(self) -> dict[str, int]:
        """Stop what still runs: the compute nodes, then the control plane (as an operator
        would; each group at once); every process's exit code."""
        running = [(binary, p) for _, binary, p in self.processes if p.returncode is None]
        self.stop(*[p for binary, p in running if binary not in CONTROL_PLANE])
        self.stop(*[p for binary, p in running if binary in CONTROL_PLANE])
        if self.vhost:
            rabbitmqctl("delete_vhost", self.vhost, check=False)
            self.vhost = ""
        return dict(self.exit_codes)
