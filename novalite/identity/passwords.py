"""Password hashing with argon2id; the cost comes from ``[identity]``.

Nothing here logs or returns a password. ``verify`` also spends the time of a real
check when there is no hash to compare with, so an unknown user cannot be told
apart from a wrong password by timing.
"""

from __future__ import annotations

import contextlib
import functools

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from novalite.conf import CONF


@functools.lru_cache(maxsize=8)
def _hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1,
                          type=Type.ID)


def _current() -> PasswordHasher:
    return _hasher(CONF.identity.password_hash_memory_kib, CONF.identity.password_hash_time_cost)


@functools.lru_cache(maxsize=8)
def _dummy_hash(memory_kib: int, time_cost: int) -> str:
    return _hasher(memory_kib, time_cost).hash("novalite-no-such-user")


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string, salt and parameters included) of ``password``."""
    return _current().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for no hash or a bad one."""
    if not isinstance(password, str):
        return False
    if not password_hash:
        cost = (CONF.identity.password_hash_memory_kib, CONF.identity.password_hash_time_cost)
        with contextlib.suppress(VerificationError):
            _current().verify(_dummy_hash(*cost), password)
        return False
    try:
        return _current().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other cost parameters than the configured ones."""
    try:
        return _current().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True
