"""JSON-patch parsing and image attribute checks."""

import json

import pytest

from novalite.common import exception
from novalite.image.api import patch, validation

MEDIA = "application/openstack-images-v2.1-json-patch"


def test_parse_decodes_pointer_escapes():
    body = json.dumps([{"op": "add", "path": "/a~1b~0c", "value": "v"},
                       {"op": "remove", "path": "/x"}]).encode()
    changes = patch.parse(MEDIA, body)
    assert changes == [patch.Change("add", "a/b~c", "v"), patch.Change("remove", "x")]


@pytest.mark.parametrize("body", [b"{", b"{}", b'[{"op": "copy", "path": "/a"}]',
                                  b'[{"op": "add", "path": "/a"}]',
                                  b'[{"op": "add", "path": "a", "value": "v"}]',
                                  b'[{"op": "add", "path": "/a/b", "value": "v"}]',
                                  b'[{"op": "add", "path": "/a~2", "value": "v"}]', b"[1]"])
def test_parse_rejects_bad_bodies(body):
    with pytest.raises(exception.Invalid):
        patch.parse(MEDIA, body)


def test_parse_requires_the_patch_media_type():
    with pytest.raises(patch.UnsupportedMediaType):
        patch.parse("application/json", b"[]")
    assert patch.parse("application/openstack-images-v2.0-json-patch; charset=UTF-8",
                       b"[]") == []


def test_split_create_body():
    core, props = validation.split_create_body(
        {"name": "n", "min_ram": 1, "tags": ["a"], "hw_disk_bus": "virtio",
         "id": "7f2c8bd4-8f5e-4a7d-9d65-1f5b0fbd2b11"})
    assert core == {"name": "n", "min_ram": 1, "tags": ["a"],
                    "id": "7f2c8bd4-8f5e-4a7d-9d65-1f5b0fbd2b11"}
    assert props == {"hw_disk_bus": "virtio"}


@pytest.mark.parametrize("body, error", [
    ({"status": "active"}, exception.Forbidden),
    ({"deleted": True}, exception.Forbidden),
    ({"min_disk": True}, exception.Invalid),
    ({"min_disk": -1}, exception.Invalid),
    ({"protected": "yes"}, exception.Invalid),
    ({"visibility": "everyone"}, exception.Invalid),
    ({"container_format": "zip"}, exception.Invalid),
    ({"tags": "a"}, exception.Invalid),
    ({"kernel_id": "not-a-uuid"}, exception.Invalid),
    ({"hw_numa_nodes": 2}, exception.Invalid),
    ({"id": "1234"}, exception.Invalid),
])
def test_split_create_body_refuses(body, error):
    with pytest.raises(error):
        validation.split_create_body(body)


def test_property_and_tag_limits():
    with pytest.raises(validation.OverLimit):
        validation.check_property_count({f"p{i}": "v" for i in range(129)})
    with pytest.raises(validation.OverLimit):
        validation.check_core("tags", [f"t{i}" for i in range(129)])
