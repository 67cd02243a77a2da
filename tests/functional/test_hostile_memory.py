"""A few thousand hostile requests against `novalite up` (every route of every API: huge,
deep and malformed bodies, paths and headers that are not UTF-8, integers past every
range) get no 5xx, and the process's RSS stays within twice its idle size (a run like it
once drove one process to 22.8 GB: nothing bounded the bodies that were parsed)."""

from __future__ import annotations

import os
import sys

from tests.functional import hostile_load

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
from bench.cloud import start_cloud  # noqa: E402


def test_hostile_requests_keep_rss_bounded_and_get_no_5xx(tmp_path):
    process, clouds, ports = start_cloud(str(tmp_path), with_ports=True)
    try:
        token, urls = hostile_load.cloud_urls(clouds, ports["metadata"])
        assert set(urls) == {"identity", "image", "network", "compute", "metadata"}
        result = hostile_load.run(urls, token, process.pid, requests=3000, seconds=240,
                                  threads=4, big=4 * 1024 * 1024)
    finally:
        process.terminate()
        process.wait(timeout=60)
    summary = result.summary()
    assert result.sent == 3000, summary
    assert result.server_errors == [], result.server_errors[:20]
    assert result.connection_errors == 0, summary
    assert result.by_status.get(413, 0) > 100, summary  # the huge bodies were refused
    assert result.rss_max_kib < 2 * result.rss_idle_kib, summary
