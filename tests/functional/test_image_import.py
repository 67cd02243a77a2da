"""Interoperable image import, stores discovery and the storage quota, through the
unmodified ``openstack`` CLI and openstacksdk against the in-process cloud."""

from __future__ import annotations

import hashlib

import pytest
import requests

from tests.functional.clients import Cli, connect

DATA = b"novalite-import-" * 4096   # 64 KiB


@pytest.fixture
def cli(cloud, tmp_path) -> Cli:
    return Cli(cloud, tmp_path)


def test_stage_and_glance_direct_import_through_the_cli(cli, cloud, tmp_path):
    source = tmp_path / "disk.raw"
    source.write_bytes(DATA)
    info = cli.json("image", "import", "info")
    assert info["import-methods"] == ["glance-direct"]
    # `image create --import`: create, stage and import in one command
    imported = cli.json("image", "create", "--import", "--file", str(source),
                        "--disk-format", "raw", "--container-format", "bare", "one-step")
    shown = cli.json("image", "show", imported["id"])
    assert shown["status"] == "active" and shown["size"] == len(DATA)
    # and step by step (the image made by the SDK: the CLI would upload its stdin)
    sdk = connect(cloud, "admin")
    image = {"id": sdk.image.create_image(
        name="staged", disk_format="raw", container_format="bare").id}
    assert cli.json("image", "show", image["id"])["status"] == "queued"
    cli.run("image", "stage", "--file", str(source), image["id"])
    assert cli.json("image", "show", image["id"])["status"] == "uploading"
    cli.run("image", "import", "--method", "glance-direct", image["id"])
    shown = cli.json("image", "show", image["id"])
    assert shown["status"] == "active" and shown["size"] == len(DATA)
    assert shown["checksum"] == hashlib.md5(DATA).hexdigest()
    hashed = sdk.image.get_image(image["id"])
    assert hashed.hash_algo == "sha512"
    assert hashed.hash_value == hashlib.sha512(DATA).hexdigest()
    saved = tmp_path / "saved.raw"
    cli.run("image", "save", "--file", str(saved), image["id"])
    assert saved.read_bytes() == DATA
    # importing again: nothing is staged any more
    again = cli.run("image", "import", "--method", "glance-direct", image["id"], check=False)
    assert again.returncode != 0

    stores = cli.json("image", "stores", "list")
    assert [(s["ID"], s["Default"]) for s in stores] == [("file", True)]
    # web-download is not offered; the CLI says so before asking
    refused = cli.run("image", "import", "--method", "web-download", "--uri",
                      "http://example.com/disk.img", image["id"], check=False)
    assert refused.returncode != 0 and "web-download" in refused.stderr


def _api(conn, method: str, path: str, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
    base = conn.image.get_endpoint().rstrip("/").removesuffix("/v2")
    return requests.request(method, base + path,
                            headers={"X-Auth-Token": conn.auth_token,
                                     **kwargs.pop("headers", {})}, timeout=30, **kwargs)


def test_import_refusals_and_sdk(cloud):
    conn = connect(cloud, "demo")
    image = conn.image.create_image(name="sdk-import", disk_format="raw",
                                    container_format="bare")
    assert conn.image.get_import_info().import_methods["value"] == ["glance-direct"]
    assert [s.id for s in conn.image.stores()] == ["file"]
    # not staged yet: 409
    response = _api(conn, "POST", f"/v2/images/{image.id}/import",
                    json={"method": {"name": "glance-direct"}})
    assert response.status_code == 409 and "staged" in response.text
    for method, reason in (("web-download", "no outside network"),
                           ("glance-download", "no outside network"),
                           ("copy-image", "single store"), ("magic", "Unknown import method")):
        response = _api(conn, "POST", f"/v2/images/{image.id}/import",
                        json={"method": {"name": method, "uri": "http://example.com/x"}})
        assert response.status_code == 400, (method, response.text)
        assert reason in response.text, response.text
    assert _api(conn, "POST", f"/v2/images/{image.id}/import",
                json={"method": "glance-direct"}).status_code == 400
    assert _api(conn, "POST", f"/v2/images/{image.id}/import",
                json={"method": {"name": "glance-direct"},
                      "stores": ["ceph"]}).status_code == 400
    assert _api(conn, "GET", "/v2/info/stores/detail").status_code == 403   # admin only

    conn.image.stage_image(image, data=DATA)
    assert conn.image.get_image(image.id).status == "uploading"
    usage = _api(conn, "GET", "/v2/info/usage").json()["usage"]
    assert usage["image_count_uploading"]["usage"] == 1
    assert usage["image_stage_total"]["usage"] == 1   # MiB, rounded up
    conn.image.import_image(image, method="glance-direct")
    assert conn.image.get_image(image.id).status == "active"
    assert b"".join(conn.image.download_image(image.id, stream=True).iter_content(
        65536)) == DATA

    admin = connect(cloud, "admin")
    detail = _api(admin, "GET", "/v2/info/stores/detail").json()["stores"]
    assert detail[0]["id"] == "file" and detail[0]["type"] == "file"


def test_storage_quota(cloud, conf):
    conf.set_override("user_storage_quota", 100 * 1024, "image")
    conn = connect(cloud, "demo")
    first = conn.image.create_image(name="fits", disk_format="raw", container_format="bare",
                                    data=DATA)
    assert conn.image.get_image(first.id).status == "active"
    usage = _api(conn, "GET", "/v2/info/usage").json()["usage"]
    assert usage["image_size_total"] == {"limit": 1, "usage": 1}   # MiB, rounded up
    assert usage["image_count_total"]["usage"] >= 1
    second = conn.image.create_image(name="too-much", disk_format="raw",
                                     container_format="bare")
    response = _api(conn, "PUT", f"/v2/images/{second.id}/file", data=DATA,
                    headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 413 and "quota" in response.text, response.text
    assert conn.image.get_image(second.id).status == "queued"
    response = _api(conn, "PUT", f"/v2/images/{second.id}/stage", data=DATA,
                    headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 413
    # without a declared length the stream is cut where the quota ends
    response = _api(conn, "PUT", f"/v2/images/{second.id}/file",
                    data=iter([DATA[:32768], DATA[32768:]]),
                    headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 413, response.text
    conn.image.delete_image(first)
    conn.image.upload_image(name="now-fits", disk_format="raw", container_format="bare",
                            data=DATA)


def test_keystone_limits(cloud, conf):
    """[image] use_keystone_limits: Glance's four unified limits from the identity
    service, the registered defaults and a project's own."""
    conf.set_override("use_keystone_limits", True, "image")
    admin, demo = connect(cloud, "admin"), connect(cloud, "demo")
    # nothing registered: nothing allowed, as in Glance
    response = _api(demo, "POST", "/v2/images", json={"name": "x", "disk_format": "raw",
                                                       "container_format": "bare"})
    assert response.status_code == 413 and "image_count_total" in response.text
    service = next(s for s in admin.identity.services() if s.type == "image")
    for name, value in (("image_count_total", 2), ("image_size_total", 1),
                        ("image_stage_total", 1), ("image_count_uploading", 1)):
        admin.identity.create_registered_limit(service_id=service.id, resource_name=name,
                                               default_limit=value, region_id="RegionOne")
    usage = _api(demo, "GET", "/v2/info/usage").json()["usage"]
    assert {k: v["limit"] for k, v in usage.items()} == {
        "image_size_total": 1, "image_stage_total": 1, "image_count_total": 2,
        "image_count_uploading": 1}
    first = demo.image.create_image(name="one", disk_format="raw", container_format="bare",
                                    data=DATA)
    assert demo.image.get_image(first.id).status == "active"
    second = demo.image.create_image(name="two", disk_format="raw", container_format="bare")
    response = _api(demo, "POST", "/v2/images", json={"name": "three"})
    assert response.status_code == 413 and "image_count_total" in response.text
    big = b"x" * (2 * 1024 * 1024)
    response = _api(demo, "PUT", f"/v2/images/{second.id}/file", data=big,
                    headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 413 and "quota" in response.text
    response = _api(demo, "PUT", f"/v2/images/{second.id}/stage", data=big,
                    headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 413
    # the project's own limit wins over the registered default
    registered = next(r for r in admin.identity.registered_limits()
                      if r.resource_name == "image_size_total")
    admin.identity.create_limit(service_id=service.id, project_id=demo.current_project_id,
                                resource_name="image_size_total", resource_limit=4,
                                region_id="RegionOne")
    assert registered.default_limit == 1
    response = _api(demo, "PUT", f"/v2/images/{second.id}/file", data=big,
                    headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 204, response.text
    assert _api(demo, "GET", "/v2/info/usage").json()["usage"]["image_size_total"] == {
        "limit": 4, "usage": 3}
