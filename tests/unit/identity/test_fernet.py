from __future__ import annotations

import os
import stat

import pytest
from cryptography.fernet import InvalidToken

from novalite.common import exception
from novalite.conf import CONF
from novalite.identity import fernet


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "keys"
    CONF.set_override("key_repository", str(path), "fernet_tokens")
    CONF.set_override("max_active_keys", 3, "fernet_tokens")
    yield path
    CONF.clear_override("key_repository", "fernet_tokens")
    CONF.clear_override("max_active_keys", "fernet_tokens")


def _names(path) -> list[int]:
    return sorted(int(name) for name in os.listdir(path))


def test_setup_is_idempotent_and_private(repo) -> None:
    fernet.setup_keys()
    assert _names(repo) == [0, 1]
    primary = (repo / "1").read_bytes()
    fernet.setup_keys()
    assert _names(repo) == [0, 1] and (repo / "1").read_bytes() == primary
    assert stat.S_IMODE(os.stat(repo).st_mode) == 0o700
    for name in ("0", "1"):
        assert stat.S_IMODE(os.stat(repo / name).st_mode) == 0o600


def test_rotate_promotes_staged_and_prunes(repo) -> None:
    fernet.setup_keys()
    staged = (repo / "0").read_bytes()
    fernet.rotate_keys()
    assert _names(repo) == [0, 1, 2]
    assert (repo / "2").read_bytes() == staged
    fernet.rotate_keys()
    fernet.rotate_keys()
    assert _names(repo) == [0, 3, 4]  # staged + max_active_keys - 1 others


def test_old_primary_still_decrypts_after_one_rotation(repo) -> None:
    fernet.setup_keys()
    token = fernet.load_keys().encrypt(b"payload")
    fernet.rotate_keys()
    keys = fernet.load_keys()
    assert keys.decrypt(token) == b"payload"
    new = keys.encrypt(b"x")
    with pytest.raises(InvalidToken):  # the new primary is the former staged key
        from cryptography.fernet import Fernet
        Fernet((repo / "1").read_bytes()).decrypt(new)
    fernet.rotate_keys()
    fernet.rotate_keys()
    with pytest.raises(InvalidToken):  # pruned
        fernet.load_keys().decrypt(token)


def test_staged_key_is_accepted_before_it_signs(repo) -> None:
    from cryptography.fernet import Fernet

    fernet.setup_keys()
    token = Fernet((repo / "0").read_bytes()).encrypt(b"from another host")
    assert fernet.load_keys().decrypt(token) == b"from another host"


def test_load_notices_a_change_made_elsewhere(repo, monkeypatch) -> None:
    fernet.setup_keys()
    first = fernet.load_keys()
    assert fernet.load_keys() is first  # cached
    # Another process rotates: bypass this process's cache invalidation.
    os.replace(repo / "0", repo / "2")
    (repo / "0").write_bytes(b"")
    os.unlink(repo / "0")
    monkeypatch.setattr(fernet, "RELOAD_INTERVAL", 0.0)
    assert fernet.load_keys() is not first


def test_empty_repository_is_a_configuration_error(repo) -> None:
    with pytest.raises(exception.ConfigurationError):
        fernet.load_keys()
