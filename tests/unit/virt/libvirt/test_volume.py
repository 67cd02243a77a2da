"""Volumes as libvirt disks: the XML of each connection type, the refusals, and the
record of attached volumes every definition of the guest reads."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from novalite.virt.driver import VirtDriverError
from novalite.virt.libvirt import config
from novalite.virt.libvirt.volume import AttachedVolumes, device_name, guest_volume

VOLUME = "6b1c1b4e-9a8e-4f5c-9d4b-0f3a2a1e7c55"
FILE = {"driver_volume_type": "file", "data": {
    "device_path": "/srv/volumes/volume-1.qcow2", "format": "qcow2", "access_mode": "rw"}}
ISCSI = {"driver_volume_type": "iscsi", "data": {
    "target_portal": "127.0.0.1:3260", "target_iqn": "iqn.2010-10.org.openstack:volume-1",
    "target_lun": 1, "access_mode": "ro"}}


def test_a_file_volume_is_a_file_disk_with_its_serial():
    disk = ET.fromstring(guest_volume(FILE, "/dev/vdb", VOLUME).to_xml())
    assert disk.get("type") == "file" and disk.get("device") == "disk"
    assert disk.find("driver").attrib == {"name": "qemu", "type": "qcow2",
                                          "discard": "unmap"}
    assert disk.find("source").get("file") == "/srv/volumes/volume-1.qcow2"
    assert disk.find("target").attrib == {"dev": "vdb", "bus": "virtio"}
    assert disk.find("serial").text == VOLUME[:20]
    assert disk.find("readonly") is None


def test_an_iscsi_volume_is_a_network_disk_qemu_reaches_itself():
    disk = ET.fromstring(guest_volume(ISCSI, "vdc", VOLUME).to_xml())
    assert disk.get("type") == "network"
    source = disk.find("source")
    assert source.attrib == {"protocol": "iscsi",
                             "name": "iqn.2010-10.org.openstack:volume-1/1"}
    assert source.find("host").attrib == {"name": "127.0.0.1", "port": "3260"}
    assert disk.find("driver").get("type") == "raw"
    assert disk.find("driver").get("cache") == "none"
    assert disk.find("readonly") is not None  # access_mode ro


@pytest.mark.parametrize("info", [
    {"driver_volume_type": "rbd", "data": {}},
    {"driver_volume_type": "file", "data": {}},
    {"driver_volume_type": "file", "data": {"device_path": "/x", "format": "vmdk"}},
    {"driver_volume_type": "iscsi", "data": {"target_portal": "127.0.0.1"}},
])
def test_unusable_connections_are_refused(info):
    with pytest.raises(VirtDriverError):
        guest_volume(info, "vdb", VOLUME)


@pytest.mark.parametrize("name", ["", "/dev/", "vd b", "/dev/vd;b"])
def test_device_names_are_checked(name):
    with pytest.raises(VirtDriverError):
        device_name(name)


def test_attached_volumes_are_in_every_definition(tmp_path):
    volumes = AttachedVolumes(str(tmp_path))
    assert volumes.disks() == []
    volumes.add(VOLUME, "vdb", FILE)
    volumes.add("other", "vdc", ISCSI)
    volumes.add(VOLUME, "vdb", FILE)  # again: still once
    assert [d.target_dev for d in volumes.disks()] == ["vdc", "vdb"]
    guest = config.GuestConfig(uuid="u", name="n", virt_type="qemu", memory_mb=64, vcpus=1,
                               metadata=config.GuestMetadata(defined_at=0.0),
                               disks=tuple(volumes.disks()))
    assert config.disk_targets(guest.to_xml()) == ["vdc", "vdb"]
    volumes.remove("other")
    assert [d.target_dev for d in volumes.disks()] == ["vdb"]
    (tmp_path / "volumes.json").write_text("not json")
    assert volumes.disks() == []
