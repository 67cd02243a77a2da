"""The Fernet key repository, laid out as Keystone's.

Files are named by integers: ``0`` is the staged key (the next primary, already
accepted so that every host knows it before it signs with it), the highest number
is the primary key (signs new tokens), the ones between are secondary keys (only
decrypt). Keys are files of mode 0600 in a directory of mode 0700.

``load_keys`` caches the keys and looks at the directory again at most once a
second; any change (a rotation, a key copied in by an operator) shows in the
directory's or a key file's mtime.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time

from cryptography.fernet import Fernet, MultiFernet

from novalite.common import exception
from novalite.conf import CONF

LOG = logging.getLogger(__name__)

RELOAD_INTERVAL = 1.0

_lock = threading.Lock()
_cache: dict[str, tuple[float, tuple[float, ...], MultiFernet]] = {}


def key_repository() -> str:
    return os.path.abspath(os.path.expanduser(CONF.fernet_tokens.key_repository))


def _key_files(repo: str) -> dict[int, str]:
    keys: dict[int, str] = {}
    try:
        names = os.listdir(repo)
    except FileNotFoundError:
        return keys
    for name in names:
        if name.isdigit():
            keys[int(name)] = os.path.join(repo, name)
    return keys


def _write_key(path: str, key: bytes) -> None:
    """Write a key atomically with mode 0600 (never readable by anyone else, even briefly)."""
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _ensure_dir(repo: str) -> None:
    os.makedirs(repo, mode=0o700, exist_ok=True)
    os.chmod(repo, 0o700)


def setup_keys() -> None:
    """Create the repository with a primary and a staged key, unless it has keys already."""
    repo = key_repository()
    with _lock:
        _ensure_dir(repo)
        if _key_files(repo):
            return
        _write_key(os.path.join(repo, "0"), Fernet.generate_key())
        _rotate_locked(repo)


def rotate_keys() -> None:
    """Promote the staged key to primary, stage a new key, prune to ``max_active_keys``."""
    repo = key_repository()
    with _lock:
        _ensure_dir(repo)
        if 0 not in _key_files(repo):
            _write_key(os.path.join(repo, "0"), Fernet.generate_key())
        _rotate_locked(repo)


def _rotate_locked(repo: str) -> None:
    keys = _key_files(repo)
    new_primary = max(keys) + 1
    os.replace(keys[0], os.path.join(repo, str(new_primary)))
    _write_key(os.path.join(repo, "0"), Fernet.generate_key())
    keys = _key_files(repo)
    # Keep the staged key and the newest max_active_keys - 1 others.
    others = sorted((k for k in keys if k != 0), reverse=True)
    keep = max(CONF.fernet_tokens.max_active_keys - 1, 1)
    for index in others[keep:]:
        os.unlink(keys[index])
    LOG.info("Fernet keys rotated: primary key is now %d", new_primary)
    _cache.pop(repo, None)


def _signature(repo: str, keys: dict[int, str]) -> tuple[float, ...]:
    stamps = [os.stat(repo).st_mtime]
    stamps.extend(os.stat(keys[index]).st_mtime for index in sorted(keys))
    return tuple(stamps)


def load_keys() -> MultiFernet:
    """The keys as a MultiFernet: primary first (encrypts), then secondaries, staged last.

    Raises ``ConfigurationError`` when the repository has no keys.
    """
    repo = key_repository()
    now = time.monotonic()
    cached = _cache.get(repo)
    if cached is not None and now - cached[0] < RELOAD_INTERVAL:
        return cached[2]
    with _lock:
        keys = _key_files(repo)
        if not keys:
            raise exception.ConfigurationError(
                reason=f"no Fernet keys in {repo}; run the key setup first")
        try:
            signature = _signature(repo, keys)
        except FileNotFoundError:  # a rotation is under way elsewhere: read again next time
            signature = ()
        if cached is not None and signature and signature == cached[1]:
            _cache[repo] = (now, signature, cached[2])
            return cached[2]
        ordered = sorted(keys, key=lambda index: (index == 0, -index))
        fernets = []
        for index in ordered:
            try:
                with open(keys[index], "rb") as handle:
                    fernets.append(Fernet(handle.read().strip()))
            except FileNotFoundError:  # pruned by a concurrent rotation
                continue
        multi = MultiFernet(fernets)
        _cache[repo] = (now, signature, multi)
        return multi
