"""The volume service (Cinder v3 subset) in the whole cloud, through the unmodified
openstacksdk, the ``openstack`` CLI and plain HTTP where a body's exact shape matters."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest
import requests
from openstack import exceptions as sdk_exceptions

from novalite.conf import CONF
from novalite.volume import manager
from tests.functional.clients import Cli, connect
from tests.functional.cloud import wait_for

MB = 1024 * 1024
IN_USE = ("Invalid volume: Volume status must be available or error or error_restoring or "
          "error_extending or error_managing and must not be migrating, attached, belong to "
          "a group, have snapshots, awaiting a transfer, or be disassociated from snapshots "
          "after volume transfer.")


@pytest.fixture
def admin(cloud):
    conn = connect(cloud, "admin")
    yield conn
    conn.close()


@pytest.fixture
def demo(cloud):
    conn = connect(cloud, "demo")
    yield conn
    conn.close()


def volume_files() -> list[str]:
    root = os.path.expanduser(CONF.volume.volumes_path)
    return sorted(os.path.join(directory, name) for directory, _, names in os.walk(root)
                  for name in names)


class Api:
    """Plain HTTP to the volume API with a user's token, at a microversion."""

    def __init__(self, cloud: dict[str, Any], conn: Any, version: str = "3.44") -> None:
        self.base = f"{cloud['volume']}/{conn.current_project_id}"
        self.headers = {"X-Auth-Token": conn.auth_token,
                        "OpenStack-API-Version": f"volume {version}"}

    def __call__(self, method: str, path: str, body: Any = None, **headers: str
                 ) -> requests.Response:
        return requests.request(method, f"{self.base}{path}", json=body,
                                headers={**self.headers, **headers}, timeout=30)


def available(conn: Any, volume: Any) -> Any:
    return conn.block_storage.wait_for_status(volume, "available", failures=["error"],
                                              wait=60, interval=0.05)


def test_sdk_volumes_snapshots_and_clones(cloud, demo, tmp_path):
    storage = demo.block_storage
    image_file = tmp_path / "disk.raw"
    image_file.write_bytes(b"BOOT" + b"\0" * (MB - 4))
    image = demo.image.create_image(name="disk", filename=str(image_file), disk_format="raw",
                                    container_format="bare", hw_disk_bus="virtio")
    from_image = available(demo, storage.create_volume(size=1, name="from-image",
                                                       image_id=image.id))
    assert from_image.is_bootable
    assert from_image.volume_image_metadata["image_id"] == image.id
    assert from_image.volume_image_metadata["hw_disk_bus"] == "virtio"
    assert read_volume(_location(from_image.id), "qcow2", tmp_path, 4) == b"BOOT"
    blank = available(demo, storage.create_volume(size=1, name="blank",
                                                  metadata={"role": "data"}))
    assert not blank.is_bootable and blank.volume_type == "__DEFAULT__"
    snapshot = storage.create_snapshot(volume_id=from_image.id, name="snap")
    snapshot = storage.wait_for_status(snapshot, "available", failures=["error"], wait=60,
                                       interval=0.05)
    from_snapshot = available(demo, storage.create_volume(snapshot_id=snapshot.id,
                                                          name="from-snap"))
    assert from_snapshot.size == 1 and from_snapshot.snapshot_id == snapshot.id
    assert from_snapshot.volume_image_metadata["image_id"] == image.id
    clone = available(demo, storage.create_volume(source_volume_id=blank.id, size=2,
                                                  name="clone"))
    assert clone.size == 2 and clone.source_volume_id == blank.id

    assert {v.name for v in storage.volumes(name="blank")} == {"blank"}
    assert [v.name for v in storage.volumes()] == [  # newest first
        "clone", "from-snap", "blank", "from-image"]
    api = Api(cloud, demo, "3.45")
    assert [v["name"] for v in api("GET", "/volumes?metadata={'role': 'data'}").json()[
        "volumes"]] == ["blank"]
    page = api("GET", "/volumes/detail?sort=name:asc&limit=3&with_count=true").json()
    assert [v["name"] for v in page["volumes"]] == ["blank", "clone", "from-image"]
    assert page["count"] == 4
    rest = requests.get(page["volumes_links"][0]["href"], headers=api.headers, timeout=30)
    assert [v["name"] for v in rest.json()["volumes"]] == ["from-snap"]
    assert [v["name"] for v in api("GET", "/volumes?name~=from&sort_key=name&sort_dir=desc")
            .json()["volumes"]] == ["from-snap", "from-image"]

    storage.extend_volume(blank, 3)
    blank = available(demo, storage.get_volume(blank))
    wait_for(lambda: storage.get_volume(blank).size == 3, message="extended")
    storage.set_volume_bootable_status(blank, True)
    assert storage.get_volume(blank).is_bootable
    storage.update_volume(blank, name="renamed", description="more")
    assert storage.get_volume(blank).name == "renamed"

    with pytest.raises(sdk_exceptions.BadRequestException) as refused:
        storage.delete_volume(from_image)  # it has a snapshot
    assert IN_USE in str(refused.value)
    storage.delete_volume(from_image, cascade=True)
    for volume in (blank, from_snapshot, clone):
        storage.delete_volume(volume)
    for volume in (from_image, blank, from_snapshot, clone):
        storage.wait_for_delete(volume, wait=60, interval=0.05)
    assert list(storage.snapshots()) == []
    manager.get().wait_idle(30)
    assert volume_files() == []


def read_volume(path: str, fmt: str, scratch: Any, length: int) -> bytes:
    """The first ``length`` bytes a guest would read from a volume's disk."""
    out = scratch / "head.raw"
    subprocess.run(["qemu-img", "dd", "-f", fmt, "-O", "raw", f"bs={length}", "count=1",
                    f"if={path}", f"of={out}"], check=True, capture_output=True)
    data = out.read_bytes()[:length]
    out.unlink()
    return data


def _location(volume_id: str) -> str:
    from novalite.volume.store import volumes

    return str(volumes.get_volume(volume_id)["provider_location"])


def test_attachments_move_the_volume_through_cinders_states(cloud, demo):
    api = Api(cloud, demo)
    volume = available(demo, demo.block_storage.create_volume(size=1, name="att"))
    server = "9d5ef3b3-5f1a-4a4f-9a76-6d0cbd3fd0a1"
    created = api("POST", "/attachments", {"attachment": {
        "volume_uuid": volume.id, "instance_uuid": server, "connector": None}})
    assert created.status_code == 200, created.text
    attachment = created.json()["attachment"]
    assert attachment["status"] == "reserved" and attachment["instance"] == server
    assert demo.block_storage.get_volume(volume).status == "reserved"
    again = api("POST", "/attachments", {"attachment": {"volume_uuid": volume.id,
                                                        "instance_uuid": server}})
    assert again.status_code == 400 and "status must be available" in again.text

    connector = {"host": "compute-1", "ip": "127.0.0.1", "initiator": "iqn.x",
                 "platform": "x86_64", "os_type": "linux", "multipath": False,
                 "mountpoint": "/dev/vdb"}
    updated = api("PUT", f"/attachments/{attachment['id']}",
                  {"attachment": {"connector": connector}}).json()["attachment"]
    info = updated["connection_info"]
    assert updated["status"] == "attaching"
    assert info["driver_volume_type"] == "file" and info["data"]["format"] == "qcow2"
    assert os.path.exists(info["data"]["device_path"])
    assert api("POST", f"/attachments/{attachment['id']}/action",
               {"os-complete": {}}).status_code == 204
    shown = demo.block_storage.get_volume(volume)
    assert shown.status == "in-use"
    assert shown.attachments[0]["server_id"] == server
    assert shown.attachments[0]["device"] == "/dev/vdb"

    refused = api("DELETE", f"/volumes/{volume.id}")
    assert refused.status_code == 400
    assert refused.json() == {"badRequest": {"code": 400, "message": IN_USE}}
    assert api("POST", f"/volumes/{volume.id}/action",
               {"os-begin_detaching": {}}).status_code == 202
    assert demo.block_storage.get_volume(volume).status == "detaching"
    assert api("POST", f"/volumes/{volume.id}/action",
               {"os-roll_detaching": {}}).status_code == 202
    assert demo.block_storage.get_volume(volume).status == "in-use"
    deleted = api("DELETE", f"/attachments/{attachment['id']}")
    assert deleted.status_code == 200 and deleted.json() == {"attachments": []}
    assert demo.block_storage.get_volume(volume).status == "available"
    demo.block_storage.delete_volume(volume)
    demo.block_storage.wait_for_delete(volume, wait=30, interval=0.05)


def test_quota_refuses_the_eleventh_volume(cloud, demo, tmp_path):
    assert CONF.volume.quota_volumes == 10
    for index in range(10):
        demo.block_storage.create_volume(size=1, name=f"q{index}")
    api = Api(cloud, demo)
    refused = api("POST", "/volumes", {"volume": {"size": 1, "name": "q10"}})
    assert refused.status_code == 413
    assert refused.headers["Retry-After"] == "0"
    assert refused.json() == {"overLimit": {
        "code": 413, "retryAfter": "0", "message": "VolumeLimitExceeded: Maximum number of "
        "volumes allowed (10) exceeded for quota 'volumes'."}}
    result = Cli(cloud, tmp_path).run("volume", "create", "--size", "1", "q10", user="demo",
                                      check=False)
    assert result.returncode == 1
    assert "Maximum number of volumes allowed (10) exceeded for quota 'volumes'." in (
        result.stderr)
    limits = api("GET", "/limits").json()["limits"]["absolute"]
    assert (limits["maxTotalVolumes"], limits["totalVolumesUsed"]) == (10, 10)
    assert len(list(demo.block_storage.volumes())) == 10


def test_projects_and_policies(cloud, admin, demo):
    mine = available(demo, demo.block_storage.create_volume(size=1, name="mine"))
    theirs = available(admin, admin.block_storage.create_volume(size=1, name="theirs"))
    with pytest.raises(sdk_exceptions.NotFoundException):
        demo.block_storage.get_volume(theirs.id)
    assert [v.name for v in demo.block_storage.volumes()] == ["mine"]
    assert {v.name for v in admin.block_storage.volumes(all_projects=True)} == {
        "mine", "theirs"}
    assert "os-vol-host-attr:host" not in Api(cloud, demo)("GET", f"/volumes/{mine.id}").text
    forced = Api(cloud, demo, "3.23")("DELETE", f"/volumes/{mine.id}?force=true")
    assert forced.status_code == 403
    assert forced.json()["forbidden"]["message"] == (
        "Policy doesn't allow volume:force_delete to be performed.")
    with pytest.raises(sdk_exceptions.ForbiddenException):
        demo.block_storage.create_type(name="gold")
    gold = admin.block_storage.create_type(name="gold", extra_specs={
        "volume_backend_name": "file"})
    on_gold = available(demo, demo.block_storage.create_volume(size=1, volume_type="gold"))
    assert on_gold.volume_type == "gold"
    for conn, volume in ((demo, mine), (admin, theirs), (demo, on_gold)):
        conn.block_storage.delete_volume(volume)
        conn.block_storage.wait_for_delete(volume, wait=30, interval=0.05)
    admin.block_storage.delete_type(gold)


def test_versions_and_microversions(cloud, demo):
    root = cloud["volume"].rsplit("/v3", 1)[0]
    versions = requests.get(f"{root}/", timeout=10)
    assert versions.status_code == 300
    assert versions.json()["versions"][0]["version"] == "3.71"
    assert requests.get(f"{root}/v3/", timeout=10).json()["versions"][0]["min_version"] == (
        "3.0")
    api = Api(cloud, demo, "3.72")
    too_new = api("GET", "/volumes")
    assert too_new.status_code == 406
    assert too_new.json() == {"computeFault": {"code": 406, "message": (
        "Version 3.72 is not supported by the API. Minimum is 3.0 and maximum is 3.71.")}}
    assert Api(cloud, demo, "3.26")("GET", "/attachments").status_code == 404
    plain = Api(cloud, demo, "3.67")
    plain.base = cloud["volume"]
    assert plain("GET", "/volumes").status_code == 200
    plain.headers["OpenStack-API-Version"] = "volume 3.66"
    assert plain("GET", "/volumes").status_code == 404
    response = Api(cloud, demo, "3.50")("GET", "/volumes")
    assert response.headers["OpenStack-API-Version"] == "volume 3.50"
    bad = Api(cloud, demo)("POST", "/volumes", {"volume": {"size": "x"}})
    assert bad.status_code == 400 and "size" in bad.json()["badRequest"]["message"]


def test_upload_to_image(demo, tmp_path):
    volume = available(demo, demo.block_storage.create_volume(size=1, name="up"))
    subprocess.run(["qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 4096",
                    _location(volume.id)], check=True, capture_output=True)
    result = demo.block_storage.upload_volume_to_image(volume, "uploaded",
                                                       disk_format="qcow2")
    image = demo.image.wait_for_status(demo.image.get_image(result["image_id"]), "active",
                                       wait=60, interval=0.05)
    assert image.disk_format == "qcow2" and image.virtual_size == 1024 ** 3
    assert image.min_disk == 1
    available(demo, demo.block_storage.get_volume(volume))
    copy = available(demo, demo.block_storage.create_volume(size=1, image_id=image.id))
    assert read_volume(_location(copy.id), "qcow2", tmp_path, 4096) == b"\x5a" * 4096
    demo.image.delete_image(image)
    for item in (volume, copy):
        demo.block_storage.delete_volume(item)


def test_cli_volume_commands(cloud, tmp_path):
    cli = Cli(cloud, tmp_path)
    created = cli.json("volume", "create", "--size", "1", "--property", "a=b", "cli-vol",
                       user="demo")
    assert created["status"] == "creating" and created["size"] == 1
    wait_for(lambda: cli.json("volume", "show", "cli-vol", user="demo")["status"]
             == "available", timeout=60, interval=0.2)
    listed = cli.json("volume", "list", "--long", user="demo")
    assert [(v["Name"], v["Status"], v["Properties"]) for v in listed] == [
        ("cli-vol", "available", {"a": "b"})]
    cli.run("volume", "snapshot", "create", "--volume", "cli-vol", "cli-snap", user="demo")
    wait_for(lambda: cli.json("volume", "snapshot", "show", "cli-snap", user="demo")[
        "status"] == "available", timeout=60, interval=0.2)
    refused = cli.run("volume", "delete", "cli-vol", user="demo", check=False)
    assert refused.returncode == 1 and IN_USE[len("Invalid volume: "):] in refused.stderr
    cli.run("volume", "delete", "--purge", "cli-vol", user="demo")
    wait_for(lambda: cli.json("volume", "list", user="demo") == [], timeout=60, interval=0.2)
