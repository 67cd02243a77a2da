"""Compute API answers that openstacksdk's, python-openstackclient's and
python-novaclient's own functional suites expect from Nova, over the whole cloud."""

from __future__ import annotations

from typing import Any

import openstack
import pytest

from tests.functional.cloud import wait_for
from tests.functional.conftest import ADMIN_PASSWORD


@pytest.fixture
def admin(cloud):
    conn = openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{cloud['identity']}/v3", "username": "admin",
            "password": ADMIN_PASSWORD, "project_name": "admin",
            "user_domain_name": "Default", "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)
    yield conn
    conn.close()


def raw(conn: openstack.connection.Connection, method: str, path: str, version: str,
        body: Any = None) -> Any:
    """A Compute API call at an exact microversion, without the SDK raising on errors."""
    return conn.compute.request(path, method, json=body, microversion=version,
                                raise_exc=False)


@pytest.fixture
def server(admin):
    image = admin.image.create_image(name="img", data=b"\0" * 1024, disk_format="raw",
                                     container_format="bare", visibility="public")
    created = admin.compute.create_server(name="parity", flavor_id="1", image_id=image.id,
                                          networks="none")
    yield admin.compute.wait_for_server(created, status="ACTIVE", wait=60, interval=0.05)
    admin.compute.delete_server(created)
    admin.compute.wait_for_delete(created, wait=60, interval=0.05)


def test_hypervisor_cpu_info_is_an_object_from_2_28(admin):
    wait_for(lambda: len(list(admin.compute.hypervisors())) == 2)
    old = raw(admin, "GET", "/os-hypervisors/detail", "2.27").json()["hypervisors"]
    assert all(isinstance(h["cpu_info"], str) for h in old)
    new = raw(admin, "GET", "/os-hypervisors/detail", "2.28").json()["hypervisors"]
    assert all(h["cpu_info"] == {} for h in new)
    one = raw(admin, "GET", f"/os-hypervisors/{new[0]['id']}", "2.28").json()
    assert one["hypervisor"]["cpu_info"] == {}


@pytest.mark.parametrize("path", ["/os-agents", "/os-agents/1", "/os-cells",
                                  "/os-cells/capacities", "/os-fping", "/os-fixed-ips/10.0.0.1",
                                  "/os-floating-ips-bulk", "/os-floating-ip-dns",
                                  "/os-security-group-default-rules", "/os-cloudpipe",
                                  "/os-certificates/root"])
def test_removed_apis_answer_410(admin, path):
    response = raw(admin, "GET", path, "2.1")
    assert response.status_code == 410, response.text
    assert response.json() == {"computeFault": {
        "code": 410, "message": "This resource is no longer available. No forwarding "
                                "address is given."}}
    assert raw(admin, "POST", "/os-agents", "2.1", {"agent": {}}).status_code == 410
    assert raw(admin, "DELETE", "/os-agents/1", "2.1").status_code == 410
    assert raw(admin, "POST", "/os-networks/1/action", "2.1",
               {"associate_host": "h"}).status_code == 410


def test_public_flavor_access_is_409_only_from_2_7(admin):
    flavor = admin.compute.create_flavor(name="pub", ram=64, vcpus=1, disk=0, is_public=True)
    project = admin.current_project_id
    body = {"addTenantAccess": {"tenant": project}}
    refused = raw(admin, "POST", f"/flavors/{flavor.id}/action", "2.7", body)
    assert refused.status_code == 409
    assert refused.json()["conflictingRequest"]["message"] == (
        "Can not add access to a public flavor.")
    accepted = raw(admin, "POST", f"/flavors/{flavor.id}/action", "2.6", body)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"flavor_access": [{"flavor_id": flavor.id,
                                                  "tenant_id": project}]}
    assert raw(admin, "POST", f"/flavors/{flavor.id}/action", "2.1", body).status_code == 409
    admin.compute.delete_flavor(flavor)


def test_legacy_quota_keys_are_stored_and_shown(admin):
    project = admin.current_project_id
    path = f"/os-quota-sets/{project}"
    body = {"quota_set": {"injected_files": 7, "injected_file_content_bytes": "20480",
                          "floating_ips": 3, "security_groups": 4, "instances": 9}}
    updated = raw(admin, "PUT", path, "2.35", body)
    assert updated.status_code == 200, updated.text
    shown = raw(admin, "GET", path, "2.35").json()["quota_set"]
    assert (shown["injected_files"], shown["injected_file_content_bytes"],
            shown["floating_ips"], shown["security_groups"], shown["instances"]) == (
        7, 20480, 3, 4, 9)
    mid = raw(admin, "GET", path, "2.36").json()["quota_set"]
    assert mid["injected_files"] == 7 and "floating_ips" not in mid
    assert "injected_files" not in raw(admin, "GET", path, "2.57").json()["quota_set"]
    # the network keys went at 2.36, the injected file ones at 2.57: 400 from then on
    assert raw(admin, "PUT", path, "2.36", {"quota_set": {"floating_ips": 1}}
               ).status_code == 400
    assert raw(admin, "PUT", path, "2.57", {"quota_set": {"injected_files": 1}}
               ).status_code == 400
    gone = raw(admin, "PUT", path, "2.35", {"quota_set": {"networks": 1}})
    assert gone.status_code == 400
    assert gone.json()["badRequest"]["message"] == "The networks quota has been removed"
    detail = raw(admin, "GET", f"{path}/detail", "2.35").json()["quota_set"]
    assert detail["injected_files"]["limit"] == 7
    assert admin.compute.get_quota_set(project).injected_files == 7
    raw(admin, "DELETE", path, "2.1")
    assert raw(admin, "GET", path, "2.1").json()["quota_set"]["injected_files"] == 5


def test_too_long_description_names_the_description_field(admin, server):
    response = raw(admin, "PUT", f"/servers/{server.id}", "2.19",
                   {"server": {"description": "d" * 256}})
    assert response.status_code == 400
    assert response.json()["badRequest"]["message"].startswith(
        "Invalid input for field/attribute description. Value: ddd")


def test_unshelve_of_an_active_server_is_409(admin, server):
    response = raw(admin, "POST", f"/servers/{server.id}/action", "2.1", {"unshelve": None})
    assert response.status_code == 409, response.text
    assert response.json()["conflictingRequest"]["message"] == (
        f"Cannot 'unshelve' instance {server.id} while it is in vm_state active")
    with pytest.raises(openstack.exceptions.ConflictException):
        admin.compute.unshelve_server(server)
