"""The image API driven by the unmodified openstacksdk (token + endpoint override)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import openstack.connection
import openstack.exceptions
import pytest
from keystoneauth1 import session, token_endpoint

from tests.functional.test_image_api import image_url  # noqa: F401 - the server fixture


def _connect(url: str, token: str) -> openstack.connection.Connection:
    sess = session.Session(auth=token_endpoint.Token(url, token))
    return openstack.connection.Connection(session=sess, image_endpoint_override=url,
                                           image_api_version="2")


@pytest.fixture
def sdk(image_url) -> Iterator[openstack.connection.Connection]:  # noqa: F811
    conn = _connect(image_url, "token-a")
    yield conn
    conn.close()


def test_sdk_round_trip(sdk, tmp_path, image_url):  # noqa: F811
    data = os.urandom(1024 * 1024)
    path = tmp_path / "disk.raw"
    path.write_bytes(data)
    image = sdk.image.create_image(name="sdk-image", filename=str(path), disk_format="raw",
                                   container_format="bare", wait=True, validate_checksum=True)
    shown = sdk.image.get_image(image.id)
    assert shown.status == "active"
    assert shown.size == len(data)
    assert shown.checksum == hashlib.md5(data).hexdigest()
    assert shown.hash_algo == "sha512"
    assert shown.hash_value == hashlib.sha512(data).hexdigest()
    assert shown.properties["owner_specified.openstack.md5"] == hashlib.md5(data).hexdigest()

    downloaded = sdk.image.download_image(shown)
    assert downloaded.content == data
    target = tmp_path / "out.raw"
    sdk.image.download_image(shown, output=str(target))
    assert target.read_bytes() == data

    assert [i.name for i in sdk.image.images()] == ["sdk-image"]
    assert sdk.image.find_image("sdk-image").id == image.id

    sdk.image.update_image(shown, name="renamed", hw_disk_bus="scsi", min_ram=256)
    updated = sdk.image.get_image(image.id)
    assert (updated.name, updated.hw_disk_bus, updated.min_ram) == ("renamed", "scsi", 256)
    sdk.image.add_tag(updated, "gold")
    assert sdk.image.get_image(image.id).tags == ["gold"]

    other = _connect(image_url, "token-b")
    try:
        assert list(other.image.images()) == []
        with pytest.raises(openstack.exceptions.NotFoundException):
            other.image.get_image(image.id)
    finally:
        other.close()

    sdk.image.delete_image(updated)
    assert list(sdk.image.images()) == []
    with pytest.raises(openstack.exceptions.NotFoundException):
        sdk.image.get_image(image.id)


def test_sdk_paginates(sdk):
    for index in range(5):
        sdk.image.create_image(name=f"p{index}", disk_format="raw", container_format="bare",
                               allow_duplicates=True)
    names = [i.name for i in sdk.image.images(limit=2, sort_key="name", sort_dir="asc")]
    assert names == [f"p{index}" for index in range(5)]
