"""The day-2 server actions through openstacksdk against the in-process cloud (two fake
compute hosts): images (createImage, createBackup with rotation), rebuild, rescue,
shelve, resize and cold migration with confirm and revert, live migration and
evacuation between the two hosts, the refusals with one usable host, and the rest."""

from __future__ import annotations

import openstack
import pytest
import requests

from tests.functional.cloud import wait_for
from tests.functional.conftest import ADMIN_PASSWORD


def connect(cloud) -> openstack.connection.Connection:
    return openstack.connect(
        auth_type="password", auth={
            "auth_url": f"{cloud['identity']}/v3", "username": "admin",
            "password": ADMIN_PASSWORD, "project_name": "admin",
            "user_domain_name": "Default", "project_domain_name": "Default"},
        region_name="RegionOne", load_yaml_config=False, load_envvars=False)


@pytest.fixture
def admin(cloud):
    return connect(cloud)


@pytest.fixture
def image(admin, tmp_path):
    path = tmp_path / "disk.raw"
    path.write_bytes(b"\0" * 4096)
    return admin.image.create_image(name="base", filename=str(path), disk_format="raw",
                                    container_format="bare", visibility="public",
                                    hw_rng_model="virtio", cache_in_nova="true")


def boot(admin, image, name: str = "vm1", flavor: str = "1", **kwargs):
    server = admin.compute.create_server(name=name, flavor_id=flavor, image_id=image.id,
                                         networks=kwargs.pop("networks", "none"), **kwargs)
    return admin.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)


def status(admin, server, wanted: str, timeout: float = 30.0):
    """The server once it shows ``wanted`` (and no task is running)."""
    def check():
        found = admin.compute.get_server(server.id)
        return found if found.status == wanted and found.task_state is None else None

    return wait_for(check, timeout=timeout, message=f"{server.name} {wanted}")


def raw(admin, cloud, method: str, path: str, version: str = "2.1", body=None):
    return requests.request(method, f"{cloud['compute']}{path}", json=body, timeout=30,
                            headers={"X-Auth-Token": admin.auth_token,
                                     "OpenStack-API-Version": f"compute {version}"})


def actions(admin, server) -> list[str]:
    return [action.action for action in admin.compute.server_actions(server)]


def diagnostics(admin, cloud, server) -> dict:
    return raw(admin, cloud, "GET", f"/servers/{server.id}/diagnostics").json()


def test_create_image_boots_and_backups_rotate(admin, image, cloud):
    server = boot(admin, image)
    snapshot = admin.compute.create_server_image(server, "snap", metadata={"k": "v"},
                                                 wait=True, timeout=30)
    snapshot = admin.image.get_image(snapshot.id)
    assert snapshot.status == "active" and snapshot.disk_format == "raw"
    properties = snapshot.properties  # the SDK keeps the ones it knows as attributes
    assert (snapshot.instance_uuid, properties["image_type"], properties["k"],
            properties["base_image_ref"], snapshot.hw_rng_model) == (
        server.id, "snapshot", "v", image.id, "virtio")
    assert "cache_in_nova" not in properties  # [DEFAULT] non_inheritable_image_properties
    assert snapshot.visibility == "private"
    status(admin, server, "ACTIVE")
    assert boot(admin, snapshot, "from-snap").image.id == snapshot.id

    for number in range(3):
        admin.compute.backup_server(server, f"backup-{number}", "daily", 2)
        status(admin, server, "ACTIVE")

    def backups() -> list[str]:
        return sorted(i.name for i in admin.image.images()
                      if i.properties.get("backup_type") == "daily" and i.status == "active")

    wait_for(lambda: backups() == ["backup-1", "backup-2"], message="the newest two kept")
    assert actions(admin, server)[:4] == ["createBackup", "createBackup", "createBackup",
                                          "createImage"]
    # before 2.45 the image is named by a Location header, from 2.45 in the body
    old = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.44",
              {"createImage": {"name": "old-style"}})
    assert old.status_code == 202 and old.headers["Location"].rsplit("/", 1)[-1]
    assert not old.content
    status(admin, server, "ACTIVE")
    new = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.45",
              {"createImage": {"name": "new-style"}})
    assert new.status_code == 202 and set(new.json()) == {"image_id"}
    status(admin, server, "ACTIVE")
    bad = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.45",
              {"createBackup": {"name": "b", "backup_type": "daily", "rotation": -1}})
    assert bad.status_code == 400


def test_rebuild_keeps_the_server_and_its_addresses(admin, image, cloud, tmp_path):
    path = tmp_path / "other.raw"
    path.write_bytes(b"\1" * 4096)
    other = admin.image.create_image(name="other", filename=str(path), disk_format="raw",
                                     container_format="bare")
    server = boot(admin, image, networks=[{"uuid": admin.network.find_network("shared").id}])
    before = diagnostics(admin, cloud, server)
    response = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.57",
                   {"rebuild": {"imageRef": other.id, "name": "rebuilt",
                                "metadata": {"a": "b"}, "user_data": "IyEvYmluL3NoCg=="}})
    assert response.status_code == 202, response.text
    body = response.json()["server"]
    assert body["image"]["id"] == other.id and body["name"] == "rebuilt"
    assert body["adminPass"] and "OS-EXT-STS:vm_state" not in body  # before 2.75
    rebuilt = status(admin, server, "ACTIVE")
    assert rebuilt.id == server.id and rebuilt.addresses == server.addresses
    assert rebuilt.metadata == {"a": "b"}
    after = diagnostics(admin, cloud, server)
    assert after["defined_at"] > before["defined_at"] and after["pid"] != before["pid"]
    assert actions(admin, server)[0] == "rebuild"
    full = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.75",
               {"rebuild": {"imageRef": image.id}}).json()["server"]
    assert full["OS-EXT-STS:task_state"] == "rebuilding"
    status(admin, server, "ACTIVE")


def test_rescue_and_unrescue(admin, image, cloud):
    server = boot(admin, image)
    admin.compute.rescue_server(server, admin_pass="pw")
    status(admin, server, "RESCUE")
    console = admin.compute.get_server_console_output(server)["output"]
    assert f"fake rescue boot from image {image.id}" in console
    conflict = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
                   {"rescue": None})
    assert conflict.status_code == 409
    admin.compute.unrescue_server(server)
    status(admin, server, "ACTIVE")
    assert actions(admin, server)[:2] == ["unrescue", "rescue"]
    missing = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
                  {"rescue": {"rescue_image_ref": "8c2d9df0-8a4b-4ea2-9e4b-6c6f3c1d9a11"}})
    assert missing.status_code == 400


def test_shelve_offloads_and_unshelve_schedules_again(admin, image, cloud):
    from novalite.placement import client as placement

    server = boot(admin, image, networks=[{"uuid": admin.network.find_network("shared").id}])
    admin.compute.shelve_server(server)
    shelved = status(admin, server, "SHELVED_OFFLOADED")
    assert shelved.compute_host is None and shelved.addresses == server.addresses
    assert placement.get_allocations(server.id) == {}
    [snapshot] = list(admin.image.images(name="vm1-shelved"))
    assert snapshot.status == "active"
    admin.compute.unshelve_server(server)
    back = status(admin, server, "ACTIVE")
    assert back.compute_host and back.addresses == server.addresses
    assert placement.get_allocations(server.id)
    wait_for(lambda: not list(admin.image.images(name="vm1-shelved")),
             message="the shelved snapshot deleted")
    assert actions(admin, server)[:2] == ["unshelve", "shelve"]
