"""An instance's metadata as Nova serves it (``nova/api/metadata/base.py``): pure code.

``InstanceMetadata`` is built from plain dicts (the instance record, its network info,
its key pair) and answers every path of the metadata tree: the EC2 tree
(``/{version}/meta-data/...``, ``/{version}/user-data``) and the OpenStack tree
(``/openstack/{version}/meta_data.json``, ``user_data``, ``password``,
``vendor_data.json``, ``network_data.json``, ``vendor_data2.json``). It never touches
the database or the network: the metadata API (``novalite.api.metadata``) uses it per
request and the compute node's virt drivers use it for config drives
(``metadata_for_config_drive``), where ``novalite.db`` may not be imported; so it sits
in the lowest layer, below both.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import json
import logging
import os
import posixpath
from collections.abc import Iterator
from typing import Any

from novalite.conf import CONF

LOG = logging.getLogger(__name__)

# EC2 metadata versions, oldest first.
VERSIONS = ["1.0", "2007-01-19", "2007-03-01", "2007-08-29", "2007-10-10", "2007-12-15",
            "2008-02-01", "2008-09-01", "2009-04-04"]

FOLSOM = "2012-08-10"
GRIZZLY = "2013-04-04"
HAVANA = "2013-10-17"
LIBERTY = "2015-10-15"
NEWTON_ONE = "2016-06-30"
NEWTON_TWO = "2016-10-06"
OCATA = "2017-02-22"
ROCKY = "2018-08-27"
VICTORIA = "2020-10-14"
EPOXY = "2025-04-04"

OPENSTACK_VERSIONS = [FOLSOM, GRIZZLY, HAVANA, LIBERTY, NEWTON_ONE, NEWTON_TWO, OCATA, ROCKY,
                      VICTORIA, EPOXY]

MD_JSON_NAME = "meta_data.json"
VD_JSON_NAME = "vendor_data.json"
VD2_JSON_NAME = "vendor_data2.json"
NW_JSON_NAME = "network_data.json"
UD_NAME = "user_data"
PASS_NAME = "password"

MIME_TYPE_TEXT_PLAIN = "text/plain"
MIME_TYPE_APPLICATION_JSON = "application/json"

# What instance_block_mapping gives an instance without a root device name.
_DEFAULT_MAPPINGS = {"ami": "sda1", "ephemeral0": "sda2", "root": "/dev/sda1", "swap": "sda3"}
# VIF types Nova names as they are in network_data.json's links; the rest are "phy".
_EXPOSED_VIF_TYPES = ("bridge", "dvs", "hw_veb", "hyperv", "ovs", "tap", "vhostuser", "vif")

# Password store (nova/api/metadata/password.py): 4 system_metadata chunks of 255 chars.
PASSWORD_CHUNKS = 4
PASSWORD_CHUNK_LENGTH = 255
PASSWORD_MAX_SIZE = PASSWORD_CHUNKS * PASSWORD_CHUNK_LENGTH


class InvalidMetadataPath(Exception):
    """No such path (or version) in the tree: the API answers 404."""

    def __init__(self, path: str) -> None:
        super().__init__(f"Invalid metadata path: {path}")
        self.path = path


class _Password:
    """Marker ``lookup`` returns for ``/openstack/{ver}/password``: the handler serves
    GET from ``InstanceMetadata.password`` and stores a POST itself."""

    def __repr__(self) -> str:
        return "PASSWORD"


PASSWORD = _Password()


# --- helpers shared with the handler and the config drive --------------------------------

def ec2_md_print(data: Any) -> str | bytes:
    """Render a tree node as the EC2 API does: dict keys one per line (sub-trees with a
    trailing ``/``, or their ``_name``), lists one item per line, leaves as text."""
    if isinstance(data, dict):
        lines = []
        for key in sorted(data):
            if key == "_name":
                continue
            value = data[key]
            if isinstance(value, dict):
                lines.append(str(value["_name"]) if "_name" in value else key + "/")
            else:
                lines.append(key)
        return "\n".join(lines)
    if isinstance(data, list):
        return "\n".join(str(item) for item in data)
    if isinstance(data, str | bytes):
        return data
    return str(data)


def find_path_in_tree(data: Any, path_tokens: list[str]) -> Any:
    """The node at ``path_tokens`` below ``data``; KeyError if there is none."""
    for index, token in enumerate(path_tokens):
        if not isinstance(data, dict) or token not in data:
            raise KeyError("/".join(path_tokens[:index + 1]))
        data = data[token]
    return data


def extract_password(system_metadata: dict[str, Any]) -> str | None:
    """The guest's encrypted password from its ``password_N`` chunks, or None."""
    result = "".join(str(system_metadata[key]) for key in sorted(system_metadata)
                     if key.startswith("password_"))
    return result or None


def convert_password(password: str | bytes | None) -> dict[str, str]:
    """``password_0..3`` system_metadata values holding ``password``."""
    text = password.decode("utf-8") if isinstance(password, bytes) else (password or "")
    chunks = {}
    for index in range(PASSWORD_CHUNKS):
        chunks[f"password_{index}"] = text[:PASSWORD_CHUNK_LENGTH]
        text = text[PASSWORD_CHUNK_LENGTH:]
    return chunks


def load_static_vendordata(path: str | None) -> dict[str, Any]:
    """The StaticJSON vendor data file (``{}`` when unset; unreadable files are logged)."""
    if not path:
        return {}
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (OSError, ValueError) as error:
        LOG.warning("Vendor data file %s could not be read: %s", path, error)
        return {}
    return data if isinstance(data, dict) else {}


def _address(value: Any) -> str | None:
    """Nova's network model wraps addresses in dicts ({"address": ...}); ours may not."""
    if isinstance(value, dict):
        return value.get("address")
    return value or None


def _ip_version(subnet: dict[str, Any], ip: dict[str, Any] | None = None) -> int:
    if subnet.get("version"):
        return int(subnet["version"])
    if subnet.get("cidr"):
        return ipaddress.ip_network(subnet["cidr"], strict=False).version
    if ip is not None and ip.get("version"):
        return int(ip["version"])
    return 4


def _subnet_meta(subnet: dict[str, Any]) -> dict[str, Any]:
    return subnet.get("meta") or {}


def _dhcp_enabled(subnet: dict[str, Any]) -> bool:
    return bool(subnet.get("enable_dhcp") or _subnet_meta(subnet).get("dhcp_server"))


def fixed_ips(network_info: list[dict[str, Any]], version: int | None = None
              ) -> list[dict[str, Any]]:
    """Every fixed IP of the VIFs (optionally of one IP version), in VIF order."""
    found = []
    for vif in network_info or []:
        for subnet in (vif.get("network") or {}).get("subnets") or []:
            for ip in subnet.get("ips") or []:
                if ip.get("type", "fixed") != "fixed":
                    continue
                if version is None or _ip_version(subnet, ip) == version:
                    found.append(ip)
    return found


def floating_ips(network_info: list[dict[str, Any]]) -> list[str]:
    return [address for ip in fixed_ips(network_info)
            for floating in ip.get("floating_ips") or []
            if (address := _address(floating))]


# --- network_data.json (nova/virt/netutils.py get_network_metadata) ---------------------

def _first_subnet(network: dict[str, Any], version: int) -> dict[str, Any] | None:
    for subnet in network.get("subnets") or []:
        if _ip_version(subnet) == version:
            return dict(subnet)
    return None


def _link_mtu(vif: dict[str, Any]) -> int | None:
    network = vif["network"]
    if any(_dhcp_enabled(subnet) for subnet in network.get("subnets") or []):
        return None  # the DHCP server tells the guest
    mtu = network.get("mtu", (network.get("meta") or {}).get("mtu"))
    return None if mtu is None else int(mtu)


def _dns_services(subnet: dict[str, Any]) -> list[dict[str, str]]:
    return [{"type": "dns", "address": _address(dns) or ""} for dns in subnet.get("dns") or []]


def _default_route(version: int, subnet: dict[str, Any]) -> list[dict[str, str]]:
    gateway = _address(subnet.get("gateway"))
    if not gateway:
        return []
    anywhere = "0.0.0.0" if version == 4 else "::"
    return [{"network": anywhere, "netmask": anywhere, "gateway": gateway}]


def _network(vif: dict[str, Any], subnet: dict[str, Any], version: int, number: int,
             link_id: str) -> dict[str, Any]:
    network_id = vif["network"].get("id")
    if version == 4 and _dhcp_enabled(subnet):
        return {"id": f"network{number}", "type": "ipv4_dhcp", "link": link_id,
                "network_id": network_id}
    kind = f"ipv{version}"
    ipv6_mode = _subnet_meta(subnet).get("ipv6_address_mode") or subnet.get("ipv6_address_mode")
    if version == 6 and ipv6_mode:
        kind = f"ipv6_{ipv6_mode}"
    ip = subnet["ips"][0]
    routes = _default_route(version, subnet)
    for route in subnet.get("routes") or []:
        destination = ipaddress.ip_network(route["cidr"], strict=False)
        routes.append({"network": str(destination.network_address),
                       "netmask": str(destination.netmask),
                       "gateway": _address(route.get("gateway")) or ""})
    return {"id": f"network{number}", "type": kind, "link": link_id,
            "ip_address": _address(ip),
            "netmask": str(ipaddress.ip_network(subnet["cidr"], strict=False).netmask),
            "routes": routes, "network_id": network_id, "services": _dns_services(subnet)}


def get_network_metadata(network_info: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``network_data.json`` from Nova VIF dicts; None without network info. Only the
    first IPv4 and the first IPv6 subnet of each network are described (as in Nova)."""
    if not network_info:
        return None
    links: list[dict[str, Any]] = []
    networks: list[dict[str, Any]] = []
    services: list[dict[str, str]] = []
    link_number = net_number = -1
    for vif in network_info:
        network = vif.get("network") or {}
        if not network.get("subnets"):
            continue
        subnet_v4 = _first_subnet(network, 4)
        subnet_v6 = _first_subnet(network, 6)
        link_number += 1
        if not (subnet_v4 or subnet_v6):
            continue
        link_id = vif.get("devname") or f"interface{link_number}"
        vif_type = vif.get("type")
        links.append({"id": link_id, "vif_id": vif.get("id"),
                      "type": vif_type if vif_type in _EXPOSED_VIF_TYPES else "phy",
                      "mtu": _link_mtu(vif), "ethernet_mac_address": vif.get("address")})
        for version, subnet in ((4, subnet_v4), (6, subnet_v6)):
            if subnet and subnet.get("ips"):
                net_number += 1
                networks.append(_network(vif, subnet, version, net_number, link_id))
                services += [dns for dns in _dns_services(subnet) if dns not in services]
    return {"links": links, "networks": networks, "services": services}


# --- the tree -----------------------------------------------------------------------------

def _ec2_id(prefix: str, value: Any) -> str:
    """EC2 ids are ``prefix-%08x`` of an integer. Nova maps image uuids to integers in a
    table; novalite takes the uuid's first 32 bits, which is stable and needs no table."""
    if isinstance(value, int):
        return f"{prefix}-{value:08x}"
    digits = str(value or "").replace("-", "")[:8]
    try:
        return f"{prefix}-{int(digits, 16):08x}"
    except ValueError:
        return f"{prefix}-00000000"


def _check_version(required: str, requested: str, versions: list[str]) -> bool:
    return versions.index(requested) >= versions.index(required)


class InstanceMetadata:
    """Every file of one instance's metadata tree.

    ``instance`` is an instance record as ``novalite.db.instances`` returns it (``uuid``,
    ``id``, ``display_name``, ``hostname``, ``project_id``, ``metadata``, ``user_data``
    (base64), ``key_name``, ``key_data``, ``launch_index``, ``availability_zone``,
    ``reservation_id``, ``image_ref``, ``flavor``, ``system_metadata``...);
    ``network_info`` its Nova VIF dicts (default: the record's ``network_info``);
    ``keypair`` its key pair record (only the key type is taken from it: the public key is
    the one recorded at boot, ``key_data``, as Nova keeps ``instance.keypairs``);
    ``address`` the requester's IP, the ``local-ipv4`` fallback; ``extra_md`` extra
    meta_data.json keys (the config drive's ``admin_pass``). Unset options come from CONF.
    """

    def __init__(self, instance: dict[str, Any], network_info: list[dict[str, Any]] | None = None,
                 keypair: dict[str, Any] | None = None, *, address: str | None = None,
                 extra_md: dict[str, Any] | None = None,
                 static_vendordata: dict[str, Any] | None = None,
                 vendordata_providers: list[str] | None = None,
                 dhcp_domain: str | None = None, availability_zone: str | None = None,
                 security_groups: list[str] | None = None,
                 today: datetime.date | None = None) -> None:
        self.instance = instance
        if network_info is None:
            network_info = instance.get("network_info") or []
            if isinstance(network_info, str):
                network_info = json.loads(network_info) if network_info else []
        self.network_info: list[dict[str, Any]] = list(network_info)
        self.keypair = keypair
        self.address = address
        self.extra_md = dict(extra_md or {})
        self.uuid: str = instance["uuid"]
        self.userdata_raw = self._decode_user_data(instance.get("user_data"))
        self.launch_metadata: dict[str, str] = dict(instance.get("metadata") or {})
        self.availability_zone = (availability_zone or instance.get("availability_zone")
                                  or CONF.default_availability_zone)
        self.dhcp_domain = CONF.api.dhcp_domain if dhcp_domain is None else dhcp_domain
        self.vendordata_providers = (list(CONF.api.vendordata_providers)
                                     if vendordata_providers is None else vendordata_providers)
        self.static_vendordata = (load_static_vendordata(CONF.api.vendordata_jsonfile_path)
                                  if static_vendordata is None else static_vendordata)
        if security_groups is None:
            security_groups = [group["name"] if isinstance(group, dict) else str(group)
                               for group in instance.get("security_groups") or []]
        self.security_groups = security_groups
        self.today = today
        self.network_metadata = get_network_metadata(self.network_info)

    @staticmethod
    def _decode_user_data(user_data: Any) -> bytes | None:
        if not user_data:
            return None
        if isinstance(user_data, bytes):
            user_data = user_data.decode("ascii", "replace")
        try:
            return base64.b64decode(user_data, validate=False)
        except (binascii.Error, ValueError):
            return str(user_data).encode()

    # --- values ---------------------------------------------------------------------------

    @property
    def hostname(self) -> str:
        hostname = self.instance.get("hostname") or ""
        if self.dhcp_domain:
            return f"{hostname}.{self.dhcp_domain}"
        return hostname

    @property
    def password(self) -> str | None:
        return extract_password(self.instance.get("system_metadata") or {})

    def _public_key(self) -> tuple[str, str, str] | None:
        """(name, type, public key) of the instance's key pair, if it has one."""
        name = self.instance.get("key_name")
        if not name:
            return None
        data = self.instance.get("key_data")
        key_type = "ssh"
        if self.keypair is not None and self.keypair.get("name") == name:
            data = data or self.keypair.get("public_key")
            key_type = self.keypair.get("type") or key_type
        if not data:
            LOG.debug("Unable to find keypair for instance with key name '%s'.", name)
            return None
        return name, key_type, data

    def _block_device_mapping(self) -> dict[str, str]:
        root = self.instance.get("root_device_name")
        if not root:
            return dict(_DEFAULT_MAPPINGS)
        mappings = {"ami": root[len("/dev/"):] if root.startswith("/dev/") else root,
                    "root": root}
        for key, name in (("default_ephemeral_device", "ephemeral0"),
                          ("default_swap_device", "swap")):
            if self.instance.get(key):
                mappings[name] = self.instance[key]
        return mappings

    def openstack_versions(self) -> list[str]:
        """The OpenStack versions, without those dated in the future, then ``latest``."""
        today = (self.today or datetime.datetime.now(datetime.UTC).date()).isoformat()
        return [version for version in OPENSTACK_VERSIONS if version <= today] + ["latest"]

    # --- the EC2 tree ---------------------------------------------------------------------

    def get_ec2_metadata(self, version: str) -> dict[str, Any]:
        if version == "latest":
            version = VERSIONS[-1]
        if version not in VERSIONS:
            raise InvalidMetadataPath(version)
        instance = self.instance
        hostname = self.hostname
        fixed_v4 = fixed_ips(self.network_info, 4)
        floating = floating_ips(self.network_info)
        meta_data: dict[str, Any] = {
            "ami-id": _ec2_id("ami", instance.get("image_ref")),
            "ami-launch-index": instance.get("launch_index") or 0,
            "ami-manifest-path": "FIXME",  # Nova serves this very string
            "instance-id": _ec2_id("i", instance.get("id") or 0),
            "hostname": hostname,
            "local-ipv4": (fixed_v4[0]["address"] if fixed_v4 else None) or self.address or "",
            "reservation-id": instance.get("reservation_id") or "",
            "security-groups": list(self.security_groups),
        }
        key = self._public_key()
        if key is not None:
            meta_data["public-keys"] = {"0": {"_name": f"0={key[0]}", "openssh-key": key[2]}}
        if _check_version("2007-01-19", version, VERSIONS):
            meta_data["local-hostname"] = hostname
            meta_data["public-hostname"] = hostname
            meta_data["public-ipv4"] = floating[0] if floating else ""
        if _check_version("2007-08-29", version, VERSIONS):
            meta_data["instance-type"] = (instance.get("flavor") or {}).get("name", "")
        if _check_version("2007-12-15", version, VERSIONS):
            meta_data["block-device-mapping"] = self._block_device_mapping()
            if instance.get("kernel_id"):
                meta_data["kernel-id"] = _ec2_id("aki", instance["kernel_id"])
            if instance.get("ramdisk_id"):
                meta_data["ramdisk-id"] = _ec2_id("ari", instance["ramdisk_id"])
        if _check_version("2008-02-01", version, VERSIONS):
            meta_data["placement"] = {"availability-zone": self.availability_zone}
        if _check_version("2008-09-01", version, VERSIONS):
            meta_data["instance-action"] = "none"
        data: dict[str, Any] = {"meta-data": meta_data}
        if self.userdata_raw is not None:
            data["user-data"] = self.userdata_raw
        return data

    # --- the OpenStack tree ---------------------------------------------------------------

    def _openstack_version(self, version: str) -> str:
        if version == "latest":
            return OPENSTACK_VERSIONS[-1]
        if version not in OPENSTACK_VERSIONS:
            raise InvalidMetadataPath(version)
        return version

    def _listing(self, version: str) -> list[str]:
        files = [MD_JSON_NAME]
        if self.userdata_raw is not None:
            files.append(UD_NAME)
        if _check_version(GRIZZLY, version, OPENSTACK_VERSIONS):
            files.append(PASS_NAME)
        if _check_version(HAVANA, version, OPENSTACK_VERSIONS):
            files.append(VD_JSON_NAME)
        if _check_version(LIBERTY, version, OPENSTACK_VERSIONS):
            files.append(NW_JSON_NAME)
        if _check_version(NEWTON_TWO, version, OPENSTACK_VERSIONS):
            files.append(VD2_JSON_NAME)
        return files

    def meta_data(self, version: str = "latest") -> dict[str, Any]:
        """The ``meta_data.json`` document of an OpenStack version."""
        version = self._openstack_version(version)
        metadata: dict[str, Any] = {"uuid": self.uuid}
        if self.launch_metadata:
            metadata["meta"] = self.launch_metadata
        metadata.update(self.extra_md)
        key = self._public_key()
        if key is not None:
            name, key_type, data = key
            metadata["public_keys"] = {name: data}
            metadata["keys"] = [{"name": name, "type": key_type, "data": data}]
        metadata["hostname"] = self.hostname
        metadata["name"] = self.instance.get("display_name")
        metadata["launch_index"] = self.instance.get("launch_index") or 0
        metadata["availability_zone"] = self.availability_zone
        if _check_version(GRIZZLY, version, OPENSTACK_VERSIONS):
            metadata["random_seed"] = base64.b64encode(os.urandom(512)).decode()
        if _check_version(LIBERTY, version, OPENSTACK_VERSIONS):
            metadata["project_id"] = self.instance.get("project_id")
        if _check_version(NEWTON_ONE, version, OPENSTACK_VERSIONS):
            metadata["devices"] = []  # no tagged devices yet
        if _check_version(VICTORIA, version, OPENSTACK_VERSIONS):
            metadata["dedicated_cpus"] = []  # no CPU pinning
        return metadata

    def vendor_data2(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if "StaticJSON" in self.vendordata_providers:
            data["static"] = self.static_vendordata
        return data

    def _openstack_file(self, version: str, name: str) -> Any:
        if name == MD_JSON_NAME:
            return self.meta_data(version)
        if name == UD_NAME and self.userdata_raw is not None:
            return self.userdata_raw
        if name == PASS_NAME and _check_version(GRIZZLY, version, OPENSTACK_VERSIONS):
            return PASSWORD
        if name == VD_JSON_NAME and _check_version(HAVANA, version, OPENSTACK_VERSIONS) \
                and "StaticJSON" in self.vendordata_providers:
            return self.static_vendordata
        if name == NW_JSON_NAME and _check_version(LIBERTY, version, OPENSTACK_VERSIONS):
            return self.network_metadata or {}
        if name == VD2_JSON_NAME and _check_version(NEWTON_TWO, version, OPENSTACK_VERSIONS):
            return self.vendor_data2()
        raise KeyError(name)

    # --- lookup ---------------------------------------------------------------------------

    def lookup(self, path: str) -> Any:
        """The node at ``path``: a list (a listing), a dict (an EC2 sub-tree, or a JSON
        document for ``*.json``), str/bytes/int (a leaf), or ``PASSWORD``. Raises
        ``InvalidMetadataPath`` when there is no such node."""
        path = posixpath.normpath("/" + path.lstrip("/"))
        if path == "/":
            return VERSIONS + ["latest"]
        tokens = path.split("/")[1:]
        if tokens[0] != "openstack":
            tokens = ["ec2"] + tokens
        if len(tokens) == 1:
            return self.openstack_versions() if tokens[0] == "openstack" \
                else VERSIONS + ["latest"]
        try:
            if tokens[0] == "openstack":
                version = self._openstack_version(tokens[1])
                if len(tokens) == 2:
                    return self._listing(version)
                return self._openstack_file(version, "/".join(tokens[2:]))
            return find_path_in_tree(self.get_ec2_metadata(tokens[1]), tokens[2:])
        except KeyError:
            raise InvalidMetadataPath(path) from None

    def render(self, path: str) -> tuple[bytes, str] | None:
        """(body, content type) of ``GET path`` as the metadata API answers it, or None
        for a 404. The password file renders as its current value."""
        try:
            data = self.lookup(path)
        except InvalidMetadataPath:
            return None
        return self.render_data(path, data)

    def render_data(self, path: str, data: Any) -> tuple[bytes, str]:
        if data is PASSWORD:
            return (self.password or "").encode(), MIME_TYPE_TEXT_PLAIN
        if path.rstrip("/").endswith(".json") and path.lstrip("/").startswith("openstack"):
            return json.dumps(data).encode(), MIME_TYPE_APPLICATION_JSON
        body = ec2_md_print(data)
        return (body if isinstance(body, bytes) else body.encode()), MIME_TYPE_TEXT_PLAIN

    # --- config drive ---------------------------------------------------------------------

    def metadata_for_config_drive(self) -> Iterator[tuple[str, bytes]]:
        """(relative path, content) of every file of the config drive, as Nova writes it."""
        skip = CONF.api.config_drive_skip_versions.split()
        for version in VERSIONS + ["latest"]:
            if version in skip:
                continue
            data = self.get_ec2_metadata(version)
            if "user-data" in data:
                yield f"ec2/{version}/user-data", data.pop("user-data")
            data["meta-data"].get("public-keys", {}).get("0", {}).pop("_name", None)
            yield f"ec2/{version}/meta-data.json", json.dumps(data["meta-data"]).encode()
        for version in OPENSTACK_VERSIONS + ["latest"]:
            for name in self._listing(self._openstack_version(version)):
                if name == PASS_NAME:
                    continue
                path = f"openstack/{version}/{name}"
                try:
                    data = self.lookup(path)
                except InvalidMetadataPath:
                    continue  # vendor_data.json without the StaticJSON provider
                yield path, self.render_data(path, data)[0]
