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