"""The clients' own functional suites against a fresh ``novalite up``.

openstacksdk and python-openstackclient ship their functional tests in their PyPI source
distributions. ``fetch`` downloads those sdists with pip (``pip download --no-binary :all:
--no-deps``) into a cache directory and unpacks them; ``Cloud`` starts ``novalite up``
(fake driver, free loopback ports) in a scratch directory and prepares what the suites'
``base.py`` files look for, as devstack would have it:

- clouds ``devstack`` (user demo, project demo), ``devstack-alt`` (alt_demo),
  ``devstack-admin`` (admin, project admin) and ``devstack-system-admin`` (admin, system
  scope) in a ``clouds.yaml`` in the directory the tests run in (openstackclient's tests
  drop every ``OS_*`` variable before calling the CLI, so the file is found by its place);
- flavor ``m1.tiny`` (bootstrap makes it), a public qcow2 image ``cirros-0.6.3-x86_64-disk``;
- networks ``private`` (with a subnet) and the external ``public`` (a floating IP pool)
  joined by router ``router1``.

``run`` runs chosen test modules with pytest (each suite's tests are unittest/testtools
cases), one at a time, and returns passed / failed / skipped / error per module from
pytest's JUnit XML. ``tools/conformance`` is the command line (``make conformance``: the
compute, identity, image, network and block-storage parts of both suites);
``tests/functional/test_conformance.py`` runs a fast compute subset in the normal suite.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import xml.etree.ElementTree as ElementTree
from typing import Any

import yaml

BIN = os.path.dirname(sys.executable)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGE_NAME = "cirros-0.6.3-x86_64-disk"
DEFAULT_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "novalite-conformance")


@dataclasses.dataclass(frozen=True)
class Suite:
    name: str          # the PyPI project
    version: str
    sdist_prefix: str  # the sdist's top directory without the version
    tests: str         # the functional tests' directory inside it
    areas: dict[str, str]  # area → sub-directory of ``tests``


SUITES = {
    "openstacksdk": Suite(
        "openstacksdk", "4.22.0", "openstacksdk", "openstack/tests/functional",
        {"compute": "compute", "identity": "identity", "image": "image",
         "network": "network", "block-storage": "block_storage"}),
    "python-openstackclient": Suite(
        "python-openstackclient", "10.5.0", "python_openstackclient",
        "openstackclient/tests/functional",
        {"compute": "compute", "identity": "identity", "image": "image",
         "network": "network", "block-storage": "volume"}),
}


def fetch(suite: Suite, cache_dir: str = DEFAULT_CACHE) -> str:
    """The unpacked sdist's directory (downloaded and unpacked once, then reused)."""
    top = os.path.join(cache_dir, "src", f"{suite.sdist_prefix}-{suite.version}")
    if os.path.isdir(os.path.join(top, suite.tests)):
        return top
    sdists = os.path.join(cache_dir, "sdists")
    os.makedirs(sdists, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:",
                    "--no-deps", "--dest", sdists, f"{suite.name}=={suite.version}"],
                   check=True, timeout=600)
    archive = next(os.path.join(sdists, name) for name in sorted(os.listdir(sdists))
                   if name.startswith(f"{suite.sdist_prefix}-{suite.version}.")
                   and name.endswith((".tar.gz", ".zip")))
    os.makedirs(os.path.join(cache_dir, "src"), exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(os.path.join(cache_dir, "src"), filter="data")
    return top


def modules(suite: Suite, top: str, areas: list[str]) -> list[str]:
    """Every ``test_*.py`` of ``areas``, relative to ``top``, sorted."""
    found: list[str] = []
    for area in areas:
        root = os.path.join(top, suite.tests, suite.areas[area])
        for directory, _, files in os.walk(root):
            found.extend(os.path.relpath(os.path.join(directory, name), top)
                         for name in files if name.startswith("test_") and name.endswith(".py"))
    return sorted(found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cloud:
    """``novalite up`` in ``directory`` with a devstack-like set-up; ``workdir`` holds the
    suites' ``clouds.yaml``."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.data_dir = os.path.join(directory, "data")
        self.workdir = os.path.join(directory, "work")
        self.process: subprocess.Popen[str] | None = None
        self.lines: list[str] = []

    def start(self) -> None:
        os.makedirs(self.data_dir, exist_ok=True)
        os.makedirs(self.workdir, exist_ok=True)
        ports = {key: free_port() for key in (
            "identity", "image", "compute", "network", "volume", "metadata", "novnc",
            "xvpvnc", "spice", "serial")}
        with open(os.path.join(self.data_dir, "novalite.conf"), "w") as handle:
            handle.write(
                f"[DEFAULT]\nosapi_compute_listen_port = {ports['compute']}\n"
                f"metadata_listen_port = {ports['metadata']}\n"
                "compute_driver = fake\nbuild_tiny_image = false\n"
                "allow_resize_to_same_host = true\n"
                f"[identity]\nlisten_port = {ports['identity']}\n"
                "password_hash_memory_kib = 1024\n"
                f"[image]\nbind_port = {ports['image']}\n"
                f"[network]\nbind_port = {ports['network']}\n"
                f"[volume]\nbind_port = {ports['volume']}\n"
                f"[vnc]\nnovncproxy_port = {ports['novnc']}\n"
                f"xvpvncproxy_port = {ports['xvpvnc']}\n"
                f"[spice]\nhtml5proxy_port = {ports['spice']}\n"
                f"[serial_console]\nserialproxy_port = {ports['serial']}\n"
                "[quota]\ninstances = -1\ncores = -1\nram = -1\n"
                "[fake_driver]\nvcpus = 1024\nmemory_mb = 1048576\n")
        self.process = subprocess.Popen(
            [os.path.join(BIN, "novalite"), "up", "--data-dir", self.data_dir],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True, env=dict(os.environ, PYTHONPATH=ROOT))
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "clouds.yaml written" in line:
                break
        else:
            raise RuntimeError("novalite up did not come up:\n" + "".join(self.lines[-50:]))
        stream = self.process.stdout
        threading.Thread(target=lambda: self.lines.extend(stream), daemon=True).start()
        self._prepare()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, count: int = 200) -> str:
        return "".join(self.lines[-count:])

    def _prepare(self) -> None:
        import openstack

        with open(os.path.join(self.data_dir, "clouds.yaml")) as handle:
            clouds = yaml.safe_load(handle)["clouds"]
        admin_auth = clouds["novalite"]["auth"]
        base = {key: value for key, value in clouds["novalite"].items() if key != "auth"}
        admin = openstack.connect(auth=dict(admin_auth), **base)
        alt_password = "alt-demo-" + os.urandom(6).hex()
        project = admin.identity.find_project("alt_demo") or admin.identity.create_project(
            name="alt_demo", domain_id="default")
        user = admin.identity.find_user("alt_demo") or admin.identity.create_user(
            name="alt_demo", password=alt_password, domain_id="default",
            default_project_id=project.id)
        member = admin.identity.find_role("member")
        admin.identity.assign_project_role_to_user(project, user, member)
        self._networks(admin)
        self._image(admin)

        def entry(auth: dict[str, Any], **scope: Any) -> dict[str, Any]:
            return {**base, "auth": {**auth, **scope}}

        demo_auth = clouds["novalite-demo"]["auth"]
        alt_auth = {**demo_auth, "username": "alt_demo", "password": alt_password,
                    "project_name": "alt_demo"}
        system_auth = {key: value for key, value in admin_auth.items()
                       if not key.startswith("project_")}
        written = {"clouds": {
            "devstack": entry(demo_auth),
            "devstack-alt": entry(alt_auth),
            "devstack-admin": entry(admin_auth),
            "devstack-alt-admin": entry({**admin_auth, "project_name": "alt_demo"}),
            "devstack-system-admin": {**base, "auth": system_auth, "system_scope": "all"},
        }}
        with open(os.path.join(self.workdir, "clouds.yaml"), "w") as handle:
            yaml.safe_dump(written, handle, default_flow_style=False)

    def _networks(self, admin: Any) -> None:
        demo = admin.identity.find_project("demo")
        public = admin.network.find_network("public") or admin.network.create_network(
            name="public", is_router_external=True)
        if not list(admin.network.subnets(network_id=public.id)):
            admin.network.create_subnet(network_id=public.id, name="public-subnet",
                                        ip_version=4, cidr="172.24.4.0/24",
                                        gateway_ip="172.24.4.1", is_dhcp_enabled=False)
        private = admin.network.find_network("private") or admin.network.create_network(
            name="private", project_id=demo.id)
        if not list(admin.network.subnets(network_id=private.id)):
            subnet = admin.network.create_subnet(
                network_id=private.id, name="private-subnet", ip_version=4,
                cidr="10.0.0.0/26", project_id=demo.id)
            router = admin.network.create_router(
                name="router1", project_id=demo.id,
                external_gateway_info={"network_id": public.id})
            admin.network.add_interface_to_router(router, subnet=subnet.id)

    def _image(self, admin: Any) -> None:
        if admin.image.find_image(IMAGE_NAME) is not None:
            return
        disk = os.path.join(self.directory, "cirros.qcow2")
        qemu_img = shutil.which("qemu-img")
        if qemu_img:
            subprocess.run([qemu_img, "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
            disk_format = "qcow2"
        else:
            with open(disk, "wb") as handle:
                handle.write(b"\0" * 65536)
            disk_format = "raw"
        with open(disk, "rb") as handle:
            admin.image.create_image(name=IMAGE_NAME, data=handle.read(),
                                     disk_format=disk_format, container_format="bare",
                                     visibility="public")


@dataclasses.dataclass
class ModuleResult:
    module: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    errors: int = 0
    seconds: float = 0.0
    failures: list[str] = dataclasses.field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"passed": self.passed, "failed": self.failed + self.errors,
                "skipped": self.skipped, "seconds": round(self.seconds, 1)}


def _why(outcome: ElementTree.Element) -> str:
    """The last lines of a failure's report (testtools' own representation often has
    nothing in the message attribute)."""
    lines = [line.strip() for line in (outcome.text or outcome.get("message") or "")
             .splitlines() if line.strip()]
    return " | ".join(lines[-3:])[:600] or outcome.tag


def environment(cloud: Cloud, top: str, timeout: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("OS_", "OPENSTACKSDK_"))}
    env.update({
        "PYTHONPATH": top,
        "PATH": BIN + os.pathsep + env.get("PATH", ""),
        "OS_CLOUD": "devstack-admin",
        "OS_ADMIN_CLOUD": "devstack-admin",
        "OS_SYSTEM_CLOUD": "devstack-system-admin",
        "OPENSTACKSDK_DEMO_CLOUD": "devstack",
        "OPENSTACKSDK_DEMO_CLOUD_ALT": "devstack-alt",
        "OPENSTACKSDK_OPERATOR_CLOUD": "devstack-admin",
        "OPENSTACKSDK_SYSTEM_ADMIN_CLOUD": "devstack-system-admin",
        "OPENSTACKSDK_FLAVOR": "m1.tiny",
        "OPENSTACKSDK_IMAGE": IMAGE_NAME,
        "OPENSTACKSDK_FUNC_TEST_TIMEOUT": str(timeout),
        "OS_CLIENT_CONFIG_FILE": os.path.join(cloud.workdir, "clouds.yaml"),
        "HOME": cloud.workdir,
    })
    return env


def run_module(cloud: Cloud, top: str, module: str, *, timeout: int = 120,
               test_timeout: int = 300, selection: str | None = None) -> ModuleResult:
    """pytest on one test module of the unpacked sdist ``top``, in the cloud's workdir."""
    report = os.path.join(cloud.workdir, "report.xml")
    if os.path.exists(report):
        os.unlink(report)
    empty_ini = os.path.join(cloud.workdir, "pytest.ini")
    with open(empty_ini, "w") as handle:
        handle.write("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "-c", empty_ini, "--rootdir", top, f"--junitxml={report}",
               "-o", "junit_family=xunit2", f"--timeout={test_timeout}",
               os.path.join(top, module)]
    if selection:
        command += ["-k", selection]
    started = time.monotonic()
    subprocess.run(command, cwd=cloud.workdir, env=environment(cloud, top, timeout),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    result = ModuleResult(module, seconds=time.monotonic() - started)
    if not os.path.exists(report):
        result.errors = 1
        result.failures.append(f"{module}: pytest wrote no report")
        return result
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        name = f"{case.get('classname')}.{case.get('name')}"
        outcome = next((child for child in case
                        if child.tag in ("failure", "error", "skipped")), None)
        if outcome is None:
            result.passed += 1
        elif outcome.tag == "skipped":
            result.skipped += 1
        else:
            if outcome.tag == "failure":
                result.failed += 1
            else:
                result.errors += 1
            result.failures.append(f"{name}: {_why(outcome)}")
    return result
