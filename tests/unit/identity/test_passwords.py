from __future__ import annotations

import pytest

from novalite.conf import CONF
from novalite.identity import passwords


@pytest.fixture(autouse=True)
def cheap_hash():
    CONF.set_override("password_hash_memory_kib", 1024, "identity")
    CONF.set_override("password_hash_time_cost", 1, "identity")
    yield
    CONF.clear_override("password_hash_memory_kib", "identity")
    CONF.clear_override("password_hash_time_cost", "identity")


def test_hash_and_verify() -> None:
    hashed = passwords.hash_password("s3cret")
    assert hashed.startswith("$argon2id$") and "s3cret" not in hashed
    assert "m=1024,t=1" in hashed
    assert passwords.verify(hashed, "s3cret")
    assert not passwords.verify(hashed, "S3cret")
    assert passwords.hash_password("s3cret") != hashed  # salted


def test_verify_without_a_usable_hash_is_false() -> None:
    assert not passwords.verify(None, "anything")
    assert not passwords.verify("", "anything")
    assert not passwords.verify("not-a-hash", "anything")
    assert not passwords.verify(passwords.hash_password("x"), None)  # type: ignore[arg-type]


def test_needs_rehash_follows_the_configured_cost() -> None:
    hashed = passwords.hash_password("pw")
    assert not passwords.needs_rehash(hashed)
    CONF.set_override("password_hash_time_cost", 2, "identity")
    assert passwords.needs_rehash(hashed)
    assert passwords.verify(hashed, "pw")  # old hashes still verify
