"""Image service benchmark: upload/download MB/s of a 64 MiB image, list latency at 1000 images.

Runs the image API in-process on 127.0.0.1 (ephemeral port) over a scratch SQLite
database (or ``--db-url``), with a fixed-token validator, and prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator

import requests

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.conf import CONF

TOKEN = "bench-token"
PROJECT = uuid.uuid4().hex


class _Validator:
    def validate(self, token: str) -> RequestContext:
        if token != TOKEN:
            raise exception.NotAuthenticated()
        return RequestContext(user_id="bench", project_id=PROJECT,
                              roles=["admin", "member", "reader"], auth_token=token)


def _chunks(total: int, size: int = 1024 * 1024) -> Iterator[bytes]:
    block = os.urandom(size)
    sent = 0
    while sent < total:
        piece = block[: min(size, total - sent)]
        sent += len(piece)
        yield piece


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--list-requests", type=int, default=50)
    parser.add_argument("--db-url", default=None)
    args = parser.parse_args()

    state = tempfile.mkdtemp(prefix="novalite-bench-image-")
    CONF([], project="novalite", default_config_files=[])
    CONF.set_override("state_path", state)
    CONF.set_override("connection", args.db_url or f"sqlite:///{state}/bench.sqlite",
                      "database")
    from novalite.db import migration
    from novalite.image import repository
    from novalite.image.api import make_app

    migration.db_sync()
    server = wsgi.Server("image", make_app(_Validator()), "127.0.0.1", 0, threads=4)
    server.start()
    http = requests.Session()
    http.headers["X-Auth-Token"] = TOKEN
    result: dict[str, object] = {}
    try:
        image = http.post(f"{server.url}/v2/images", json={
            "name": "big", "disk_format": "raw", "container_format": "bare"}, timeout=60).json()
        total = args.size_mib * 1024 * 1024
        started = time.perf_counter()
        response = http.put(f"{server.url}/v2/images/{image['id']}/file",
                            data=_chunks(total), timeout=600,
                            headers={"Content-Type": "application/octet-stream"})
        upload_s = time.perf_counter() - started
        assert response.status_code == 204, response.text
        started = time.perf_counter()
        received = 0
        with http.get(f"{server.url}/v2/images/{image['id']}/file", stream=True,
                      timeout=600) as download:
            for chunk in download.iter_content(1024 * 1024):
                received += len(chunk)
        download_s = time.perf_counter() - started
        assert received == total
        result["image_mib"] = args.size_mib
        result["upload_mb_s"] = round(total / 1e6 / upload_s, 1)
        result["download_mb_s"] = round(total / 1e6 / download_s, 1)

        for index in range(args.images - 1):
            repository.create({"id": str(uuid.uuid4()), "name": f"img-{index:05d}",
                               "owner": PROJECT, "visibility": "private", "status": "queued",
                               "disk_format": "raw", "container_format": "bare"},
                              {"hw_disk_bus": "virtio"}, ["bench"])
        timings = {}
        for label, query in (("default_page", ""), ("limit_1000", "?limit=1000"),
                             ("name_filter", "?name=img-00500")):
            samples = []
            for _ in range(args.list_requests):
                started = time.perf_counter()
                listed = http.get(f"{server.url}/v2/images{query}", timeout=60)
                samples.append((time.perf_counter() - started) * 1000)
                assert listed.status_code == 200
            samples.sort()
            timings[label] = {"p50_ms": round(statistics.median(samples), 2),
                              "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
                              "items": len(listed.json()["images"])}
        result["images"] = args.images
        result["list_latency"] = timings
    finally:
        http.close()
        server.stop()
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
