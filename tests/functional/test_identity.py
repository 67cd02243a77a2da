"""The identity API over HTTP: requests for every bad input, and the unmodified OSC CLI."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from typing import Any

import pytest
import requests

from novalite.conf import CONF
from novalite.identity import tokens
from tests.functional.conftest import ADMIN_PASSWORD, DEMO_PASSWORD


def _auth(user: str = "admin", password: str = ADMIN_PASSWORD,
          project: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "domain": {"name": "Default"}, "password": password}}}}}
    if project is not None:
        body["auth"]["scope"] = {"project": project}
    return body


def _token(url: str, user: str = "admin", password: str = ADMIN_PASSWORD,
           project: str | None = "admin") -> tuple[str, dict[str, Any]]:
    scope = {"name": project, "domain": {"id": "default"}} if project else None
    response = requests.post(f"{url}/v3/auth/tokens", json=_auth(user, password, scope),
                             timeout=10)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"], response.json()["token"]


def _assert_error(response: requests.Response, code: int) -> dict[str, Any]:
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["title"] and error["message"]
    if code == 401:
        assert response.headers["WWW-Authenticate"].startswith('Keystone uri="http://')
    return error


def test_version_documents(identity: str) -> None:
    root = requests.get(f"{identity}/", timeout=10)
    assert root.status_code == 300
    values = root.json()["versions"]["values"]
    assert values[0]["id"].startswith("v3.") and values[0]["status"] == "stable"
    assert values[0]["links"][0]["href"] == f"{identity}/v3/"
    version = requests.get(f"{identity}/v3", timeout=10).json()["version"]
    assert version["media-types"][0]["type"] == "application/vnd.openstack.identity-v3+json"


def test_project_token_body_and_catalog(identity: str) -> None:
    token_id, token = _token(identity)
    assert token["methods"] == ["password"]
    assert token["user"]["name"] == "admin"
    assert token["user"]["domain"] == {"id": "default", "name": "Default"}
    assert token["project"]["name"] == "admin"
    assert token["project"]["domain"] == {"id": "default", "name": "Default"}
    assert sorted(r["name"] for r in token["roles"]) == ["admin", "manager", "member", "reader"]
    assert token["expires_at"].endswith("Z") and "." in token["expires_at"]
    expires = datetime.datetime.strptime(token["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    issued = datetime.datetime.strptime(token["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert round((expires - issued).total_seconds()) == CONF.token.expiration
    catalog = {entry["type"]: entry for entry in token["catalog"]}
    assert {"identity", "compute", "volumev3"} <= set(catalog)
    project_id = token["project"]["id"]
    assert {e["url"] for e in catalog["volumev3"]["endpoints"]} == {
        f"http://127.0.0.1:8776/v3/{project_id}"}
    assert {e["interface"] for e in catalog["compute"]["endpoints"]} == {
        "public", "internal", "admin"}
    # validate: same body, X-Subject-Token echoed
    response = requests.get(f"{identity}/v3/auth/tokens", timeout=10, headers={
        "X-Auth-Token": token_id, "X-Subject-Token": token_id})
    assert response.status_code == 200
    assert response.headers["X-Subject-Token"] == token_id
    assert response.json()["token"]["audit_ids"] == token["audit_ids"]
    nocatalog = requests.get(f"{identity}/v3/auth/tokens?nocatalog", timeout=10, headers={
        "X-Auth-Token": token_id, "X-Subject-Token": token_id}).json()["token"]
    assert "catalog" not in nocatalog
    head = requests.head(f"{identity}/v3/auth/tokens", timeout=10, headers={
        "X-Auth-Token": token_id, "X-Subject-Token": token_id})
    assert head.status_code == 200 and not head.content
    auth_catalog = requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                                headers={"X-Auth-Token": token_id})
    assert {e["type"] for e in auth_catalog.json()["catalog"]} == set(catalog)


def test_unscoped_domain_and_rescoped_tokens(identity: str) -> None:
    unscoped_id, unscoped = _token(identity, project=None)
    assert "roles" not in unscoped and "catalog" not in unscoped and "project" not in unscoped
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": unscoped_id}},
                     "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
    response = requests.post(f"{identity}/v3/auth/tokens?nocatalog", json=body, timeout=10)
    assert response.status_code == 201, response.text
    rescoped = response.json()["token"]
    assert rescoped["project"]["name"] == "admin" and "catalog" not in rescoped
    assert sorted(rescoped["methods"]) == ["password", "token"]
    assert rescoped["expires_at"] == unscoped["expires_at"]
    assert rescoped["audit_ids"][1] == unscoped["audit_ids"][0]
    projects = requests.get(f"{identity}/v3/auth/projects", timeout=10,
                            headers={"X-Auth-Token": unscoped_id}).json()["projects"]
    assert [p["name"] for p in projects] == ["admin"]
    body["auth"]["scope"] = {"system": {"all": True}}
    system = requests.post(f"{identity}/v3/auth/tokens", json=body, timeout=10)
    assert system.status_code == 201 and system.json()["token"]["system"] == {"all": True}


def test_bad_input_gets_keystone_errors(identity: str) -> None:
    url = f"{identity}/v3/auth/tokens"
    _assert_error(requests.post(url, data=b"{not json", timeout=10), 400)
    _assert_error(requests.post(url, json={"auth": {}}, timeout=10), 400)
    _assert_error(requests.post(url, json=["auth"], timeout=10), 400)
    _assert_error(requests.post(url, json={"auth": {"identity": {"methods": "password"}}},
                                timeout=10), 400)
    wrong = _assert_error(requests.post(url, json=_auth(password="nope"), timeout=10), 401)
    unknown = _assert_error(requests.post(url, json=_auth(user="ghost"), timeout=10), 401)
    assert wrong["message"] == unknown["message"]  # never says which
    _assert_error(requests.post(url, json=_auth(project={"id": "no-such-project"}),
                                timeout=10), 401)
    _assert_error(requests.post(url, json=_auth(project={
        "name": "admin", "domain": {"name": "NoSuchDomain"}}), timeout=10), 401)
    # demo has no role on admin
    _assert_error(requests.post(url, json=_auth("demo", DEMO_PASSWORD, {"name": "admin",
                                "domain": {"id": "default"}}), timeout=10), 401)
    # no token, and tokens that are not ours
    _assert_error(requests.get(f"{identity}/v3/projects", timeout=10), 401)
    _assert_error(requests.get(f"{identity}/v3/projects", timeout=10,
                               headers={"X-Auth-Token": "garbage"}), 401)
    token_id, _ = _token(identity)
    tampered = token_id[:-8] + ("A" if token_id[-8] != "A" else "B") + token_id[-7:]
    _assert_error(requests.get(f"{identity}/v3/projects", timeout=10,
                               headers={"X-Auth-Token": tampered}), 401)
    _assert_error(requests.get(url, timeout=10, headers={
        "X-Auth-Token": token_id, "X-Subject-Token": tampered}), 404)
    _assert_error(requests.get(url, timeout=10, headers={"X-Auth-Token": token_id}), 400)
    # malformed bodies on resources, duplicates, unknown ids, wrong methods
    headers = {"X-Auth-Token": token_id}
    _assert_error(requests.post(f"{identity}/v3/projects", data=b"[", headers=headers,
                                timeout=10), 400)
    _assert_error(requests.post(f"{identity}/v3/projects", json={"project": {}},
                                headers=headers, timeout=10), 400)
    _assert_error(requests.post(f"{identity}/v3/projects", json={"project": {"name": "admin"}},
                                headers=headers, timeout=10), 409)
    _assert_error(requests.post(f"{identity}/v3/roles", json={"role": {"name": "member"}},
                                headers=headers, timeout=10), 409)
    _assert_error(requests.get(f"{identity}/v3/projects/admin", headers=headers, timeout=10),
                  404)
    _assert_error(requests.put(f"{identity}/v3/projects/x/users/y/roles/z", headers=headers,
                               timeout=10), 404)
    _assert_error(requests.post(f"{identity}/v3/endpoints", json={"endpoint": {
        "service_id": "nope", "interface": "public", "url": "http://x"}}, headers=headers,
        timeout=10), 400)
    _assert_error(requests.put(f"{identity}/v3/projects", headers=headers, timeout=10), 405)
    _assert_error(requests.get(f"{identity}/v3/nothing", headers=headers, timeout=10), 404)


def test_token_of_other_project_and_policy(identity: str) -> None:
    demo_id, demo = _token(identity, "demo", DEMO_PASSWORD, "demo")
    assert sorted(r["name"] for r in demo["roles"]) == ["member", "reader"]
    admin_id, admin = _token(identity)
    headers = {"X-Auth-Token": demo_id}
    _assert_error(requests.get(f"{identity}/v3/projects", headers=headers, timeout=10), 403)
    _assert_error(requests.get(f"{identity}/v3/projects/{admin['project']['id']}",
                               headers=headers, timeout=10), 403)
    _assert_error(requests.get(f"{identity}/v3/auth/tokens", timeout=10, headers={
        "X-Auth-Token": demo_id, "X-Subject-Token": admin_id}), 403)
    _assert_error(requests.delete(f"{identity}/v3/auth/tokens", timeout=10, headers={
        "X-Auth-Token": demo_id, "X-Subject-Token": admin_id}), 403)
    # a user reads itself, its project and its projects
    own = requests.get(f"{identity}/v3/projects/{demo['project']['id']}", headers=headers,
                       timeout=10)
    assert own.status_code == 200 and own.json()["project"]["name"] == "demo"
    me = requests.get(f"{identity}/v3/users/{demo['user']['id']}", headers=headers, timeout=10)
    assert me.json()["user"]["name"] == "demo"
    mine = requests.get(f"{identity}/v3/users/{demo['user']['id']}/projects", headers=headers,
                        timeout=10)
    assert [p["name"] for p in mine.json()["projects"]] == ["demo"]
    # the owner may check its own token
    assert requests.get(f"{identity}/v3/auth/tokens", timeout=10, headers={
        "X-Auth-Token": demo_id, "X-Subject-Token": demo_id}).status_code == 200


def test_expired_token_rejected(identity: str) -> None:
    _, admin = _token(identity)
    past = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(
        seconds=1)
    expired_id, _ = tokens.issue(admin["user"]["id"], ["password"],
                                 project_id=admin["project"]["id"], expires_at=past)
    _assert_error(requests.get(f"{identity}/v3/projects", timeout=10,
                               headers={"X-Auth-Token": expired_id}), 401)
    admin_id, _ = _token(identity)
    url = f"{identity}/v3/auth/tokens"
    _assert_error(requests.get(url, timeout=10, headers={
        "X-Auth-Token": admin_id, "X-Subject-Token": expired_id}), 404)
    allowed = requests.get(f"{url}?allow_expired=1", timeout=10, headers={
        "X-Auth-Token": admin_id, "X-Subject-Token": expired_id})
    assert allowed.status_code == 200


def test_crud_grants_and_revocation(identity: str) -> None:
    admin_id, _ = _token(identity)
    headers = {"X-Auth-Token": admin_id}
    v3 = f"{identity}/v3"
    domains = requests.get(f"{v3}/domains?name=Default", headers=headers, timeout=10).json()
    assert [d["id"] for d in domains["domains"]] == ["default"]
    project = requests.post(f"{v3}/projects", headers=headers, timeout=10, json={
        "project": {"name": "p1", "description": "first"}}).json()["project"]
    assert project["domain_id"] == "default" and project["links"]["self"].endswith(
        project["id"])
    user = requests.post(f"{v3}/users", headers=headers, timeout=10, json={
        "user": {"name": "u1", "password": "pw1"}}).json()["user"]
    assert "password" not in user and "password_hash" not in user
    found = requests.get(f"{v3}/users?name=u1&domain_id=default", headers=headers,
                         timeout=10).json()["users"]
    assert [u["id"] for u in found] == [user["id"]]
    member = requests.get(f"{v3}/roles?name=member", headers=headers,
                          timeout=10).json()["roles"][0]
    grant = f"{v3}/projects/{project['id']}/users/{user['id']}/roles/{member['id']}"
    assert requests.head(grant, headers=headers, timeout=10).status_code == 404
    assert requests.put(grant, headers=headers, timeout=10).status_code == 204
    assert requests.head(grant, headers=headers, timeout=10).status_code == 204
    assignments = requests.get(
        f"{v3}/role_assignments?user.id={user['id']}&include_names&effective",
        headers=headers, timeout=10).json()["role_assignments"]
    assert sorted(a["role"]["name"] for a in assignments) == ["member", "reader"]
    assert assignments[0]["scope"]["project"]["name"] == "p1"
    u1_id, u1 = _token(identity, "u1", "pw1", "p1")
    assert u1["project"]["id"] == project["id"]
    u1_headers = {"X-Auth-Token": u1_id}
    assert requests.get(f"{v3}/users/{user['id']}", headers=u1_headers,
                        timeout=10).status_code == 200
    # removing the only role invalidates the token at once
    assert requests.delete(grant, headers=headers, timeout=10).status_code == 204
    _assert_error(requests.get(f"{v3}/users/{user['id']}", headers=u1_headers, timeout=10), 401)
    requests.put(grant, headers=headers, timeout=10)
    assert requests.get(f"{v3}/users/{user['id']}", headers=u1_headers,
                        timeout=10).status_code == 200
    # revoke by the token itself, then disabled user, then deleted project
    revoke = requests.delete(f"{v3}/auth/tokens", timeout=10, headers={
        "X-Auth-Token": admin_id, "X-Subject-Token": u1_id})
    assert revoke.status_code == 204
    _assert_error(requests.get(f"{v3}/users/{user['id']}", headers=u1_headers, timeout=10), 401)
    second_id, _ = _token(identity, "u1", "pw1", "p1")
    patched = requests.patch(f"{v3}/users/{user['id']}", headers=headers, timeout=10,
                             json={"user": {"enabled": False}})
    assert patched.json()["user"]["enabled"] is False
    _assert_error(requests.get(f"{v3}/users/{user['id']}", timeout=10,
                               headers={"X-Auth-Token": second_id}), 401)
    _assert_error(requests.post(f"{v3}/auth/tokens", json=_auth("u1", "pw1"), timeout=10), 401)
    assert requests.delete(f"{v3}/projects/{project['id']}", headers=headers,
                           timeout=10).status_code == 204
    assert requests.delete(f"{v3}/users/{user['id']}", headers=headers,
                           timeout=10).status_code == 204
    _assert_error(requests.get(f"{v3}/users/{user['id']}", headers=headers, timeout=10), 404)
    # catalog tables
    services = requests.get(f"{v3}/services", headers=headers, timeout=10).json()["services"]
    assert {"identity", "compute", "volumev3"} <= {s["type"] for s in services}
    endpoints = requests.get(f"{v3}/endpoints", headers=headers, timeout=10).json()
    assert len(endpoints["endpoints"]) == 9
    regions = requests.get(f"{v3}/regions", headers=headers, timeout=10).json()["regions"]
    assert [r["id"] for r in regions] == ["RegionOne"]


def _openstack(env: dict[str, str], *args: str, output: bool = True) -> Any:
    openstack = os.path.join(os.path.dirname(sys.executable), "openstack")
    fmt = ["-f", "json"] if output else []
    result = subprocess.run([openstack, "--os-cloud", "novalite", *args, *fmt],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_openstack_cli(identity: str, tmp_path) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(json.dumps({"clouds": {"novalite": {
        "auth": {"auth_url": f"{identity}/v3", "username": "admin",
                 "password": ADMIN_PASSWORD, "project_name": "admin",
                 "user_domain_name": "Default", "project_domain_name": "Default"},
        "region_name": "RegionOne", "identity_api_version": 3}}}))
    env = {key: value for key, value in os.environ.items() if not key.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    issued = _openstack(env, "token", "issue")
    assert issued["id"] and issued["project_id"]
    catalog = _openstack(env, "catalog", "list")
    assert {"identity", "compute", "volumev3"} <= {entry["Type"] for entry in catalog}
    project = _openstack(env, "project", "create", "cli-project")
    assert project["name"] == "cli-project" and project["domain_id"] == "default"
    user = _openstack(env, "user", "create", "--password", "cli-pw", "cli-user")
    assert user["name"] == "cli-user"
    _openstack(env, "role", "add", "--user", "cli-user", "--project", "cli-project", "member",
               output=False)
    assignments = requests.get(
        f"{identity}/v3/role_assignments?user.id={user['id']}&include_names",
        headers={"X-Auth-Token": issued["id"]}, timeout=10).json()["role_assignments"]
    assert [(a["role"]["name"], a["scope"]["project"]["name"]) for a in assignments] == [
        ("member", "cli-project")]
    user_token, _ = _token(identity, "cli-user", "cli-pw", "cli-project")
    assert requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                        headers={"X-Auth-Token": user_token}).status_code == 200
    _openstack(env, "token", "revoke", user_token, output=False)
    _assert_error(requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                               headers={"X-Auth-Token": user_token}), 401)


def test_local_validator_context(identity: str) -> None:
    from novalite.common import exception
    from novalite.identity.validation import LocalValidator

    token_id, token = _token(identity, "demo", DEMO_PASSWORD, "demo")
    ctxt = LocalValidator().validate(token_id)
    assert ctxt.user_id == token["user"]["id"] and ctxt.project_id == token["project"]["id"]
    assert sorted(ctxt.roles) == ["member", "reader"] and not ctxt.is_admin
    assert ctxt.auth_token == token_id
    assert {entry["type"] for entry in ctxt.service_catalog} >= {"compute", "identity"}
    with pytest.raises(exception.NotAuthenticated):
        LocalValidator().validate(token_id[:-2])
