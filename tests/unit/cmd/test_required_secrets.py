"""The secrets each service needs before it starts (novalite.cmd.required_secrets)."""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Iterator

import pytest
from oslo_config import cfg

from novalite.cmd import manage, required_secrets
from novalite.conf import CONF, list_opts
from novalite.identity import fernet

STRONG = "a-strong-secret-of-enough-length"


@pytest.fixture
def secrets_conf(conf, tmp_path) -> Iterator[cfg.ConfigOpts]:
    """Every secret set and a key repository with keys: nothing is missing."""
    CONF.set_override("metadata_proxy_shared_secret", STRONG, "neutron")
    CONF.set_override("password", STRONG, "neutron")
    CONF.set_override("password", STRONG, "nova")
    CONF.set_override("key_repository", str(tmp_path / "keys"), "fernet_tokens")
    fernet.setup_keys()
    yield CONF
    for group, name in (("neutron", "metadata_proxy_shared_secret"), ("neutron", "password"),
                        ("nova", "password"), ("fernet_tokens", "key_repository"),
                        ("keystone_authtoken", "validation"),
                        ("keystone_authtoken", "password"),
                        ("neutron", "service_metadata_proxy")):
        CONF.clear_override(name, group)


@pytest.mark.parametrize("value, reason", [
    ("", "is empty"), ("   ", "is empty"), ("changeme", "placeholder"),
    ("Password", "placeholder"), ("short", "shorter than 8")])
def test_weak_values_are_named(value, reason):
    assert reason in (required_secrets.weakness(value) or "")


def test_a_long_random_value_is_accepted():
    assert required_secrets.weakness(STRONG) is None


def test_nothing_missing_when_every_secret_is_set(secrets_conf):
    for binary in required_secrets.CHECKS:
        assert required_secrets.problems(binary) == [], binary
    assert required_secrets.problems("novalite-conductor") == []  # verifies no secret


@pytest.mark.parametrize("binary", ["novalite-metadata", "novalite-compute"])
def test_empty_metadata_secret_stops_the_services_that_sign_or_verify(secrets_conf, binary):
    CONF.set_override("metadata_proxy_shared_secret", "", "neutron")
    [problem] = required_secrets.problems(binary)
    assert problem.startswith("[neutron] metadata_proxy_shared_secret is empty: set it")
    with pytest.raises(SystemExit) as raised:
        required_secrets.require(binary)
    assert f"{binary}: refusing to start" in str(raised.value)
    assert "metadata_proxy_shared_secret" in str(raised.value)
    assert required_secrets.problems("novalite-api") == []


def test_no_secret_needed_when_the_metadata_api_finds_instances_by_address(secrets_conf):
    CONF.set_override("metadata_proxy_shared_secret", "", "neutron")
    CONF.set_override("service_metadata_proxy", False, "neutron")
    assert required_secrets.problems("novalite-metadata") == []


def test_compute_needs_its_service_password(secrets_conf):
    CONF.set_override("password", "", "neutron")
    [problem] = required_secrets.problems("novalite-compute")
    assert problem.startswith("[neutron] password is empty")


def test_volume_needs_the_nova_password(secrets_conf):
    CONF.set_override("password", "password", "nova")
    [problem] = required_secrets.problems("novalite-volume")
    assert "[nova] password is the placeholder 'password'" in problem


def test_apis_need_fernet_keys_for_local_validation(secrets_conf, tmp_path):
    CONF.set_override("key_repository", str(tmp_path / "none"), "fernet_tokens")
    for binary in ("novalite-identity", "novalite-api", "novalite-image", "novalite-network"):
        [problem] = required_secrets.problems(binary)
        assert "[fernet_tokens] key_repository" in problem
        assert "novalite-manage fernet setup" in problem


def test_a_corrupt_fernet_key_is_refused(secrets_conf, tmp_path):
    repo = tmp_path / "bad"
    repo.mkdir()
    (repo / "0").write_text("not-a-key")
    CONF.set_override("key_repository", str(repo), "fernet_tokens")
    [problem] = required_secrets.problems("novalite-identity")
    assert "no usable Fernet key" in problem


def test_remote_validation_needs_the_service_password(secrets_conf, tmp_path):
    CONF.set_override("validation", "remote", "keystone_authtoken")
    CONF.set_override("key_repository", str(tmp_path / "none"), "fernet_tokens")
    [problem] = required_secrets.problems("novalite-image")
    assert problem.startswith("[keystone_authtoken] password is empty")
    CONF.set_override("password", STRONG, "keystone_authtoken")
    assert required_secrets.problems("novalite-image") == []
    assert required_secrets.problems("novalite-identity") != []  # it issues tokens


def test_generated_file_is_private_parses_and_satisfies_every_check(conf, tmp_path):
    path = tmp_path / "secrets.conf"
    assert manage._secrets_generate(argparse.Namespace(output_file=str(path))) == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    parsed = cfg.ConfigOpts()
    for group, opts in list_opts():
        parsed.register_opts(opts, group=None if group == "DEFAULT" else group)
    parsed([], default_config_files=[str(path)])
    secret = parsed.neutron.metadata_proxy_shared_secret
    assert required_secrets.weakness(secret) is None and len(secret) >= 40
    # one service user: the three passwords are the same value
    assert parsed.neutron.password == parsed.nova.password == parsed.keystone_authtoken.password
    assert required_secrets.weakness(parsed.neutron.password) is None
    assert parsed.neutron.password != secret
    # an existing file keeps its secrets
    before = path.read_text()
    assert manage._secrets_generate(argparse.Namespace(output_file=str(path))) == 1
    assert path.read_text() == before


def test_two_generations_differ():
    first, second = required_secrets.generate(), required_secrets.generate()
    assert first["neutron"] != second["neutron"]
