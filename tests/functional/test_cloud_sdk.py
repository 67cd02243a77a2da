"""Issue "Compute core" end to end through openstacksdk: identity → image → compute, the
build over the real services, every server action, isolation between projects, and
bad input answered as Nova answers it."""

from __future__ import annotations

import openstack
import pytest
import requests
from openstack import exceptions as sdk_exceptions

from tests.functional.conftest import ADMIN_PASSWORD, DEMO_PASSWORD


def connect(cloud, user: str, password: str, project: str) -> openstack.connection.Connection:
    return openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{cloud['identity']}/v3", "username": user, "password": password,
            "project_name": project, "user_domain_name": "Default",
            "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)


@pytest.fixture
def admin(cloud):
    return connect(cloud, "admin", ADMIN_PASSWORD, "admin")


@pytest.fixture
def demo(cloud):
    return connect(cloud, "demo", DEMO_PASSWORD, "demo")


@pytest.fixture
def image(admin, tmp_path):
    path = tmp_path / "disk.raw"
    path.write_bytes(b"\0" * 4096)
    created = admin.image.create_image(name="tiny-test", filename=str(path),
                                       disk_format="raw", container_format="bare",
                                       visibility="public")
    return created


def test_server_lifecycle_through_the_sdk(admin, demo, image, cloud):
    flavor = admin.compute.create_flavor(name="f1", ram=256, vcpus=1, disk=1)
    keypair = demo.compute.create_keypair(name="k1")
    server = demo.compute.create_server(name="vm1", flavor_id=flavor.id, image_id=image.id,
                                        key_name=keypair.name, networks="none")
    server = demo.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.2)
    assert server.key_name == "k1" and server.flavor.original_name == "f1"
    assert server.image.id == image.id
    assert [s.id for s in demo.compute.servers()] == [server.id]

    as_admin = admin.compute.get_server(server.id)
    assert as_admin.compute_host in cloud["plane"].computes
    assert as_admin.instance_name.startswith("instance-")
    assert demo.compute.get_server(server.id).compute_host is None  # admin-only field

    for action, status in (("reboot_soft", "ACTIVE"), ("reboot_hard", "ACTIVE"),
                           ("stop", "SHUTOFF"), ("start", "ACTIVE"), ("pause", "PAUSED"),
                           ("unpause", "ACTIVE"), ("suspend", "SUSPENDED"),
                           ("resume", "ACTIVE")):
        if action.startswith("reboot"):
            demo.compute.reboot_server(server, action.split("_")[1].upper())
        else:
            getattr(demo.compute, f"{action}_server")(server)
        # refetch: the SDK's wait returns at once if the object it is given already matches
        demo.compute.wait_for_server(demo.compute.get_server(server.id), status=status,
                                     wait=30, interval=0.1)
    actions = [a.action for a in demo.compute.server_actions(server)]
    assert actions == ["resume", "suspend", "unpause", "pause", "start", "stop", "reboot",
                       "reboot", "create"]
    diagnostics = requests.get(
        f"{cloud['compute']}/servers/{server.id}/diagnostics",
        headers={"X-Auth-Token": admin.auth_token}, timeout=10).json()
    assert diagnostics["hypervisor"] == "fake" and diagnostics["pid"] > 0

    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=30, interval=0.1)
    assert list(demo.compute.servers()) == []


def test_projects_are_isolated(admin, demo, image):
    server = demo.compute.create_server(name="mine", flavor_id="1", image_id=image.id,
                                        networks="none")
    admin_server = admin.compute.create_server(name="theirs", flavor_id="1",
                                               image_id=image.id, networks="none")
    with pytest.raises(sdk_exceptions.ResourceNotFound):
        demo.compute.get_server(admin_server.id)
    assert {s.name for s in demo.compute.servers()} == {"mine"}
    assert {s.name for s in admin.compute.servers()} == {"theirs"}
    assert {s.name for s in admin.compute.servers(all_projects=True)} == {"mine", "theirs"}
    with pytest.raises(sdk_exceptions.ResourceNotFound):
        demo.compute.delete_server(admin_server.id, ignore_missing=False)
    for s in (server, admin_server):
        admin.compute.delete_server(s.id)


def test_reader_cannot_create(admin, cloud, image):
    project = admin.identity.find_project("demo")
    reader = admin.identity.create_user(name="watcher", password="watch-pass",
                                        default_project_id=project.id)
    role = admin.identity.find_role("reader")
    admin.identity.assign_project_role_to_user(project, reader, role)
    watcher = connect(cloud, "watcher", "watch-pass", "demo")
    assert list(watcher.compute.servers()) == []
    with pytest.raises(sdk_exceptions.ForbiddenException):
        watcher.compute.create_server(name="no", flavor_id="1", image_id=image.id,
                                      networks="none")


def test_bad_input_is_a_4xx_with_a_nova_fault(demo, admin, image, cloud):
    url = f"{cloud['compute']}/servers"
    headers = {"X-Auth-Token": demo.auth_token,
               "OpenStack-API-Version": "compute 2.90"}

    def post(body, expected, fault, version=None):
        sent = dict(headers)
        if version:
            sent["OpenStack-API-Version"] = f"compute {version}"
        response = requests.post(url, headers=sent, timeout=10,
                                 **({"data": body} if isinstance(body, str) else {"json": body}))
        assert response.status_code == expected, response.text
        assert fault in response.json()
        return response.json()[fault]["message"]

    good = {"name": "x", "flavorRef": "1", "imageRef": image.id, "networks": "none"}
    assert "Flavor 99 could not be found" in post({"server": {**good, "flavorRef": "99"}},
                                                  400, "badRequest")
    assert "Can not find requested image" in post({"server": {**good, "imageRef": "0" * 32}},
                                        400, "badRequest")
    post("{not json", 400, "badRequest")
    post({"server": {**good, "name": ""}}, 400, "badRequest")
    post({"server": {**good, "bogus": 1}}, 400, "badRequest")
    post({"server": good}, 406, "computeFault", version="2.999")
    demo_project = admin.identity.find_project("demo")
    admin.compute.update_quota_set(demo_project.id, instances=1)
    created = demo.compute.create_server(name="only", flavor_id="1", image_id=image.id,
                                         networks="none")
    assert "Quota exceeded" in post({"server": good}, 403, "forbidden")
    demo.compute.wait_for_server(created, status="ACTIVE", wait=30, interval=0.1)
    response = requests.post(f"{url}/{created.id}/action", headers=headers, timeout=10,
                             json={"os-start": None})
    assert response.status_code == 409
    assert "while it is in vm_state active" in response.json()["conflictingRequest"][
        "message"]
    demo.compute.delete_server(created)
