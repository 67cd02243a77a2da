"""The JSON schemas Glance publishes under ``/v2/schemas``, and the routes serving them.

python-glanceclient builds its (warlock) models from ``/v2/schemas/image`` and
validates every image it receives and sends against it, so the types and enums here
must accept everything the API returns.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import webob

from novalite.common import wsgi

UUID_PATTERN = ("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                "-([0-9a-fA-F]){12}$")
DISK_FORMATS = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                "ploop"]
CONTAINER_FORMATS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"]
VISIBILITIES = ["community", "public", "private", "shared"]
STATUSES = ["queued", "saving", "active", "killed", "deleted", "uploading", "importing",
            "pending_delete", "deactivated"]


def _read_only(kind: Any, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "readOnly": True, "description": description, **extra}


_IMAGE_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string", "pattern": UUID_PATTERN,
           "description": "An identifier for the image"},
    "name": {"type": ["null", "string"], "maxLength": 255,
             "description": "Descriptive name for the image"},
    "status": _read_only("string", "Status of the image", enum=STATUSES),
    "visibility": {"type": "string", "enum": VISIBILITIES,
                   "description": "Scope of image accessibility"},
    "protected": {"type": "boolean", "description": "If true, image will not be deletable."},
    "os_hidden": {"type": "boolean",
                  "description": "If true, image will not appear in default image list "
                                 "response."},
    "checksum": _read_only(["null", "string"], "md5 hash of image contents.", maxLength=32),
    "os_hash_algo": _read_only(["null", "string"], "Algorithm to calculate the os_hash_value",
                               maxLength=64),
    "os_hash_value": _read_only(["null", "string"], "Hexdigest of the image contents using "
                                "the algorithm specified by the os_hash_algo", maxLength=128),
    "owner": {"type": ["null", "string"], "maxLength": 255,
              "description": "Owner of the image"},
    "size": _read_only(["null", "integer"], "Size of image file in bytes"),
    "virtual_size": _read_only(["null", "integer"], "Virtual size of image in bytes"),
    "container_format": {"type": ["null", "string"], "enum": [None, *CONTAINER_FORMATS],
                         "description": "Format of the container"},
    "disk_format": {"type": ["null", "string"], "enum": [None, *DISK_FORMATS],
                    "description": "Format of the disk"},
    "created_at": _read_only("string", "Date and time of image registration"),
    "updated_at": _read_only("string", "Date and time of the last image modification"),
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 255},
             "description": "List of strings related to the image"},
    "direct_url": _read_only("string", "URL to access the image file kept in external "
                             "store"),
    "min_ram": {"type": "integer", "description": "Amount of ram (in MB) required to boot "
                                                  "image."},
    "min_disk": {"type": "integer", "description": "Amount of disk space (in GB) required to "
                                                   "boot image."},
    "self": _read_only("string", "An image self url"),
    "file": _read_only("string", "An image file url"),
    "stores": _read_only("string", "Store in which image data resides."),
    "schema": _read_only("string", "An image schema url"),
    "locations": {"type": "array", "description": "A set of URLs to access the image file "
                  "kept in external store",
                  "items": {"type": "object", "required": ["url", "metadata"],
                            "properties": {"url": {"type": "string", "maxLength": 255},
                                           "metadata": {"type": "object"}}}},
    "kernel_id": {"type": ["null", "string"], "pattern": UUID_PATTERN, "is_base": False,
                  "description": "ID of image stored in Glance that should be used as the "
                                 "kernel when booting an AMI-style image."},
    "ramdisk_id": {"type": ["null", "string"], "pattern": UUID_PATTERN, "is_base": False,
                   "description": "ID of image stored in Glance that should be used as the "
                                  "ramdisk when booting an AMI-style image."},
    "instance_uuid": {"type": "string", "is_base": False,
                      "description": "Metadata which can be used to record which instance "
                                     "this image is associated with."},
    "architecture": {"type": "string", "is_base": False,
                     "description": "Operating system architecture"},
    "os_distro": {"type": "string", "is_base": False,
                  "description": "Common name of operating system distribution"},
    "os_version": {"type": "string", "is_base": False,
                   "description": "Operating system version as specified by the "
                                  "distributor"},
}

_IMAGE_LINKS = [{"rel": "self", "href": "{self}"}, {"rel": "enclosure", "href": "{file}"},
                {"rel": "describedby", "href": "{schema}"}]


def image_schema() -> dict[str, Any]:
    return {"name": "image", "properties": copy.deepcopy(_IMAGE_PROPERTIES),
            "additionalProperties": {"type": "string"}, "links": list(_IMAGE_LINKS)}


def images_schema() -> dict[str, Any]:
    return {"name": "images",
            "properties": {"images": {"type": "array", "items": image_schema()},
                           "schema": {"type": "string"}, "first": {"type": "string"},
                           "next": {"type": "string"}},
            "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
                      {"rel": "describedby", "href": "{schema}"}]}


def member_schema() -> dict[str, Any]:
    return {"name": "member",
            "properties": {
                "created_at": {"type": "string", "description": "Date and time of image "
                               "member creation"},
                "image_id": {"type": "string", "pattern": UUID_PATTERN,
                             "description": "An identifier for the image"},
                "member_id": {"type": "string", "description": "An identifier for the image "
                              "member (tenantId)"},
                "status": {"type": "string", "enum": ["pending", "accepted", "rejected"],
                           "description": "The status of this image member"},
                "updated_at": {"type": "string", "description": "Date and time of last "
                               "modification of image member"},
                "schema": {"type": "string", "readOnly": True}}}


def members_schema() -> dict[str, Any]:
    return {"name": "members",
            "properties": {"members": {"type": "array", "items": member_schema()},
                           "schema": {"type": "string"}},
            "links": [{"rel": "self", "href": "{self}"},
                      {"rel": "describedby", "href": "{schema}"}]}


def _document(build: Callable[[], dict[str, Any]]) -> wsgi.Handler:
    def handler(request: wsgi.Request) -> webob.Response:
        request.context  # noqa: B018 - schemas need a token, as in Glance
        return wsgi.json_response(build())

    return handler


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2/schemas/image", _document(image_schema)),
    wsgi.Route("GET", "/v2/schemas/images", _document(images_schema)),
    wsgi.Route("GET", "/v2/schemas/member", _document(member_schema)),
    wsgi.Route("GET", "/v2/schemas/members", _document(members_schema)),
)
