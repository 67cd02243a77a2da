"""Versioned objects: primitives, backports, change tracking and the version records."""

from __future__ import annotations

import datetime
from dataclasses import field

import pytest

from novalite import objects
from novalite.objects import base, service

# Each class's version and the hash of its fields. A change of fields without a new
# VERSION (and an entry in SERVICE_VERSION_HISTORY) fails here: bump the version, add
# the field to FIELD_SINCE, record the new manifest, then update this table.
EXPECTED_FINGERPRINTS = {
    "BlockDeviceMapping": "1.0-441f23027e9ebd64",
    "ComputeNode": "1.0-db9cec8d655c8774",
    "ConsoleAuthToken": "1.0-7e685a8b86004336",
    "Flavor": "1.0-9ce07d4a6bd45f7c",
    "ImageMeta": "1.0-cc93a05ee5c5beef",
    "Instance": "1.0-8ae78b3a47fb5900",
    "InstanceAction": "1.0-bab90b69960a393f",
    "InstanceActionEvent": "1.0-8c7ae728d57a6c18",
    "InstanceExternalEvent": "1.0-764d232f26b0ac04",
    "InstanceFault": "1.0-b40dca1fee57898f",
    "InstanceGroup": "1.0-5bc9da3d455ff3a8",
    "Migration": "1.0-82371997a445a307",
    "RequestSpec": "1.0-53a117f0490b003e",
    "Selection": "1.0-a725d1b62110c04a",
    "Service": "1.0-87183755cf210d45",
    "VolumeAttachment": "1.0-737e39dd5d7faf70",
}


def test_fingerprints_match_the_recorded_versions():
    found = {name: cls.obj_fingerprint() for name, cls in base.registry().items()
             if not name.startswith("_Test")}
    assert found == EXPECTED_FINGERPRINTS


def test_the_newest_service_level_lists_every_object_at_its_version():
    newest = service.SERVICE_VERSION_HISTORY[service.SERVICE_VERSION]
    assert dict(newest.objects or {}) == {
        name: version for name, version in objects.current_manifest().items()
        if not name.startswith("_Test")}


def test_instance_round_trip_keeps_types_and_children():
    launched = datetime.datetime(2026, 1, 2, 3, 4, 5, 678)
    instance = objects.Instance(
        uuid="u1", project_id="p", flavor=objects.Flavor(name="m1.tiny", vcpus=1,
                                                          extra_specs={"hw:cpu": "1"}),
        launched_at=launched, tags=["a"], network_info=[{"id": "port-1"}],
        fault=objects.InstanceFault(instance_uuid="u1", code=500, message="boom"))
    primitive = instance.obj_to_primitive()
    assert primitive[base.NAME_KEY] == "Instance"
    assert primitive[base.VERSION_KEY] == "1.0"
    assert primitive[base.DATA_KEY]["launched_at"] == launched.isoformat()
    assert primitive[base.DATA_KEY]["flavor"][base.NAME_KEY] == "Flavor"
    back = objects.Instance.obj_from_primitive(primitive)
    assert back == instance
    assert back.launched_at == launched
    assert isinstance(back.flavor, objects.Flavor)
    assert back.flavor.extra_specs == {"hw:cpu": "1"}


def test_changes_travel_and_only_changes_are_saved():
    instance = objects.Instance.from_db({"uuid": "u1", "vm_state": "building",
                                         "system_metadata": {"image_kernel_id": "k"}})
    assert instance.obj_what_changed() == set()
    assert instance.image_meta == objects.ImageMeta(id=None, properties={"kernel_id": "k"})
    instance.task_state = "spawning"
    received = objects.Instance.obj_from_primitive(instance.obj_to_primitive())
    assert received.obj_what_changed() == {"task_state"}
    assert received.values_to_save() == {"task_state": "spawning"}


class _TestGadget(base.NovaliteObject):
    """Version history: 1.0 initial; 1.1 added ``colour``; 1.2 added ``parts``."""

    VERSION = "1.2"
    FIELD_SINCE = {"colour": "1.1", "parts": "1.2"}

    name: str = ""
    colour: str | None = None
    parts: list[objects.Flavor] = field(default_factory=list)


def test_backport_drops_fields_newer_than_the_target():
    gadget = _TestGadget(name="g", colour="red", parts=[objects.Flavor(name="f")])
    assert set(gadget.obj_to_primitive("1.0")[base.DATA_KEY]) == {"name"}
    assert set(gadget.obj_to_primitive("1.1")[base.DATA_KEY]) == {"name", "colour"}
    assert gadget.obj_to_primitive(manifest={"_TestGadget": "1.1"})[base.VERSION_KEY] == "1.1"
    old = _TestGadget.obj_from_primitive(gadget.obj_to_primitive("1.0"))
    assert (old.name, old.colour, old.parts) == ("g", None, [])


def test_a_newer_or_other_major_version_is_refused():
    primitive = objects.Flavor(name="f").obj_to_primitive()
    with pytest.raises(base.IncompatibleObjectVersion):
        objects.Flavor.obj_from_primitive({**primitive, base.VERSION_KEY: "1.5"})
    with pytest.raises(base.IncompatibleObjectVersion):
        objects.Flavor.obj_from_primitive({**primitive, base.VERSION_KEY: "2.0"})
    with pytest.raises(base.IncompatibleObjectVersion):
        objects.Flavor(name="f").obj_to_primitive("1.1")
    with pytest.raises(base.UnknownObject):
        objects.Flavor.obj_from_primitive({**primitive, base.NAME_KEY: "Nope"})
    with pytest.raises(base.IncompatibleObjectVersion):
        objects.Instance.obj_from_primitive(primitive)  # a Flavor where an Instance is due


def test_serializer_walks_lists_and_dicts_and_applies_the_manifest():
    serializer = objects.ObjectSerializer(manifest=lambda: {"_TestGadget": "1.0"})
    wire = serializer.serialize_entity(None, {"a": [_TestGadget(name="x", colour="c")],
                                             "n": 1})
    assert wire["a"][0][base.VERSION_KEY] == "1.0"
    assert "colour" not in wire["a"][0][base.DATA_KEY]
    back = serializer.deserialize_entity(None, wire)
    assert back["n"] == 1
    assert back["a"][0] == _TestGadget(name="x")


def test_legacy_forms_are_release_0_1_0_shapes():
    instance = objects.Instance.from_db({
        "uuid": "u1", "id": 7, "vm_state": "active", "task_state": None,
        "flavor": {"flavorid": "1", "name": "m1.tiny", "vcpus": 1, "memory_mb": 128,
                   "root_gb": 1, "ephemeral_gb": 0, "swap": 0, "extra_specs": {}},
        "metadata": {"k": "v"}, "tags": ["t"], "fault": None, "network_info": []})
    legacy = instance.to_legacy()
    assert legacy["status"] == "ACTIVE"
    assert legacy["flavor"]["flavorid"] == "1"
    assert legacy["metadata"] == {"k": "v"}
    assert objects.Instance.from_legacy(legacy) == instance
    spec = objects.RequestSpec(flavor=objects.Flavor(vcpus=2, memory_mb=256),
                               image=objects.ImageMeta(id="img"), force_hosts=["h1"])
    assert objects.RequestSpec.from_legacy(spec.to_legacy()).force_hosts == ["h1"]
    assert spec.to_legacy()["flavor"]["vcpus"] == 2
    selection = objects.Selection(service_host="h", nodename="n", compute_node_uuid="p",
                                  allocation_request={"allocations": {
                                      "p": {"resources": {"VCPU": 1}}}})
    assert objects.Selection.from_legacy(selection.to_legacy()) == selection
    assert selection.allocated_resources() == {"VCPU": 1}


def test_service_levels_map_caps_to_object_manifests():
    assert service.level(0).objects is None
    assert service.level(0).compute_rpc == "1.1"
    assert service.level(99) == service.SERVICE_VERSION_HISTORY[service.SERVICE_VERSION]
    assert service.level_for_rpc("compute_rpc", "1.1").release == "0.1.0"
    assert service.level_for_rpc("compute_rpc", "2.1").release == "0.2.0"
