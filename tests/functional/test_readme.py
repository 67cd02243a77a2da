"""The README's commands, run as written against `novalite up`: its first command
(`make up`) leaves a newcomer able to run every command it shows.

The rule, stated in the README too: every line of every ```sh block of README.md is a
command a newcomer types, in order, in one shell, from the repository root, while the
cloud `make up` started runs. This test runs them exactly so, with bash, and each one
must exit 0. `make up` and `make test` themselves are not run: the environment running
this test has done both already (its venv is installed, by `make test` which installs
what `make up` installs), and the `novalite up` that `make up` starts is started here the
way tests/functional/test_up.py starts it — on free ports, with the fake driver and
without building the tiny guest (a stand-in image named `tiny` takes its place).

The README's data directory is `~/.local/share/novalite`, `novalite up`'s default. The
test gives `novalite up` and bash a temporary HOME, so that path — and
`novalite-manage`'s default state_path, the same directory — is the test's own data
directory and the commands run unchanged. bash starts with a newcomer's environment: no
venv on PATH and no OS_* variables, so a command works only if the README makes it work.
When the repository's `.venv` is not the venv running the test (a git worktree sharing
another checkout's venv) `.venv/` in a command is rewritten to that venv; in a fresh clone
after `make test` they are the same and nothing is rewritten.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
DATA_DIR = "~/.local/share/novalite"
FENCE = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)
ALREADY_DONE = (["make", "up"], ["make", "test"])  # done by the environment, see above


def readme_commands(text: str) -> list[str]:
    """Every command line of the ```sh blocks (a trailing backslash continues a line)."""
    commands = []
    for block in FENCE.findall(text):
        pending = ""
        for line in block.splitlines():
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            line, pending = (pending + line).strip(), ""
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def already_done(command: str) -> bool:
    return shlex.split(command, comments=True)[:2] in ALREADY_DONE


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newcomer_env(home: Path) -> dict[str, str]:
    """This environment without the venv on PATH, without OS_* variables, with ``home``."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("OS_") and key != "VIRTUAL_ENV"}
    venv_bin = str(VENV / "bin")
    env["PATH"] = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep)
                                  if part and os.path.realpath(part) !=
                                  os.path.realpath(venv_bin))
    env["HOME"] = str(home)
    return env


def as_run_here(command: str) -> str:
    """The command for this checkout: `.venv/` is the venv running the test."""
    if (ROOT / ".venv").resolve() == VENV.resolve():
        return command
    return re.sub(r"(?<![\w./~-])\.venv/", f"{VENV}/", command)


@pytest.fixture
def cloud(tmp_path):
    """`novalite up` with its default data directory under a temporary HOME."""
    home = tmp_path / "home"
    data_dir = home / DATA_DIR.removeprefix("~/")
    data_dir.mkdir(parents=True)
    ports = {"identity": free_port(), "image": free_port(), "compute": free_port(),
             "metadata": free_port(), "network": free_port(), "novnc": free_port(),
             "xvpvnc": free_port(), "spice": free_port(), "serial": free_port(),
             "dashboard": free_port()}
    (data_dir / "novalite.conf").write_text(
        f"[DEFAULT]\nosapi_compute_listen_port = {ports['compute']}\n"
        f"metadata_listen_port = {ports['metadata']}\n"
        "compute_driver = fake\nbuild_tiny_image = false\n"
        f"[identity]\nlisten_port = {ports['identity']}\npassword_hash_memory_kib = 1024\n"
        f"[image]\nbind_port = {ports['image']}\n"
        f"[network]\nbind_port = {ports['network']}\n"
        f"[vnc]\nnovncproxy_port = {ports['novnc']}\nxvpvncproxy_port = {ports['xvpvnc']}\n"
        f"[spice]\nhtml5proxy_port = {ports['spice']}\n"
        f"[serial_console]\nserialproxy_port = {ports['serial']}\n"
        f"[dashboard]\nlisten_port = {ports['dashboard']}\n")
    env = dict(os.environ, HOME=str(home))
    process = subprocess.Popen([str(VENV / "bin" / "novalite"), "up"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        if "clouds.yaml written" in line:
            break
    else:
        raise AssertionError("novalite up did not come up:\n" + "".join(lines))
    # keep reading, so a chatty log never fills the pipe and blocks the cloud
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    yield {"home": home, "data_dir": data_dir, "lines": lines}
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def add_stand_in_tiny_image(cloud, tmp_path: Path) -> None:
    """What `novalite up` makes on first start with build_tiny_image (off here: it
    downloads Debian packages): a public image named tiny."""
    disk = tmp_path / "tiny.raw"
    disk.write_bytes(b"\0" * 4096)
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(cloud["data_dir"] / "clouds.yaml"))
    result = subprocess.run(
        [str(VENV / "bin" / "openstack"), "--os-cloud", "novalite", "image", "create",
         "--public", "--disk-format", "raw", "--file", str(disk), "tiny"],
        env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_readme_states_the_rule_this_test_follows():
    text = (ROOT / "README.md").read_text()
    commands = readme_commands(text)
    assert commands[0].split("#")[0].split() == ["make", "up"], "the first command"
    assert "tests/functional/test_readme.py" in text
    assert f"OS_CLIENT_CONFIG_FILE={DATA_DIR}/clouds.yaml" in text
    from novalite.cmd.up import DEFAULT_DATA_DIR

    assert DEFAULT_DATA_DIR == DATA_DIR  # what the temporary HOME stands in for
    assert readme_commands("```sh\na \\\n  b   # c\n\n# d\n```\n```text\ne\n```\n") == [
        "a    b   # c"]


def test_every_readme_command_works_after_make_up(cloud, tmp_path):
    add_stand_in_tiny_image(cloud, tmp_path)
    commands = [c for c in readme_commands((ROOT / "README.md").read_text())
                if not already_done(c)]
    assert any(c.startswith("openstack ") for c in commands)
    assert any(c.startswith("novalite-manage ") for c in commands)
    script = ["run() {",
              "  printf 'readme-test$ %s\\n' \"$1\"",
              "  eval \"$1\" || { status=$?; printf 'README command failed (exit %d): %s\\n'"
              " \"$status\" \"$1\" >&2; exit 1; }",
              "}"]
    script += [f"run {shlex.quote(as_run_here(command))}" for command in commands]
    result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=ROOT,
                            env=newcomer_env(cloud["home"]), capture_output=True, text=True,
                            timeout=240)
    assert result.returncode == 0, (
        f"{result.stderr}\n--- output\n{result.stdout}\n--- novalite up\n"
        + "".join(cloud["lines"][-40:]))
    ran = [line for line in result.stdout.splitlines() if line.startswith("readme-test$ ")]
    assert len(ran) == len(commands)
    assert "login:" in result.stdout  # the console log of the README's guest
