"""The file store: image data as one file per image under ``filesystem_store_datadir``.

Uploads stream into a temporary file in the same directory, hashing as they go
(size, md5 ``checksum``, sha512 ``os_hash_value``), and are renamed into place
only when complete, so a reader never sees a partial file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator

from novalite.common import exception

CHUNK_SIZE = 1024 * 1024
HASH_ALGO = "sha512"
QCOW2_HEADER = 32


class ImageTooLarge(exception.NovaliteException):
    msg_fmt = "Image exceeds the storage quota: %(reason)s"
    code = 413


class SizeMismatch(exception.Invalid):
    msg_fmt = "%(reason)s"


@dataclasses.dataclass(frozen=True)
class StoredImage:
    path: str
    size: int
    checksum: str
    os_hash_algo: str
    os_hash_value: str
    qcow2_virtual_size: int | None = None


class FileStore:
    def __init__(self, datadir: str) -> None:
        self.datadir = os.path.abspath(os.path.expanduser(datadir))

    def path(self, image_id: str) -> str:
        return os.path.join(self.datadir, image_id)

    def add(self, image_id: str, chunks: Iterable[bytes], size_cap: int,
            expected_sizes: dict[str, int] | None = None) -> StoredImage:
        """Write ``chunks`` as the data of ``image_id``; nothing is left behind on failure.
        The size is what was received: past ``size_cap`` a 413, different from one of
        ``expected_sizes`` (what declares it → bytes) a 400."""
        os.makedirs(self.datadir, exist_ok=True)
        md5 = hashlib.md5(usedforsecurity=False)
        multihash = hashlib.new(HASH_ALGO)
        size = 0
        head = b""
        fd, tmp_path = tempfile.mkstemp(prefix=f".{image_id}.", suffix=".tmp", dir=self.datadir)
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    if not chunk:
                        continue
                    size += len(chunk)
                    if size > size_cap:
                        raise ImageTooLarge(reason=f"more than {size_cap} bytes")
                    if len(head) < QCOW2_HEADER:
                        head += chunk[:QCOW2_HEADER]
                    md5.update(chunk)
                    multihash.update(chunk)
                    handle.write(chunk)
                handle.flush()
                written = os.fstat(handle.fileno()).st_size
            for source, expected in (expected_sizes or {}).items():
                if size != expected:
                    raise SizeMismatch(reason=f"The image data is {size} bytes but {source} "
                                              f"says {expected}.")
            if written != size:
                raise SizeMismatch(reason=f"{written} of {size} bytes reached the store.")
            os.replace(tmp_path, self.path(image_id))
        except BaseException:
            _unlink(tmp_path)
            raise
        return StoredImage(self.path(image_id), size, md5.hexdigest(), HASH_ALGO,
                           multihash.hexdigest(), qcow2_virtual_size(head))

    def exists(self, image_id: str) -> bool:
        return os.path.isfile(self.path(image_id))

    def iter_data(self, image_id: str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The image's bytes in chunks; the file is opened now, so a missing one fails early."""
        handle = open(self.path(image_id), "rb")  # noqa: SIM115 - closed by the generator

        def generate() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(chunk_size):
                    yield chunk

        return generate()

    def delete(self, image_id: str) -> None:
        _unlink(self.path(image_id))


def qcow2_virtual_size(head: bytes) -> int | None:
    """The virtual size a qcow2 header declares (bytes 24-31, big-endian), else None."""
    if len(head) >= QCOW2_HEADER and head[:4] == b"QFI\xfb":
        return int.from_bytes(head[24:32], "big")
    return None


def _unlink(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
