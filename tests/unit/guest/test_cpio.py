"""The newc cpio writer: round trip, order, reproducibility, framing."""

from __future__ import annotations

import gzip
import stat

import pytest

from novalite.guest import cpio


def _tree() -> list[cpio.Entry]:
    return [
        cpio.Entry.file("sbin/tool", b"#!/bin/sh\necho hi\n", 0o755),
        cpio.Entry.directory("sbin"),
        cpio.Entry.symlink("bin/sh", "/bin/busybox"),
        cpio.Entry.chardev("dev/console", 5, 1),
        cpio.Entry.directory("/bin/"),
        cpio.Entry.file("bin/busybox", bytes(range(256)) * 3 + b"x", 0o755),
        cpio.Entry.directory("dev"),
        cpio.Entry.file("etc/empty", b""),
        cpio.Entry.directory("etc"),
    ]


def test_round_trip_keeps_every_entry_sorted_by_path() -> None:
    parsed = cpio.read(cpio.write(_tree()))
    assert [entry.path for entry in parsed] == [
        "bin", "bin/busybox", "bin/sh", "dev", "dev/console", "etc", "etc/empty", "sbin",
        "sbin/tool"]
    by_path = {entry.path: entry for entry in parsed}
    assert by_path["bin/busybox"].data == bytes(range(256)) * 3 + b"x"
    assert by_path["sbin/tool"].mode == stat.S_IFREG | 0o755
    assert by_path["bin/sh"].data == b"/bin/busybox"
    assert stat.S_ISLNK(by_path["bin/sh"].mode)
    assert by_path["dev/console"].rdev == (5, 1)
    assert stat.S_ISCHR(by_path["dev/console"].mode)
    assert stat.S_ISDIR(by_path["etc"].mode)
    assert by_path["etc/empty"].data == b""


def test_output_is_reproducible_and_independent_of_input_order() -> None:
    tree = _tree()
    assert cpio.write_gzip(tree) == cpio.write_gzip(list(reversed(tree)))
    assert cpio.write(tree, mtime=7) != cpio.write(tree, mtime=0)


def test_framing_matches_the_newc_format() -> None:
    raw = cpio.write([cpio.Entry.file("a", b"12345")], mtime=0x1234)
    assert raw.startswith(b"070701")
    assert len(raw) % 512 == 0
    header = raw[6:6 + 13 * 8]
    fields = [int(header[i:i + 8], 16) for i in range(0, len(header), 8)]
    assert fields[0] == 1            # inode
    assert fields[5] == 0x1234       # mtime
    assert fields[6] == 5            # file size
    assert fields[11] == 2           # "a\0"
    # header (110) + name (2) padded to 112, then data padded to 4
    assert raw[112:117] == b"12345"
    assert raw[120:126] == b"070701"
    assert b"TRAILER!!!\0" in raw


def test_gzip_header_carries_no_time_or_name() -> None:
    archive = cpio.write_gzip(_tree())
    assert archive[4:8] == b"\0\0\0\0"       # MTIME
    assert archive[3] & 0x08 == 0            # no FNAME
    assert gzip.decompress(archive) == cpio.write(_tree())
    assert [e.path for e in cpio.read(archive)] == [e.path for e in cpio.read(
        cpio.write(_tree()))]


def test_duplicate_paths_are_refused() -> None:
    with pytest.raises(ValueError):
        cpio.write([cpio.Entry.directory("bin"), cpio.Entry.directory("/bin")])


def test_reader_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        cpio.read(b"not a cpio archive at all")
