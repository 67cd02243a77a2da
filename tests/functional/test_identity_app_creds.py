"""Application credentials (create, list, show, delete; authenticating with one; access
rules enforced by every API) and credentials, EC2 ones included, over HTTP."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import requests

from tests.functional.test_identity_assignments import Admin, _error, _token


@pytest.fixture
def admin(identity: str) -> Admin:
    return Admin(identity)


def _app_cred_token(url: str, **credential: Any) -> requests.Response:
    return requests.post(f"{url}/v3/auth/tokens", timeout=10, json={"auth": {"identity": {
        "methods": ["application_credential"], "application_credential": credential}}})


def _member_of_admin_project(admin: Admin, identity: str, name: str) -> tuple[str, dict]:
    user = admin.create("user", name=name, password="pw")
    project_id = _token(identity)[1]["project"]["id"]
    admin.call("PUT", f"/projects/{project_id}/users/{user['id']}/roles/"
               f"{admin.role('member')['id']}", 204)
    token_id, _ = _token(identity, name, "pw", {"project": {"id": project_id}})
    return token_id, user


def test_application_credential_lifecycle_and_authentication(admin, identity):
    token_id, user = _member_of_admin_project(admin, identity, "app-owner")
    headers = {"X-Auth-Token": token_id}
    base = f"{identity}/v3/users/{user['id']}/application_credentials"
    created = requests.post(base, headers=headers, timeout=10, json={"application_credential": {
        "name": "monitoring", "description": "watches", "roles": [{"name": "reader"}],
        "expires_at": "2099-01-01T00:00:00"}})
    assert created.status_code == 201, created.text
    app_cred = created.json()["application_credential"]
    assert app_cred["secret"] and app_cred["unrestricted"] is False
    assert [r["name"] for r in app_cred["roles"]] == ["reader"]
    assert app_cred["expires_at"].startswith("2099-01-01T00:00:00")
    assert app_cred["links"]["self"].endswith(f"/application_credentials/{app_cred['id']}")
    shown = requests.get(f"{base}/{app_cred['id']}", headers=headers,
                         timeout=10).json()["application_credential"]
    assert "secret" not in shown and shown["name"] == "monitoring"
    listed = requests.get(f"{base}?name=monitoring", headers=headers, timeout=10).json()
    assert [a["id"] for a in listed["application_credentials"]] == [app_cred["id"]]
    # authenticate by id, and by name and user
    by_id = _app_cred_token(identity, id=app_cred["id"], secret=app_cred["secret"])
    assert by_id.status_code == 201, by_id.text
    token = by_id.json()["token"]
    assert token["methods"] == ["application_credential"]
    assert [r["name"] for r in token["roles"]] == ["reader"]
    assert token["project"]["id"] == app_cred["project_id"]
    assert token["application_credential"] == {"id": app_cred["id"], "name": "monitoring",
                                               "restricted": True}
    by_name = _app_cred_token(identity, name="monitoring", secret=app_cred["secret"],
                              user={"name": "app-owner", "domain": {"name": "Default"}})
    assert by_name.status_code == 201
    _error(_app_cred_token(identity, id=app_cred["id"], secret="wrong"), 401)
    scoped = requests.post(f"{identity}/v3/auth/tokens", timeout=10, json={"auth": {
        "identity": {"methods": ["application_credential"], "application_credential": {
            "id": app_cred["id"], "secret": app_cred["secret"]}},
        "scope": {"project": {"id": app_cred["project_id"]}}}})
    assert "scope" in _error(scoped, 401)
    # a restricted credential's token may not make or remove credentials
    app_headers = {"X-Auth-Token": by_id.headers["X-Subject-Token"]}
    refused = requests.post(base, headers=app_headers, timeout=10,
                            json={"application_credential": {"name": "child"}})
    assert "application_credential" in _error(refused, 403)
    # its roles are those the user still has: losing member leaves no token
    _error(requests.post(base, headers=headers, timeout=10, json={"application_credential": {
        "name": "too-much", "roles": [{"name": "admin"}]}}), 404)
    _error(requests.post(base, headers=headers, timeout=10, json={"application_credential": {
        "name": "monitoring"}}), 409)
    _error(requests.post(base, headers=headers, timeout=10, json={"application_credential": {
        "name": "late", "expires_at": "2000-01-01T00:00:00"}}), 400)
    # deleting it ends its tokens
    assert requests.delete(f"{base}/{app_cred['id']}", headers=headers,
                           timeout=10).status_code == 204
    _error(requests.get(f"{identity}/v3/auth/catalog", timeout=10, headers=app_headers), 401)
    _error(_app_cred_token(identity, id=app_cred["id"], secret=app_cred["secret"]), 401)
    _error(requests.get(f"{base}/{app_cred['id']}", headers=headers, timeout=10), 404)


def test_an_app_credential_token_loses_roles_its_user_loses(admin, identity):
    token_id, user = _member_of_admin_project(admin, identity, "fading")
    base = f"{identity}/v3/users/{user['id']}/application_credentials"
    app_cred = requests.post(base, headers={"X-Auth-Token": token_id}, timeout=10, json={
        "application_credential": {"name": "all-roles"}}).json()["application_credential"]
    assert sorted(r["name"] for r in app_cred["roles"]) == ["member", "reader"]
    issued = _app_cred_token(identity, id=app_cred["id"], secret=app_cred["secret"])
    app_token = issued.headers["X-Subject-Token"]
    project_id = app_cred["project_id"]
    admin.call("DELETE", f"/projects/{project_id}/users/{user['id']}/roles/"
               f"{admin.role('member')['id']}", 204)
    _error(requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                        headers={"X-Auth-Token": app_token}), 401)


def test_access_rules_limit_what_the_token_may_call(admin, cloud):
    identity = cloud["identity"]
    token_id, user = _member_of_admin_project(admin, identity, "ruled")
    base = f"{identity}/v3/users/{user['id']}/application_credentials"
    app_cred = requests.post(base, headers={"X-Auth-Token": token_id}, timeout=10, json={
        "application_credential": {"name": "images-only", "access_rules": [
            {"service": "image", "method": "GET", "path": "/v2/images"},
            {"service": "compute", "method": "GET", "path": "/v2.1/servers/*/ips"}]}}).json()[
        "application_credential"]
    assert sorted(r["service"] for r in app_cred["access_rules"]) == ["compute", "image"]
    issued = _app_cred_token(cloud["identity"], id=app_cred["id"], secret=app_cred["secret"])
    assert issued.status_code == 201, issued.text
    assert len(issued.json()["token"]["application_credential"]["access_rules"]) == 2
    headers = {"X-Auth-Token": issued.headers["X-Subject-Token"]}
    image_base = cloud["image"]
    assert requests.get(f"{image_base}/v2/images", headers=headers, timeout=10
                        ).status_code == 200
    assert requests.get(f"{image_base}/v2/images/{'0' * 8}-0000-0000-0000-{'0' * 12}",
                        headers=headers, timeout=10).status_code == 401
    assert requests.get(f"{cloud['compute']}/servers", headers=headers,
                        timeout=10).status_code == 401
    # identity's own API is not in the rules either
    assert requests.get(f"{identity}/v3/auth/catalog", headers=headers,
                        timeout=10).status_code == 401
    rules = requests.get(f"{identity}/v3/users/{user['id']}/access_rules",
                         headers={"X-Auth-Token": token_id}, timeout=10).json()["access_rules"]
    assert len(rules) == 2
    rule_url = f"{identity}/v3/users/{user['id']}/access_rules/{rules[0]['id']}"
    assert requests.get(rule_url, headers={"X-Auth-Token": token_id},
                        timeout=10).json()["access_rule"]["id"] == rules[0]["id"]
    _error(requests.delete(rule_url, headers={"X-Auth-Token": token_id}, timeout=10), 403)
    requests.delete(f"{base}/{app_cred['id']}", headers={"X-Auth-Token": token_id}, timeout=10)
    assert requests.delete(rule_url, headers={"X-Auth-Token": token_id},
                           timeout=10).status_code == 204


def test_credentials_and_ec2_credentials(admin, identity):
    _, admin_token = _token(identity)
    user_id, project_id = admin_token["user"]["id"], admin_token["project"]["id"]
    blob = json.dumps({"access": "AKIA1", "secret": "s3cr3t"})
    ec2 = admin.call("POST", "/credentials", 201, json={"credential": {
        "type": "ec2", "blob": blob, "user_id": user_id, "project_id": project_id}})[
        "credential"]
    assert ec2["id"] == hashlib.sha256(b"AKIA1").hexdigest() and ec2["blob"] == blob
    other = admin.call("POST", "/credentials", 201, json={"credential": {
        "type": "totp", "blob": "GEZDGNBVGY3TQOJQ", "user_id": user_id}})["credential"]
    assert [c["id"] for c in admin.call("GET", "/credentials?type=totp", 200)[
        "credentials"]] == [other["id"]]
    updated = admin.call("PATCH", f"/credentials/{other['id']}", 200, json={"credential": {
        "blob": "NEWSECRET"}})["credential"]
    assert updated["blob"] == "NEWSECRET"
    for bad in ({"type": "ec2", "blob": "not json", "user_id": user_id,
                 "project_id": project_id},
                {"type": "ec2", "blob": blob, "user_id": user_id},
                {"type": "x", "blob": "b", "user_id": "nobody"}):
        _error(requests.post(f"{identity}/v3/credentials", headers=admin.headers, timeout=10,
                             json={"credential": bad}), 400)
    _error(requests.post(f"{identity}/v3/credentials", headers=admin.headers, timeout=10,
                         json={"credential": {"type": "ec2", "blob": blob,
                                              "user_id": user_id,
                                              "project_id": project_id}}), 409)
    # the EC2 API over the same store
    made = admin.call("POST", f"/users/{user_id}/credentials/OS-EC2", 201,
                      json={"tenant_id": project_id})["credential"]
    assert made["tenant_id"] == project_id and len(made["access"]) == 32 and made["secret"]
    listed = admin.call("GET", f"/users/{user_id}/credentials/OS-EC2", 200)["credentials"]
    assert {c["access"] for c in listed} == {"AKIA1", made["access"]}
    path = f"/users/{user_id}/credentials/OS-EC2/{made['access']}"
    assert admin.call("GET", path, 200)["credential"]["secret"] == made["secret"]
    admin.call("DELETE", path, 204)
    admin.call("GET", path, 404)
    admin.call("DELETE", f"/credentials/{ec2['id']}", 204)
    admin.call("GET", f"/credentials/{ec2['id']}", 404)
    # a user sees only its own
    demo = requests.post(f"{identity}/v3/auth/tokens", timeout=10, json={"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "demo", "domain": {"name": "Default"}, "password": "demo-secret"}}},
        "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}})
    demo_headers = {"X-Auth-Token": demo.headers["X-Subject-Token"]}
    assert requests.get(f"{identity}/v3/credentials", headers=demo_headers,
                        timeout=10).json()["credentials"] == []
    _error(requests.get(f"{identity}/v3/credentials/{other['id']}", headers=demo_headers,
                        timeout=10), 403)
