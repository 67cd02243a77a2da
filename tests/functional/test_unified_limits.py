"""Unified limits: identity's registered and project limits (Keystone's API, checks and
errors), and the Compute API enforcing them with ``[quota] driver = unified_limits``."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from openstack import exceptions as sdk_exceptions

from tests.functional.test_cloud_sdk import connect
from tests.functional.test_identity_assignments import Admin, _error, _token


def _service(admin: Admin, service_type: str) -> dict[str, Any]:
    return admin.call("GET", f"/services?type={service_type}", 200)["services"][0]  # type: ignore[no-any-return]


def test_registered_and_project_limits(identity):
    admin = Admin(identity)
    project_id = _token(identity)[1]["project"]["id"]
    compute = _service(admin, "compute")
    assert admin.call("GET", "/limits/model", 200)["model"]["name"] == "flat"
    created = admin.call("POST", "/registered_limits", 201, json={"registered_limits": [
        {"service_id": compute["id"], "resource_name": "servers", "default_limit": 10,
         "description": "servers per project"},
        {"service_id": compute["id"], "resource_name": "class:VCPU", "default_limit": 20,
         "region_id": "RegionOne"}]})["registered_limits"]
    assert [(r["resource_name"], r["default_limit"], r["region_id"]) for r in created] == [
        ("servers", 10, None), ("class:VCPU", 20, "RegionOne")]
    servers = created[0]
    listed = admin.call("GET", f"/registered_limits?service_id={compute['id']}"
                        "&resource_name=servers", 200)["registered_limits"]
    assert [r["id"] for r in listed] == [servers["id"]]
    _error(requests.post(f"{identity}/v3/registered_limits", headers=admin.headers,
                         timeout=10, json={"registered_limits": [{
                             "service_id": compute["id"], "resource_name": "servers",
                             "default_limit": 3}]}), 409)
    for bad in ({"service_id": "nope", "resource_name": "x", "default_limit": 1},
                {"service_id": compute["id"], "resource_name": "x", "default_limit": -2},
                {"service_id": compute["id"], "resource_name": "x", "default_limit": True},
                {"service_id": compute["id"], "resource_name": "x", "default_limit": 1,
                 "region_id": "Atlantis"},
                {"service_id": compute["id"], "default_limit": 1}):
        _error(requests.post(f"{identity}/v3/registered_limits", headers=admin.headers,
                             timeout=10, json={"registered_limits": [bad]}), 400)
    limit = admin.call("POST", "/limits", 201, json={"limits": [{
        "service_id": compute["id"], "project_id": project_id, "resource_name": "servers",
        "resource_limit": 5}]})["limits"][0]
    assert (limit["project_id"], limit["resource_limit"], limit["service_id"]) == (
        project_id, 5, compute["id"])
    _error(requests.post(f"{identity}/v3/limits", headers=admin.headers, timeout=10,
                         json={"limits": [{"service_id": compute["id"],
                                           "project_id": project_id,
                                           "resource_name": "servers",
                                           "resource_limit": 6}]}), 409)
    refused = requests.post(f"{identity}/v3/limits", headers=admin.headers, timeout=10,
                            json={"limits": [{"service_id": compute["id"],
                                              "project_id": project_id,
                                              "resource_name": "class:MEMORY_MB",
                                              "resource_limit": 6}]})
    assert "no corresponding registered limit" in _error(refused, 403)
    # a registered limit with project limits may be neither changed nor deleted
    for method in ("PATCH", "DELETE"):
        _error(requests.request(method, f"{identity}/v3/registered_limits/{servers['id']}",
                                headers=admin.headers, timeout=10,
                                json={"registered_limit": {"default_limit": 1}}), 403)
    updated = admin.call("PATCH", f"/limits/{limit['id']}", 200, json={"limit": {
        "resource_limit": 7, "description": "more"}})["limit"]
    assert (updated["resource_limit"], updated["description"]) == (7, "more")
    _error(requests.patch(f"{identity}/v3/limits/{limit['id']}", headers=admin.headers,
                          timeout=10, json={"limit": {"project_id": "other"}}), 400)
    assert [item["id"] for item in admin.call(
        "GET", f"/limits?project_id={project_id}&resource_name=servers", 200)["limits"]] == [
        limit["id"]]
    # a project member reads its own project's limits only
    demo_id, demo = _token(identity, "demo", "demo-secret", {"project": {
        "name": "demo", "domain": {"id": "default"}}})
    demo_headers = {"X-Auth-Token": demo_id}
    assert requests.get(f"{identity}/v3/limits", headers=demo_headers,
                        timeout=10).json()["limits"] == []
    _error(requests.get(f"{identity}/v3/limits/{limit['id']}", headers=demo_headers,
                        timeout=10), 403)
    assert len(requests.get(f"{identity}/v3/registered_limits", headers=demo_headers,
                            timeout=10).json()["registered_limits"]) == 2
    _error(requests.post(f"{identity}/v3/registered_limits", headers=demo_headers, timeout=10,
                         json={"registered_limits": [{"service_id": compute["id"],
                                                      "resource_name": "y",
                                                      "default_limit": 1}]}), 403)
    admin.call("DELETE", f"/limits/{limit['id']}", 204)
    admin.call("GET", f"/limits/{limit['id']}", 404)
    moved = admin.call("PATCH", f"/registered_limits/{servers['id']}", 200, json={
        "registered_limit": {"default_limit": 4}})["registered_limit"]
    assert moved["default_limit"] == 4
    admin.call("DELETE", f"/registered_limits/{servers['id']}", 204)
    admin.call("GET", f"/registered_limits/{servers['id']}", 404)
    assert demo["project"]["name"] == "demo"


@pytest.fixture
def unified(cloud, conf):
    conf.set_override("driver", "nova.quota.UnifiedLimitsDriver", "quota")
    yield cloud
    conf.clear_override("driver", "quota")


def test_compute_quota_from_unified_limits(unified, tmp_path):
    cloud = unified
    admin = Admin(cloud["identity"])
    compute = _service(admin, "compute")
    demo_project = admin.call("GET", "/projects?name=demo", 200)["projects"][0]
    sdk_admin = connect(cloud, "admin", "admin-secret", "admin")
    demo = connect(cloud, "demo", "demo-secret", "demo")
    path = tmp_path / "disk.raw"
    path.write_bytes(b"\0" * 1024)
    image = sdk_admin.image.create_image(name="ul", filename=str(path), disk_format="raw",
                                         container_format="bare", visibility="public")
    flavor = sdk_admin.compute.create_flavor(name="ul-f", ram=128, vcpus=2, disk=1)

    def boot(name: str) -> Any:
        return demo.compute.create_server(name=name, flavor_id=flavor.id, image_id=image.id,
                                          networks="none")

    # "servers" is required (Nova's default strategy): without a registered limit, none
    with pytest.raises(sdk_exceptions.ForbiddenException, match="instances"):
        boot("none-allowed")
    admin.call("POST", "/registered_limits", 201, json={"registered_limits": [
        {"service_id": compute["id"], "resource_name": "servers", "default_limit": 5},
        {"service_id": compute["id"], "resource_name": "class:VCPU", "default_limit": 3},
        {"service_id": compute["id"], "resource_name": "server_key_pairs",
         "default_limit": 1}]})
    first = boot("first")
    with pytest.raises(sdk_exceptions.ForbiddenException, match="cores"):
        boot("over-vcpus")  # 2 + 2 > 3
    admin.call("POST", "/limits", 201, json={"limits": [{
        "service_id": compute["id"], "project_id": demo_project["id"],
        "resource_name": "servers", "resource_limit": 1}]})
    admin.call("POST", "/limits", 201, json={"limits": [{
        "service_id": compute["id"], "project_id": demo_project["id"],
        "resource_name": "class:VCPU", "resource_limit": -1}]})
    with pytest.raises(sdk_exceptions.ForbiddenException, match="instances"):
        boot("over-servers")  # the project's own limit: 1
    limits = demo.compute.get("/limits").json()["limits"]["absolute"]
    assert (limits["maxTotalInstances"], limits["maxTotalCores"],
            limits["maxTotalRAMSize"], limits["totalInstancesUsed"]) == (1, -1, -1, 1)
    quota = demo.compute.get(f"/os-quota-sets/{demo_project['id']}").json()["quota_set"]
    assert (quota["instances"], quota["cores"], quota["key_pairs"]) == (1, -1, 1)
    # os-quota-sets updates change nothing: the limits live in identity
    changed = sdk_admin.compute.put(f"/os-quota-sets/{demo_project['id']}",
                                    json={"quota_set": {"instances": 50}})
    assert changed.status_code == 200 and changed.json()["quota_set"]["instances"] == 1
    demo.compute.create_keypair(name="one")
    with pytest.raises(sdk_exceptions.ForbiddenException):
        demo.compute.create_keypair(name="two")
    demo.compute.delete_server(first)
