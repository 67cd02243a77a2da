"""The metadata tree of ``novalite.common.metadata_tree``: every path, every version."""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any

import pytest

from novalite.common import metadata_tree

UUID = "d8e02d56-2648-49a3-bf97-6be8f1204f38"
PROJECT = "f7ac731cc11f40efbc03a9f9e1d1d21f"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDm key@host\n"


def vif(port_id: str, mac: str, subnets: list[dict[str, Any]], **network: Any
        ) -> dict[str, Any]:
    return {"id": port_id, "address": mac, "devname": "tap" + port_id[:11], "type": "bridge",
            "active": True,
            "network": {"id": network.get("id", "net-1"), "label": "private",
                        "bridge": "brq1", "mtu": 1500, "subnets": subnets}}


STATIC = {"cidr": "10.0.0.0/24", "gateway": "10.0.0.1", "dns": ["8.8.8.8", "1.1.1.1"],
          "enable_dhcp": False, "ips": [{"address": "10.0.0.5", "type": "fixed", "version": 4}]}
DHCP = {"cidr": "192.168.7.0/26", "gateway": "192.168.7.1", "dns": ["8.8.8.8"],
        "enable_dhcp": True, "ips": [{"address": "192.168.7.9", "type": "fixed",
                                      "version": 4}]}
NETWORK_INFO = [
    vif("cd9f6d46-4a3b-4c1e-9d0b-1a2b3c4d5e6f", "fa:16:3e:9c:bf:3d", [STATIC], id="net-a"),
    vif("ab12cd34-5678-4c1e-9d0b-1a2b3c4d5e6f", "fa:16:3e:00:00:01", [DHCP], id="net-b"),
]


def instance(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": 10, "uuid": UUID, "display_name": "test", "hostname": "test",
        "project_id": PROJECT, "user_id": "u1", "metadata": {"role": "webserver"},
        "user_data": base64.b64encode(b"#!/bin/sh\necho hi\n").decode(),
        "key_name": "mykey", "key_data": KEY, "launch_index": 0,
        "availability_zone": None, "reservation_id": "r-abcd1234",
        "image_ref": "0a1b2c3d-0000-0000-0000-000000000000", "flavor": {"name": "m1.tiny"},
        "system_metadata": {}, "root_device_name": "/dev/vda", "kernel_id": None,
        "ramdisk_id": None}
    values.update(extra)
    return values


def make(network_info: list[dict[str, Any]] | None = None, **extra: Any
         ) -> metadata_tree.InstanceMetadata:
    return metadata_tree.InstanceMetadata(
        instance(**extra), NETWORK_INFO if network_info is None else network_info,
        keypair={"name": "mykey", "type": "ssh", "public_key": KEY},
        static_vendordata={}, vendordata_providers=["StaticJSON"], dhcp_domain="novalocal",
        today=datetime.date(2026, 1, 1))


def text(meta: metadata_tree.InstanceMetadata, path: str) -> str:
    rendered = meta.render(path)
    assert rendered is not None, path
    return rendered[0].decode()


def test_root_lists_the_ec2_versions() -> None:
    meta = make()
    assert text(meta, "/") == "\n".join(metadata_tree.VERSIONS + ["latest"])
    assert text(meta, "") == text(meta, "/")


def test_openstack_versions_hide_future_ones() -> None:
    meta = make()
    assert text(meta, "/openstack").splitlines() == metadata_tree.OPENSTACK_VERSIONS + ["latest"]
    old = metadata_tree.InstanceMetadata(instance(), [], static_vendordata={},
                                today=datetime.date(2020, 1, 1))
    assert old.lookup("/openstack") == ["2012-08-10", "2013-04-04", "2013-10-17",
                                        "2015-10-15", "2016-06-30", "2016-10-06",
                                        "2017-02-22", "2018-08-27", "latest"]


@pytest.mark.parametrize(("version", "files"), [
    ("2012-08-10", ["meta_data.json", "user_data"]),
    ("2013-04-04", ["meta_data.json", "user_data", "password"]),
    ("2013-10-17", ["meta_data.json", "user_data", "password", "vendor_data.json"]),
    ("2015-10-15", ["meta_data.json", "user_data", "password", "vendor_data.json",
                    "network_data.json"]),
    ("2016-10-06", ["meta_data.json", "user_data", "password", "vendor_data.json",
                    "network_data.json", "vendor_data2.json"]),
    ("latest", ["meta_data.json", "user_data", "password", "vendor_data.json",
                "network_data.json", "vendor_data2.json"]),
])
def test_version_listing(version: str, files: list[str]) -> None:
    assert text(make(), f"/openstack/{version}").splitlines() == files
    assert text(make(), f"/openstack/{version}/").splitlines() == files


def test_listing_without_user_data() -> None:
    assert "user_data" not in make(user_data=None).lookup("/openstack/latest")


def test_meta_data_json_latest() -> None:
    body, content_type = make().render("/openstack/latest/meta_data.json") or (b"", "")
    assert content_type == "application/json"
    data = json.loads(body)
    seed = base64.b64decode(data.pop("random_seed"))
    assert len(seed) == 512
    assert data == {
        "uuid": UUID, "meta": {"role": "webserver"}, "public_keys": {"mykey": KEY},
        "keys": [{"name": "mykey", "type": "ssh", "data": KEY}],
        "hostname": "test.novalocal", "name": "test", "launch_index": 0,
        "availability_zone": "nova", "project_id": PROJECT, "devices": [],
        "dedicated_cpus": []}


@pytest.mark.parametrize(("version", "keys"), [
    ("2012-08-10", set()),
    ("2013-04-04", {"random_seed"}),
    ("2015-10-15", {"random_seed", "project_id"}),
    ("2016-06-30", {"random_seed", "project_id", "devices"}),
    ("2020-10-14", {"random_seed", "project_id", "devices", "dedicated_cpus"}),
])
def test_meta_data_json_fields_by_version(version: str, keys: set[str]) -> None:
    data = json.loads(text(make(), f"/openstack/{version}/meta_data.json"))
    common = {"uuid", "meta", "public_keys", "keys", "hostname", "name", "launch_index",
              "availability_zone"}
    assert set(data) == common | keys


def test_meta_data_options_and_absent_values() -> None:
    meta = metadata_tree.InstanceMetadata(instance(metadata={}, key_name=None, key_data=None,
                                          availability_zone="az1"),
                                 [], dhcp_domain="", static_vendordata={},
                                 extra_md={"admin_pass": "pw"})
    data = meta.meta_data("latest")
    assert "meta" not in data and "public_keys" not in data and "keys" not in data
    assert data["hostname"] == "test"
    assert data["availability_zone"] == "az1"
    assert data["admin_pass"] == "pw"


def test_key_type_comes_from_the_keypair_and_key_from_the_boot_record() -> None:
    meta = metadata_tree.InstanceMetadata(instance(), [], keypair={
        "name": "mykey", "type": "x509", "public_key": "changed since"},
        static_vendordata={})
    assert meta.meta_data()["keys"] == [{"name": "mykey", "type": "x509", "data": KEY}]


def test_user_data_is_decoded_and_404_without() -> None:
    assert make().render("/openstack/latest/user_data") == (b"#!/bin/sh\necho hi\n",
                                                          "text/plain")
    assert make(user_data=None).render("/openstack/latest/user_data") is None
    assert make(user_data=None).render("/latest/user-data") is None
    assert make().render("/2009-04-04/user-data") == (b"#!/bin/sh\necho hi\n", "text/plain")


def test_unknown_paths_and_versions_are_404() -> None:
    meta = make()
    for path in ("/openstack/2011-01-01/meta_data.json", "/openstack/latest/nothing",
                 "/openstack/2012-08-10/network_data.json",
                 "/openstack/2013-04-04/vendor_data.json",
                 "/openstack/2015-10-15/vendor_data2.json",
                 "/openstack/2012-08-10/password", "/2010-01-01/meta-data/",
                 "/latest/meta-data/nothing", "/latest/meta-data/hostname/extra",
                 "/latest/nothing"):
        assert meta.render(path) is None, path
        with pytest.raises(metadata_tree.InvalidMetadataPath):
            meta.lookup(path)


def test_network_data_json() -> None:
    data = json.loads(text(make(), "/openstack/latest/network_data.json"))
    assert data == {
        "links": [
            {"id": "tapcd9f6d46-4a", "vif_id": "cd9f6d46-4a3b-4c1e-9d0b-1a2b3c4d5e6f",
             "type": "bridge", "mtu": 1500, "ethernet_mac_address": "fa:16:3e:9c:bf:3d"},
            {"id": "tapab12cd34-56", "vif_id": "ab12cd34-5678-4c1e-9d0b-1a2b3c4d5e6f",
             "type": "bridge", "mtu": None, "ethernet_mac_address": "fa:16:3e:00:00:01"}],
        "networks": [
            {"id": "network0", "type": "ipv4", "link": "tapcd9f6d46-4a",
             "ip_address": "10.0.0.5", "netmask": "255.255.255.0",
             "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0",
                         "gateway": "10.0.0.1"}],
             "network_id": "net-a",
             "services": [{"type": "dns", "address": "8.8.8.8"},
                          {"type": "dns", "address": "1.1.1.1"}]},
            {"id": "network1", "type": "ipv4_dhcp", "link": "tapab12cd34-56",
             "network_id": "net-b"}],
        "services": [{"type": "dns", "address": "8.8.8.8"},
                     {"type": "dns", "address": "1.1.1.1"}]}


def test_network_data_nova_model_shapes_and_ipv6() -> None:
    """Nova's own network model wraps addresses in dicts and keeps mtu/dhcp in meta."""
    nova_vif = {"id": "p1", "address": "fa:16:3e:00:00:02", "type": "ovs",
                "network": {"id": "n1", "meta": {"mtu": 1450}, "subnets": [
                    {"cidr": "10.1.0.0/16", "version": 4, "gateway": {"address": "10.1.0.1"},
                     "dns": [{"address": "9.9.9.9"}], "meta": {},
                     "routes": [{"cidr": "172.16.0.0/12", "gateway": {"address": "10.1.0.254"}}],
                     "ips": [{"address": "10.1.2.3", "type": "fixed"}]},
                    {"cidr": "fd00::/64", "version": 6, "gateway": {"address": "fd00::1"},
                     "meta": {"ipv6_address_mode": "slaac"}, "dns": [],
                     "ips": [{"address": "fd00::5", "type": "fixed"}]}]}}
    data = metadata_tree.get_network_metadata([nova_vif])
    assert data is not None
    assert data["links"] == [{"id": "interface0", "vif_id": "p1", "type": "ovs", "mtu": 1450,
                              "ethernet_mac_address": "fa:16:3e:00:00:02"}]
    v4, v6 = data["networks"]
    assert v4["routes"] == [
        {"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.1.0.1"},
        {"network": "172.16.0.0", "netmask": "255.240.0.0", "gateway": "10.1.0.254"}]
    assert (v4["netmask"], v4["services"]) == ("255.255.0.0", [{"type": "dns",
                                                               "address": "9.9.9.9"}])
    assert (v6["id"], v6["type"], v6["ip_address"]) == ("network1", "ipv6_slaac", "fd00::5")
    assert v6["routes"] == [{"network": "::", "netmask": "::", "gateway": "fd00::1"}]
    assert data["services"] == [{"type": "dns", "address": "9.9.9.9"}]


def test_network_data_empty() -> None:
    assert json.loads(text(make([]), "/openstack/latest/network_data.json")) == {}
    assert metadata_tree.get_network_metadata([{"id": "p", "network": {"subnets": []}}]) == {
        "links": [], "networks": [], "services": []}


def test_vendor_data() -> None:
    meta = metadata_tree.InstanceMetadata(instance(), [], static_vendordata={"a": 1},
                                 vendordata_providers=["StaticJSON"])
    assert json.loads(text(meta, "/openstack/latest/vendor_data.json")) == {"a": 1}
    assert json.loads(text(meta, "/openstack/latest/vendor_data2.json")) == {"static": {"a": 1}}
    assert json.loads(text(make(), "/openstack/latest/vendor_data.json")) == {}
    none = metadata_tree.InstanceMetadata(instance(), [], static_vendordata={},
                                          vendordata_providers=[])
    assert none.render("/openstack/latest/vendor_data.json") is None
    assert json.loads(text(none, "/openstack/latest/vendor_data2.json")) == {}


def test_static_vendordata_file(tmp_path) -> None:
    path = tmp_path / "vendor.json"
    path.write_text('{"cloud": "novalite"}')
    assert metadata_tree.load_static_vendordata(str(path)) == {"cloud": "novalite"}
    path.write_text("not json")
    assert metadata_tree.load_static_vendordata(str(path)) == {}
    assert metadata_tree.load_static_vendordata(None) == {}


def test_password_marker_and_value() -> None:
    meta = make()
    assert meta.lookup("/openstack/latest/password") is metadata_tree.PASSWORD
    assert meta.render("/openstack/latest/password") == (b"", "text/plain")
    chunks = metadata_tree.convert_password("x" * 600)
    assert [len(chunks[f"password_{i}"]) for i in range(4)] == [255, 255, 90, 0]
    stored = make(system_metadata=chunks)
    assert stored.password == "x" * 600
    assert text(stored, "/openstack/2013-04-04/password") == "x" * 600


def test_ec2_meta_data_listing() -> None:
    assert text(make(), "/latest/meta-data/").splitlines() == [
        "ami-id", "ami-launch-index", "ami-manifest-path", "block-device-mapping/",
        "hostname", "instance-action", "instance-id", "instance-type", "local-hostname",
        "local-ipv4", "placement/", "public-hostname", "public-ipv4", "public-keys/",
        "reservation-id", "security-groups"]
    assert text(make(), "/latest").splitlines() == ["meta-data/", "user-data"]
    assert text(make(user_data=None), "/latest/").splitlines() == ["meta-data/"]


def test_ec2_values() -> None:
    meta = make(security_groups=[{"name": "default"}, {"name": "web"}],
                kernel_id="11111111-0000-0000-0000-000000000000")
    assert text(meta, "/latest/meta-data/instance-id") == "i-0000000a"
    assert text(meta, "/latest/meta-data/ami-id") == "ami-0a1b2c3d"
    assert text(meta, "/latest/meta-data/kernel-id") == "aki-11111111"
    assert text(meta, "/latest/meta-data/ami-launch-index") == "0"
    assert text(meta, "/latest/meta-data/local-ipv4") == "10.0.0.5"
    assert text(meta, "/latest/meta-data/public-ipv4") == ""
    assert text(meta, "/latest/meta-data/hostname") == "test.novalocal"
    assert text(meta, "/latest/meta-data/local-hostname") == "test.novalocal"
    assert text(meta, "/latest/meta-data/instance-type") == "m1.tiny"
    assert text(meta, "/latest/meta-data/reservation-id") == "r-abcd1234"
    assert text(meta, "/latest/meta-data/instance-action") == "none"
    assert text(meta, "/latest/meta-data/security-groups") == "default\nweb"
    assert text(meta, "/latest/meta-data/placement/") == "availability-zone"
    assert text(meta, "/latest/meta-data/placement/availability-zone") == "nova"
    assert text(meta, "/latest/meta-data/public-keys/") == "0=mykey"
    assert text(meta, "/latest/meta-data/public-keys/0/") == "openssh-key"
    assert text(meta, "/latest/meta-data/public-keys/0/openssh-key") == KEY
    assert text(meta, "/latest/meta-data/block-device-mapping/") == "ami\nroot"
    assert text(meta, "/latest/meta-data/block-device-mapping/root") == "/dev/vda"
    assert text(meta, "/latest/meta-data/block-device-mapping/ami") == "vda"


def test_ec2_versions_and_fallbacks() -> None:
    oldest = make().get_ec2_metadata("1.0")["meta-data"]
    assert "public-ipv4" not in oldest and "placement" not in oldest
    assert "instance-type" not in oldest and "block-device-mapping" not in oldest
    assert "placement" in make().get_ec2_metadata("2008-02-01")["meta-data"]
    assert "instance-action" not in make().get_ec2_metadata("2008-02-01")["meta-data"]
    floating = [vif("p", "fa:16:3e:00:00:03", [{
        "cidr": "10.0.0.0/24", "ips": [{"address": "10.0.0.7", "type": "fixed",
                                        "floating_ips": [{"address": "203.0.113.5"}]}]}])]
    assert text(make(floating), "/latest/meta-data/public-ipv4") == "203.0.113.5"
    bare = metadata_tree.InstanceMetadata(instance(root_device_name=None, key_name=None), [],
                                 address="10.9.9.9", static_vendordata={})
    assert text(bare, "/latest/meta-data/local-ipv4") == "10.9.9.9"
    assert bare.render("/latest/meta-data/public-keys/") is None
    assert text(bare, "/latest/meta-data/block-device-mapping/").splitlines() == [
        "ami", "ephemeral0", "root", "swap"]


def test_network_info_defaults_to_the_record() -> None:
    meta = metadata_tree.InstanceMetadata(instance(network_info=json.dumps(NETWORK_INFO)),
                                 static_vendordata={})
    assert [ip["address"] for ip in metadata_tree.fixed_ips(meta.network_info)] == [
        "10.0.0.5", "192.168.7.9"]
    assert metadata_tree.InstanceMetadata(instance(), static_vendordata={}).network_info == []


def test_config_drive_files() -> None:
    files = dict(make().metadata_for_config_drive())
    expected = {"ec2/2009-04-04/meta-data.json", "ec2/2009-04-04/user-data",
                "ec2/latest/meta-data.json", "ec2/latest/user-data"}
    for version in metadata_tree.OPENSTACK_VERSIONS + ["latest"]:
        expected |= {f"openstack/{version}/{name}" for name in
                     make().lookup(f"/openstack/{version}") if name != "password"}
    assert set(files) == expected
    ec2 = json.loads(files["ec2/latest/meta-data.json"])
    assert ec2["public-keys"] == {"0": {"openssh-key": KEY}}
    assert ec2["instance-id"] == "i-0000000a"
    assert json.loads(files["openstack/latest/meta_data.json"])["uuid"] == UUID
    assert files["openstack/2012-08-10/user_data"] == b"#!/bin/sh\necho hi\n"
