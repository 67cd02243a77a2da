"""Regions with parents, endpoint groups and project endpoints (the catalog a project's
tokens carry), stored policy blobs, and the Keystone APIs out of scope (501), over HTTP."""

from __future__ import annotations

import pytest
import requests

from tests.functional.test_identity_assignments import Admin, _error, _token


@pytest.fixture
def admin(identity: str) -> Admin:
    return Admin(identity)


def test_regions_form_a_tree_without_cycles(admin, identity):
    parent = admin.create("region", id="Europe", description="continent")
    child = admin.create("region", id="Paris", parent_region_id="Europe")
    assert (parent["parent_region_id"], child["parent_region_id"]) == (None, "Europe")
    put = requests.put(f"{identity}/v3/regions/Lyon", headers=admin.headers, timeout=10,
                       json={"region": {"parent_region_id": "Europe"}})
    assert put.status_code == 201 and put.json()["region"]["id"] == "Lyon"
    children = admin.call("GET", "/regions?parent_region_id=Europe", 200)["regions"]
    assert sorted(r["id"] for r in children) == ["Lyon", "Paris"]
    _error(requests.patch(f"{identity}/v3/regions/Europe", headers=admin.headers, timeout=10,
                          json={"region": {"parent_region_id": "Paris"}}), 400)
    _error(requests.post(f"{identity}/v3/regions", headers=admin.headers, timeout=10,
                         json={"region": {"id": "Nowhere", "parent_region_id": "Atlantis"}}),
           400)
    _error(requests.post(f"{identity}/v3/regions", headers=admin.headers, timeout=10,
                         json={"region": {"id": "Europe"}}), 409)
    service = admin.create("service", type="object-store", name="swift")
    endpoint = admin.create("endpoint", service_id=service["id"], interface="public",
                            url="http://swift.example/v1", region_id="Paris")
    _error(requests.delete(f"{identity}/v3/regions/Europe", headers=admin.headers,
                           timeout=10), 403)  # a child region still has an endpoint
    admin.call("DELETE", f"/endpoints/{endpoint['id']}", 204)
    admin.call("DELETE", "/regions/Europe", 204)
    assert {r["id"] for r in admin.call("GET", "/regions", 200)["regions"]} == {"RegionOne"}


def test_endpoint_groups_and_project_endpoints_filter_the_catalog(admin, identity):
    _, token = _token(identity)
    project_id = token["project"]["id"]
    compute = admin.call("GET", "/services?type=compute", 200)["services"][0]
    group = admin.call("POST", "/OS-EP-FILTER/endpoint_groups", 201, json={
        "endpoint_group": {"name": "compute-public", "description": "d",
                           "filters": {"service_id": compute["id"],
                                       "interface": "public"}}})["endpoint_group"]
    assert group["filters"] == {"service_id": compute["id"], "interface": "public"}
    base = f"/OS-EP-FILTER/endpoint_groups/{group['id']}"
    endpoints = admin.call("GET", f"{base}/endpoints", 200)["endpoints"]
    assert [(e["service_id"], e["interface"]) for e in endpoints] == [(compute["id"],
                                                                       "public")]
    admin.call("PUT", f"{base}/projects/{project_id}", 204)
    assert admin.call("GET", f"{base}/projects/{project_id}", 200)["project"]["id"] == \
        project_id
    assert [p["id"] for p in admin.call("GET", f"{base}/projects", 200)["projects"]] == [
        project_id]
    assert [g["id"] for g in admin.call(
        "GET", f"/OS-EP-FILTER/projects/{project_id}/endpoint_groups", 200)[
        "endpoint_groups"]] == [group["id"]]
    # a token of the project now lists only the associated endpoints
    token_id, _ = _token(identity)
    catalog = requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                           headers={"X-Auth-Token": token_id}).json()["catalog"]
    listed = [(s["type"], e["interface"]) for s in catalog for e in s["endpoints"]]
    assert listed == [("compute", "public")]
    # plus one endpoint associated directly
    identity_endpoint = admin.call("GET", "/endpoints?interface=public", 200)["endpoints"]
    keystone = next(e for e in identity_endpoint if e["url"].startswith(identity))
    path = f"/OS-EP-FILTER/projects/{project_id}/endpoints/{keystone['id']}"
    admin.call("PUT", path, 204)
    admin.call("HEAD", path, 204)
    assert {e["id"] for e in admin.call(
        "GET", f"/OS-EP-FILTER/projects/{project_id}/endpoints", 200)["endpoints"]} == {
        keystone["id"], endpoints[0]["id"]}
    assert [p["id"] for p in admin.call(
        "GET", f"/OS-EP-FILTER/endpoints/{keystone['id']}/projects", 200)["projects"]] == [
        project_id]
    token_id, _ = _token(identity)
    catalog = requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                           headers={"X-Auth-Token": token_id}).json()["catalog"]
    assert {(s["type"], e["interface"]) for s in catalog for e in s["endpoints"]} == {
        ("compute", "public"), ("identity", "public")}
    admin.call("DELETE", path, 204)
    admin.call("DELETE", f"{base}/projects/{project_id}", 204)
    renamed = admin.call("PATCH", base, 200, json={"endpoint_group": {"name": "renamed"}})
    assert renamed["endpoint_group"]["name"] == "renamed"
    admin.call("DELETE", base, 204)
    admin.call("GET", base, 404)
    token_id, _ = _token(identity)
    catalog = requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                           headers={"X-Auth-Token": token_id}).json()["catalog"]
    assert len([e for s in catalog for e in s["endpoints"]]) > 2  # no filter left
    _error(requests.post(f"{identity}/v3/OS-EP-FILTER/endpoint_groups", timeout=10,
                         headers=admin.headers, json={"endpoint_group": {
                             "name": "bad", "filters": {"colour": "red"}}}), 400)


def test_policy_blobs_are_stored_as_given(admin, identity):
    blob = '{"compute:get": "role:reader"}'
    created = admin.call("POST", "/policies", 201, json={"policy": {
        "type": "application/json", "blob": blob, "note": "extra"}})["policy"]
    assert (created["blob"], created["type"], created["note"]) == (
        blob, "application/json", "extra")
    path = f"/policies/{created['id']}"
    assert admin.call("GET", path, 200)["policy"]["blob"] == blob
    updated = admin.call("PATCH", path, 200, json={"policy": {"blob": "{}"}})["policy"]
    assert (updated["blob"], updated["note"]) == ("{}", "extra")
    assert [p["id"] for p in admin.call("GET", "/policies?type=application/json", 200)[
        "policies"]] == [created["id"]]
    _error(requests.post(f"{identity}/v3/policies", headers=admin.headers, timeout=10,
                         json={"policy": {"type": "x", "blob": {"not": "a string"}}}), 400)
    admin.call("DELETE", path, 204)
    admin.call("GET", path, 404)


@pytest.mark.parametrize("method,path,word", [
    ("GET", "/v3/OS-FEDERATION/identity_providers", "Federation"),
    ("POST", "/v3/auth/OS-FEDERATION/saml2", "Federation"),
    ("GET", "/v3/OS-OAUTH1/consumers", "OAuth1"),
    ("GET", "/v3/domains/default/config", "LDAP"),
    ("GET", "/v3/OS-TRUST/trusts", "Trusts"),
])
def test_out_of_scope_apis_answer_501(identity, admin, method, path, word):
    response = requests.request(method, f"{identity}{path}", headers=admin.headers,
                                timeout=10)
    assert word in _error(response, 501)


def test_totp_authentication_is_refused_with_a_reason(identity):
    response = requests.post(f"{identity}/v3/auth/tokens", timeout=10, json={"auth": {
        "identity": {"methods": ["totp"], "totp": {"user": {
            "name": "admin", "domain": {"name": "Default"}, "passcode": "123456"}}}}})
    assert "TOTP" in _error(response, 401)
