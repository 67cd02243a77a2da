"""A server's volumes through the whole in-process cloud (fake compute hosts, the real
volume service): ``os-volume_attachments`` with the SDK, the CLI and plain HTTP at
Nova's microversions, the volume's states and attachments on the volume side, the
refusals, and a delete that detaches and deletes delete_on_termination volumes."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests

from novalite.conf import CONF
from novalite.db import block_devices
from tests.functional.clients import Cli, connect
from tests.functional.cloud import wait_for

HEADERS_344 = {"OpenStack-API-Version": "volume 3.44"}
IN_USE = ("Invalid volume: Volume status must be available or error or error_restoring or "
          "error_extending or error_managing and must not be migrating, attached, belong to "
          "a group, have snapshots, awaiting a transfer, or be disassociated from snapshots "
          "after volume transfer.")


@pytest.fixture
def demo(cloud):
    conn = connect(cloud, "demo")
    yield conn
    conn.close()


@pytest.fixture
def image(demo, tmp_path):
    path = tmp_path / "disk.raw"
    path.write_bytes(b"\0" * 4096)
    return demo.image.create_image(name="base", filename=str(path), disk_format="raw",
                                   container_format="bare")


def boot(conn: Any, image: Any, name: str) -> Any:
    server = conn.compute.create_server(name=name, flavor_id="1", image_id=image.id,
                                        networks="none")
    return conn.compute.wait_for_server(server, status="ACTIVE", wait=60, interval=0.1)


def new_volume(conn: Any, name: str, size: int = 1) -> Any:
    volume = conn.block_storage.create_volume(size=size, name=name)
    return conn.block_storage.wait_for_status(volume, "available", failures=["error"],
                                              wait=60, interval=0.05)


def compute(cloud: dict[str, Any], conn: Any, method: str, path: str, version: str = "2.1",
            body: Any = None) -> requests.Response:
    return requests.request(method, f"{cloud['compute']}{path}", json=body, timeout=60,
                            headers={"X-Auth-Token": conn.auth_token,
                                     "OpenStack-API-Version": f"compute {version}"})


def status_of(conn: Any, volume_id: str) -> str:
    return str(conn.block_storage.get_volume(volume_id).status)


def volume_files() -> list[str]:
    root = os.path.expanduser(CONF.volume.volumes_path)
    return sorted(os.path.join(d, n) for d, _, names in os.walk(root) for n in names)


def test_attach_list_show_detach_at_the_microversions(cloud, demo, image):
    server = boot(demo, image, "vm1")
    volume = new_volume(demo, "data")
    attached = demo.compute.create_volume_attachment(server, volume_id=volume.id)
    assert attached.device == "/dev/vdb"
    assert status_of(demo, volume.id) == "in-use"
    found = demo.block_storage.get_volume(volume.id)
    assert [(a["server_id"], a["device"]) for a in found.attachments] == [
        (server.id, "/dev/vdb")]

    old = compute(cloud, demo, "GET", f"/servers/{server.id}/os-volume_attachments")
    assert old.status_code == 200
    assert old.json() == {"volumeAttachments": [{
        "id": volume.id, "volumeId": volume.id, "serverId": server.id,
        "device": "/dev/vdb"}]}
    new = compute(cloud, demo, "GET",
                  f"/servers/{server.id}/os-volume_attachments/{volume.id}", "2.89").json()
    attachment = new["volumeAttachment"]
    assert "id" not in attachment and attachment["tag"] is None
    assert attachment["delete_on_termination"] is False
    assert attachment["attachment_id"] == found.attachments[0]["attachment_id"]
    assert attachment["bdm_uuid"]
    shown = compute(cloud, demo, "GET", f"/servers/{server.id}", "2.3").json()["server"]
    assert shown["os-extended-volumes:volumes_attached"] == [
        {"id": volume.id, "delete_on_termination": False}]
    listed = compute(cloud, demo, "GET", "/servers/detail").json()["servers"]
    assert listed[0]["os-extended-volumes:volumes_attached"] == [{"id": volume.id}]

    # an in-use volume is not deleted (Cinder's 400), nor attached twice
    refused = requests.delete(
        f"{cloud['volume']}/{demo.current_project_id}/volumes/{volume.id}",
        headers={"X-Auth-Token": demo.auth_token}, timeout=30)
    assert refused.status_code == 400
    assert refused.json() == {"badRequest": {"code": 400, "message": IN_USE}}
    again = compute(cloud, demo, "POST", f"/servers/{server.id}/os-volume_attachments",
                    body={"volumeAttachment": {"volumeId": volume.id}})
    assert again.status_code == 400, again.text
    assert again.json()["badRequest"]["message"] == (
        f"Invalid volume: volume {volume.id} already attached")

    demo.compute.delete_volume_attachment(server, volume.id)
    wait_for(lambda: status_of(demo, volume.id) == "available", timeout=30,
             message="volume available after the detach")
    assert demo.block_storage.get_volume(volume.id).attachments == []
    assert compute(cloud, demo, "GET", f"/servers/{server.id}/os-volume_attachments"
                   ).json() == {"volumeAttachments": []}
    demo.block_storage.delete_volume(volume.id)
    wait_for(lambda: demo.block_storage.find_volume(volume.id) is None, timeout=30,
             message="the volume deleted")


def test_refusals_are_clear_4xx(cloud, demo, image):
    server = boot(demo, image, "vm1")
    path = f"/servers/{server.id}/os-volume_attachments"
    missing = "0b6c3c05-0bd1-4a2e-a8a4-1a0d6e4f8d1e"
    gone = compute(cloud, demo, "POST", path, body={"volumeAttachment": {"volumeId": missing}})
    assert gone.status_code == 404
    assert gone.json()["itemNotFound"]["message"] == f"Volume {missing} could not be found."
    for body in ({}, {"volumeAttachment": {"volumeId": "not-a-uuid"}},
                 {"volumeAttachment": {"volumeId": missing, "device": 5}},
                 {"volumeAttachment": {"volumeId": missing, "bogus": 1}},
                 {"volumeAttachment": {"volumeId": missing, "tag": "t"}}):
        bad = compute(cloud, demo, "POST", path, body=body)
        assert bad.status_code == 400, (body, bad.text)
        assert "badRequest" in bad.json()
    assert compute(cloud, demo, "GET", f"{path}/{missing}").status_code == 404
    assert compute(cloud, demo, "DELETE", f"{path}/{missing}").status_code == 404




def test_delete_detaches_and_deletes_delete_on_termination_volumes(cloud, demo, image,
                                                                   tmp_path):
    cli = Cli(cloud, tmp_path)
    before = volume_files()
    server = boot(demo, image, "vm1")
    keep = new_volume(demo, "keep")
    drop = new_volume(demo, "drop")
    cli.run("server", "add", "volume", server.id, keep.id, user="demo")
    body = {"volumeAttachment": {"volumeId": drop.id, "delete_on_termination": True}}
    made = compute(cloud, demo, "POST", f"/servers/{server.id}/os-volume_attachments",
                   "2.79", body)
    assert made.status_code == 200, made.text
    assert made.json()["volumeAttachment"] == {
        "id": drop.id, "volumeId": drop.id, "serverId": server.id, "device": "/dev/vdc",
        "tag": None, "delete_on_termination": True}
    table = cli.run("volume", "list", user="demo").stdout  # names the servers
    rows = {line.split("|")[1].strip(): line.split("|")[-2].strip()
            for line in table.splitlines() if line.startswith("| ")}
    assert rows[keep.id] == "Attached to vm1 on /dev/vdb"
    assert rows[drop.id] == "Attached to vm1 on /dev/vdc"
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=60, interval=0.1)
    wait_for(lambda: status_of(demo, keep.id) == "available", timeout=30,
             message="the kept volume available")
    wait_for(lambda: demo.block_storage.find_volume(drop.id) is None, timeout=30,
             message="the delete_on_termination volume deleted")
    assert block_devices.list_for_instance(server.id) == []
    attachments = requests.get(
        f"{cloud['volume']}/{demo.current_project_id}/attachments",
        headers={**HEADERS_344, "X-Auth-Token": demo.auth_token}, timeout=30).json()
    assert attachments == {"attachments": []}
    demo.block_storage.delete_volume(keep.id)
    wait_for(lambda: demo.block_storage.find_volume(keep.id) is None, timeout=30,
             message="the kept volume deleted")
    assert volume_files() == before


def test_another_projects_server_is_not_found(cloud, demo, image):
    """Demo cannot list, attach to or detach from the admin's server (404)."""
    admin = connect(cloud, "admin")
    try:
        their_image = admin.image.create_image(name="adm", data=b"\0" * 4096,
                                               disk_format="raw", container_format="bare")
        theirs = boot(admin, their_image, "theirs")
        volume = new_volume(demo, "mine")
        path = f"/servers/{theirs.id}/os-volume_attachments"
        assert compute(cloud, demo, "GET", path).status_code == 404
        refused = compute(cloud, demo, "POST", path,
                          body={"volumeAttachment": {"volumeId": volume.id}})
        assert refused.status_code == 404
        assert status_of(demo, volume.id) == "available"
        assert compute(cloud, demo, "DELETE", f"{path}/{volume.id}").status_code == 404
    finally:
        admin.close()


def test_boot_from_volume_image_volume_blank_and_snapshot(cloud, demo, image, conf):
    """The build makes the volumes (image → volume as the root disk, a blank and a
    snapshot's copy as data disks), waits for them and attaches them before spawn; the
    server is volume-backed (``image`` ""), its delete removes the delete-on-termination
    volumes and lets go of the others."""
    conf.set_override("block_device_allocate_retries_interval", 0)
    source = new_volume(demo, "source")
    snapshot = demo.block_storage.create_snapshot(volume_id=source.id, name="snap")
    demo.block_storage.wait_for_status(snapshot, "available", failures=["error"], wait=30)
    body = {"server": {
        "name": "bfv", "flavorRef": "1", "imageRef": "", "networks": "none",
        "block_device_mapping_v2": [
            {"uuid": image.id, "boot_index": 0, "source_type": "image",
             "destination_type": "volume", "volume_size": 1,
             "delete_on_termination": True},
            {"source_type": "blank", "destination_type": "volume", "volume_size": 1,
             "boot_index": -1, "delete_on_termination": True},
            {"uuid": snapshot.id, "source_type": "snapshot", "destination_type": "volume",
             "boot_index": None}]}}
    made = compute(cloud, demo, "POST", "/servers", "2.79", body)
    assert made.status_code == 202, made.text
    server = demo.compute.wait_for_server(demo.compute.get_server(made.json()["server"]["id"]),
                                          status="ACTIVE", wait=60, interval=0.1)
    shown = compute(cloud, demo, "GET", f"/servers/{server.id}", "2.79").json()["server"]
    assert shown["image"] == ""
    attached = shown["os-extended-volumes:volumes_attached"]
    assert [a["delete_on_termination"] for a in attached] == [True, True, False]
    root, blank, copy = (demo.block_storage.get_volume(a["id"]) for a in attached)
    assert root.is_bootable and root.volume_image_metadata["image_id"] == image.id
    assert [(v.status, v.attachments[0]["device"]) for v in (root, blank, copy)] == [
        ("in-use", "/dev/vda"), ("in-use", "/dev/vdb"), ("in-use", "/dev/vdc")]
    assert copy.snapshot_id == snapshot.id
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=60, interval=0.1)
    wait_for(lambda: demo.block_storage.find_volume(root.id) is None
             and demo.block_storage.find_volume(blank.id) is None, timeout=30,
             message="the delete_on_termination volumes deleted")
    wait_for(lambda: status_of(demo, copy.id) == "available", timeout=30,
             message="the snapshot's copy kept, available")
    for volume_id in (copy.id,):
        demo.block_storage.delete_volume(volume_id)
    demo.block_storage.delete_snapshot(snapshot)
    demo.block_storage.wait_for_delete(snapshot, wait=30)
    demo.block_storage.delete_volume(source.id)


def test_boot_from_an_existing_volume_and_the_refusals(cloud, demo, image):
    volume = new_volume(demo, "boot")
    boot_volume = {"uuid": volume.id, "boot_index": 0, "source_type": "volume",
                   "destination_type": "volume"}

    def create(*mappings: dict[str, Any], **extra: Any) -> requests.Response:
        return compute(cloud, demo, "POST", "/servers", "2.67", {"server": {
            "name": "bfv", "flavorRef": "1", "networks": "none",
            "block_device_mapping_v2": list(mappings), **extra}})

    for mappings, message in (
            ([{"uuid": image.id, "boot_index": 0, "source_type": "image",
               "destination_type": "volume"}],
             "Block Device Mapping is Invalid: Images with destination_type 'volume' need "
             "to have a non-zero size specified"),
            ([{"source_type": "blank", "destination_type": "volume", "boot_index": 0}],
             "Block Device Mapping is Invalid: Blank volumes need a non-zero volume_size."),
            ([{**boot_volume, "uuid": "6e0a5f2e-6a3c-4b7e-8b55-3f3bd9d3a111"}],
             "Block Device Mapping is Invalid: failed to get volume "
             "6e0a5f2e-6a3c-4b7e-8b55-3f3bd9d3a111.")):
        refused = create(*mappings)
        assert refused.status_code == 400, refused.text
        assert refused.json()["badRequest"]["message"] == message
    assert create(boot_volume, min_count=2).status_code == 400

    made = create(boot_volume)
    assert made.status_code == 202, made.text
    server = demo.compute.wait_for_server(demo.compute.get_server(made.json()["server"]["id"]),
                                          status="ACTIVE", wait=60, interval=0.1)
    assert status_of(demo, volume.id) == "in-use"
    again = create(boot_volume)
    assert again.status_code == 400
    assert again.json()["badRequest"]["message"] == (
        f"Invalid volume: volume '{volume.id}' status must be 'available'. "
        "Currently in 'in-use'")
    root = compute(cloud, demo, "DELETE",
                   f"/servers/{server.id}/os-volume_attachments/{volume.id}")
    assert root.status_code == 400
    assert root.json()["badRequest"]["message"] == "Cannot detach a root device volume"
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=60, interval=0.1)
    wait_for(lambda: status_of(demo, volume.id) == "available", timeout=30,
             message="the boot volume kept")
    demo.block_storage.delete_volume(volume.id)


def test_the_legacy_volume_and_snapshot_proxies_below_2_36(cloud, demo):
    made = compute(cloud, demo, "POST", "/os-volumes", "2.35", {"volume": {
        "size": 1, "display_name": "legacy", "display_description": "old api"}})
    assert made.status_code == 200, made.text
    volume = made.json()["volume"]
    assert (volume["displayName"], volume["size"], volume["attachments"]) == (
        "legacy", 1, [{}])
    wait_for(lambda: status_of(demo, volume["id"]) == "available", timeout=30,
             message="the legacy volume available")
    shown = compute(cloud, demo, "GET", f"/os-volumes/{volume['id']}").json()["volume"]
    assert shown["status"] == "available" and shown["displayDescription"] == "old api"
    listed = compute(cloud, demo, "GET", "/os-volumes/detail").json()["volumes"]
    assert [v["id"] for v in listed] == [volume["id"]]
    snapshot = compute(cloud, demo, "POST", "/os-snapshots", "2.35", {"snapshot": {
        "volume_id": volume["id"], "display_name": "s1"}}).json()["snapshot"]
    assert snapshot["volumeId"] == volume["id"] and snapshot["displayName"] == "s1"
    wait_for(lambda: compute(cloud, demo, "GET", f"/os-snapshots/{snapshot['id']}").json()[
        "snapshot"]["status"] == "available", timeout=30, message="snapshot available")
    assert compute(cloud, demo, "GET", "/os-volumes", "2.36").status_code == 404
    assert compute(cloud, demo, "GET", "/os-snapshots", "2.36").status_code == 404
    bad = compute(cloud, demo, "POST", "/os-volumes", "2.1", {"volume": {"size": "x"}})
    assert bad.status_code == 400
    assert compute(cloud, demo, "DELETE", f"/os-snapshots/{snapshot['id']}").status_code == 202
    wait_for(lambda: compute(cloud, demo, "GET", f"/os-snapshots/{snapshot['id']}"
                             ).status_code == 404, timeout=30, message="snapshot deleted")
    assert compute(cloud, demo, "DELETE", f"/os-volumes/{volume['id']}").status_code == 202
    wait_for(lambda: compute(cloud, demo, "GET", f"/os-volumes/{volume['id']}"
                             ).status_code == 404, timeout=30, message="volume deleted")


def test_create_image_of_a_volume_backed_server_maps_volume_snapshots(cloud, demo, image,
                                                                      conf):
    import json

    conf.set_override("block_device_allocate_retries_interval", 0)
    made = compute(cloud, demo, "POST", "/servers", "2.67", {"server": {
        "name": "bfv", "flavorRef": "1", "networks": "none", "block_device_mapping_v2": [
            {"uuid": image.id, "boot_index": 0, "source_type": "image",
             "destination_type": "volume", "volume_size": 1,
             "delete_on_termination": True}]}})
    assert made.status_code == 202, made.text
    server = demo.compute.wait_for_server(demo.compute.get_server(made.json()["server"]["id"]),
                                          status="ACTIVE", wait=60, interval=0.1)
    (root,) = compute(cloud, demo, "GET", f"/servers/{server.id}").json()["server"][
        "os-extended-volumes:volumes_attached"]
    answer = compute(cloud, demo, "POST", f"/servers/{server.id}/action", "2.45",
                     {"createImage": {"name": "bfv-snap", "metadata": {"k": "v"}}})
    assert answer.status_code == 202, answer.text
    snap = demo.image.get_image(answer.json()["image_id"])
    assert (snap.status, snap.size, snap.name) == ("active", 0, "bfv-snap")
    properties = snap.properties
    assert properties["bdm_v2"] == "True" and properties["root_device_name"] == "/dev/vda"
    assert properties["k"] == "v" and snap.instance_uuid == server.id
    (mapping,) = json.loads(properties["block_device_mapping"])
    assert (mapping["source_type"], mapping["destination_type"], mapping["boot_index"],
            mapping["device_name"], mapping["volume_size"]) == (
        "snapshot", "volume", 0, "/dev/vda", 1)
    snapshot = demo.block_storage.wait_for_status(
        demo.block_storage.get_snapshot(mapping["snapshot_id"]), "available",
        failures=["error"], wait=30)
    assert snapshot.volume_id == root["id"]
    # a volume with snapshots is not deleted (Cinder's rule): the snapshot goes first
    demo.block_storage.delete_snapshot(snapshot)
    demo.block_storage.wait_for_delete(snapshot, wait=30)
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=60, interval=0.1)
    wait_for(lambda: demo.block_storage.find_volume(root["id"]) is None, timeout=30,
             message="the root volume deleted with its server")
    demo.image.delete_image(snap)


def test_a_boot_from_volume_over_the_volume_quota_ends_in_error(cloud, demo, image, conf):
    """Ten volumes of a ten-volume quota: the build's eleventh is refused by the volume
    service (413), the server goes to ERROR with the quota's message, nothing of the
    build is left (no volume, no attachment, no mapping)."""
    conf.set_override("block_device_allocate_retries_interval", 0)
    assert CONF.volume.quota_volumes == 10
    mine = [new_volume(demo, f"q{index}") for index in range(10)]
    made = compute(cloud, demo, "POST", "/servers", "2.67", {"server": {
        "name": "over", "flavorRef": "1", "networks": "none", "block_device_mapping_v2": [
            {"uuid": image.id, "boot_index": 0, "source_type": "image",
             "destination_type": "volume", "volume_size": 1,
             "delete_on_termination": True}]}})
    assert made.status_code == 202, made.text
    server = demo.compute.wait_for_server(
        demo.compute.get_server(made.json()["server"]["id"]), status="ERROR", failures=[],
        wait=60, interval=0.1)
    assert ("Maximum number of volumes allowed (10) exceeded for quota 'volumes'."
            in server.fault["message"]), server.fault
    assert sorted(v.id for v in demo.block_storage.volumes()) == sorted(v.id for v in mine)
    attachments = requests.get(
        f"{cloud['volume']}/{demo.current_project_id}/attachments",
        headers={**HEADERS_344, "X-Auth-Token": demo.auth_token}, timeout=30).json()
    assert attachments == {"attachments": []}
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=60, interval=0.1)
    assert block_devices.list_for_instance(server.id) == []
    for volume in mine:
        demo.block_storage.delete_volume(volume.id)


def test_compute_nodes_before_rpc_2_4_get_no_volume_work(cloud, demo, image, conf):
    """``[upgrade_levels] compute = 2.3``: attaching, and booting with volumes, are
    refused (409) rather than sent to nodes that would ignore them."""
    server = boot(demo, image, "vm1")
    volume = new_volume(demo, "data")
    conf.set_override("compute", "2.3", "upgrade_levels")
    try:
        attach = compute(cloud, demo, "POST", f"/servers/{server.id}/os-volume_attachments",
                         body={"volumeAttachment": {"volumeId": volume.id}})
        assert attach.status_code == 409, attach.text
        assert "needs compute RPC 2.4" in attach.json()["conflictingRequest"]["message"]
        made = compute(cloud, demo, "POST", "/servers", "2.67", {"server": {
            "name": "bfv", "flavorRef": "1", "networks": "none",
            "block_device_mapping_v2": [{"uuid": volume.id, "boot_index": 0,
                                         "source_type": "volume",
                                         "destination_type": "volume"}]}})
        assert made.status_code == 409, made.text
    finally:
        conf.clear_override("compute", "upgrade_levels")
    assert status_of(demo, volume.id) == "available"
    demo.block_storage.delete_volume(volume.id)


def test_cli_sets_delete_on_termination_of_an_attachment_at_2_85(cloud, demo, image,
                                                                 tmp_path):
    cli = Cli(cloud, tmp_path)
    server = boot(demo, image, "vm1")
    volume = new_volume(demo, "data")
    cli.run("server", "add", "volume", server.id, volume.id, user="demo")
    path = f"/servers/{server.id}/os-volume_attachments/{volume.id}"
    assert compute(cloud, demo, "GET", path, "2.89").json()["volumeAttachment"][
        "delete_on_termination"] is False
    cli.run("--os-compute-api-version", "2.85", "server", "volume", "update",
            "--delete-on-termination", server.id, volume.id, user="demo")
    assert compute(cloud, demo, "GET", path, "2.89").json()["volumeAttachment"][
        "delete_on_termination"] is True
    other = new_volume(demo, "other")
    swap = compute(cloud, demo, "PUT", path, "2.85",
                   {"volumeAttachment": {"volumeId": other.id}})
    assert swap.status_code == 400
    assert "not supported" in swap.json()["badRequest"]["message"]
    bad = compute(cloud, demo, "PUT", path, "2.85", {"volumeAttachment": {
        "volumeId": volume.id, "delete_on_termination": "yes"}})
    assert bad.status_code == 400
    demo.compute.delete_server(server)
    demo.compute.wait_for_delete(server, wait=60, interval=0.1)
    wait_for(lambda: demo.block_storage.find_volume(volume.id) is None, timeout=30,
             message="the volume deleted with its server")
    demo.block_storage.delete_volume(other.id)
