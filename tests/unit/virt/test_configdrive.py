"""The config drive: an ISO 9660 ``config-2`` volume holding the metadata tree."""

from __future__ import annotations

import json
import subprocess

import pytest

from novalite.common import metadata_tree
from novalite.conf import CONF
from novalite.virt import configdrive
from tests.unit.common.test_metadata_tree import KEY, UUID, make


def isoinfo(*args: str) -> str:
    return subprocess.run(["isoinfo", *args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def test_config_drive_layout_and_contents(tmp_path) -> None:
    path = str(tmp_path / "disk.config")
    configdrive.build_config_drive(path, make())
    header = isoinfo("-d", "-i", path)
    assert "Volume id: config-2" in header
    listed = {line for line in isoinfo("-R", "-f", "-i", path).splitlines()}
    files = {"/ec2/2009-04-04/meta-data.json", "/ec2/2009-04-04/user-data",
             "/ec2/latest/meta-data.json", "/ec2/latest/user-data"}
    for version in metadata_tree.OPENSTACK_VERSIONS + ["latest"]:
        files.add(f"/openstack/{version}/meta_data.json")
        files.add(f"/openstack/{version}/user_data")
    for version in metadata_tree.OPENSTACK_VERSIONS[2:] + ["latest"]:
        files.add(f"/openstack/{version}/vendor_data.json")
    for version in metadata_tree.OPENSTACK_VERSIONS[3:] + ["latest"]:
        files.add(f"/openstack/{version}/network_data.json")
    for version in metadata_tree.OPENSTACK_VERSIONS[5:] + ["latest"]:
        files.add(f"/openstack/{version}/vendor_data2.json")
    directories = {"/ec2", "/openstack"} | {f"/ec2/{v}" for v in ("2009-04-04", "latest")} | {
        f"/openstack/{v}" for v in metadata_tree.OPENSTACK_VERSIONS + ["latest"]}
    assert listed == files | directories
    assert not any("password" in name or "1.0" in name for name in listed)

    def read(name: str) -> bytes:
        return subprocess.run(["isoinfo", "-R", "-i", path, "-x", name], capture_output=True,
                              check=True, timeout=60).stdout

    meta_data = json.loads(read("/openstack/latest/meta_data.json"))
    assert meta_data["uuid"] == UUID
    assert meta_data["public_keys"] == {"mykey": KEY}
    assert read("/openstack/latest/user_data") == b"#!/bin/sh\necho hi\n"
    network = json.loads(read("/openstack/latest/network_data.json"))
    assert [n["type"] for n in network["networks"]] == ["ipv4", "ipv4_dhcp"]
    assert json.loads(read("/openstack/latest/vendor_data2.json")) == {"static": {}}
    assert json.loads(read("/ec2/latest/meta-data.json"))["local-ipv4"] == "10.0.0.5"


def test_config_drive_without_user_data(tmp_path) -> None:
    path = str(tmp_path / "disk.config")
    configdrive.build_config_drive(path, make(user_data=None))
    listed = isoinfo("-R", "-f", "-i", path).splitlines()
    assert "/openstack/latest/meta_data.json" in listed
    assert not [name for name in listed if "user" in name]


def test_mkisofs_failure_is_reported(tmp_path) -> None:
    CONF.set_override("mkisofs_cmd", "false")
    try:
        with pytest.raises(configdrive.ConfigDriveError, match="false failed"):
            configdrive.build_config_drive(str(tmp_path / "x"), make())
    finally:
        CONF.clear_override("mkisofs_cmd")
