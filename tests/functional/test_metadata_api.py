"""The metadata API over HTTP with instance records in the database: who gets what."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from novalite.api.metadata import handler
from novalite.common import wsgi
from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.db import instances, keypairs

SECRET = "metadata-test-secret"
USER_A = RequestContext(user_id="ua", project_id="proja", roles=["member"])
USER_B = RequestContext(user_id="ub", project_id="projb", roles=["member"])
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtest ua@host\n"


def network_info(address: str) -> list[dict[str, Any]]:
    return [{"id": "5f0c2b8e-1111-4c1e-9d0b-1a2b3c4d5e6f", "address": "fa:16:3e:11:22:33",
             "devname": "tap5f0c2b8e-11", "type": "bridge", "active": True,
             "network": {"id": "net-1", "label": "private", "bridge": "brq1", "mtu": 1500,
                         "subnets": [{"cidr": "127.0.0.0/8", "gateway": "127.0.0.1",
                                      "dns": [], "enable_dhcp": True,
                                      "ips": [{"address": address, "type": "fixed",
                                               "version": 4}]}]}}]


@pytest.fixture
def records(db, monkeypatch) -> dict[str, dict[str, Any]]:
    """Instance A (project a, key pair, user data, fixed IP 127.0.0.2), B (project b,
    127.0.0.3, no user data). Until the instance record carries ``network_info`` the
    reads are given it here, as the column will."""
    keypairs.create("ua", "mykey", KEY, "aa:bb", project_id="proja")
    nets = {"a": network_info("127.0.0.2"), "b": network_info("127.0.0.3")}
    has_column = "network_info" in instances._COLUMNS

    def values(ctxt: RequestContext, name: str, **extra: Any) -> dict[str, Any]:
        result: dict[str, Any] = {
            "project_id": ctxt.project_id, "user_id": ctxt.user_id, "vcpus": 1,
            "memory_mb": 64, "root_gb": 1, "display_name": name, "hostname": name,
            "instance_type_id": "1", "flavor": {"name": "m1.tiny"}, "launch_index": 0,
            "metadata": {"role": name}}
        if has_column:
            result["network_info"] = nets[name]
        result.update(extra)
        return result

    (a,) = instances.create_instances(USER_A, [values(
        USER_A, "a", key_name="mykey", key_data=KEY,
        user_data=base64.b64encode(b"#!/bin/sh\necho from-a\n").decode())], check_quota=False)
    (b,) = instances.create_instances(USER_B, [values(USER_B, "b")], check_quota=False)
    if not has_column:
        by_uuid = {a["uuid"]: nets["a"], b["uuid"]: nets["b"]}
        real_get, real_list = instances.get, instances.list_instances

        def with_net(record: dict[str, Any]) -> dict[str, Any]:
            return {**record, "network_info": by_uuid.get(record["uuid"], [])}

        monkeypatch.setattr(instances, "get", lambda *a, **k: with_net(real_get(*a, **k)))
        monkeypatch.setattr(instances, "list_instances",
                            lambda *a, **k: [with_net(r) for r in real_list(*a, **k)])
    return {"a": a, "b": b}


@pytest.fixture
def metadata_url(db) -> Iterator[str]:
    CONF.set_override("metadata_proxy_shared_secret", SECRET, "neutron")
    server = wsgi.Server("metadata", handler.make_app(cache_expiration=0), "127.0.0.1", 0,
                         threads=4)
    server.start()
    yield server.url
    server.stop()
    CONF.clear_override("metadata_proxy_shared_secret", "neutron")
    CONF.clear_override("service_metadata_proxy", "neutron")


def signed(instance_id: str, tenant_id: str, secret: str = SECRET) -> dict[str, str]:
    return {"X-Instance-ID": instance_id, "X-Tenant-ID": tenant_id,
            "X-Instance-ID-Signature": handler.sign_instance_id(secret, instance_id),
            "X-Forwarded-For": "10.0.0.5"}


def test_signed_request_gets_its_own_metadata(records, metadata_url) -> None:
    a = records["a"]
    response = requests.get(f"{metadata_url}/openstack/latest/meta_data.json",
                            headers=signed(a["uuid"], "proja"), timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["uuid"] == a["uuid"]
    assert (data["name"], data["hostname"], data["project_id"]) == ("a", "a.novalocal",
                                                                     "proja")
    assert data["meta"] == {"role": "a"}
    assert data["public_keys"] == {"mykey": KEY}
    assert data["keys"] == [{"name": "mykey", "type": "ssh", "data": KEY}]
    user_data = requests.get(f"{metadata_url}/openstack/latest/user_data",
                             headers=signed(a["uuid"], "proja"), timeout=10)
    assert user_data.content == b"#!/bin/sh\necho from-a\n"
    ec2 = requests.get(f"{metadata_url}/latest/meta-data/instance-id",
                       headers=signed(a["uuid"], "proja"), timeout=10)
    assert ec2.text == f"i-{a['id']:08x}"
    local = requests.get(f"{metadata_url}/latest/meta-data/local-ipv4",
                         headers=signed(a["uuid"], "proja"), timeout=10)
    assert local.text == "127.0.0.2"
    network = requests.get(f"{metadata_url}/openstack/latest/network_data.json",
                           headers=signed(a["uuid"], "proja"), timeout=10).json()
    assert network["networks"][0]["type"] == "ipv4_dhcp"
    assert requests.get(f"{metadata_url}/openstack", headers=signed(a["uuid"], "proja"),
                        timeout=10).text.splitlines()[-1] == "latest"


def test_user_data_404_when_none(records, metadata_url) -> None:
    b = records["b"]
    for path in ("/openstack/latest/user_data", "/latest/user-data"):
        response = requests.get(metadata_url + path, headers=signed(b["uuid"], "projb"),
                                timeout=10)
        assert response.status_code == 404
    listing = requests.get(f"{metadata_url}/openstack/latest",
                           headers=signed(b["uuid"], "projb"), timeout=10)
    assert "user_data" not in listing.text.splitlines()
    assert "meta_data.json" in listing.text.splitlines()


def test_forged_signature_is_403(records, metadata_url) -> None:
    a = records["a"]
    url = f"{metadata_url}/openstack/latest/meta_data.json"
    for headers in (signed(a["uuid"], "proja", secret="wrong-secret"),
                    {**signed(a["uuid"], "proja"), "X-Instance-ID-Signature": "0" * 64},
                    {**signed(records["b"]["uuid"], "proja"), "X-Instance-ID": a["uuid"]}):
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 403
        assert "Invalid proxy request signature." in response.text
        assert a["uuid"] not in response.text


def test_empty_secret_accepts_no_signature(records, metadata_url) -> None:
    """Were the secret unset (the services refuse to start so), an HMAC made with the
    empty key is still refused rather than trusted."""
    a = records["a"]
    CONF.set_override("metadata_proxy_shared_secret", "", "neutron")
    response = requests.get(f"{metadata_url}/openstack/latest/meta_data.json",
                            headers=signed(a["uuid"], "proja", secret=""), timeout=10)
    assert response.status_code == 403
    assert "Invalid proxy request signature." in response.text


def test_missing_or_repeated_headers_are_400(records, metadata_url) -> None:
    a = records["a"]
    url = f"{metadata_url}/openstack/latest/meta_data.json"
    for missing, message in (("X-Instance-ID", "X-Instance-ID header is missing"),
                             ("X-Instance-ID-Signature", "X-Instance-ID-Signature header is "
                                                         "missing"),
                             ("X-Tenant-ID", "X-Tenant-ID header is missing")):
        headers = signed(a["uuid"], "proja")
        del headers[missing]
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 400
        assert message in response.text
    assert requests.get(url, timeout=10).status_code == 400
    # The same header twice (http.client sends both; the server joins them).
    host, port = metadata_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", "/openstack/latest/meta_data.json")
    for key, value in signed(a["uuid"], "proja").items():
        connection.putheader(key, value)
    connection.putheader("X-Tenant-ID", "projb")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 400
    assert b"Multiple X-Tenant-ID headers" in response.read()
    connection.close()


def test_another_tenant_or_unknown_instance_is_404(records, metadata_url) -> None:
    url = f"{metadata_url}/openstack/latest/meta_data.json"
    # Correctly signed for instance B, but claiming project a: no metadata.
    response = requests.get(url, headers=signed(records["b"]["uuid"], "proja"), timeout=10)
    assert response.status_code == 404
    assert records["b"]["uuid"] not in response.text
    unknown = "3b4c6a1e-0000-4000-8000-000000000000"
    assert requests.get(url, headers=signed(unknown, "proja"), timeout=10).status_code == 404
    instances.soft_delete(USER_A, records["a"]["uuid"])
    assert requests.get(url, headers=signed(records["a"]["uuid"], "proja"),
                        timeout=10).status_code == 404


def test_root_needs_no_identification(records, metadata_url) -> None:
    response = requests.get(f"{metadata_url}/", timeout=10)
    assert response.status_code == 200
    assert response.text.splitlines()[0] == "1.0"
    assert requests.get(f"{metadata_url}/latest/meta-data/", timeout=10).status_code == 400


def get_from(source: str, url: str, path: str) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10,
                                            source_address=(source, 0))
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_source_ip_mode_finds_the_instance_by_fixed_ip(records, metadata_url) -> None:
    CONF.set_override("service_metadata_proxy", False, "neutron")
    path = "/openstack/latest/meta_data.json"
    status, body = get_from("127.0.0.2", metadata_url, path)
    assert status == 200
    assert json.loads(body)["uuid"] == records["a"]["uuid"]
    status, body = get_from("127.0.0.3", metadata_url, path)
    assert status == 200
    assert json.loads(body)["uuid"] == records["b"]["uuid"]
    # Signed headers do not matter in this mode: the source address decides.
    response = requests.get(metadata_url + path, headers=signed(records["a"]["uuid"], "proja"),
                            timeout=10)
    assert response.status_code == 404  # 127.0.0.1 is nobody's fixed IP
    status, _ = get_from("127.0.0.4", metadata_url, path)
    assert status == 404


def test_lookup_error_is_500_without_traceback(db) -> None:
    CONF.set_override("metadata_proxy_shared_secret", SECRET, "neutron")

    def broken(_instance_id: str) -> dict[str, Any] | None:
        raise RuntimeError("database on fire")

    server = wsgi.Server("metadata", handler.make_app(get_instance=broken), "127.0.0.1", 0,
                         threads=2)
    server.start()
    try:
        instance_id = "3b4c6a1e-0000-4000-8000-000000000000"
        response = requests.get(f"{server.url}/openstack/latest/meta_data.json",
                                headers=signed(instance_id, "p"), timeout=10)
        assert response.status_code == 500
        assert "An unknown error has occurred. Please try your request again." in response.text
        assert "fire" not in response.text and "Traceback" not in response.text
    finally:
        server.stop()
        CONF.clear_override("metadata_proxy_shared_secret", "neutron")


def test_cache_serves_until_expiry(records) -> None:
    CONF.set_override("metadata_proxy_shared_secret", SECRET, "neutron")
    now = [1000.0]
    app = handler.MetadataRequestHandler(cache_expiration=15, clock=lambda: now[0])
    a = records["a"]

    def name() -> str:
        meta = app.get_metadata_by_instance_id(a["uuid"], None)
        assert meta is not None
        return meta.meta_data()["name"]

    try:
        assert name() == "a"
        instances.update(USER_A, a["uuid"], {"display_name": "renamed"})
        now[0] += 14
        assert name() == "a"
        now[0] += 2
        assert name() == "renamed"
    finally:
        CONF.clear_override("metadata_proxy_shared_secret", "neutron")


def test_password_post_once_then_get(records, metadata_url) -> None:
    a = records["a"]
    url = f"{metadata_url}/openstack/latest/password"
    headers = signed(a["uuid"], "proja")
    assert requests.get(url, headers=headers, timeout=10).text == ""
    assert requests.post(url, data=b"x" * 1021, headers=headers, timeout=10).status_code == 400
    assert requests.post(url, data=b"encrypted", headers=headers, timeout=10).status_code == 200
    assert requests.post(url, data=b"again", headers=headers, timeout=10).status_code == 409
    assert requests.get(url, headers=headers, timeout=10).text == "encrypted"
    stored = instances.get(None, a["uuid"])["system_metadata"]
    assert stored["password_0"] == "encrypted"
