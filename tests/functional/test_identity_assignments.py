"""Groups, grants on projects, domains and the system, role assignment listings, implied
and default roles, project tags, domains' effect on tokens and the password change, over
HTTP as Keystone answers them."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.functional.conftest import ADMIN_PASSWORD, DEMO_PASSWORD


def _issue(url: str, user: str, password: str, scope: dict[str, Any] | None = None,
           domain: str = "Default") -> requests.Response:
    body: dict[str, Any] = {"auth": {"identity": {"methods": ["password"], "password": {
        "user": {"name": user, "domain": {"name": domain}, "password": password}}}}}
    if scope is not None:
        body["auth"]["scope"] = scope
    return requests.post(f"{url}/v3/auth/tokens?nocatalog", json=body, timeout=10)


def _token(url: str, user: str = "admin", password: str = ADMIN_PASSWORD,
           scope: dict[str, Any] | None = None, domain: str = "Default"
           ) -> tuple[str, dict[str, Any]]:
    if scope is None and user == "admin":
        scope = {"project": {"name": "admin", "domain": {"id": "default"}}}
    response = _issue(url, user, password, scope, domain)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"], response.json()["token"]


class Admin:
    """requests against /v3 as the admin, failing loudly on unexpected statuses."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.headers = {"X-Auth-Token": _token(url)[0]}

    def call(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.url}/v3{path}", headers=self.headers,
                                    timeout=10, **kwargs)
        assert response.status_code == status, (method, path, response.text)
        return response.json() if response.content else None

    def create(self, kind: str, **body: Any) -> dict[str, Any]:
        return self.call("POST", f"/{kind}s", 201, json={kind: body})[kind]  # type: ignore[no-any-return]

    def role(self, name: str) -> dict[str, Any]:
        return self.call("GET", f"/roles?name={name}", 200)["roles"][0]  # type: ignore[no-any-return]


@pytest.fixture
def admin(identity: str) -> Admin:
    return Admin(identity)


def _error(response: requests.Response, code: int) -> str:
    assert response.status_code == code, response.text
    error = response.json()["error"]
    assert error["code"] == code
    return str(error["message"])


def test_bootstrap_creates_the_default_roles_and_their_implications(admin):
    names = {r["name"] for r in admin.call("GET", "/roles", 200)["roles"]}
    assert {"admin", "manager", "member", "reader", "service"} <= names
    inferences = admin.call("GET", "/role_inferences", 200)["role_inferences"]
    chain = {i["prior_role"]["name"]: [r["name"] for r in i["implies"]] for i in inferences}
    assert chain == {"admin": ["manager"], "manager": ["member"], "member": ["reader"]}
    admin_role, reader = admin.role("admin"), admin.role("reader")
    implied = admin.call("GET", f"/roles/{admin_role['id']}/implies", 200)["role_inference"]
    assert [r["name"] for r in implied["implies"]] == ["manager"]
    # an implication made and removed through the API
    path = f"/roles/{reader['id']}/implies/{admin.create('role', name='viewer')['id']}"
    created = admin.call("PUT", path, 201)["role_inference"]
    assert (created["prior_role"]["name"], created["implies"]["name"]) == ("reader", "viewer")
    assert admin.call("GET", path, 200)["role_inference"]["implies"]["name"] == "viewer"
    admin.call("HEAD", path, 204)
    admin.call("DELETE", path, 204)
    admin.call("HEAD", path, 404)
    _error(requests.put(f"{admin.url}/v3/roles/{reader['id']}/implies/{admin_role['id']}",
                        headers=admin.headers, timeout=10), 403)  # admin is never implied


def test_group_roles_reach_member_tokens_and_leave_with_the_membership(admin, identity):
    project = admin.create("project", name="grouped")
    user = admin.create("user", name="grouped-user", password="pw")
    group = admin.create("group", name="devs", description="developers")
    assert group["domain_id"] == "default" and group["links"]["self"].endswith(group["id"])
    _error(requests.post(f"{identity}/v3/groups", headers=admin.headers, timeout=10,
                         json={"group": {"name": "devs"}}), 409)
    member = admin.role("member")
    admin.call("PUT", f"/projects/{project['id']}/groups/{group['id']}/roles/{member['id']}",
               204)
    admin.call("HEAD", f"/projects/{project['id']}/groups/{group['id']}/roles/{member['id']}",
               204)
    listed = admin.call("GET", f"/projects/{project['id']}/groups/{group['id']}/roles", 200)
    assert [r["name"] for r in listed["roles"]] == ["member"]
    scope = {"project": {"id": project["id"]}}
    _error(_issue(identity, "grouped-user", "pw", scope), 401)  # not a member yet
    admin.call("PUT", f"/groups/{group['id']}/users/{user['id']}", 204)
    admin.call("HEAD", f"/groups/{group['id']}/users/{user['id']}", 204)
    assert [u["name"] for u in admin.call("GET", f"/groups/{group['id']}/users",
                                          200)["users"]] == ["grouped-user"]
    assert [g["name"] for g in admin.call("GET", f"/users/{user['id']}/groups",
                                          200)["groups"]] == ["devs"]
    token_id, token = _token(identity, "grouped-user", "pw", scope)
    assert sorted(r["name"] for r in token["roles"]) == ["member", "reader"]
    projects = requests.get(f"{identity}/v3/auth/projects", timeout=10,
                            headers={"X-Auth-Token": token_id}).json()["projects"]
    assert [p["name"] for p in projects] == ["grouped"]
    admin.call("DELETE", f"/groups/{group['id']}/users/{user['id']}", 204)
    _error(requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                        headers={"X-Auth-Token": token_id}), 401)
    admin.call("HEAD", f"/groups/{group['id']}/users/{user['id']}", 404)
    renamed = admin.call("PATCH", f"/groups/{group['id']}", 200,
                         json={"group": {"name": "developers"}})["group"]
    assert renamed["name"] == "developers"
    admin.call("DELETE", f"/groups/{group['id']}", 204)
    admin.call("GET", f"/groups/{group['id']}", 404)


def test_role_assignments_effective_names_and_filters(admin, identity):
    domain = admin.create("domain", name="Listing")
    project = admin.create("project", name="listed", domain_id=domain["id"])
    user = admin.create("user", name="listed-user", password="pw", domain_id=domain["id"])
    group = admin.create("group", name="listed-group", domain_id=domain["id"])
    admin.call("PUT", f"/groups/{group['id']}/users/{user['id']}", 204)
    member, reader, manager = admin.role("member"), admin.role("reader"), admin.role("manager")
    admin.call("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{reader['id']}", 204)
    admin.call("PUT", f"/projects/{project['id']}/groups/{group['id']}/roles/{member['id']}",
               204)
    admin.call("PUT", f"/domains/{domain['id']}/users/{user['id']}/roles/{manager['id']}", 204)
    admin.call("PUT", f"/system/groups/{group['id']}/roles/{reader['id']}", 204)

    def listing(query: str) -> list[dict[str, Any]]:
        return admin.call("GET", f"/role_assignments?{query}", 200)["role_assignments"]

    direct = listing(f"scope.project.id={project['id']}")
    assert sorted((next(iter({"user", "group"} & set(a))), a["role"]["id"]) for a in direct) \
        == sorted([("user", reader["id"]), ("group", member["id"])])
    assert {a["links"]["assignment"].split("/v3")[1] for a in direct} == {
        f"/projects/{project['id']}/users/{user['id']}/roles/{reader['id']}",
        f"/projects/{project['id']}/groups/{group['id']}/roles/{member['id']}"}
    effective = listing(f"user.id={user['id']}&scope.project.id={project['id']}"
                        "&effective&include_names")
    # the group's member role comes to the user with its implied reader, already direct
    assert sorted(a["role"]["name"] for a in effective) == ["member", "reader"]
    assert all("group" not in a and a["user"]["name"] == "listed-user" for a in effective)
    via_group = next(a for a in effective if a["role"]["name"] == "member")
    assert via_group["links"]["membership"].endswith(
        f"/v3/groups/{group['id']}/users/{user['id']}")
    assert via_group["scope"]["project"] == {"id": project["id"], "name": "listed",
                                             "domain": {"id": domain["id"], "name": "Listing"}}
    assert via_group["user"]["domain"] == {"id": domain["id"], "name": "Listing"}
    domain_roles = listing(f"user.id={user['id']}&scope.domain.id={domain['id']}&effective")
    assert sorted(a["role"]["id"] for a in domain_roles) == sorted(
        [manager["id"], member["id"], reader["id"]])
    implied = next(a for a in domain_roles if a["role"]["id"] == member["id"])
    assert implied["links"]["assignment"].endswith(
        f"/domains/{domain['id']}/users/{user['id']}/roles/{manager['id']}")
    assert "prior_role" in implied["links"]
    system = listing("scope.system=all&include_names")
    assert {(a.get("group", a.get("user", {})).get("name"), a["role"]["name"])
            for a in system} >= {("listed-group", "reader"), ("admin", "admin")}
    assert all(a["scope"] == {"system": {"all": True}} for a in system)
    assert [a["role"]["name"] for a in listing(
        f"scope.system=all&user.id={user['id']}&effective&include_names")] == ["reader"]
    assert sorted(a["role"]["id"] for a in listing(f"group.id={group['id']}")) == sorted(
        [member["id"], reader["id"]])
    assert {a["role"]["id"] for a in listing(f"role.id={manager['id']}")} == {manager["id"]}
    assert listing(f"role.id={manager['id']}&user.id={user['id']}")[0]["scope"] == {
        "domain": {"id": domain["id"]}}
    # Keystone's refusals
    for query in (f"scope.project.id={project['id']}&scope.domain.id={domain['id']}",
                  f"user.id={user['id']}&group.id={group['id']}",
                  "scope.system=all&scope.domain.id=x", f"group.id={group['id']}&effective",
                  "include_subtree=true"):
        _error(requests.get(f"{identity}/v3/role_assignments?{query}", headers=admin.headers,
                            timeout=10), 400)
    # a system-scoped token of the user, through its group
    admin.call("PATCH", f"/domains/{domain['id']}", 200, json={"domain": {"enabled": True}})
    _, system_token = _token(identity, "listed-user", "pw", {"system": {"all": True}},
                             domain="Listing")
    assert system_token["system"] == {"all": True}
    assert [r["name"] for r in system_token["roles"]] == ["reader"]


def test_disabling_a_domain_stops_its_tokens_and_refuses_new_ones(admin, identity):
    domain = admin.create("domain", name="Switchable", description="on and off")
    project = admin.create("project", name="inside", domain_id=domain["id"])
    user = admin.create("user", name="insider", password="pw", domain_id=domain["id"])
    member = admin.role("member")
    admin.call("PUT", f"/projects/{project['id']}/users/{user['id']}/roles/{member['id']}", 204)
    admin.call("PUT", f"/domains/{domain['id']}/users/{user['id']}/roles/{member['id']}", 204)
    project_scope = {"project": {"id": project["id"]}}
    token_id, _ = _token(identity, "insider", "pw", project_scope, domain="Switchable")
    domain_token, domain_body = _token(identity, "insider", "pw",
                                       {"domain": {"id": domain["id"]}}, domain="Switchable")
    assert domain_body["domain"] == {"id": domain["id"], "name": "Switchable"}
    # the admin's own project in another domain keeps working for it: only this domain
    admin.call("PATCH", f"/domains/{domain['id']}", 200, json={"domain": {"enabled": False}})
    for token in (token_id, domain_token):
        _error(requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                            headers={"X-Auth-Token": token}), 401)
    _error(_issue(identity, "insider", "pw", project_scope, domain="Switchable"), 401)
    # re-enabled, the user authenticates again (tokens were not revoked, only refused)
    admin.call("PATCH", f"/domains/{domain['id']}", 200, json={"domain": {"enabled": True}})
    assert requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                        headers={"X-Auth-Token": token_id}).status_code == 200
    updated = admin.call("PATCH", f"/domains/{domain['id']}", 200,
                         json={"domain": {"name": "Renamed", "description": "new"}})["domain"]
    assert (updated["name"], updated["description"]) == ("Renamed", "new")
    admin.call("PATCH", f"/domains/{domain['id']}", 200, json={"domain": {"enabled": False}})
    admin.call("DELETE", f"/domains/{domain['id']}", 204)
    admin.call("GET", f"/projects/{project['id']}", 404)


def test_project_tags_and_tag_filters(admin, identity):
    red = admin.create("project", name="red-one", tags=["red", "round"])
    assert red["tags"] == ["red", "round"]
    blue = admin.create("project", name="blue-one")
    assert admin.call("PUT", f"/projects/{blue['id']}/tags", 200,
                      json={"tags": ["blue", "round", "blue"]}) == {"tags": ["blue", "round"]}
    added = requests.put(f"{identity}/v3/projects/{blue['id']}/tags/big",
                         headers=admin.headers, timeout=10)
    assert added.status_code == 201 and "big" in added.json()["tags"]
    admin.call("GET", f"/projects/{blue['id']}/tags/big", 204)
    admin.call("GET", f"/projects/{blue['id']}/tags/small", 404)
    assert admin.call("GET", f"/projects/{blue['id']}", 200)["project"]["tags"] == [
        "big", "blue", "round"]

    def names(query: str) -> set[str]:
        return {p["name"] for p in admin.call("GET", f"/projects?{query}", 200)["projects"]}

    assert names("tags=round") == {"red-one", "blue-one"}
    assert names("tags=round,red") == {"red-one"}
    assert names("tags-any=red,blue") == {"red-one", "blue-one"}
    assert names("not-tags=round,red") >= {"blue-one"} and "red-one" not in names(
        "not-tags=round,red")
    assert not names("not-tags-any=round") & {"red-one", "blue-one"}
    patched = admin.call("PATCH", f"/projects/{red['id']}", 200,
                         json={"project": {"tags": ["green"]}})["project"]
    assert patched["tags"] == ["green"]
    admin.call("DELETE", f"/projects/{blue['id']}/tags/big", 204)
    admin.call("DELETE", f"/projects/{blue['id']}/tags/big", 404)
    admin.call("DELETE", f"/projects/{blue['id']}/tags", 204)
    assert admin.call("GET", f"/projects/{blue['id']}/tags", 200) == {"tags": []}
    for bad in (["a/b"], ["a,b"], [""], ["x" * 256], "notalist", [f"t{i}" for i in range(81)]):
        _error(requests.put(f"{identity}/v3/projects/{blue['id']}/tags", json={"tags": bad},
                            headers=admin.headers, timeout=10), 400)


def test_user_changes_its_own_password(admin, identity):
    user = admin.create("user", name="changer", password="old-pw")
    admin.call("PUT", f"/projects/{_token(identity)[1]['project']['id']}/users/{user['id']}"
               f"/roles/{admin.role('member')['id']}", 204)
    old_token, _ = _token(identity, "changer", "old-pw", {"project": {
        "name": "admin", "domain": {"id": "default"}}})
    url = f"{identity}/v3/users/{user['id']}/password"
    _error(requests.post(url, timeout=10, json={"user": {
        "original_password": "wrong", "password": "new-pw"}}), 401)
    _error(requests.post(url, timeout=10, json={"user": {"password": "new-pw"}}), 400)
    changed = requests.post(url, timeout=10, json={"user": {
        "original_password": "old-pw", "password": "new-pw"}})
    assert changed.status_code == 204, changed.text
    _error(_issue(identity, "changer", "old-pw"), 401)
    assert _issue(identity, "changer", "new-pw").status_code == 201
    _error(requests.get(f"{identity}/v3/auth/catalog", timeout=10,
                        headers={"X-Auth-Token": old_token}), 401)


def test_demo_cannot_manage_groups_or_see_others_groups(identity, admin):
    demo_id, demo = _token(identity, "demo", DEMO_PASSWORD, {"project": {
        "name": "demo", "domain": {"id": "default"}}})
    headers = {"X-Auth-Token": demo_id}
    _error(requests.post(f"{identity}/v3/groups", json={"group": {"name": "x"}},
                         headers=headers, timeout=10), 403)
    mine = requests.get(f"{identity}/v3/users/{demo['user']['id']}/groups", headers=headers,
                        timeout=10)
    assert mine.status_code == 200 and mine.json()["groups"] == []
    admin_user = _token(identity)[1]["user"]["id"]
    _error(requests.get(f"{identity}/v3/users/{admin_user}/groups", headers=headers,
                        timeout=10), 403)
    system = requests.get(f"{identity}/v3/auth/system", headers=headers, timeout=10)
    assert system.json()["system"] == []
