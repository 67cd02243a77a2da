"""Hostile input against every service of the cloud: each answers a clear 400 in its own
fault shape, never a 500 (deeply nested JSON, integers past the database's range, paths
that are not UTF-8)."""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import urllib.parse
from typing import Any

import pytest
import requests

from novalite.common import wsgi
from tests.functional.conftest import ADMIN_PASSWORD

# 50,000 levels fit under the 114,688-byte body limit and would still overflow the stack
DEEP = b"[" * 50_000 + b"]" * 50_000
COMPUTE_HEADERS = {"OpenStack-API-Version": "compute 2.1"}


def _token(identity: str) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
    response = requests.post(f"{identity}/v3/auth/tokens", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


@pytest.fixture
def admin_token(cloud) -> str:
    return _token(cloud["identity"])


def _fault_message(service: str, response: requests.Response) -> str:
    body = response.json()
    if service == "identity":
        assert body["error"]["code"] == response.status_code, body
        return body["error"]["message"]
    if service == "network":
        return body["NeutronError"]["message"]
    if service == "image":
        return response.text
    (fault,) = body.values()
    assert fault["code"] == response.status_code, body
    return fault["message"]


ENDPOINTS = [("identity", "POST", "/v3/auth/tokens"), ("identity", "POST", "/v3/projects"),
             ("compute", "POST", "/servers"), ("compute", "POST", "/flavors"),
             ("network", "POST", "/v2.0/networks"), ("image", "POST", "/v2/images")]


@pytest.mark.parametrize(("service", "method", "path"), ENDPOINTS)
def test_deeply_nested_json_is_400(cloud, admin_token, service, method, path):
    headers = {"X-Auth-Token": admin_token, "Content-Type": "application/json",
               **COMPUTE_HEADERS}
    response = requests.request(method, cloud[service] + path, data=DEEP, headers=headers,
                                timeout=60)
    assert response.status_code == 400, response.text
    assert "nest" in _fault_message(service, response)


def test_unauthenticated_deep_token_request_is_400(cloud):
    response = requests.post(f"{cloud['identity']}/v3/auth/tokens", data=DEEP, timeout=60,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == 400


def _raw(url: str, method: str, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    """Send ``path`` byte for byte (requests would re-quote it)."""
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        connection.request(method, parsed.path + path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("service", ["identity", "compute", "network", "image"])
def test_path_that_is_not_utf8_is_400(cloud, admin_token, service, caplog):
    caplog.set_level(logging.INFO)
    prefix = {"identity": "/v3/projects/", "compute": "/servers/",
              "network": "/v2.0/networks/", "image": "/v2/images/"}[service]
    status, body = _raw(cloud[service], "GET", prefix + "%FF%FE",
                        {"X-Auth-Token": admin_token, **COMPUTE_HEADERS})
    assert status == 400, body
    assert b"UTF-8" in body
    assert any(" 400 " in record.getMessage() and record.name.endswith(".access")
               for record in caplog.records)


HUGE = 10**30


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/flavors", {"flavor": {"name": "huge", "ram": HUGE, "vcpus": 1, "disk": 1}}),
    ("POST", "/flavors", {"flavor": {"name": "huge", "ram": str(HUGE), "vcpus": 1,
                                     "disk": 1}}),
    ("POST", "/flavors", {"flavor": {"name": "huge", "ram": 1, "vcpus": 1, "disk": 1,
                                     "swap": HUGE}}),
    ("POST", "/flavors", {"flavor": {"name": "huge", "ram": 1, "vcpus": 1, "disk": 1,
                                     "rxtx_factor": 1e39}}),
    ("PUT", "/os-quota-sets/demo", {"quota_set": {"instances": HUGE}}),
    ("PUT", "/os-quota-sets/demo", {"quota_set": {"cores": str(HUGE)}}),
    ("DELETE", f"/os-services/{HUGE}", None),
    ("DELETE", "/os-services/\u00b2", None),
])
def test_integers_past_the_database_range_are_400(cloud, admin_token, method, path, body):
    headers = {"X-Auth-Token": admin_token, **COMPUTE_HEADERS}
    response = requests.request(method, cloud["compute"] + path, json=body, headers=headers,
                                timeout=30)
    assert response.status_code == 400, response.text
    assert response.json()["badRequest"]["message"]


LIMIT = 114_688
SERVICES = {"identity": ("POST", "/v3/projects"), "compute": ("POST", "/flavors"),
            "network": ("POST", "/v2.0/networks"), "image": ("POST", "/v2/images")}


def _access_lines(caplog, status: str) -> list[str]:
    return [record.getMessage() for record in caplog.records
            if record.name.endswith(".access") and f" {status} " in record.getMessage()]


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_body_past_the_limit_is_413_in_the_service_fault(cloud, admin_token, service, caplog):
    caplog.set_level(logging.INFO)
    method, path = SERVICES[service]
    headers = {"X-Auth-Token": admin_token, "Content-Type": "application/json",
               **COMPUTE_HEADERS}
    big = b'{"x": "' + b"a" * LIMIT + b'"}'
    response = requests.request(method, cloud[service] + path, data=big, headers=headers,
                                timeout=60)
    assert response.status_code == 413, response.text
    assert "too large" in _fault_message(service, response).lower()
    # without a Content-Length (chunked): bounded all the same
    response = requests.request(method, cloud[service] + path, headers=headers, timeout=60,
                                data=(big[i:i + 8192] for i in range(0, len(big), 8192)))
    assert response.status_code == 413, response.text
    assert "too large" in _fault_message(service, response).lower()
    assert len(_access_lines(caplog, "413")) >= 2
    # at the limit it is parsed (and refused for what it says, not for its size)
    fits = b'{"x": "' + b"a" * (LIMIT - 10) + b'"}'
    response = requests.request(method, cloud[service] + path, data=fits, headers=headers,
                                timeout=60)
    assert response.status_code == 400, response.text


def test_image_data_is_not_bounded_by_the_body_limit(cloud, admin_token):
    headers = {"X-Auth-Token": admin_token}
    image = requests.post(f"{cloud['image']}/v2/images", headers=headers, timeout=30, json={
        "name": "big", "disk_format": "raw", "container_format": "bare"}).json()
    data = os.urandom(3 * LIMIT)
    response = requests.put(f"{cloud['image']}/v2/images/{image['id']}/file", data=data,
                            timeout=60, headers={**headers,
                                                 "Content-Type": "application/octet-stream"})
    assert response.status_code == 204, response.text
    shown = requests.get(f"{cloud['image']}/v2/images/{image['id']}", headers=headers,
                         timeout=30).json()
    assert shown["size"] == len(data)
    downloaded = requests.get(f"{cloud['image']}/v2/images/{image['id']}/file",
                              headers=headers, timeout=30, stream=True)
    assert b"".join(downloaded.iter_content(65536)) == data


def test_image_body_longer_than_its_content_length(cloud, admin_token):
    """The stored size is what the body was (the Content-Length's 10 bytes), and what
    follows it is no second request."""
    headers = {"X-Auth-Token": admin_token}
    image = requests.post(f"{cloud['image']}/v2/images", headers=headers, timeout=30, json={
        "name": "short", "disk_format": "raw", "container_format": "bare"}).json()
    parsed = urllib.parse.urlsplit(cloud["image"])
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as sock:
        sock.sendall(f"PUT /v2/images/{image['id']}/file HTTP/1.1\r\nHost: x\r\n"
                     f"X-Auth-Token: {admin_token}\r\nContent-Type: application/octet-stream\r\n"
                     f"Content-Length: 10\r\n\r\n".encode() + b"0123456789" + b"x" * 3000
                     + b"\r\n\r\n")
        answers = b""
        while chunk := sock.recv(65536):
            answers += chunk
    assert answers.startswith(b"HTTP/1.1 204"), answers[:200]
    rest = answers.split(b"\r\n\r\n", 1)[1]
    assert b"HTTP/1.1 2" not in rest, answers  # the trailing bytes are no request
    shown = requests.get(f"{cloud['image']}/v2/images/{image['id']}", headers=headers,
                         timeout=30).json()
    assert shown["size"] == 10 and shown["status"] == "active"
    data = requests.get(f"{cloud['image']}/v2/images/{image['id']}/file", headers=headers,
                        timeout=30).content
    assert data == b"0123456789"


def test_image_data_shorter_than_the_image_size_is_400(cloud, admin_token):
    """An image whose record says its size (a re-upload) must get exactly that many bytes."""
    from novalite.image import repository

    headers = {"X-Auth-Token": admin_token, "Content-Type": "application/octet-stream"}
    image = requests.post(f"{cloud['image']}/v2/images", headers=headers | {
        "Content-Type": "application/json"}, timeout=30, json={
        "name": "sized", "disk_format": "raw", "container_format": "bare"}).json()
    repository.update(image["id"], {"size": 20})
    url = f"{cloud['image']}/v2/images/{image['id']}/file"
    response = requests.put(url, data=b"x" * 10, headers=headers, timeout=30)
    assert response.status_code == 400, response.text
    assert "says 20" in response.json()["message"]
    shown = requests.get(f"{cloud['image']}/v2/images/{image['id']}", headers=headers,
                         timeout=30).json()
    assert shown["status"] == "queued"
    assert requests.put(url, data=b"y" * 20, headers=headers, timeout=30).status_code == 204


def test_image_data_past_the_size_cap_is_413(cloud, admin_token, conf):
    conf.set_override("image_size_cap", 1000, "image")
    headers = {"X-Auth-Token": admin_token}
    image = requests.post(f"{cloud['image']}/v2/images", headers=headers, timeout=30, json={
        "name": "capped", "disk_format": "raw", "container_format": "bare"}).json()
    url = f"{cloud['image']}/v2/images/{image['id']}/file"
    octets = {**headers, "Content-Type": "application/octet-stream"}
    response = requests.put(url, data=b"x" * 1001, headers=octets, timeout=30)
    assert response.status_code == 413, response.text
    response = requests.put(url, data=iter([b"x" * 600, b"x" * 600]), headers=octets,
                            timeout=30)
    assert response.status_code == 413, response.text
    conf.clear_override("image_size_cap", "image")


@pytest.mark.parametrize("service", ["identity", "compute", "network", "image"])
def test_header_that_is_not_utf8_is_400(cloud, admin_token, service, caplog):
    caplog.set_level(logging.INFO)
    prefix = {"identity": "/v3/projects", "compute": "/servers",
              "network": "/v2.0/networks", "image": "/v2/images"}[service]
    parsed = urllib.parse.urlsplit(cloud[service])
    for header in (b"X-Auth-Token: " + admin_token.encode() + b"\xff",
                   b"X-OpenStack-Request-ID: req-\xfe\xff"):
        with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as sock:
            sock.sendall(b"GET " + parsed.path.encode() + prefix.encode() + b" HTTP/1.1\r\n"
                         b"Host: x\r\nConnection: close\r\n" + header + b"\r\n"
                         b"X-Auth-Token-Ok: 1\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400"), answer[:300]
        assert b"UTF-8" in body and json.loads(body)
    assert len(_access_lines(caplog, "400")) >= 2


def test_malformed_request_gets_the_fault_body_and_a_log_line(cloud, caplog):
    caplog.set_level(logging.INFO)
    parsed = urllib.parse.urlsplit(cloud["compute"])
    with socket.create_connection((parsed.hostname, parsed.port), timeout=30) as sock:
        sock.sendall(b"GET /v2.1 HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer
    assert json.loads(body)["badRequest"]["code"] == 400
    assert _access_lines(caplog, "400")


def test_an_unexpected_error_is_a_fault_and_a_log_line(caplog):
    """Whatever escapes an application is a 500 in its fault format, logged with its line."""
    from novalite.api.compute import faults

    def broken(environ, start_response):
        raise RuntimeError("boom")

    caplog.set_level(logging.INFO)
    server = wsgi.Server("broken", wsgi.guard(broken, faults.fault_body), "127.0.0.1", 0,
                         threads=1)
    server.start()
    try:
        response = requests.get(f"{server.url}/x", timeout=30)
    finally:
        server.stop()
    assert response.status_code == 500
    assert response.json()["computeFault"]["code"] == 500
    assert "boom" not in response.text
    assert any(r.name == "novalite.broken.access" and " 500 " in r.getMessage()
               for r in caplog.records)
