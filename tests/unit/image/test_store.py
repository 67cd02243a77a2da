"""The file store: hashing while streaming, atomic placement, cleanup on failure."""

import hashlib
import os

import pytest

from novalite.image import store


def test_add_hashes_and_places_file(tmp_path):
    files = store.FileStore(str(tmp_path / "images"))
    chunks = [b"a" * 1000, b"", b"b" * 10]
    stored = files.add("img", iter(chunks), size_cap=2000)
    data = b"".join(chunks)
    assert stored.size == len(data)
    assert stored.checksum == hashlib.md5(data).hexdigest()
    assert (stored.os_hash_algo, stored.os_hash_value) == (
        "sha512", hashlib.sha512(data).hexdigest())
    assert b"".join(files.iter_data("img", chunk_size=7)) == data
    assert os.listdir(tmp_path / "images") == ["img"]
    files.delete("img")
    files.delete("img")
    assert not files.exists("img")


def test_over_cap_leaves_nothing(tmp_path):
    files = store.FileStore(str(tmp_path))
    with pytest.raises(store.ImageTooLarge):
        files.add("img", iter([b"x" * 10, b"y" * 10]), size_cap=15)
    assert os.listdir(tmp_path) == []


def test_failing_stream_leaves_nothing(tmp_path):
    def broken():
        yield b"data"
        raise OSError("client went away")

    files = store.FileStore(str(tmp_path))
    with pytest.raises(OSError):
        files.add("img", broken(), size_cap=100)
    assert os.listdir(tmp_path) == []


def test_qcow2_virtual_size():
    header = b"QFI\xfb" + bytes(20) + (5 * 2**30).to_bytes(8, "big")
    assert store.qcow2_virtual_size(header) == 5 * 2**30
    assert store.qcow2_virtual_size(b"\0" * 64) is None
    assert store.qcow2_virtual_size(b"QFI") is None
