"""Private brokers and databases for the fault tests, so that stopping them disturbs no
one else's tests: a RabbitMQ node and a PostgreSQL instance of their own, from the
Debian binaries, in a temporary directory, on free ports; and the boots the tests
count."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.integration.deployment import free_port, wait_for

RABBIT_BIN = "/usr/lib/rabbitmq/bin"


class PrivateRabbit:
    """A RabbitMQ node of its own (``stop_app`` / ``start_app`` touch only it)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.node = f"novalite{self.port}@localhost"
        self.url = f"rabbit://guest:guest@127.0.0.1:{self.port}/"
        (root / "mnesia").mkdir(parents=True)
        (root / "log").mkdir()
        (root / "enabled_plugins").write_text("[].")
        cookie = root / ".erlang.cookie"
        cookie.write_text(f"novalite-private-{self.port}")
        cookie.chmod(0o400)
        self.env = dict(os.environ, HOME=str(root), RABBITMQ_NODENAME=self.node,
                        RABBITMQ_NODE_PORT=str(self.port),
                        RABBITMQ_DIST_PORT=str(free_port()),
                        RABBITMQ_MNESIA_BASE=str(root / "mnesia"),
                        RABBITMQ_LOG_BASE=str(root / "log"),
                        RABBITMQ_ENABLED_PLUGINS_FILE=str(root / "enabled_plugins"),
                        RABBITMQ_CONFIG_FILE=str(root / "none"),
                        RABBITMQ_PID_FILE=str(root / "pid"))
        self.process: subprocess.Popen[bytes] | None = None

    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([f"{RABBIT_BIN}/rabbitmqctl", "-n", self.node, *args],
                              env=self.env, check=check, capture_output=True, text=True,
                              timeout=120)

    def start(self) -> None:
        with open(self.root / "server.log", "ab") as log:
            self.process = subprocess.Popen([f"{RABBIT_BIN}/rabbitmq-server"], env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT)
        self.ctl("wait", str(self.root / "pid"), "--timeout", "60")

    def stop(self) -> None:
        if self.process is None:
            return
        self.ctl("stop", check=False)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@contextlib.contextmanager
def private_rabbit(root: Path) -> Iterator[PrivateRabbit]:
    rabbit = PrivateRabbit(root)
    rabbit.start()
    try:
        yield rabbit
    finally:
        rabbit.stop()


class PrivatePostgres:
    """A PostgreSQL instance of its own (run as the ``postgres`` user: it refuses root)."""

    def __init__(self) -> None:
        [self.bin] = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1:]
        # not under pytest's temporary directory: that is root's alone (mode 0700)
        root = Path(tempfile.mkdtemp(prefix="novalite-pg-"))
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        root.mkdir(parents=True, exist_ok=True)
        shutil.chown(root, "postgres", "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                 "--no-sync")

    def run(self, tool: str, *args: str) -> None:
        command = " ".join([f"{self.bin}/{tool}", *args])
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", command], check=True,
                       capture_output=True, timeout=120, cwd=str(self.root))

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w",
                 "-o", f"'-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                 "-c fsync=off -c max_connections=200'", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    postgres = PrivatePostgres()
    try:
        postgres.start()
        yield postgres
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            postgres.stop("immediate")
        shutil.rmtree(postgres.root, ignore_errors=True)


class Boots:
    """``count`` servers created one after another on a thread (the API's requests go
    on while a fault strikes); the database says where each build stands."""

    def __init__(self, conn: Any, database_url: str, image_id: str, count: int = 50) -> None:
        self.conn = conn
        self.engine = sa.create_engine(database_url, pool_pre_ping=True)
        self.image_id = image_id
        self.count = count
        self.created: list[str] = []
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._create, daemon=True)

    def _create(self) -> None:
        for index in range(self.count):
            for attempt in range(30):  # an API request may meet the fault: ask again
                try:
                    server = self.conn.compute.create_server(
                        name=f"boot{index}", flavor_id="1", image_id=self.image_id,
                        networks="none")
                    self.created.append(server.id)
                    break
                except Exception as error:  # noqa: BLE001 - counted, and retried
                    if attempt == 29:
                        self.errors.append(error)
                    time.sleep(1)

    def start(self) -> Boots:
        self.thread.start()
        return self

    def join(self, timeout: float = 300) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the boots did not finish"

    def states(self) -> dict[str, dict[str, Any]]:
        """uuid -> vm_state, task_state, host of every server not deleted."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT uuid, vm_state, task_state, host FROM instances "
                "WHERE deleted = false")).all()
        return {r.uuid: {"vm_state": r.vm_state, "task_state": r.task_state,
                         "host": r.host} for r in rows}

    def count_where(self, predicate: Callable[[dict[str, Any]], bool]) -> int:
        return sum(1 for state in self.states().values() if predicate(state))

    def wait_settled(self, timeout: float) -> dict[str, Any]:
        """Wait until no server is in BUILD or has a task; the figures of the outcome."""
        started = time.monotonic()

        def settled() -> dict[str, dict[str, Any]] | None:
            states = self.states()
            if len(states) < len(self.created):
                return None
            busy = [s for s in states.values()
                    if s["vm_state"] == "building" or s["task_state"] is not None]
            return None if busy else states

        try:
            states = wait_for(settled, timeout=timeout, interval=0.5, what="settled")
        except AssertionError:
            states = self.states()
        by_state: dict[str, int] = {}
        for state in states.values():
            key = state["vm_state"] + ("/" + state["task_state"] if state["task_state"]
                                       else "")
            by_state[key] = by_state.get(key, 0) + 1
        return {"created": len(self.created), "records": len(states),
                "lost": len(set(self.created) - set(states)),
                "stuck": sum(1 for s in states.values()
                             if s["vm_state"] == "building" or s["task_state"]),
                "by_state": by_state, "api_errors": len(self.errors),
                "settled_after_s": round(time.monotonic() - started, 1)}
