"""The day-2 server actions through openstacksdk against the in-process cloud (two fake
compute hosts): images (createImage, createBackup with rotation), rebuild, rescue,
shelve, resize and cold migration with confirm and revert, live migration and
evacuation between the two hosts, the refusals with one usable host, and the rest."""

from __future__ import annotations

import openstack
import pytest
import requests

from novalite.common.context import get_admin_context
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


@pytest.fixture
def one_host(cloud, conf):
    """Only compute-1 takes servers (compute-2 disabled), resizes may stay on it."""
    from novalite.db import service_store

    [row] = service_store.list_services(binary="novalite-compute", host="compute-2")
    service_store.set_state(str(row["id"]), disabled=True, disabled_reason="tests")
    conf.set_override("allow_resize_to_same_host", True)
    yield "compute-1"
    conf.clear_override("allow_resize_to_same_host")


def _allocations(consumer: str) -> dict[str, dict[str, int]]:
    from novalite.placement import client as placement

    return {provider: dict(entry["resources"])
            for provider, entry in placement.get_allocations(consumer).items()}


def _migration(server_id: str) -> dict:
    from novalite.db import instance_migrations

    return instance_migrations.list_migrations({"instance_uuid": server_id})[0]


def test_resize_on_one_host_confirm_and_revert(admin, image, cloud, one_host):
    server = boot(admin, image)
    admin.compute.resize_server(server, "2")
    resized = status(admin, server, "VERIFY_RESIZE")
    assert resized.flavor.original_name == "m1.small" and resized.compute_host == one_host
    assert diagnostics(admin, cloud, server)["memory_details"]["maximum"] == 256
    migration = _migration(server.id)
    assert (migration["status"], migration["migration_type"], migration["source_compute"],
            migration["dest_compute"]) == ("finished", "resize", one_host, one_host)
    # Nova's move_allocations: the migration holds the old flavor, the server the new
    assert list(_allocations(migration["uuid"]).values()) == [
        {"VCPU": 1, "MEMORY_MB": 128, "DISK_GB": 1}]
    assert list(_allocations(server.id).values()) == [
        {"VCPU": 1, "MEMORY_MB": 256, "DISK_GB": 2}]
    admin.compute.confirm_server_resize(server)
    status(admin, server, "ACTIVE")
    assert _migration(server.id)["status"] == "confirmed"
    assert _allocations(migration["uuid"]) == {}

    admin.compute.resize_server(server, "3")
    status(admin, server, "VERIFY_RESIZE")
    assert diagnostics(admin, cloud, server)["num_cpus"] == 2
    admin.compute.revert_server_resize(server)
    reverted = status(admin, server, "ACTIVE")
    assert reverted.flavor.original_name == "m1.small"
    assert diagnostics(admin, cloud, server)["num_cpus"] == 1
    assert list(_allocations(server.id).values()) == [
        {"VCPU": 1, "MEMORY_MB": 256, "DISK_GB": 2}]
    assert _migration(server.id)["status"] == "reverted"
    assert actions(admin, server)[:4] == ["revertResize", "resize", "confirmResize",
                                          "resize"]

    same = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
               {"resize": {"flavorRef": "2"}})
    assert same.status_code == 400
    assert same.json()["badRequest"]["message"] == "When resizing, instances must change " \
                                                   "flavor!"
    smaller = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
                  {"resize": {"flavorRef": "1"}})
    assert smaller.status_code == 202  # refused by the driver: back to ACTIVE, a fault
    refused = status(admin, server, "ACTIVE")
    assert refused.flavor.original_name == "m1.small"
    assert _migration(server.id)["status"] == "error"
    assert raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
               {"confirmResize": None}).status_code == 409  # vm_state active


def test_cold_migration_needs_another_host(admin, image, cloud, one_host):
    server = boot(admin, image)
    admin.compute.migrate_server(server)
    back = status(admin, server, "ACTIVE")
    assert back.compute_host == one_host
    migration = _migration(server.id)
    assert (migration["status"], migration["migration_type"]) == ("error", "migration")
    fault = raw(admin, cloud, "GET", f"/servers/{server.id}").json()["server"]
    assert "fault" not in fault  # an ACTIVE server shows none, the action event does
    events = admin.compute.get_server_action(admin.compute.server_actions(server).__next__()
                                             .request_id, server)
    assert events.action == "migrate"
    same = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.56",
               {"migrate": {"host": one_host}})
    assert same.status_code == 400 and "same host" in same.text or "where the server" in \
        same.text
    unknown = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.56",
                  {"migrate": {"host": "nowhere"}})
    assert unknown.status_code == 400
    # below 2.34 a live migration with no host for it is a 400; after, the server stays
    sync = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.25",
               {"os-migrateLive": {"host": None, "block_migration": "auto"}})
    assert sync.status_code == 400 and "No valid host" in sync.text
    status(admin, server, "ACTIVE")
    cast = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.34",
               {"os-migrateLive": {"host": None, "block_migration": "auto"}})
    assert cast.status_code == 202
    assert status(admin, server, "ACTIVE").compute_host == one_host
    assert _migration(server.id)["migration_type"] == "live-migration"
    evacuate = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.29",
                   {"evacuate": {}})
    assert evacuate.status_code == 400
    assert "is still in use" in evacuate.json()["badRequest"]["message"]


def test_moves_between_two_fake_hosts(admin, image, cloud):
    server = boot(admin, image)
    source = server.compute_host
    other = ({"compute-1", "compute-2"} - {source}).pop()
    admin.compute.migrate_server(server)
    moved = status(admin, server, "VERIFY_RESIZE")
    assert moved.compute_host == other
    plane = cloud["plane"]
    assert server.id in plane.driver(other).list_instance_uuids()
    assert server.id in plane.driver(source).list_instance_uuids()  # kept for a revert
    admin.compute.confirm_server_resize(server)
    status(admin, server, "ACTIVE")
    assert server.id not in plane.driver(source).list_instance_uuids()

    admin.compute.live_migrate_server(server, host=source, block_migration="auto")
    live = status(admin, server, "ACTIVE")
    assert live.compute_host == source
    wait_for(lambda: _migration(server.id)["status"] == "completed",
             message="the live migration completed")
    assert server.id not in plane.driver(other).list_instance_uuids()
    assert list(_allocations(server.id)) == [plane.computes[source].manager
                                             .resource_tracker.provider_uuid]


def test_evacuate_from_a_down_host(admin, image, cloud):
    from novalite.db import service_store

    server = boot(admin, image)
    source = server.compute_host
    [row] = service_store.list_services(binary="novalite-compute", host=source)
    service_store.set_state(str(row["id"]), forced_down=True)
    response = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.14",
                   {"evacuate": {}})
    assert response.status_code == 200 and not response.content
    evacuated = status(admin, server, "ACTIVE")
    assert evacuated.compute_host != source
    assert _migration(server.id)["status"] == "done"
    # the source, back, destroys what it still has and gives up its allocation
    service_store.set_state(str(row["id"]), forced_down=False)
    cloud["plane"].restart_compute(source)
    assert server.id not in cloud["plane"].driver(source).list_instance_uuids()
    assert _migration(server.id)["status"] == "completed"
    assert len(_allocations(server.id)) == 1


def test_guest_and_admin_actions(admin, image, cloud):
    server = boot(admin, image, networks=[{"uuid": admin.network.find_network("shared").id}])
    admin.compute.reset_server_state(server, "error")
    assert admin.compute.get_server(server.id).status == "ERROR"
    admin.compute.reset_server_state(server, "active")
    assert admin.compute.get_server(server.id).status == "ACTIVE"
    bad_state = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
                    {"os-resetState": {"state": "stopped"}})
    assert bad_state.status_code == 400

    from novalite.db import instances

    instances.update(None, server.id, {"network_info": []})  # a cache gone stale
    assert admin.compute.get_server(server.id).addresses == {}
    assert raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
               {"injectNetworkInfo": None}).status_code == 202
    wait_for(lambda: admin.compute.get_server(server.id).addresses == server.addresses,
             message="the info cache read again from the ports")

    assert raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.16",
               {"trigger_crash_dump": None}).status_code == 404  # from 2.17
    admin.compute.trigger_server_crash_dump(server)
    driver = cloud["plane"].driver(server.compute_host)
    assert driver._guests[server.id].nmi_count == 1
    admin.compute.stop_server(server)
    status(admin, server, "SHUTOFF")
    stopped = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.17",
                  {"trigger_crash_dump": None})
    assert stopped.status_code == 409
    password = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
                   {"changePassword": {"adminPass": "s3cret"}})
    assert password.status_code == 409  # vm_state stopped
    admin.compute.start_server(server)
    status(admin, server, "ACTIVE")
    admin.compute.change_server_password(server, "s3cret")
    assert driver._guests[server.id].admin_password == "s3cret"
    assert admin.compute.get_server(server.id).task_state is None

    group = admin.network.create_security_group(name="web")
    admin.compute.add_security_group_to_server(server, group)
    [port] = list(admin.network.ports(device_id=server.id))
    assert group.id in port.security_group_ids
    groups = raw(admin, cloud, "GET", f"/servers/{server.id}").json()["server"][
        "security_groups"]
    assert {"name": "web"} in groups
    admin.compute.remove_security_group_from_server(server, group)
    [port] = list(admin.network.ports(device_id=server.id))
    assert group.id not in port.security_group_ids
    assert raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
               {"removeSecurityGroup": {"name": "web"}}).status_code == 404
    assert raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
               {"addSecurityGroup": {"name": "nope"}}).status_code == 404

    # an address the network service does not have: Nova's 404; the action is gone from 2.44
    floating = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.1",
                   {"addFloatingIp": {"address": "203.0.113.5"}})
    assert floating.status_code == 404
    assert "203.0.113.5" in floating.json()["itemNotFound"]["message"]
    assert raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.44",
               {"addFloatingIp": {"address": "203.0.113.5"}}).status_code == 404


def test_soft_delete_restore_and_reclaim(admin, image, cloud, conf):
    conf.set_override("reclaim_instance_interval", 3600)
    try:
        server = boot(admin, image)
        admin.compute.delete_server(server)
        status(admin, server, "SOFT_DELETED")
        assert cloud["plane"].driver(server.compute_host).get_power_state(
            {"uuid": server.id}) == 4  # shut down, kept
        admin.compute.restore_server(server)
        status(admin, server, "ACTIVE")
        assert actions(admin, server)[:2] == ["restore", "delete"]
        admin.compute.delete_server(server)
        status(admin, server, "SOFT_DELETED")
        admin.compute.delete_server(server, force=True)
        admin.compute.wait_for_delete(server, wait=30, interval=0.1)

        reclaimed = boot(admin, image, "reclaimed")
        admin.compute.delete_server(reclaimed)
        status(admin, reclaimed, "SOFT_DELETED")
        conf.set_override("reclaim_instance_interval", 1)
        manager = cloud["plane"].computes[reclaimed.compute_host].manager
        wait_for(lambda: manager._reclaim_queued_deletes(get_admin_context())
                 or admin.compute.find_server(reclaimed.id) is None, timeout=10,
                 interval=0.5, message="reclaimed after the interval")
    finally:
        conf.clear_override("reclaim_instance_interval")


def test_resize_confirmed_after_the_window_and_shelve_kept(admin, image, cloud, one_host):
    from novalite.conf import CONF

    CONF.set_override("resize_confirm_window", 1)
    CONF.set_override("shelved_offload_time", -1)
    try:
        server = boot(admin, image)
        admin.compute.resize_server(server, "2")
        status(admin, server, "VERIFY_RESIZE")
        conductor = next(s for s in cloud["plane"].services
                         if s.binary == "novalite-conductor").manager
        wait_for(lambda: conductor._poll_unconfirmed_resizes(get_admin_context())
                 or admin.compute.get_server(server.id).status == "ACTIVE",
                 timeout=15, interval=0.5, message="confirmed automatically")
        assert actions(admin, server)[0] == "confirmResize"

        admin.compute.shelve_server(server)
        shelved = status(admin, server, "SHELVED")
        assert shelved.compute_host == one_host  # kept: never offloaded
        admin.compute.unshelve_server(server)
        status(admin, server, "ACTIVE")
        admin.compute.shelve_server(server)
        status(admin, server, "SHELVED")
        admin.compute.shelve_offload_server(server)
        assert status(admin, server, "SHELVED_OFFLOADED").compute_host is None
        shelved_az = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.77",
                         {"unshelve": {"availability_zone": "nowhere"}})
        assert shelved_az.status_code == 400
        admin.compute.unshelve_server(server, availability_zone="nova")
        status(admin, server, "ACTIVE")
        active_az = raw(admin, cloud, "POST", f"/servers/{server.id}/action", "2.91",
                        {"unshelve": {"availability_zone": None}})
        assert active_az.status_code == 409
    finally:
        CONF.clear_override("resize_confirm_window")
        CONF.clear_override("shelved_offload_time")
