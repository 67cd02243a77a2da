"""N-1: this code's control plane drives release 0.1.0's compute services, which are then
upgraded in place, all through the unmodified ``openstack`` CLI.

The control plane (identity, image, network, metadata, api, conductor, scheduler) runs
this code as separate processes over RabbitMQ and PostgreSQL, with ``[upgrade_levels]
compute = auto`` (the option has no default). Two compute services run release 0.1.0
from a venv of its own (built from the commit RELEASES.toml names): a fake one and a
libvirt one whose tiny guest has a port on the shared network. ``upgrade check`` warns
about them. Both servers go through soft and hard reboots, stop/start, pause, suspend,
diagnostics and interface attach/detach, and a build the fake host fails ends in ERROR.
The libvirt compute is then stopped (its guest keeps running, same QEMU) and this
code's compute takes over the host: while the fake host still runs 0.1.0 the control
plane speaks 1.x to it, and it runs the guest's whole lifecycle again and a new build.
Once the fake compute is upgraded too, ``upgrade check`` succeeds, the API and the
conductor move to 2.0, and everything is deleted. Nothing may be left behind: no
server, no port, no domain, no namespace, no process that exits badly.

``pytest -s`` prints how long each phase took.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openstack
import pytest
import sqlalchemy as sa
import yaml

import novalite
from novalite.db.models import Service
from novalite.guest import build_tiny, upload_tiny
from novalite.network.linux import DataPlane
from tests.integration import release as releases
from tests.integration.deployment import (
    BIN,
    REPOSITORY,
    Deployment,
    server_database,
    wait_for,
)

pytestmark = [pytest.mark.postgresql_only, pytest.mark.timeout(900)]

PASSWORD = "rolling-upgrade-admin"
OPENSTACK = os.path.join(BIN, "openstack")
VIRSH = ("virsh", "-c", "qemu:///system")
TINY_CACHE = os.environ.get("NOVALITE_TINY_CACHE",
                            os.path.join(os.path.expanduser("~"), ".cache", "novalite", "tiny"))
#: a TCG guest boots in seconds on an idle machine; this one is shared
GUEST_TIMEOUT = 240
#: what the tiny guest's init prints once per boot, before its login prompt
BOOTED = re.compile(r"^(METADATA uuid=|tiny: no metadata)", re.MULTILINE)


@pytest.fixture(scope="module")
def release() -> releases.Release:
    return releases.build("0.1.0")


class CLI:
    """The ``openstack`` client with a clouds.yaml of its own, as an operator runs it."""

    def __init__(self, root: Path, identity_url: str) -> None:
        clouds = root / "clouds.yaml"
        clouds.write_text(yaml.safe_dump({"clouds": {"rolling": {
            "auth": {"auth_url": identity_url, "username": "admin", "password": PASSWORD,
                     "project_name": "admin", "user_domain_name": "Default",
                     "project_domain_name": "Default"},
            "region_name": "RegionOne", "identity_api_version": 3}}}))
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("OS_") and k != "PYTHONPATH"}
        self.env.update(OS_CLIENT_CONFIG_FILE=str(clouds), OS_CLOUD="rolling")

    def __call__(self, *args: str) -> str:
        result = subprocess.run([OPENSTACK, *args], capture_output=True, text=True,
                                env=self.env, timeout=GUEST_TIMEOUT + 60)
        assert result.returncode == 0, (
            f"openstack {' '.join(args)}: exit {result.returncode}\n{result.stderr}")
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "-f", "json"))

    def parallel(self, *commands: tuple[str, ...]) -> list[str]:
        """Several commands at once (each client takes seconds of CPU to start)."""
        with ThreadPoolExecutor(len(commands)) as pool:
            return list(pool.map(lambda args: self(*args), commands))


@dataclass
class Cloud:
    deployment: Deployment
    namespace: str
    #: domain names of this run start with it (``[DEFAULT] instance_name_template``)
    domain_prefix: str
    cli: CLI
    sdk: openstack.connection.Connection
    engine: sa.Engine

    def compute_versions(self) -> dict[str, int]:
        query = sa.select(Service.host, Service.version).where(
            Service.binary == "novalite-compute")
        with self.engine.connect() as connection:
            return {host: int(version) for host, version in connection.execute(query)}

    def domains(self) -> list[str]:
        names = subprocess.run([*VIRSH, "list", "--all", "--name"], capture_output=True,
                               text=True, check=True).stdout.split()
        return [name for name in names if name.startswith(self.domain_prefix)]

    def data_plane(self) -> DataPlane:
        return DataPlane(self.namespace, os.path.join(self.deployment.root, "network"))


def namespaces() -> list[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in out.stdout.splitlines() if line.strip()]


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[Cloud]:
    run = uuid.uuid4().hex[:8]
    namespace, prefix = f"nl-up-{run}", f"up{run}-"
    with server_database("postgresql") as database_url:
        deployment = Deployment(tmp_path, database_url, options={
            # unique domain names: other tests' guests may share this libvirt
            "DEFAULT": {"instance_name_template": f"{prefix}%08x", "reboot_timeout": 60},
            "network": {"namespace": namespace},
            # the compute nodes' service user, which binds their ports to them
            "neutron": {"password": f"service-{run}"},
            # no default: the control plane follows the oldest compute service
            "upgrade_levels": {"compute": "auto"},
        })
        deployment.bootstrap(PASSWORD)
        deployment.start_control_plane()
        engine = sa.create_engine(database_url)
        sdk = openstack.connect(
            auth_type="password", auth={
                "auth_url": deployment.identity_url, "username": "admin",
                "password": PASSWORD, "project_name": "admin",
                "user_domain_name": "Default", "project_domain_name": "Default"},
            region_name="RegionOne", load_yaml_config=False, load_envvars=False)
        world = Cloud(deployment, namespace, prefix, CLI(tmp_path, deployment.identity_url),
                      sdk, engine)
        try:
            yield world
        finally:  # what a failed run left; a passing one has checked all this itself
            deployment.stop_all()
            for name in world.domains():
                subprocess.run([*VIRSH, "destroy", name], capture_output=True)
                subprocess.run([*VIRSH, "undefine", name], capture_output=True)
            world.data_plane().teardown()
            sdk.close()
            engine.dispose()


def test_compute_of_release_0_1_0_then_upgraded_in_place(cloud: Cloud, release) -> None:
    deployment, cli, sdk = cloud.deployment, cloud.cli, cloud.sdk
    phases = Phases()
    old_code = releases.imported_from(release)
    assert old_code.is_relative_to(release.site_packages().resolve()), old_code
    assert not old_code.is_relative_to(REPOSITORY)
    assert old_code != Path(novalite.__file__).resolve()

    fake_conf = deployment.host_config("old-fake")
    real_conf = deployment.host_config("old-real", {"compute_driver": "libvirt"})
    old_fake = deployment.start("novalite-compute", fake_conf, bin_dir=release.bin,
                                name="old-fake-0.1.0")
    old_real = deployment.start("novalite-compute", real_conf, bin_dir=release.bin,
                                name="old-real-0.1.0")

    # --- release 0.1.0's computes under this control plane ------------------------------
    wait_for(lambda: {s.host for s in sdk.compute.services()
                      if s.binary == "nova-compute" and s.state == "up"}
             == {"old-fake", "old-real"}, timeout=120, what="both old computes up")
    rows = cli.json("compute", "service", "list", "--service", "nova-compute")
    assert {(r["Host"], r["State"], r["Status"]) for r in rows} == {
        ("old-fake", "up", "enabled"), ("old-real", "up", "enabled")}, rows
    assert cloud.compute_versions() == {"old-fake": 0, "old-real": 0}
    check = deployment.manage("upgrade", "check", check=False)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "Warning" in check.stdout
    assert "novalite-compute on old-fake" in check.stdout
    assert "novalite-compute on old-real" in check.stdout
    wait_for(lambda: len(list(sdk.compute.hypervisors())) == 2, what="two hypervisors")
    phases.done("0.1.0 computes up")

    image_id = upload_tiny(f"http://127.0.0.1:{deployment.ports['image']}", sdk.auth_token,
                           build_tiny(TINY_CACHE))["image_id"]
    created = cli.parallel(
        ("server", "create", "--flavor", "1", "--image", image_id, "--network", "shared",
         "--availability-zone", "nova:old-real", "real-vm", "-f", "json"),
        ("server", "create", "--flavor", "1", "--image", image_id, "--nic", "none",
         "--availability-zone", "nova:old-fake", "fake-vm", "-f", "json"))
    real_id, fake_id = (json.loads(out)["id"] for out in created)
    lifecycle = Lifecycle(cloud)
    for server_id in (real_id, fake_id):
        lifecycle.settled(Server(server_id, ""), "ACTIVE")
    shown = [json.loads(out) for out in cli.parallel(
        ("server", "show", real_id, "-f", "json"), ("server", "show", fake_id, "-f", "json"))]
    assert [s["OS-EXT-SRV-ATTR:host"] for s in shown] == ["old-real", "old-fake"], shown
    real = Server(real_id, "old-real", shown[0]["OS-EXT-SRV-ATTR:instance_name"])
    fake = Server(fake_id, "old-fake")
    assert real.domain and real.domain.startswith(cloud.domain_prefix)
    lifecycle.logged_in(real, through_cli=True)
    phases.done("booted")

    together(lambda: lifecycle.run(real, fake), lambda: lifecycle.failed_build(fake.host))
    phases.done("lifecycle on 0.1.0")

    # --- the libvirt compute upgraded in place: its guest keeps running -----------------
    pid = qemu_pid(real.domain)
    assert deployment.stop(old_real) == 0, deployment.log("old-real-0.1.0")
    assert qemu_pid(real.domain) == pid
    deployment.start("novalite-compute", real_conf, name="old-real-0.2.0")
    wait_for(lambda: cloud.compute_versions()["old-real"] == 1, timeout=120,
             what="old-real reports version 1")
    lifecycle.settled(real, "ACTIVE")
    assert qemu_pid(real.domain) == pid
    check = deployment.manage("upgrade", "check", check=False)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "old-fake" in check.stdout and "old-real" not in check.stdout, check.stdout
    phases.done("old-real upgraded")
    # the oldest compute is still 0.1.0: the control plane sends 1.x, which 0.2.0 serves
    assert "login:" in cli("console", "log", "show", real.id)
    together(lambda: lifecycle.run(real),
             lambda: lifecycle.boot_and_delete(image_id, "old-real", "--network", "shared"))
    phases.done("lifecycle on 0.2.0 over 1.x")

    # --- the fake compute upgraded too: 2.0 with objects from now on --------------------
    assert deployment.stop(old_fake) == 0, deployment.log("old-fake-0.1.0")
    deployment.start("novalite-compute", fake_conf, name="old-fake-0.2.0")
    wait_for(lambda: set(cloud.compute_versions().values()) == {1}, timeout=120,
             what="both computes at version 1")
    check = deployment.manage("upgrade", "check", check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    # the API looks at the services again within its refresh interval, when it sends
    # a message: a console read per try
    wait_for(lambda: sdk.compute.get_server_console_output(real.id) and
             "follows the oldest novalite-compute: release 0.2.0"
             in deployment.log("novalite-api"), timeout=60, interval=1,
             what="the API sends compute RPC 2.0")
    phases.done("old-fake upgraded")
    before = qemu_pid(real.domain)

    def hard_reboot() -> None:
        cli("server", "reboot", "--hard", real.id)
        lifecycle.settled(real, "ACTIVE")
        assert qemu_pid(real.domain) != before
    together(hard_reboot, lambda: lifecycle.boot_and_delete(image_id, "old-fake", "--nic", "none"))
    # the conductor built that one with 2.0 (its last look at the services was the
    # build on old-real, well over its refresh interval ago)
    assert "follows the oldest novalite-compute: release 0.2.0" in deployment.log(
        "novalite-conductor")
    cli.parallel(("server", "delete", "--wait", real.id),
                 ("server", "delete", "--wait", fake.id))
    phases.done("deleted over 2.0")

    # --- nothing stuck, nothing lost ----------------------------------------------------
    servers, ports = cli.parallel(("server", "list", "--all-projects", "-f", "json"),
                                  ("port", "list", "--device-owner", "compute:nova",
                                   "-f", "json"))
    assert (json.loads(servers), json.loads(ports)) == ([], [])
    assert cloud.domains() == []
    codes = deployment.stop_all()
    assert set(codes.values()) == {0}, codes
    cloud.data_plane().teardown()
    assert cloud.namespace not in namespaces()
    phases.done("stopped")
    print(phases)


def together(*calls: Callable[[], None]) -> None:
    """Run the calls at the same time (each in a thread); the first failure is raised."""
    with ThreadPoolExecutor(len(calls)) as pool:
        for future in [pool.submit(call) for call in calls]:
            future.result()


class Phases:
    """How long each phase took (printed at the end: ``pytest -s``)."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()
        self.lines: list[str] = []

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.lines.append(f"{name}: {now - self.last:.1f} s")
        self.last = now

    def __str__(self) -> str:
        return "; ".join([*self.lines, f"total {self.last - self.started:.1f} s"])


def qemu_pid(domain: str) -> int:
    return int(Path(f"/var/run/libvirt/qemu/{domain}.pid").read_text())


def interfaces(domain: str) -> int:
    out = subprocess.run([*VIRSH, "domiflist", domain], capture_output=True, text=True,
                         check=True).stdout
    return sum(1 for line in out.splitlines()[2:] if line.strip())


@dataclass(frozen=True)
class Server:
    id: str
    host: str
    #: its libvirt domain; None on the fake host
    domain: str | None = None


class Lifecycle:
    """What the CLI does to the servers in each phase."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud, self.cli, self.sdk = cloud, cloud.cli, cloud.sdk

    def settled(self, server: Server, status: str) -> None:
        def done() -> bool:
            found = self.sdk.compute.get_server(server.id)
            return found.status == status and found.task_state is None
        wait_for(done, timeout=GUEST_TIMEOUT, interval=0.5, what=f"{server} {status}")

    def console(self, server: Server) -> str:
        """The guest's console log, read from its file (what ``console log show`` reads,
        without a message to the compute node per poll)."""
        path = self.cloud.deployment.root / "instances" / server.id / "console.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def boots(self, server: Server) -> int:
        """How many times the guest has booted (its console log is kept across them)."""
        return len(BOOTED.findall(self.console(server))) if server.domain else 0

    def logged_in(self, server: Server, boots: int = 0, through_cli: bool = False) -> None:
        """The guest booted once more than ``boots`` times and is at its login prompt
        (a guest still booting would miss the ACPI button of the next step)."""
        if server.domain is None:
            return

        def ready() -> bool:
            output = self.console(server)
            found = list(BOOTED.finditer(output))
            return len(found) > boots and "login:" in output[found[-1].end():]
        wait_for(ready, timeout=GUEST_TIMEOUT, interval=0.5,
                 what=f"boot {boots + 1} to login: on the console of {server}")
        if through_cli:
            assert "login:" in self.cli("console", "log", "show", server.id)

    def run(self, *servers: Server) -> None:
        """Every operation on each server (the servers at the same time). A step that
        needs the guest's cooperation (the ACPI shutdown of a soft reboot or a stop, the
        unplug of a NIC) waits for its login prompt first; the others do not."""
        together(*(functools.partial(self._run, server) for server in servers))

    def _run(self, server: Server) -> None:
        self.cli("server", "reboot", "--soft", server.id)
        self.settled(server, "ACTIVE")
        boots = self.boots(server)
        before = qemu_pid(server.domain) if server.domain else None
        self.cli("server", "reboot", "--hard", server.id)
        self.settled(server, "ACTIVE")
        if server.domain:
            assert qemu_pid(server.domain) != before
        self.logged_in(server, boots)

        self.cli("server", "stop", server.id)
        self.settled(server, "SHUTOFF")
        if server.domain:
            assert subprocess.run([*VIRSH, "domstate", server.domain], capture_output=True,
                                  text=True, check=True).stdout.strip() == "shut off"
        boots = self.boots(server)
        self.cli("server", "start", server.id)
        self.settled(server, "ACTIVE")

        # pause and suspend, each undone; the diagnostics (a call the compute answers)
        for action, status, undo in (("pause", "PAUSED", "unpause"),
                                     ("suspend", "SUSPENDED", "resume")):
            self.cli("server", action, server.id)
            self.settled(server, status)
            self.cli("server", undo, server.id)
            self.settled(server, "ACTIVE")
        diagnostics = self.cli.json("server", "show", "--diagnostics", server.id)
        # the fake driver says libvirt too, as Nova's (release 0.1.0's said fake)
        assert diagnostics["state"] == "running", diagnostics
        assert diagnostics["driver"] in (("libvirt",) if server.domain
                                         else ("libvirt", "fake")), diagnostics
        if server.domain:  # beyond Nova's fields, which the CLI shows: the QEMU
            raw = self.sdk.compute.get(f"/servers/{server.id}/diagnostics").json()
            assert raw["pid"] == qemu_pid(server.domain), raw

        self.logged_in(server, boots)
        if server.domain:
            self._port_interface(server)
        else:
            self._network_interface(server)

    def boot_and_delete(self, image_id: str, host: str, *network: str) -> None:
        """A build on ``host`` (through the conductor), deleted once ACTIVE."""
        server = Server(self.cli.json(
            "server", "create", "--flavor", "1", "--image", image_id, *network,
            "--availability-zone", f"nova:{host}", f"built-on-{host}")["id"], host)
        self.settled(server, "ACTIVE")
        assert self.sdk.compute.get_server(server.id).compute_host == host
        self.cli("server", "delete", "--wait", server.id)

    def failed_build(self, host: str) -> None:
        """A build the compute node fails (the fake driver fails images with the property
        fake_fail_spawn): back to the conductor, no other host allowed, so ERROR."""
        disk = self.cloud.deployment.root / "failing.raw"
        disk.write_bytes(b"\0" * 1024)
        image = self.cli.json("image", "create", "--disk-format", "raw", "--container-format",
                              "bare", "--property", "fake_fail_spawn=true", "--file",
                              str(disk), "failing")
        server = Server(self.cli.json(
            "server", "create", "--flavor", "1", "--image", image["id"], "--nic", "none",
            "--availability-zone", f"nova:{host}", "failing-vm")["id"], host)
        self.settled(server, "ERROR")
        fault = self.sdk.compute.get_server(server.id).fault
        assert "Injected spawn failure" in fault["message"], fault
        assert "Exceeded maximum number of retries" in fault["message"], fault
        self.cli("server", "delete", "--wait", server.id)
        self.cli("image", "delete", image["id"])

    def _port_interface(self, server: Server) -> None:
        """A port of the user's own, plugged into the running guest and unplugged again."""
        shared = self.sdk.network.find_network("shared", ignore_missing=False)
        port = self.sdk.network.create_port(network_id=shared.id, name=f"extra-{server.id[:8]}")
        self.cli("server", "add", "port", server.id, port.id)
        shown = self.sdk.network.get_port(port.id)
        assert (shown.device_id, shown.device_owner, shown.binding_host_id) == (
            server.id, "compute:nova", server.host), shown
        assert server.domain and interfaces(server.domain) == 2
        self.cli("server", "remove", "port", server.id, port.id)
        wait_for(lambda: self.sdk.network.get_port(port.id).device_id == "",
                 timeout=GUEST_TIMEOUT, what="the port unplugged")
        domain = server.domain
        wait_for(lambda: interfaces(domain) == 1, timeout=GUEST_TIMEOUT,
                 what="the NIC gone from the guest")
        self.sdk.network.delete_port(port.id)

    def _network_interface(self, server: Server) -> None:
        """A port the compute node makes on a network, and deletes again."""
        self.cli("server", "add", "network", server.id, "shared")
        [made] = self.sdk.network.ports(device_id=server.id)
        assert (made.device_owner, made.binding_host_id) == ("compute:nova", server.host), made
        self.cli("server", "remove", "network", server.id, "shared")
        wait_for(lambda: not list(self.sdk.network.ports(device_id=server.id)),
                 timeout=60, what="the port deleted")
