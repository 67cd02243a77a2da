"""A reproducible newc ("070701") cpio writer and reader, in pure Python.

The kernel unpacks an initramfs from this format. The writer takes the whole
tree as entries, sorts them by path and stamps every one with the same mtime,
owner root and sequential inode numbers, so the same inputs always give the
same bytes (no dependence on the build host's clock, users or directory order).
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import stat
from collections.abc import Iterable

MAGIC = b"070701"
TRAILER = "TRAILER!!!"
_FIELDS = 13  # ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor
#             namesize check


@dataclasses.dataclass(frozen=True)
class Entry:
    """One file in the archive: a directory, regular file, symlink or device node."""

    path: str  # relative, no leading slash: "bin/busybox"
    mode: int  # full st_mode, type bits included
    data: bytes = b""  # file contents, or the link target for a symlink
    rdev: tuple[int, int] = (0, 0)  # (major, minor) for device nodes

    @classmethod
    def directory(cls, path: str, perm: int = 0o755) -> Entry:
        return cls(path, stat.S_IFDIR | perm)

    @classmethod
    def file(cls, path: str, data: bytes, perm: int = 0o644) -> Entry:
        return cls(path, stat.S_IFREG | perm, data)

    @classmethod
    def symlink(cls, path: str, target: str) -> Entry:
        return cls(path, stat.S_IFLNK | 0o777, target.encode())

    @classmethod
    def chardev(cls, path: str, major: int, minor: int, perm: int = 0o600) -> Entry:
        return cls(path, stat.S_IFCHR | perm, b"", (major, minor))


def _pad(length: int) -> bytes:
    return b"\0" * (-length % 4)


def _header(ino: int, entry: Entry, mtime: int, nlink: int) -> bytes:
    name = entry.path.encode() + b"\0"
    fields = (ino, entry.mode, 0, 0, nlink, mtime, len(entry.data), 0, 0,
              entry.rdev[0], entry.rdev[1], len(name), 0)
    head = MAGIC + b"".join(b"%08X" % value for value in fields) + name
    return head + _pad(len(head))


def write(entries: Iterable[Entry], mtime: int = 0) -> bytes:
    """Returns the uncompressed archive, entries sorted by path, parents first."""
    by_path: dict[str, Entry] = {}
    for entry in entries:
        path = entry.path.strip("/")
        if not path or path in by_path:
            raise ValueError(f"empty or duplicate cpio path: {entry.path!r}")
        by_path[path] = dataclasses.replace(entry, path=path)
    out = io.BytesIO()
    for ino, path in enumerate(sorted(by_path), start=1):
        entry = by_path[path]
        nlink = 2 if stat.S_ISDIR(entry.mode) else 1
        out.write(_header(ino, entry, mtime, nlink))
        out.write(entry.data + _pad(len(entry.data)))
    out.write(_header(0, Entry(TRAILER, 0), 0, 1))
    # The kernel reads the archive in 512-byte blocks, as cpio(1) writes it.
    out.write(b"\0" * (-out.tell() % 512))
    return out.getvalue()


def write_gzip(entries: Iterable[Entry], mtime: int = 0) -> bytes:
    """The archive gzip-compressed with no name and a zero timestamp in the header."""
    raw = write(entries, mtime)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    return buffer.getvalue()


def read(archive: bytes) -> list[Entry]:
    """Parses a newc archive (gzip-compressed or not) back into entries."""
    if archive[:2] == b"\x1f\x8b":
        archive = gzip.decompress(archive)
    entries: list[Entry] = []
    offset = 0
    while True:
        if archive[offset:offset + 6] != MAGIC:
            raise ValueError(f"bad cpio magic at offset {offset}")
        raw = archive[offset + 6:offset + 6 + 8 * _FIELDS]
        fields = [int(raw[i:i + 8], 16) for i in range(0, len(raw), 8)]
        mode, filesize = fields[1], fields[6]
        rdev = (fields[9], fields[10])
        namesize = fields[11]
        name_start = offset + 6 + 8 * _FIELDS
        name = archive[name_start:name_start + namesize - 1].decode()
        data_start = name_start + namesize
        data_start += -data_start % 4
        data = archive[data_start:data_start + filesize]
        offset = data_start + filesize
        offset += -offset % 4
        if name == TRAILER:
            return entries
        entries.append(Entry(name, mode, data, rdev))
