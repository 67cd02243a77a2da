"""The Compute API over HTTP (requests and openstacksdk): flavors, key pairs, quotas,
limits, services, availability zones, microversions, faults and authorization."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from novalite.api.compute import app as compute_app
from novalite.api.compute import microversions
from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.db import flavors as flavor_db
from novalite.db import instances as instance_db
from novalite.db import service_store

PROJECT_A = "aaaaaaaa00000000000000000000000a"
PROJECT_B = "bbbbbbbb00000000000000000000000b"
TOKENS = {
    "admin": dict(user_id="admin-user", project_id="adminproject",
                  roles=["admin", "member", "reader"]),
    "member-a": dict(user_id="user-a", project_id=PROJECT_A, roles=["member", "reader"]),
    "reader-a": dict(user_id="reader-a", project_id=PROJECT_A, roles=["reader"]),
    "member-b": dict(user_id="user-b", project_id=PROJECT_B, roles=["member", "reader"]),
}


class FixedTokens:
    def validate(self, token: str) -> RequestContext:
        if token not in TOKENS:
            raise exception.NotAuthenticated()
        return RequestContext(auth_token=token, **TOKENS[token])  # type: ignore[arg-type]


@pytest.fixture
def api(db: str) -> Iterator[str]:
    flavor_db.ensure_default_flavors()
    server = wsgi.Server("osapi_compute", compute_app.make_app(FixedTokens()), "127.0.0.1", 0)
    server.start()
    yield server.url
    server.stop()


def call(api: str, method: str, path: str, token: str | None = "member-a",
         version: str | None = None, **kwargs: Any) -> requests.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token:
        headers["X-Auth-Token"] = token
    if version:
        headers["OpenStack-API-Version"] = f"compute {version}"
    return requests.request(method, f"{api}/v2.1{path}", headers=headers, timeout=30, **kwargs)


def test_version_documents_are_public(api: str) -> None:
    root = requests.get(f"{api}/", timeout=10)
    assert root.status_code == 200
    (v21,) = root.json()["versions"]
    assert (v21["id"], v21["version"], v21["min_version"]) == ("v2.1", "2.100", "2.1")
    document = requests.get(f"{api}/v2.1/", timeout=10).json()["version"]
    assert document["version"] == str(microversions.MAX)
    assert document["links"][0]["href"] == f"{api}/v2.1/"
    assert requests.get(f"{api}/v2.1", timeout=10).status_code == 200


def test_unauthenticated_gets_keystone_style_401(api: str) -> None:
    for token in (None, "bogus"):
        response = call(api, "GET", "/flavors", token=token)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == 401


def test_microversion_negotiation(api: str) -> None:
    plain = call(api, "GET", "/flavors")
    assert plain.headers["OpenStack-API-Version"] == "compute 2.1"
    assert "OpenStack-API-Version" in plain.headers["Vary"]
    latest = call(api, "GET", "/flavors", version="latest")
    assert latest.headers["OpenStack-API-Version"] == "compute 2.100"
    legacy = call(api, "GET", "/flavors", headers={"X-OpenStack-Nova-API-Version": "2.53"})
    assert legacy.headers["X-OpenStack-Nova-API-Version"] == "2.53"
    too_new = call(api, "GET", "/flavors", version="2.200")
    assert too_new.status_code == 406
    assert too_new.json()["computeFault"]["message"] == (
        "Version 2.200 is not supported by the API. Minimum is 2.1 and maximum is 2.100.")
    malformed = call(api, "GET", "/flavors", version="2.x")
    assert malformed.status_code == 400
    assert "is of invalid format" in malformed.json()["badRequest"]["message"]


def test_fault_shapes_and_project_in_url(api: str) -> None:
    missing = call(api, "GET", "/flavors/nope")
    assert missing.json() == {"itemNotFound": {"code": 404,
                                               "message": "Flavor nope could not be found."}}
    assert call(api, "GET", f"/{PROJECT_A}/flavors/1").json()["flavor"]["links"][0][
        "href"].endswith(f"/v2.1/{PROJECT_A}/flavors/1")
    wrong = call(api, "GET", f"/{PROJECT_B}/flavors")
    assert wrong.status_code == 400 and "badRequest" in wrong.json()
    assert call(api, "DELETE", "/limits").status_code == 405
    assert "itemNotFound" in call(api, "GET", "/nothing-here").json()


def test_malformed_bodies_are_400(api: str) -> None:
    for body in (b"{not json", b"[]", b""):
        response = call(api, "POST", "/flavors", token="admin", data=body,
                        headers={"Content-Type": "application/json", "Accept": ""})
        assert response.status_code == 400, body
        assert "badRequest" in response.json()
    bad = call(api, "POST", "/flavors", token="admin",
               json={"flavor": {"name": "x", "ram": -1, "vcpus": 1, "disk": 0}})
    assert bad.status_code == 400
    assert bad.json()["badRequest"]["message"].startswith("Invalid input for field/attribute")
    extra = call(api, "POST", "/os-keypairs", json={"keypair": {"name": "k", "bogus": 1}})
    assert extra.status_code == 400


def test_flavor_lifecycle_and_private_access(api: str) -> None:
    listed = call(api, "GET", "/flavors/detail", version="2.61").json()["flavors"]
    assert [(f["id"], f["name"], f["vcpus"], f["ram"], f["disk"]) for f in listed] == [
        ("1", "m1.tiny", 1, 128, 1), ("2", "m1.small", 1, 256, 2), ("3", "m1.medium", 2, 512, 5)]
    assert listed[0]["swap"] == "" and listed[0]["extra_specs"] == {}
    assert call(api, "GET", "/flavors/1", version="2.75").json()["flavor"]["swap"] == 0
    assert call(api, "POST", "/flavors", token="member-a",
                json={"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 0}}
                ).status_code == 403
    created = call(api, "POST", "/flavors", token="admin", version="2.55", json={"flavor": {
        "name": "secret", "ram": 64, "vcpus": 1, "disk": 0, "id": "s1",
        "os-flavor-access:is_public": False, "description": "private one"}})
    assert created.status_code == 200, created.text
    assert created.json()["flavor"]["os-flavor-access:is_public"] is False
    assert call(api, "POST", "/flavors", token="admin", json={"flavor": {
        "name": "secret", "ram": 64, "vcpus": 1, "disk": 0}}).status_code == 409
    assert call(api, "GET", "/flavors/s1").status_code == 404
    assert "s1" not in [f["id"] for f in call(api, "GET", "/flavors").json()["flavors"]]
    granted = call(api, "POST", "/flavors/s1/action", token="admin",
                   json={"addTenantAccess": {"tenant": PROJECT_A}})
    assert granted.json() == {"flavor_access": [{"flavor_id": "s1", "tenant_id": PROJECT_A}]}
    assert call(api, "GET", "/flavors/s1").status_code == 200
    assert call(api, "GET", "/flavors/s1", token="member-b").status_code == 404
    assert call(api, "GET", "/flavors/s1/os-flavor-access", token="admin").json()[
        "flavor_access"][0]["tenant_id"] == PROJECT_A
    assert call(api, "POST", "/flavors/1/action", token="admin", version="2.7",
                json={"addTenantAccess": {"tenant": PROJECT_A}}).status_code == 409
    admin_private = call(api, "GET", "/flavors?is_public=false", token="admin").json()
    assert [f["id"] for f in admin_private["flavors"]] == ["s1"]
    assert len(call(api, "GET", "/flavors?is_public=None", token="admin").json()[
        "flavors"]) == 4
    updated = call(api, "PUT", "/flavors/s1", token="admin", version="2.55",
                   json={"flavor": {"description": "new"}})
    assert updated.json()["flavor"]["description"] == "new"
    assert call(api, "PUT", "/flavors/s1", token="admin",
                json={"flavor": {"description": "new"}}).status_code == 404
    specs = call(api, "POST", "/flavors/s1/os-extra_specs", token="admin",
                 json={"extra_specs": {"hw:cpu_policy": "dedicated"}})
    assert specs.json() == {"extra_specs": {"hw:cpu_policy": "dedicated"}}
    assert call(api, "PUT", "/flavors/s1/os-extra_specs/hw:cpu_policy", token="admin",
                json={"hw:cpu_policy": "shared"}).json() == {"hw:cpu_policy": "shared"}
    assert call(api, "PUT", "/flavors/s1/os-extra_specs/a", token="admin",
                json={"b": "x"}).status_code == 400
    assert call(api, "GET", "/flavors/s1/os-extra_specs/hw:cpu_policy").json() == {
        "hw:cpu_policy": "shared"}
    assert call(api, "DELETE", "/flavors/s1/os-extra_specs/hw:cpu_policy",
                token="admin").status_code == 200
    assert call(api, "GET", "/flavors/s1/os-extra_specs/hw:cpu_policy").status_code == 404
    assert call(api, "DELETE", "/flavors/s1", token="admin").status_code == 202
    assert call(api, "GET", "/flavors/s1", token="admin").status_code == 404


def test_flavor_filters_and_paging(api: str) -> None:
    assert [f["id"] for f in call(api, "GET", "/flavors?minRam=200&minDisk=3").json()[
        "flavors"]] == ["3"]
    assert call(api, "GET", "/flavors?minRam=abc").status_code == 400
    page = call(api, "GET", "/flavors?limit=2").json()
    assert [f["id"] for f in page["flavors"]] == ["1", "2"]
    assert "marker=2" in page["flavors_links"][0]["href"]
    rest = call(api, "GET", "/flavors?limit=2&marker=2").json()
    assert [f["id"] for f in rest["flavors"]] == ["3"] and "flavors_links" not in rest
    assert [f["id"] for f in call(api, "GET", "/flavors?sort_key=memory_mb&sort_dir=desc")
            .json()["flavors"]] == ["3", "2", "1"]
    assert call(api, "GET", "/flavors?marker=zz").status_code == 400
    assert call(api, "GET", "/flavors?sort_key=bogus").status_code == 400


def test_keypairs_generate_import_and_isolation(api: str) -> None:
    generated = call(api, "POST", "/os-keypairs", version="2.10",
                     json={"keypair": {"name": "gen"}})
    assert generated.status_code == 201
    key = generated.json()["keypair"]
    assert key["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert key["public_key"].startswith("ssh-rsa ") and key["type"] == "ssh"
    assert len(key["fingerprint"].split(":")) == 16
    v21 = call(api, "POST", "/os-keypairs", json={"keypair": {"name": "old"}})
    assert v21.status_code == 200 and "type" not in v21.json()["keypair"]
    x509 = call(api, "POST", "/os-keypairs", version="2.2",
                json={"keypair": {"name": "cert", "type": "x509"}}).json()["keypair"]
    assert x509["public_key"].startswith("-----BEGIN CERTIFICATE-----")
    assert len(x509["fingerprint"].split(":")) == 20
    ed25519 = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l"
               "9GKJl user@host")
    imported = call(api, "POST", "/os-keypairs", version="2.92",
                    json={"keypair": {"name": "ed", "public_key": ed25519}})
    assert imported.status_code == 201, imported.text
    assert imported.json()["keypair"]["fingerprint"] == (
        "65:96:2d:fc:e8:d5:a9:11:64:0c:0f:ea:00:6e:5b:bd")  # ssh-keygen -E md5 -l
    assert call(api, "POST", "/os-keypairs", version="2.92",
                json={"keypair": {"name": "nokey"}}).status_code == 400
    assert call(api, "POST", "/os-keypairs", version="2.92", json={"keypair": {
        "name": "ed", "public_key": ed25519}}).status_code == 409
    assert call(api, "POST", "/os-keypairs", json={"keypair": {
        "name": "bad", "public_key": "ssh-rsa notbase64!"}}).status_code == 400
    names = [k["keypair"]["name"] for k in call(api, "GET", "/os-keypairs", version="2.35")
             .json()["keypairs"]]
    assert names == ["cert", "ed", "gen", "old"]
    page = call(api, "GET", "/os-keypairs?limit=2&marker=ed", version="2.35").json()
    assert [k["keypair"]["name"] for k in page["keypairs"]] == ["gen", "old"]
    shown = call(api, "GET", "/os-keypairs/gen", version="2.10").json()["keypair"]
    assert shown["user_id"] == "user-a" and shown["deleted"] is False
    assert call(api, "GET", "/os-keypairs/gen", token="member-b").status_code == 404
    assert call(api, "GET", "/os-keypairs?user_id=user-a", token="member-b",
                version="2.10").status_code == 403
    assert len(call(api, "GET", "/os-keypairs?user_id=user-a", token="admin",
                    version="2.10").json()["keypairs"]) == 4
    assert call(api, "POST", "/os-keypairs", token="reader-a",
                json={"keypair": {"name": "r"}}).status_code == 403
    assert call(api, "DELETE", "/os-keypairs/gen", version="2.2").status_code == 204
    assert call(api, "DELETE", "/os-keypairs/old").status_code == 202
    assert call(api, "DELETE", "/os-keypairs/old").status_code == 404


def _add_instance(project_id: str, vcpus: int, ram: int, host: str | None = None) -> None:
    ctxt = RequestContext(user_id="u", project_id=project_id, roles=["member"])
    instance_db.create_instances(ctxt, [{"project_id": project_id, "user_id": "u",
                                         "vcpus": vcpus, "memory_mb": ram, "host": host}])


def test_quotas_and_limits(api: str) -> None:
    shown = call(api, "GET", f"/os-quota-sets/{PROJECT_A}", version="2.57").json()["quota_set"]
    assert shown == {"id": PROJECT_A, "instances": 10, "cores": 20, "ram": 51200,
                     "metadata_items": 128, "key_pairs": 100, "server_groups": 10,
                     "server_group_members": 10}
    old = call(api, "GET", f"/os-quota-sets/{PROJECT_A}").json()["quota_set"]
    assert old["injected_files"] == 5 and old["floating_ips"] == 10
    assert call(api, "GET", f"/os-quota-sets/{PROJECT_A}", token="member-b").status_code == 403
    assert call(api, "PUT", f"/os-quota-sets/{PROJECT_A}", token="member-a",
                json={"quota_set": {"instances": 50}}).status_code == 403
    _add_instance(PROJECT_A, 2, 512)
    _add_instance(PROJECT_A, 2, 512)
    assert call(api, "PUT", f"/os-quota-sets/{PROJECT_A}", token="admin",
                json={"quota_set": {"instances": 1}}).status_code == 400
    updated = call(api, "PUT", f"/os-quota-sets/{PROJECT_A}", token="admin", version="2.57",
                   json={"quota_set": {"instances": 5, "cores": "8"}})
    assert updated.status_code == 200, updated.text
    assert updated.json()["quota_set"]["instances"] == 5
    assert "id" not in updated.json()["quota_set"]
    assert call(api, "PUT", f"/os-quota-sets/{PROJECT_A}", token="admin",
                json={"quota_set": {"bogus": 1}}).status_code == 400
    detail = call(api, "GET", f"/os-quota-sets/{PROJECT_A}/detail", version="2.57").json()
    assert detail["quota_set"]["instances"] == {"limit": 5, "in_use": 2, "reserved": 0}
    assert detail["quota_set"]["ram"] == {"limit": 51200, "in_use": 1024, "reserved": 0}
    absolute = call(api, "GET", "/limits", version="2.57").json()["limits"]["absolute"]
    assert (absolute["maxTotalInstances"], absolute["totalInstancesUsed"],
            absolute["maxTotalCores"], absolute["totalCoresUsed"],
            absolute["totalRAMUsed"], absolute["maxTotalKeypairs"]) == (5, 2, 8, 4, 1024, 100)
    assert "maxPersonality" not in absolute
    other = call(api, "GET", f"/limits?tenant_id={PROJECT_A}", token="admin").json()
    assert other["limits"]["absolute"]["maxTotalInstances"] == 5
    assert call(api, "GET", f"/os-quota-sets/{PROJECT_A}/defaults").json()["quota_set"][
        "instances"] == 10
    assert call(api, "DELETE", f"/os-quota-sets/{PROJECT_A}", token="admin").status_code == 202
    assert call(api, "GET", f"/os-quota-sets/{PROJECT_A}").json()["quota_set"][
        "instances"] == 10


def test_services_and_availability_zones(api: str) -> None:
    service_store.report("cn1", "novalite-compute", "compute")
    service_store.report("ctl", "novalite-conductor", "conductor")
    assert call(api, "GET", "/os-services").status_code == 403
    listed = call(api, "GET", "/os-services", token="admin", version="2.69").json()["services"]
    compute = next(s for s in listed if s["binary"] == "nova-compute")
    assert (compute["host"], compute["zone"], compute["status"], compute["state"],
            compute["forced_down"]) == ("cn1", "nova", "enabled", "up", False)
    assert len(compute["id"]) == 36
    assert next(s for s in listed if s["binary"] == "nova-conductor")["zone"] == "internal"
    old = call(api, "GET", "/os-services?binary=nova-compute", token="admin").json()
    assert [s["host"] for s in old["services"]] == ["cn1"]
    assert isinstance(old["services"][0]["id"], int) and "forced_down" not in old["services"][0]
    disabled = call(api, "PUT", f"/os-services/{compute['id']}", token="admin", version="2.53",
                    json={"status": "disabled", "disabled_reason": "maintenance"})
    assert disabled.status_code == 200, disabled.text
    assert (disabled.json()["service"]["status"],
            disabled.json()["service"]["disabled_reason"]) == ("disabled", "maintenance")
    assert call(api, "PUT", f"/os-services/{compute['id']}", token="admin", version="2.53",
                json={"status": "enabled", "disabled_reason": "x"}).status_code == 400
    down = call(api, "PUT", f"/os-services/{compute['id']}", token="admin", version="2.53",
                json={"forced_down": True}).json()["service"]
    assert (down["forced_down"], down["state"]) == (True, "down")
    legacy = call(api, "PUT", "/os-services/enable", token="admin",
                  json={"host": "cn1", "binary": "nova-compute"})
    assert legacy.json() == {"service": {"host": "cn1", "binary": "nova-compute",
                                         "status": "enabled"}}
    assert call(api, "PUT", "/os-services/enable", token="admin", version="2.53",
                json={"host": "cn1", "binary": "nova-compute"}).status_code == 404
    zones = call(api, "GET", "/os-availability-zone").json()["availabilityZoneInfo"]
    assert zones == [{"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}]
    detail = call(api, "GET", "/os-availability-zone/detail", token="admin").json()
    by_zone = {z["zoneName"]: z for z in detail["availabilityZoneInfo"]}
    assert set(by_zone) == {"nova", "internal"}
    assert by_zone["internal"]["hosts"]["ctl"]["nova-conductor"]["available"] is True
    _add_instance(PROJECT_A, 1, 128, host="cn1")
    assert call(api, "DELETE", f"/os-services/{compute['id']}", token="admin",
                version="2.53").status_code == 409
    conductor = next(s for s in listed if s["binary"] == "nova-conductor")
    assert call(api, "DELETE", f"/os-services/{conductor['id']}", token="admin",
                version="2.53").status_code == 204
    assert call(api, "DELETE", f"/os-services/{conductor['id']}", token="admin",
                version="2.53").status_code == 404
