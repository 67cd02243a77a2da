"""Where volumes live, one backend per entry of ``[volume] enabled_backends``:
``file`` (``novalite.volume.backends.file``) or ``iscsi`` (``...iscsi``, tgt)."""

from __future__ import annotations

import os

from novalite.conf import CONF
from novalite.volume.backends.base import Backend, ConnectionInfo, Connector
from novalite.volume.backends.qemu_img import BackendError

KINDS = ("file", "iscsi")

__all__ = ["KINDS", "Backend", "BackendError", "ConnectionInfo", "Connector", "load"]


def load(name: str) -> Backend:
    """The backend ``name`` (its files under ``[volume] volumes_path/<name>``)."""
    path = os.path.join(os.path.expanduser(CONF.volume.volumes_path), name)
    if name == "file":
        from novalite.volume.backends.file import FileBackend

        return FileBackend(name, path)
    if name == "iscsi":
        from novalite.volume.backends.iscsi import IscsiBackend

        return IscsiBackend(name, path)
    raise BackendError(reason=f"Unknown volume backend {name!r} in [volume] "
                              f"enabled_backends (known: {', '.join(KINDS)})")
