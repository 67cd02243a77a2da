"""Request body schemas of the volume API (Cinder's ``cinder/api/schemas``, 3.53+)."""

from __future__ import annotations

from typing import Any

from novalite.common.schema import MAX_INT

NAME = {"type": ["string", "null"], "minLength": 0, "maxLength": 255}
DESCRIPTION = {"type": ["string", "null"], "minLength": 0, "maxLength": 255}
UUID = {"type": "string", "pattern": r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                                     r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"}
OPTIONAL_UUID = {"type": ["string", "null"], "pattern": UUID["pattern"]}
METADATA = {"type": ["object", "null"], "patternProperties": {
    r"^[a-zA-Z0-9-_:. /]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False}
METADATA_REQUIRED = {**METADATA, "type": "object"}
SIZE = {"type": ["integer", "string", "null"], "pattern": r"^[0-9]+$", "minimum": 1,
        "maximum": MAX_INT}
BOOLEAN = {"type": ["boolean", "string"], "enum": [True, False, "True", "False", "true",
                                                  "false", "TRUE", "FALSE", "1", "0", "yes",
                                                  "no", "y", "n", "on", "off", "t", "f"]}

VOLUME_CREATE = {"type": "object", "properties": {
    "volume": {"type": "object", "properties": {
        "name": NAME, "description": DESCRIPTION, "display_name": NAME,
        "display_description": DESCRIPTION, "size": SIZE,
        "availability_zone": {"type": ["string", "null"], "maxLength": 255},
        "source_volid": OPTIONAL_UUID, "snapshot_id": OPTIONAL_UUID,
        "backup_id": OPTIONAL_UUID, "group_id": OPTIONAL_UUID,
        "consistencygroup_id": OPTIONAL_UUID,
        "volume_type": {"type": ["string", "null"], "maxLength": 255},
        "imageRef": {"type": ["string", "null"]},
        "image_id": {"type": ["string", "null"]},
        "metadata": METADATA, "multiattach": BOOLEAN,
        "source_replica": {}, "scheduler_hints": {}}, "additionalProperties": False},
    "OS-SCH-HNT:scheduler_hints": {"type": ["object", "null"]}},
    "required": ["volume"], "additionalProperties": False}

VOLUME_UPDATE = {"type": "object", "properties": {
    "volume": {"type": "object", "properties": {
        "name": NAME, "description": DESCRIPTION, "display_name": NAME,
        "display_description": DESCRIPTION, "metadata": METADATA},
        "additionalProperties": False}},
    "required": ["volume"], "additionalProperties": False}

METADATA_BODY = {"type": "object", "properties": {"metadata": METADATA_REQUIRED},
                 "required": ["metadata"], "additionalProperties": False}
META_ITEM = {"type": "object", "properties": {"meta": {**METADATA_REQUIRED,
                                                      "minProperties": 1}},
             "required": ["meta"], "additionalProperties": False}

CONNECTOR = {"type": ["object", "null"]}
ATTACHMENT_CREATE = {"type": "object", "properties": {
    "attachment": {"type": "object", "properties": {
        "instance_uuid": UUID, "volume_uuid": UUID, "connector": CONNECTOR,
        "mode": {"type": "string", "enum": ["rw", "ro"]}},
        "required": ["volume_uuid"], "additionalProperties": False}},
    "required": ["attachment"], "additionalProperties": False}
ATTACHMENT_UPDATE = {"type": "object", "properties": {
    "attachment": {"type": "object", "properties": {"connector": {"type": "object"}},
                   "required": ["connector"], "additionalProperties": False}},
    "required": ["attachment"], "additionalProperties": False}

SNAPSHOT_CREATE = {"type": "object", "properties": {
    "snapshot": {"type": "object", "properties": {
        "name": NAME, "description": DESCRIPTION, "display_name": NAME,
        "display_description": DESCRIPTION, "volume_id": UUID, "force": BOOLEAN,
        "metadata": METADATA}, "required": ["volume_id"], "additionalProperties": False}},
    "required": ["snapshot"], "additionalProperties": False}
SNAPSHOT_UPDATE = {"type": "object", "properties": {
    "snapshot": {"type": "object", "properties": {
        "name": NAME, "description": DESCRIPTION, "display_name": NAME,
        "display_description": DESCRIPTION}, "additionalProperties": False}},
    "required": ["snapshot"], "additionalProperties": False}

TYPE_CREATE = {"type": "object", "properties": {
    "volume_type": {"type": "object", "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": DESCRIPTION,
        "os-volume-type-access:is_public": BOOLEAN,
        "extra_specs": {"type": "object", "patternProperties": {
            r"^[a-zA-Z0-9-_:. /]{1,255}$": {"type": "string", "maxLength": 255}},
            "additionalProperties": False}},
        "required": ["name"], "additionalProperties": False}},
    "required": ["volume_type"], "additionalProperties": False}
TYPE_UPDATE = {"type": "object", "properties": {
    "volume_type": {"type": "object", "properties": {
        "name": {"type": ["string", "null"], "minLength": 1, "maxLength": 255},
        "description": DESCRIPTION, "is_public": BOOLEAN},
        "additionalProperties": False}},
    "required": ["volume_type"], "additionalProperties": False}
EXTRA_SPECS = {"type": "object", "properties": {"extra_specs": {
    "type": "object", "patternProperties": {
        r"^[a-zA-Z0-9-_:. /]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False}}, "required": ["extra_specs"],
    "additionalProperties": False}
TYPE_ACCESS = {"type": "object", "properties": {"project": {"type": "string",
                                                            "minLength": 1}},
               "required": ["project"], "additionalProperties": False}

QUOTA_UPDATE = {"type": "object", "properties": {"quota_set": {
    "type": "object", "patternProperties": {
        r"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": ["integer", "string"],
                                       "pattern": r"^-?[0-9]+$", "minimum": -1,
                                       "maximum": MAX_INT}},
    "additionalProperties": False}}, "required": ["quota_set"],
    "additionalProperties": False}

# --- volume actions (the value of each action's key) -----------------------------------

EMPTY: dict[str, Any] = {"type": ["object", "null"]}
EXTEND = {"type": "object", "properties": {"new_size": SIZE}, "required": ["new_size"],
          "additionalProperties": False}
SET_BOOTABLE = {"type": "object", "properties": {"bootable": BOOLEAN},
                "required": ["bootable"], "additionalProperties": False}
READONLY = {"type": "object", "properties": {"readonly": BOOLEAN}, "required": ["readonly"],
            "additionalProperties": False}
UPLOAD_IMAGE = {"type": "object", "properties": {
    "image_name": {"type": "string", "minLength": 1, "maxLength": 255},
    "force": BOOLEAN,
    "disk_format": {"type": "string", "enum": ["raw", "qcow2", "vmdk", "vdi", "vhd",
                                               "vhdx", "ploop"]},
    "container_format": {"type": "string", "enum": ["bare"]},
    "visibility": {"type": "string", "enum": ["community", "public", "private", "shared"]},
    "protected": BOOLEAN}, "required": ["image_name"], "additionalProperties": False}
RESET_STATUS = {"type": "object", "properties": {
    "status": {"type": "string", "maxLength": 255},
    "attach_status": {"type": "string", "enum": ["attached", "detached"]},
    "migration_status": {"type": ["string", "null"]}}, "additionalProperties": False}
IMAGE_METADATA = {"type": "object", "properties": {"metadata": METADATA_REQUIRED},
                  "required": ["metadata"], "additionalProperties": False}
UNSET_IMAGE_METADATA = {"type": "object", "properties": {"key": {"type": "string"}},
                        "required": ["key"], "additionalProperties": False}
