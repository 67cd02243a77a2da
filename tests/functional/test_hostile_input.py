"""Hostile input against every service of the cloud: each answers a clear 400 in its own
fault shape, never a 500 (deeply nested JSON, integers past the database's range, paths
that are not UTF-8)."""

from __future__ import annotations

import http.client
import logging
import urllib.parse
from typing import Any

import pytest
import requests

from tests.functional.conftest import ADMIN_PASSWORD

DEEP = b"[" * 100_000 + b"]" * 100_000
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
