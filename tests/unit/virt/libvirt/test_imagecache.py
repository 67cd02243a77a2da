"""The base image cache: checksum verification and clean-up (image service stubbed)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any
from unittest import mock

import pytest
import requests

from novalite.common import service_client
from novalite.common.context import RequestContext
from novalite.virt.driver import VirtDriverError
from novalite.virt.libvirt import imagecache

DATA = b"tiny image bytes" * 1000


class Response:
    def __init__(self, status: int, body: Any = None, data: bytes = b"") -> None:
        self.status_code, self._body, self._data = status, body, data
        self.content = data

    def close(self) -> None:
        pass

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


def fake_image_service(served: bytes, meta: dict[str, Any]) -> Any:
    """The image client's session answering the record and the data of ``img1``."""
    def request(method: str, url: str, **kwargs: Any) -> Response:
        assert kwargs["headers"].get("X-Auth-Token") == "t"
        if url == "http://127.0.0.1:9292/v2/images/img1/file":
            return Response(200, data=served)
        assert url == "http://127.0.0.1:9292/v2/images/img1"
        return Response(200, meta, data=json.dumps(meta).encode())
    return mock.patch.object(service_client._session, "request", request)


def test_fetch_verifies_and_caches(conf: Any, tmp_path: Any) -> None:
    cache = imagecache.ImageCache(str(tmp_path / "_base"))
    with fake_image_service(DATA, record()):
        path, meta = cache.fetch(RequestContext(auth_token="t"), "img1")
    with open(path, "rb") as handle:
        assert handle.read() == DATA
    assert meta["disk_format"] == "raw"


def test_corrupted_download_is_discarded(conf: Any, tmp_path: Any) -> None:
    cache = imagecache.ImageCache(str(tmp_path / "_base"))
    with (fake_image_service(b"X" + DATA[1:], record()),
          pytest.raises(VirtDriverError, match="checksum mismatch for image img1")):
        cache.fetch(RequestContext(auth_token="t"), "img1")
    assert os.listdir(tmp_path / "_base") == []


def test_md5_only_and_bad_ids(conf: Any, tmp_path: Any) -> None:
    cache = imagecache.ImageCache(str(tmp_path / "_base"))
    meta = {**record(), "os_hash_algo": None, "os_hash_value": None, "checksum": "0" * 32}
    with (fake_image_service(DATA, meta),
          pytest.raises(VirtDriverError, match="md5")):
        cache.fetch(RequestContext(auth_token="t"), "img1")
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


def test_image_service_down_or_image_gone(conf: Any, tmp_path: Any) -> None:
    cache = imagecache.ImageCache(str(tmp_path / "_base"))
    refused = requests.ConnectionError("refused")
    with (mock.patch.object(service_client._session, "request", side_effect=refused),
          pytest.raises(VirtDriverError, match="image service is unavailable: it cannot be "
                        "reached")):
        cache.fetch(RequestContext(auth_token="t"), "img1")
    with (mock.patch.object(service_client._session, "request",
                            return_value=Response(404, {"message": "no"}, b"{}")),
          pytest.raises(VirtDriverError, match="Image img1 could not be found")):
        cache.fetch(RequestContext(auth_token="t"), "img1")
    assert os.listdir(tmp_path) == []
