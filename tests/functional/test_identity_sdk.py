"""Identity behaviour that openstacksdk's and python-openstackclient's functional suites
expect from Keystone, driven through openstacksdk."""

from __future__ import annotations

from collections.abc import Iterator

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

from novalite.identity import cache
from tests.functional.conftest import ADMIN_PASSWORD


@pytest.fixture
def admin(identity: str) -> Iterator[openstack.connection.Connection]:
    conn = openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{identity}/v3", "username": "admin", "password": ADMIN_PASSWORD,
            "project_name": "admin", "user_domain_name": "Default",
            "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)
    yield conn
    conn.close()


def test_catalog_lists_services_without_endpoints(admin, identity):
    service = admin.identity.create_service(name="bare", type="object-store")
    cache.invalidate()
    response = admin.identity.get("/auth/catalog")
    entries = {entry["id"]: entry for entry in response.json()["catalog"]}
    assert entries[service.id]["endpoints"] == []
    assert entries[service.id]["type"] == "object-store"
    token = admin.identity.get("/auth/tokens", headers={
        "X-Subject-Token": admin.session.get_token()}).json()["token"]
    assert service.id in {entry["id"] for entry in token["catalog"]}


def test_role_and_region_patch(admin):
    role = admin.identity.create_role(name="patchable", description="before")
    updated = admin.identity.update_role(role, name="patched", description="after")
    assert (updated.name, updated.description) == ("patched", "after")
    assert admin.identity.get_role(role.id).name == "patched"
    admin.identity.create_role(name="taken")
    with pytest.raises(sdk_exceptions.ConflictException):
        admin.identity.update_role(role, name="taken")
    region = admin.identity.create_region(id="RegionTwo", description="before")
    updated_region = admin.identity.update_region(region, description="after")
    assert updated_region.description == "after"
    assert admin.identity.get_region("RegionTwo").description == "after"
    with pytest.raises(sdk_exceptions.NotFoundException):
        admin.identity.update_region("nowhere", description="x")


def test_deleting_a_disabled_domain_deletes_its_projects_and_users(admin):
    domain = admin.identity.create_domain(name="doomed")
    project = admin.identity.create_project(name="inside", domain_id=domain.id)
    user = admin.identity.create_user(name="someone", domain_id=domain.id, password="pw")
    member = admin.identity.find_role("member")
    admin.identity.assign_project_role_to_user(project, user, member)
    with pytest.raises(sdk_exceptions.ForbiddenException):
        admin.identity.delete_domain(domain)  # still enabled
    admin.identity.update_domain(domain, enabled=False)
    admin.identity.delete_domain(domain)
    assert admin.identity.find_domain(domain.id) is None
    assert admin.identity.find_project(project.id) is None
    assert admin.identity.find_user(user.id) is None
    assert list(admin.identity.role_assignments(user_id=user.id)) == []
    assert list(admin.identity.role_assignments(scope_project_id=project.id)) == []


def test_project_extra_properties_are_stored_and_returned(admin):
    created = admin.identity.post("/projects", json={"project": {
        "name": "extra", "description": "d", "color": "blue", "size": 3}})
    assert created.status_code == 201, created.text
    project = created.json()["project"]
    assert (project["color"], project["size"], project["description"]) == ("blue", 3, "d")
    shown = admin.identity.get(f"/projects/{project['id']}").json()["project"]
    assert (shown["color"], shown["size"]) == ("blue", 3)
    patched = admin.identity.patch(f"/projects/{project['id']}", json={"project": {
        "color": "red", "shape": "round"}}).json()["project"]
    assert (patched["color"], patched["size"], patched["shape"]) == ("red", 3, "round")
    found = admin.identity.get("/projects?name=extra").json()["projects"]
    assert found[0]["shape"] == "round" and found[0]["id"] == project["id"]


def test_domain_specific_roles_may_reuse_global_names(admin):
    domain = admin.identity.create_domain(name="scoped")
    role = admin.identity.create_role(name="member", domain_id=domain.id)
    assert role.domain_id == domain.id
    with pytest.raises(sdk_exceptions.ConflictException):
        admin.identity.create_role(name="member", domain_id=domain.id)
    with pytest.raises(sdk_exceptions.ConflictException):
        admin.identity.create_role(name="member")
    assert [r.id for r in admin.identity.roles(domain_id=domain.id)] == [role.id]
    assert role.id not in {r.id for r in admin.identity.roles()}
    assert admin.identity.get_role(role.id).domain_id == domain.id
    renamed = admin.identity.update_role(role, name="reader")  # free in that domain
    assert renamed.name == "reader"
    admin.identity.update_domain(domain, enabled=False)
    admin.identity.delete_domain(domain)
    with pytest.raises(sdk_exceptions.NotFoundException):
        admin.identity.get_role(role.id)
