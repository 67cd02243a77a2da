"""The base image cache: checksum verification and clean-up (image service stubbed)."""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any
from unittest import mock

import pytest

from novalite.common.context import RequestContext
from novalite.virt.driver import VirtDriverError
from novalite.virt.libvirt import imagecache

DATA = b"tiny image bytes" * 1000


class Response:
    def __init__(self, status: int, body: Any = None, data: bytes = b"") -> None:
        self.status_code, self._body, self._data = status, body, data

    def json(self) -> Any:
        return self._body

    def iter_content(self, size: int) -> Any:
        yield from (self._data[i:i + size] for i in range(0, len(self._data), size))

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *args: Any) -> None:
        pass


def record(data: bytes = DATA) -> dict[str, Any]:
    return {"id": "img1", "status": "active", "disk_format": "raw", "size": len(data),
            "checksum": hashlib.md5(data).hexdigest(), "os_hash_algo": "sha512",
            "os_hash_value": hashlib.sha512(data).hexdigest()}


def fake_get(served: bytes, meta: dict[str, Any]) -> Any:
    def get(self: Any, url: str, **kwargs: Any) -> Response:
        return Response(200, data=served) if url.endswith("/file") else Response(200, meta)
    return get


def test_endpoint_from_catalog_then_option(conf: Any) -> None:
    catalog = [{"type": "image", "endpoints": [
        {"interface": "internal", "url": "http://internal"},
        {"interface": "public", "url": "http://public/"}]}]
    assert imagecache.image_endpoint(RequestContext(service_catalog=catalog)) == "http://public"
    assert imagecache.image_endpoint(RequestContext()) == "http://127.0.0.1:9292"
    # no context at all (a clean-up the host started itself): the option too
    assert imagecache.image_endpoint(None) == "http://127.0.0.1:9292"


def test_fetch_verifies_and_caches(conf: Any, tmp_path: Any) -> None:
    cache = imagecache.ImageCache(str(tmp_path / "_base"))
    with mock.patch("requests.Session.get", fake_get(DATA, record())):
        path, meta = cache.fetch(RequestContext(auth_token="t"), "img1")
    with open(path, "rb") as handle:
        assert handle.read() == DATA
    assert meta["disk_format"] == "raw"


def test_corrupted_download_is_discarded(conf: Any, tmp_path: Any) -> None:
    cache = imagecache.ImageCache(str(tmp_path / "_base"))
    with (mock.patch("requests.Session.get", fake_get(b"X" + DATA[1:], record())),
          pytest.raises(VirtDriverError, match="checksum mismatch for image img1")):
        cache.fetch(RequestContext(auth_token="t"), "img1")
    assert os.listdir(tmp_path / "_base") == []


def test_md5_only_and_bad_ids(conf: Any, tmp_path: Any) -> None:
    cache = imagecache.ImageCache(str(tmp_path / "_base"))
    meta = {**record(), "os_hash_algo": None, "os_hash_value": None, "checksum": "0" * 32}
    with (mock.patch("requests.Session.get", fake_get(DATA, meta)),
          pytest.raises(VirtDriverError, match="md5")):
        cache.fetch(RequestContext(), "img1")
    with pytest.raises(VirtDriverError, match="Invalid image id"):
        cache.path("../etc")


def test_cleanup_keeps_used_and_young(tmp_path: Any) -> None:
    base = tmp_path / "_base"
    base.mkdir()
    for name in ("used", "old", "young"):
        (base / name).write_bytes(b"x")
    old = time.time() - 1000
    os.utime(base / "old", (old, old))
    os.utime(base / "used", (old, old))
    cache = imagecache.ImageCache(str(base))
    assert cache.cleanup(["used"], minimum_age=100) == ["old"]
    assert sorted(os.listdir(base)) == ["used", "young"]
