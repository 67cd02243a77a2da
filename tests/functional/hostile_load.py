"""A bounded hostile-input run against a running ``novalite up`` on loopback.

Every route of the five APIs (read from their route tables) is sent malformed, huge and
deeply nested bodies, path parameters that are not UTF-8, integers past every range,
oversized and undecodable headers, with an admin token, while the RSS of the cloud's
process is watched. ``tools/hostile-load`` is the command line; the functional test
``test_hostile_memory`` runs it and asserts no 5xx and a bounded RSS.

The run is bounded: ``requests`` requests at most, ``seconds`` at most, one or a few
client threads; it only talks to 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import http.client
import itertools
import json
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

DEEP = b"[" * 100_000 + b"]" * 100_000
HUGE_INT = 10**30
PARAM = re.compile(r"\{(\w+)\}")
BAD_PARAMS = ("00000000-0000-0000-0000-000000000000", "%FF%FE", "1", "9" * 40, "x" * 300,
              "default", "-1", "%00", "..%2F..%2Fetc", "%E2%82%AC%C2%B2")


def routes() -> dict[str, list[tuple[str, str]]]:
    """(method, path template) of every route of every API, by API name."""
    from novalite.api.compute import app as compute_app
    from novalite.identity.api import auth, catalog, resources
    from novalite.image.api import data, images, members, schemas, versions
    from novalite.network.api import misc, networks, ports, quotas, security_groups, subnets

    tables = {
        "compute": compute_app.RESOURCES,
        "identity": (auth, resources, catalog),
        "image": (versions, schemas, images, data, members),
        "network": (misc, quotas, networks, subnets, ports, security_groups),
    }
    found = {api: [(route.method, ("/v2.1" if api == "compute" else "") + route.path)
                   for module in modules for route in module.ROUTES]
             for api, modules in tables.items()}
    found["metadata"] = [("GET", "/"), ("GET", "/openstack/latest/meta_data.json"),
                         ("POST", "/openstack/latest/password"), ("GET", "/latest/meta-data/")]
    return found


def bodies(big: int) -> Iterator[tuple[str, bytes]]:
    """(content type, body) pairs, hostile in turn."""
    yield "application/json", DEEP
    yield "application/json", b'{"a": ' + b"1" * 5000 + b"}"
    yield "application/json", json.dumps({"x": HUGE_INT, "server": {"name": HUGE_INT},
                                          "flavor": {"ram": HUGE_INT}}).encode()
    yield "application/json", b"\xff\xfe\x00{not json"
    yield "application/json", b'{"a": "' + b"x" * big + b'"}'
    yield "application/json", b"[" + b"1," * (big // 2) + b"1]"
    yield "application/json", b"[" + b"{}," * (big // 3) + b"{}]"
    yield "application/octet-stream", b"\0" * 1024
    yield "application/json", b'{"network": {"mtu": 1e400, "name": null}}'
    yield "application/json", json.dumps({"quota_set": {"instances": -HUGE_INT}}).encode()


def headers_variants(token: str) -> Iterator[dict[str, str]]:
    yield {"X-Auth-Token": token}
    yield {"X-Auth-Token": token, "OpenStack-API-Version": "compute latest"}
    yield {"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.999999999999999999"}
    yield {"X-Auth-Token": token, "X-Openstack-Request-Id": "\udcfe" * 10,
           "X-Subject-Token": "\udcff" + "y" * 300}
    yield {"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.1"}
    yield {"X-Auth-Token": token + "\udcff"}
    yield {"X-Auth-Token": token, "Content-Length": "10"}
    yield {"X-Auth-Token": "x" * 8000}


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise ValueError(f"no VmRSS for {pid}")


@dataclasses.dataclass
class Result:
    sent: int = 0
    by_status: dict[int, int] = dataclasses.field(default_factory=dict)
    server_errors: list[str] = dataclasses.field(default_factory=list)
    connection_errors: int = 0
    rss_idle_kib: int = 0
    rss_max_kib: int = 0
    rss_end_kib: int = 0
    seconds: float = 0.0
    latency_max: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {"sent": self.sent, "by_status": dict(sorted(self.by_status.items())),
                "server_errors": len(self.server_errors),
                "connection_errors": self.connection_errors,
                "rss_idle_mib": round(self.rss_idle_kib / 1024, 1),
                "rss_max_mib": round(self.rss_max_kib / 1024, 1),
                "rss_end_mib": round(self.rss_end_kib / 1024, 1),
                "seconds": round(self.seconds, 1), "latency_max_s": round(self.latency_max, 2)}


def _encode_headers(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode(), v.encode("utf-8", "surrogateescape")) for k, v in headers.items()]


def send(base: str, method: str, path: str, headers: dict[str, str], body: bytes | None,
         timeout: float = 60.0) -> int:
    """One request byte for byte (no re-quoting of the path); its status (0: no answer)."""
    parsed = urllib.parse.urlsplit(base)
    target = parsed.path.rstrip("/") + path
    raw = [f"{method} ".encode() + target.encode("latin-1", "replace") + b" HTTP/1.1",
           f"Host: {parsed.hostname}:{parsed.port}".encode(), b"Connection: close"]
    given_length = None
    for key, value in _encode_headers(headers):
        if key.lower() == b"content-length":
            given_length = value
            continue
        raw.append(key + b": " + value)
    if body is not None:
        raw.append(b"Content-Length: " + (given_length or str(len(body)).encode()))
    request = b"\r\n".join(raw) + b"\r\n\r\n" + (body or b"")
    with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 80),
                                  timeout=timeout) as sock:
        try:
            sock.sendall(request)
        except OSError:
            pass  # the server may answer (413) and close before it read everything
        response = http.client.HTTPResponse(sock, method=method)
        try:
            response.begin()
        except (http.client.HTTPException, OSError):
            return 0
        try:
            response.read()
        except (http.client.HTTPException, OSError):
            pass  # the status is what counts
        return response.status


def requests_plan(urls: dict[str, str], token: str, big: int
                  ) -> Iterator[tuple[str, str, str, dict[str, str], bytes | None]]:
    """(api, method, path, headers, body) round after round over every route."""
    table = routes()
    body_cycle = itertools.cycle(list(bodies(big)))
    header_cycle = itertools.cycle(list(headers_variants(token)))
    param_cycle = itertools.cycle(BAD_PARAMS)
    while True:
        for api, entries in table.items():
            if api not in urls:
                continue
            for method, template in entries:
                path = PARAM.sub(lambda _m: next(param_cycle), template)
                content_type, body = next(body_cycle)
                headers = {**next(header_cycle), "Content-Type": content_type}
                yield api, method, path, headers, (body if method in ("POST", "PUT", "PATCH")
                                                   else None)


def run(urls: dict[str, str], token: str, pid: int | None, requests: int = 3000,
        seconds: float = 600.0, threads: int = 4, big: int = 2 * 1024 * 1024) -> Result:
    """Send at most ``requests`` hostile requests over ``threads`` connections within
    ``seconds``; watch ``pid``'s RSS (KiB) every 0.2 s."""
    result = Result()
    if pid is not None:
        result.rss_idle_kib = result.rss_max_kib = rss_kib(pid)
    plan = requests_plan(urls, token, big)
    lock = threading.Lock()
    stop = threading.Event()
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def worker() -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            with lock:
                if result.sent >= requests:
                    return
                result.sent += 1
                api, method, path, headers, body = next(plan)
            began = time.monotonic()
            try:
                status = send(urls[api], method, path, headers, body)
            except OSError:
                status = 0
            took = time.monotonic() - began
            with lock:
                result.latency_max = max(result.latency_max, took)
                result.by_status[status] = result.by_status.get(status, 0) + 1
                if status == 0:
                    result.connection_errors += 1
                elif status >= 500:
                    result.server_errors.append(f"{status} {api} {method} {path}")

    def watch() -> None:
        while pid is not None and not stop.wait(0.2):
            result.rss_max_kib = max(result.rss_max_kib, rss_kib(pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    stop.set()
    watcher.join()
    result.seconds = time.monotonic() - started
    if pid is not None:
        result.rss_end_kib = rss_kib(pid)
        result.rss_max_kib = max(result.rss_max_kib, result.rss_end_kib)
    return result


def cloud_urls(clouds_yaml: str, metadata_port: int | None = None
               ) -> tuple[str, dict[str, str]]:
    """An admin token and the base URL of each API of the cloud of ``clouds_yaml``."""
    import requests as http
    import yaml

    with open(clouds_yaml) as handle:
        auth = yaml.safe_load(handle)["clouds"]["novalite"]["auth"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": auth["username"], "domain": {"name": auth["user_domain_name"]},
        "password": auth["password"]}}}, "scope": {"project": {
            "name": auth["project_name"], "domain": {"name": auth["project_domain_name"]}}}}}
    response = http.post(f"{auth['auth_url']}/auth/tokens", json=body, timeout=30)
    response.raise_for_status()
    urls: dict[str, str] = {}
    for service in response.json()["token"]["catalog"]:
        url = next(e["url"] for e in service["endpoints"] if e["interface"] == "public")
        parsed = urllib.parse.urlsplit(url)
        name = {"identity": "identity", "image": "image", "network": "network",
                "compute": "compute"}.get(service["type"])
        if name:
            urls[name] = f"{parsed.scheme}://{parsed.netloc}"
    if metadata_port:
        urls["metadata"] = f"http://127.0.0.1:{metadata_port}"
    return response.headers["X-Subject-Token"], urls
