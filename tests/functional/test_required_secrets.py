"""The console scripts refuse to start without the shared secrets they verify, and say
which option to set; ``novalite-manage secrets generate`` makes a file that satisfies
them (the separate-process deployment of tests/integration runs on it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = os.path.dirname(sys.executable)
REPOSITORY = Path(__file__).resolve().parents[2]


def run(binary: str, *config: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPOSITORY))
    arguments = [a for path in config for a in ("--config-file", str(path))]
    return subprocess.run([os.path.join(BIN, binary), *arguments], capture_output=True,
                          text=True, timeout=60, env=env)


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "novalite.conf"
    path.write_text(f"[DEFAULT]\nstate_path = {tmp_path}\ntransport_url = kombu+memory:////\n"
                    f"[database]\nconnection = sqlite:///{tmp_path}/db.sqlite\n{text}")
    return path


@pytest.mark.parametrize("binary", ["novalite-metadata", "novalite-compute"])
@pytest.mark.parametrize("value", ["", "changeme"])
def test_empty_or_default_metadata_secret_refuses_to_start(tmp_path, binary, value):
    result = run(binary, config(tmp_path, f"[neutron]\nmetadata_proxy_shared_secret = {value}\n"
                                          "password = a-long-service-password\n"))
    assert result.returncode != 0
    assert f"{binary}: refusing to start" in result.stderr
    assert "[neutron] metadata_proxy_shared_secret" in result.stderr
    assert "novalite-manage secrets generate" in result.stderr
    assert "Traceback" not in result.stderr


def test_identity_without_fernet_keys_refuses_to_start(tmp_path):
    result = run("novalite-identity", config(tmp_path, ""))
    assert result.returncode != 0
    assert "[fernet_tokens] key_repository" in result.stderr
    assert "novalite-manage fernet setup" in result.stderr


def test_generated_secrets_satisfy_every_service(tmp_path):
    secrets = tmp_path / "secrets.conf"
    made = run("novalite-manage", config(tmp_path, ""))  # no command: usage, exit 2
    assert made.returncode == 2
    env = dict(os.environ, PYTHONPATH=str(REPOSITORY))
    subprocess.run([os.path.join(BIN, "novalite-manage"), "secrets", "generate",
                    "--output-file", str(secrets)], check=True, env=env, timeout=60)
    base = config(tmp_path, "")
    manage = [os.path.join(BIN, "novalite-manage"), "--config-file", str(secrets),
              "--config-file", str(base)]
    before = subprocess.run([*manage, "secrets", "check"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert before.returncode == 1  # no Fernet keys yet
    assert "novalite-metadata: ok" in before.stdout
    assert "novalite-compute: ok" in before.stdout
    assert "novalite-identity: refuses to start" in before.stdout
    subprocess.run([*manage, "fernet", "setup"], check=True, env=env, timeout=60,
                   capture_output=True)
    after = subprocess.run([*manage, "secrets", "check"], capture_output=True, text=True,
                           env=env, timeout=60)
    assert after.returncode == 0, after.stdout
    assert "refuses" not in after.stdout
