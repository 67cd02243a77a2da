"""The image API over HTTP (requests): records, data, visibility, paging, bad input."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator

import pytest
import requests

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.conf import CONF
from novalite.image.api import make_app

PROJECT_A = "a" * 32
PROJECT_B = "b" * 32
ADMIN_PROJECT = "c" * 32
TOKENS = {
    "token-a": (PROJECT_A, ["member", "reader"]),
    "token-b": (PROJECT_B, ["member", "reader"]),
    "token-admin": (ADMIN_PROJECT, ["admin", "member", "reader"]),
}
PATCH_TYPE = "application/openstack-images-v2.1-json-patch"


class FixedTokens:
    """A token validator knowing three fixed tokens: two projects and an admin."""

    def validate(self, token: str) -> RequestContext:
        if token not in TOKENS:
            raise exception.NotAuthenticated()
        project, roles = TOKENS[token]
        return RequestContext(user_id=f"user-{project[:4]}", project_id=project,
                              roles=list(roles), auth_token=token)


@pytest.fixture
def image_url(db) -> Iterator[str]:
    server = wsgi.Server("image", make_app(FixedTokens()), "127.0.0.1", 0, threads=4)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


class Client:
    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers["X-Auth-Token"] = token

    def __getattr__(self, method: str):  # get/post/put/patch/delete/head
        call = getattr(self.session, method)
        return lambda path, **kw: call(self.url + path, timeout=30, **kw)

    def create(self, **body) -> dict:
        body.setdefault("disk_format", "raw")
        body.setdefault("container_format", "bare")
        response = self.post("/v2/images", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def upload(self, image_id: str, data: bytes) -> requests.Response:
        return self.put(f"/v2/images/{image_id}/file", data=data,
                        headers={"Content-Type": "application/octet-stream"})

    def patch_image(self, image_id: str, ops: list) -> requests.Response:
        return self.patch(f"/v2/images/{image_id}", json=ops,
                          headers={"Content-Type": PATCH_TYPE})


@pytest.fixture
def a(image_url) -> Iterator[Client]:
    client = Client(image_url, "token-a")
    yield client
    client.session.close()


@pytest.fixture
def b(image_url) -> Iterator[Client]:
    client = Client(image_url, "token-b")
    yield client
    client.session.close()


@pytest.fixture
def admin(image_url) -> Iterator[Client]:
    client = Client(image_url, "token-admin")
    yield client
    client.session.close()


def assert_fault(response: requests.Response, code: int) -> dict:
    assert response.status_code == code, response.text
    body = response.json()
    assert body["code"].startswith(str(code)) and body["title"] and body["message"]
    return body


def test_versions_are_public(image_url):
    root = requests.get(image_url + "/", timeout=10)
    assert root.status_code == 300
    current = [v for v in root.json()["versions"] if v["status"] == "CURRENT"]
    assert current[0]["id"] == "v2.17"
    assert current[0]["links"][0]["href"] == image_url + "/v2/"
    assert requests.get(image_url + "/versions", timeout=10).status_code == 200
    unauthenticated = requests.get(image_url + "/v2/images", timeout=10)
    assert_fault(unauthenticated, 401)
    bad_token = requests.get(image_url + "/v2/images", headers={"X-Auth-Token": "nope"},
                             timeout=10)
    assert bad_token.status_code == 401


def test_schemas(a):
    image = a.get("/v2/schemas/image").json()
    assert image["name"] == "image"
    assert image["additionalProperties"] == {"type": "string"}
    assert None in image["properties"]["disk_format"]["enum"]
    images = a.get("/v2/schemas/images").json()
    assert images["properties"]["images"]["items"]["name"] == "image"
    assert a.get("/v2/schemas/member").json()["name"] == "member"
    assert a.get("/v2/schemas/members").json()["name"] == "members"


def test_create_show_update_delete(a):
    image_id = str(uuid.uuid4())
    created = a.create(id=image_id, name="cirros", min_disk=1, min_ram=64, tags=["t1"],
                       kernel_id=str(uuid.uuid4()), hw_disk_bus="virtio", protected=False)
    assert created["id"] == image_id
    assert created["status"] == "queued" and created["visibility"] == "shared"
    assert created["owner"] == PROJECT_A and created["checksum"] is None
    assert created["hw_disk_bus"] == "virtio" and created["tags"] == ["t1"]
    assert created["self"] == f"/v2/images/{image_id}"
    assert created["file"] == f"/v2/images/{image_id}/file"
    assert a.get(f"/v2/images/{image_id}").json() == created

    response = a.patch_image(image_id, [
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/os_distro", "value": "cirros"},
        {"op": "remove", "path": "/hw_disk_bus"},
        {"op": "replace", "path": "/tags", "value": ["x", "y"]},
        {"op": "replace", "path": "/min_ram", "value": 128}])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["os_distro"], body["min_ram"]) == ("renamed", "cirros", 128)
    assert "hw_disk_bus" not in body and sorted(body["tags"]) == ["x", "y"]

    assert_fault(a.patch_image(image_id, [{"op": "replace", "path": "/status",
                                           "value": "active"}]), 403)
    assert_fault(a.patch_image(image_id, [{"op": "replace", "path": "/nothing",
                                           "value": "x"}]), 409)
    assert_fault(a.patch_image(image_id, [{"op": "remove", "path": "/name"}]), 403)
    assert_fault(a.patch_image(image_id, [{"op": "add", "path": "/x", "value": 1}]), 400)
    assert_fault(a.patch(f"/v2/images/{image_id}", json=[]), 415)

    assert a.patch_image(image_id, [{"op": "replace", "path": "/protected",
                                     "value": True}]).status_code == 200
    assert_fault(a.delete(f"/v2/images/{image_id}"), 403)
    a.patch_image(image_id, [{"op": "replace", "path": "/protected", "value": False}])
    assert a.delete(f"/v2/images/{image_id}").status_code == 204
    assert_fault(a.get(f"/v2/images/{image_id}"), 404)


def test_upload_download_round_trip(a, b):
    data = os.urandom(1024 * 1024 + 17)
    image = a.create(name="blob", visibility="community")
    assert a.get(f"/v2/images/{image['id']}/file").status_code == 204
    assert a.upload(image["id"], data).status_code == 204
    shown = a.get(f"/v2/images/{image['id']}").json()
    assert shown["status"] == "active" and shown["size"] == len(data)
    assert shown["virtual_size"] == len(data)
    assert shown["checksum"] == hashlib.md5(data).hexdigest()
    assert shown["os_hash_algo"] == "sha512"
    assert shown["os_hash_value"] == hashlib.sha512(data).hexdigest()
    response = b.get(f"/v2/images/{image['id']}/file", stream=True)
    assert response.status_code == 200
    assert response.headers["Content-MD5"] == shown["checksum"]
    assert int(response.headers["Content-Length"]) == len(data)
    assert response.content == data
    path = os.path.join(CONF.image.filesystem_store_datadir, image["id"])
    assert os.path.getsize(path) == len(data)

    assert_fault(a.upload(image["id"], b"again"), 409)
    assert_fault(b.upload(image["id"], b"not mine"), 403)

    assert a.post(f"/v2/images/{image['id']}/actions/deactivate").status_code == 204
    assert a.get(f"/v2/images/{image['id']}").json()["status"] == "deactivated"
    assert_fault(b.get(f"/v2/images/{image['id']}/file"), 403)
    assert a.post(f"/v2/images/{image['id']}/actions/reactivate").status_code == 204
    assert b.get(f"/v2/images/{image['id']}/file").content == data

    assert a.delete(f"/v2/images/{image['id']}").status_code == 204
    assert not os.path.exists(path)
    assert_fault(a.upload(image["id"], data), 404)


def test_upload_needs_formats_and_queued_deactivate_is_refused(a):
    image = a.post("/v2/images", json={"name": "no-format"}).json()
    assert_fault(a.upload(image["id"], b"x"), 400)
    assert_fault(a.post(f"/v2/images/{image['id']}/actions/deactivate"), 400)
    assert a.get(f"/v2/images/{image['id']}").json()["status"] == "queued"


def test_qcow2_virtual_size(a):
    header = b"QFI\xfb" + bytes(20) + (10 * 1024**3).to_bytes(8, "big") + bytes(100)
    image = a.create(name="q", disk_format="qcow2")
    assert a.upload(image["id"], header).status_code == 204
    assert a.get(f"/v2/images/{image['id']}").json()["virtual_size"] == 10 * 1024**3


def _names(client: Client, query: str = "") -> set[str]:
    response = client.get(f"/v2/images{query}")
    assert response.status_code == 200, response.text
    return {image["name"] for image in response.json()["images"]}


def test_visibility_matrix(a, b, admin):
    admin.create(name="a-public", visibility="public", owner=PROJECT_A)
    a.create(name="a-community", visibility="community")
    a_private = a.create(name="a-private", visibility="private")
    shared = a.create(name="a-shared", visibility="shared")
    b.create(name="b-private", visibility="private")

    assert _names(a) == {"a-public", "a-community", "a-private", "a-shared"}
    assert _names(b) == {"a-public", "b-private"}
    assert _names(b, "?visibility=community") == {"a-community"}
    assert _names(b, "?visibility=all") == {"a-public", "a-community", "b-private"}
    assert _names(admin) == {"a-public", "a-private", "a-shared", "b-private"}
    assert _names(admin, "?visibility=all") == {"a-public", "a-community", "a-private",
                                                "a-shared", "b-private"}
    assert_fault(b.get(f"/v2/images/{a_private['id']}"), 404)
    assert_fault(b.get(f"/v2/images/{shared['id']}"), 404)
    assert admin.get(f"/v2/images/{a_private['id']}").status_code == 200

    # sharing: pending members see it only when asking for pending (or all)
    members = f"/v2/images/{shared['id']}/members"
    added = a.post(members, json={"member": PROJECT_B})
    assert added.status_code == 200 and added.json()["status"] == "pending"
    assert_fault(a.post(members, json={"member": PROJECT_B}), 409)
    assert_fault(a.post(f"/v2/images/{a_private['id']}/members",
                        json={"member": PROJECT_B}), 403)
    assert b.get(f"/v2/images/{shared['id']}").status_code == 200
    assert "a-shared" not in _names(b)
    assert "a-shared" in _names(b, "?member_status=pending")
    assert "a-shared" in _names(b, "?member_status=all")
    assert_fault(a.put(f"{members}/{PROJECT_B}", json={"status": "accepted"}), 403)
    assert_fault(b.put(f"{members}/{PROJECT_B}", json={"status": "bogus"}), 400)
    accepted = b.put(f"{members}/{PROJECT_B}", json={"status": "accepted"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert "a-shared" in _names(b)
    assert [m["member_id"] for m in b.get(members).json()["members"]] == [PROJECT_B]
    assert b.get(f"{members}/{PROJECT_B}").json()["image_id"] == shared["id"]
    # another project cannot change what it does not own
    assert_fault(b.patch_image(shared["id"], [{"op": "replace", "path": "/name",
                                               "value": "stolen"}]), 403)
    assert_fault(b.delete(f"/v2/images/{shared['id']}"), 403)
    assert_fault(a.patch_image(shared["id"], [{"op": "replace", "path": "/visibility",
                                               "value": "public"}]), 403)
    assert a.delete(f"{members}/{PROJECT_B}").status_code == 204
    assert_fault(b.get(f"/v2/images/{shared['id']}"), 404)
    assert_fault(a.post("/v2/images", json={"name": "x", "visibility": "public",
                                           "owner": PROJECT_B}), 403)


def test_tags_and_filters(a):
    one = a.create(name="one", disk_format="qcow2", tags=["gold"])
    a.create(name="two", container_format="ovf", hw_foo="bar")
    assert a.put(f"/v2/images/{one['id']}/tags/silver").status_code == 204
    assert sorted(a.get(f"/v2/images/{one['id']}").json()["tags"]) == ["gold", "silver"]
    assert _names(a, "?tag=gold&tag=silver") == {"one"}
    assert a.delete(f"/v2/images/{one['id']}/tags/gold").status_code == 204
    assert_fault(a.delete(f"/v2/images/{one['id']}/tags/gold"), 404)
    assert _names(a, "?tag=gold") == set()
    assert _names(a, "?name=two") == {"two"}
    assert _names(a, "?disk_format=qcow2") == {"one"}
    assert _names(a, "?container_format=ovf") == {"two"}
    assert _names(a, "?hw_foo=bar") == {"two"}
    assert _names(a, "?status=queued") == {"one", "two"}
    assert _names(a, "?status=active") == set()
    assert _names(a, f"?owner={PROJECT_A}") == {"one", "two"}
    assert _names(a, "?name=in:one,two") == {"one", "two"}


def test_pagination(a):
    for index in range(7):
        a.create(name=f"img-{index}")
    seen: list[str] = []
    path = "/v2/images?limit=3&sort_key=name&sort_dir=asc"
    pages = 0
    while path:
        body = a.get(path).json()
        seen.extend(image["name"] for image in body["images"])
        path = body.get("next")
        pages += 1
        assert pages < 10
    assert seen == [f"img-{index}" for index in range(7)]
    assert pages == 3
    desc = a.get("/v2/images?sort=name:desc&limit=2").json()
    assert [i["name"] for i in desc["images"]] == ["img-6", "img-5"]
    assert "marker=" in desc["next"] and "sort=name%3Adesc" in desc["next"]


def test_bad_input(a):
    assert_fault(a.post("/v2/images", data=b"{not json",
                        headers={"Content-Type": "application/json"}), 400)
    assert_fault(a.post("/v2/images", json={"name": "x", "hw_cpu_cores": 4}), 400)
    assert_fault(a.post("/v2/images", json={"id": "not-a-uuid"}), 400)
    assert_fault(a.post("/v2/images", json={"disk_format": "floppy"}), 400)
    assert_fault(a.post("/v2/images", json={"min_ram": "lots"}), 400)
    assert_fault(a.post("/v2/images", json={"status": "active"}), 403)
    assert_fault(a.post("/v2/images", json={"locations": []}), 403)
    assert_fault(a.get("/v2/images?sort_key=bogus"), 400)
    assert_fault(a.get("/v2/images?sort_dir=up"), 400)
    assert_fault(a.get("/v2/images?limit=-1"), 400)
    assert_fault(a.get("/v2/images?limit=ten"), 400)
    assert_fault(a.get(f"/v2/images?marker={uuid.uuid4()}"), 400)
    assert_fault(a.get("/v2/images?visibility=everyone"), 400)
    assert_fault(a.get("/v2/images?sort=name:asc&sort_key=name"), 400)
    assert_fault(a.get("/v2/images/not-a-uuid"), 404)
    assert_fault(a.get(f"/v2/images/{uuid.uuid4()}"), 404)
    assert_fault(a.put(f"/v2/images/{uuid.uuid4()}/file", data=b"x"), 404)
    existing = a.create(name="dup")
    assert_fault(a.post("/v2/images", json={"id": existing["id"]}), 409)
    assert_fault(a.patch_image(existing["id"], {"op": "add"}), 400)
    assert_fault(a.patch_image(existing["id"], [{"op": "move", "path": "/name"}]), 400)
    assert_fault(a.patch_image(existing["id"], [{"op": "add", "path": "/a/b",
                                                 "value": "x"}]), 400)
    assert_fault(a.patch(f"/v2/images/{existing['id']}", data=b"[",
                         headers={"Content-Type": PATCH_TYPE}), 400)
    assert_fault(a.put(f"/v2/images/{existing['id']}/file", data=b"x",
                       headers={"Content-Type": "text/plain"}), 415)
    assert_fault(a.post(f"/v2/images/{existing['id']}/members", data=b"nope"), 400)
