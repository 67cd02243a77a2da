"""The Compute API driven by openstacksdk, as the ``openstack`` CLI drives it."""

from __future__ import annotations

from collections.abc import Iterator

import openstack
import pytest
from openstack import exceptions as sdk_exceptions

from novalite.api.compute import app as compute_app
from novalite.common import wsgi
from novalite.db import flavors as flavor_db
from novalite.db import service_store
from tests.functional.test_compute_api import PROJECT_A, FixedTokens


@pytest.fixture
def endpoint(db: str) -> Iterator[str]:
    flavor_db.ensure_default_flavors()
    server = wsgi.Server("osapi_compute", compute_app.make_app(FixedTokens()), "127.0.0.1", 0)
    server.start()
    yield f"{server.url}/v2.1"
    server.stop()


def connect(endpoint: str, token: str) -> openstack.connection.Connection:
    return openstack.connect(auth_type="admin_token",
                             auth={"endpoint": endpoint, "token": token},
                             compute_endpoint_override=endpoint, region_name="RegionOne",
                             load_yaml_config=False, load_envvars=False)


def test_sdk_flavors(endpoint: str) -> None:
    admin = connect(endpoint, "admin")
    member = connect(endpoint, "member-a")
    assert sorted(f.name for f in member.compute.flavors()) == [
        "m1.medium", "m1.small", "m1.tiny"]
    tiny = member.compute.find_flavor("m1.tiny", ignore_missing=False)
    assert (tiny.id, tiny.vcpus, tiny.ram, tiny.disk) == ("1", 1, 128, 1)
    created = admin.compute.create_flavor(name="big", ram=1024, vcpus=4, disk=10,
                                          is_public=False, description="for A")
    assert created.is_public is False and created.description == "for A"
    with pytest.raises(sdk_exceptions.ResourceNotFound):
        member.compute.find_flavor("big", ignore_missing=False)
    admin.compute.flavor_add_tenant_access(created, PROJECT_A)
    assert member.compute.find_flavor("big", ignore_missing=False).id == created.id
    admin.compute.create_flavor_extra_specs(created, {"hw:mem_page_size": "large"})
    assert member.compute.fetch_flavor_extra_specs(created).extra_specs == {
        "hw:mem_page_size": "large"}
    with pytest.raises(sdk_exceptions.ForbiddenException):
        member.compute.create_flavor(name="nope", ram=1, vcpus=1, disk=0)
    admin.compute.delete_flavor(created)
    assert admin.compute.find_flavor("big") is None


def test_sdk_keypairs(endpoint: str) -> None:
    member = connect(endpoint, "member-a")
    generated = member.compute.create_keypair(name="gen")
    assert generated.private_key.startswith("-----BEGIN")
    public = generated.public_key
    imported = member.compute.create_keypair(name="imp", public_key=public)
    assert imported.fingerprint == generated.fingerprint
    assert sorted(k.name for k in member.compute.keypairs()) == ["gen", "imp"]
    assert member.compute.get_keypair("imp").public_key == public
    with pytest.raises(sdk_exceptions.ConflictException):
        member.compute.create_keypair(name="imp", public_key=public)
    member.compute.delete_keypair("gen")
    assert [k.name for k in member.compute.keypairs()] == ["imp"]
    other = connect(endpoint, "member-b")
    assert list(other.compute.keypairs()) == []


def test_sdk_quotas_limits_services(endpoint: str) -> None:
    admin = connect(endpoint, "admin")
    member = connect(endpoint, "member-a")
    admin.compute.update_quota_set(PROJECT_A, instances=7)
    assert member.compute.get_quota_set(PROJECT_A).instances == 7
    limits = member.compute.get_limits()
    assert limits.absolute.instances == 7 and limits.absolute.instances_used == 0
    service_store.report("cn1", "novalite-compute", "compute")
    services = list(admin.compute.services())
    assert [(s.binary, s.host, s.status, s.state) for s in services] == [
        ("nova-compute", "cn1", "enabled", "up")]
    admin.compute.disable_service(services[0], disabled_reason="maint")
    assert next(admin.compute.services()).status == "disabled"
    zones = list(member.compute.availability_zones())
    assert [z.name for z in zones] == ["nova"]
