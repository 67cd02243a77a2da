"""block_device_mapping_v2 of a create, checked and turned into mappings (one module,
with a stand-in volume client and resolver)."""

from __future__ import annotations

from typing import Any

import pytest

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.compute import block_device_request
from novalite.compute.api_volumes import next_device_name
from novalite.volume.client import VolumeNotFound

IMAGE = {"id": "img", "status": "active", "size": 1024, "min_disk": 0,
         "properties": {"kernel_id": "k"}}
VOLUMES = {"vol": {"id": "vol", "status": "available", "size": 2,
                   "volume_image_metadata": {"image_id": "img", "kernel_id": "k",
                                             "disk_format": "raw"}},
           "busy": {"id": "busy", "status": "in-use", "size": 1}}


class Resolver:
    def image(self, ctxt: Any, image_id: str) -> dict[str, Any]:
        if image_id != "img":
            raise exception.Invalid(message="Can not find requested image")
        return dict(IMAGE)


class Client:
    def __init__(self, ctxt: Any) -> None:
        pass

    def get(self, volume_id: str) -> dict[str, Any]:
        if volume_id not in VOLUMES:
            raise VolumeNotFound(volume_id=volume_id)
        return VOLUMES[volume_id]

    def get_snapshot(self, snapshot_id: str) -> dict[str, Any]:
        if snapshot_id != "snap":
            raise exception.NotFound(message="no")
        return {"id": "snap", "size": 3}


@pytest.fixture(autouse=True)
def client(monkeypatch):
    monkeypatch.setattr(block_device_request, "VolumeClient", Client)


def resolve(*mappings: dict[str, Any], config_drive: bool = False, count: int = 1):
    return block_device_request.resolve(RequestContext(), Resolver(), list(mappings),
                                        config_drive, count)


def test_an_image_backed_server_has_no_volume_mappings():
    found = resolve({"uuid": "img", "source_type": "image", "destination_type": "local",
                     "boot_index": 0})
    assert found.mappings == [] and found.root_image is None


def test_image_to_volume_is_the_root_disk_and_others_get_the_next_names():
    found = resolve(
        {"uuid": "img", "source_type": "image", "destination_type": "volume",
         "boot_index": "0", "volume_size": "1", "delete_on_termination": "true"},
        {"source_type": "blank", "destination_type": "volume", "volume_size": 2},
        {"uuid": "snap", "source_type": "snapshot", "destination_type": "volume"},
        config_drive=True)
    assert [(m["source_type"], m["device_name"], m["boot_index"], m["volume_size"])
            for m in found.mappings] == [("image", "vda", 0, 1), ("blank", "vdc", None, 2),
                                         ("snapshot", "vdd", None, 3)]
    assert found.mappings[0]["delete_on_termination"] is True
    assert found.root_image == {**IMAGE, "id": ""}


def test_a_volume_root_boots_what_its_image_metadata_says():
    found = resolve({"uuid": "vol", "source_type": "volume", "destination_type": "volume",
                     "boot_index": 0})
    assert found.mappings[0]["volume_id"] == "vol"
    assert found.root_image["id"] == "" and found.root_image["properties"] == {
        "kernel_id": "k"}


@pytest.mark.parametrize(("mapping", "count", "message"), [
    ({"uuid": "img", "source_type": "image", "destination_type": "volume"}, 1,
     "need to have a non-zero size"),
    ({"source_type": "blank", "destination_type": "volume"}, 1, "non-zero volume_size"),
    ({"uuid": "nope", "source_type": "volume", "destination_type": "volume"}, 1,
     "failed to get volume nope."),
    ({"uuid": "busy", "source_type": "volume", "destination_type": "volume"}, 1,
     "status must be 'available'. Currently in 'in-use'"),
    ({"uuid": "vol", "source_type": "volume", "destination_type": "volume"}, 2,
     "multiple instances"),
    ({"uuid": "snap", "source_type": "snapshot", "destination_type": "local"}, 1,
     "needs destination_type volume"),
    ({"source_type": "blank", "destination_type": "volume", "volume_size": "big"}, 1,
     "is not an integer"),
    ({"source_type": "blank", "destination_type": "volume", "volume_size": 1,
      "boot_index": "x"}, 1, "Boot index"),
])
def test_refusals_are_400(mapping, count, message):
    with pytest.raises(exception.Invalid) as raised:
        resolve(mapping, count=count)
    assert message in raised.value.message
    assert raised.value.code == 400


def test_two_boot_volumes_are_refused():
    root = {"source_type": "blank", "destination_type": "volume", "volume_size": 1,
            "boot_index": 0}
    with pytest.raises(exception.Invalid, match="Boot sequence"):
        resolve(root, dict(root))


def test_device_names_skip_the_root_and_the_config_drive():
    assert next_device_name(set(), config_drive=False) == "vdb"
    assert next_device_name(set(), config_drive=True) == "vdc"
    assert next_device_name({"/dev/vdb", "vdc"}, config_drive=False) == "vdd"
    taken = {f"vd{chr(c)}" for c in range(ord("b"), ord("z") + 1)}
    with pytest.raises(exception.Invalid):
        next_device_name(taken, config_drive=False)
