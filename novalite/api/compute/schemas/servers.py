"""Request body schemas of servers (Nova's ``schemas/servers.py``, per microversion)."""

from __future__ import annotations

from typing import Any

from novalite.api.compute.schemas import MAX_INT

NAME = {"type": "string", "minLength": 1, "maxLength": 255,
        "pattern": r"^(?![\s])[\s\S]*(?<![\s])$"}
DESCRIPTION = {"type": ["string", "null"], "maxLength": 255}
METADATA = {"type": "object", "patternProperties": {
    r"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255}},
    "additionalProperties": False}
COUNT = {"type": ["integer", "string"], "pattern": r"^[0-9]+$", "minimum": 1,
         "maximum": MAX_INT}
TAG = {"type": "string", "minLength": 1, "maxLength": 60, "pattern": r"^[^,/]*$"}
HOSTNAME = {"type": "string", "minLength": 1, "maxLength": 255,
            "pattern": r"^[a-zA-Z0-9][a-zA-Z0-9.-]*$"}
NETWORK = {"type": "object", "properties": {
    "uuid": {"type": "string"}, "port": {"type": ["string", "null"]},
    "fixed_ip": {"type": "string"}, "tag": {"type": "string", "maxLength": 60}},
    "additionalProperties": False}
BDM = {"type": "object", "properties": {
    "uuid": {"type": "string"}, "boot_index": {"type": ["integer", "string", "null"]},
    "source_type": {"type": "string", "enum": ["image", "volume", "snapshot", "blank"]},
    "destination_type": {"type": "string", "enum": ["local", "volume"]},
    "delete_on_termination": {"type": ["boolean", "string"]},
    "volume_size": {"type": ["integer", "string", "null"]},
    "device_name": {"type": ["string", "null"]}, "device_type": {"type": ["string", "null"]},
    "disk_bus": {"type": ["string", "null"]}, "guest_format": {"type": ["string", "null"]},
    "tag": {"type": "string"}, "volume_type": {"type": ["string", "null"]},
    "no_device": {}}, "additionalProperties": False}


_SERVER_IDS = {"type": ["string", "array"], "format": "uuid",
               "items": {"type": "string", "format": "uuid"}}
# Nova's schemas/scheduler_hints.py: the known hints checked, others let through.
SCHEDULER_HINTS = {"type": "object", "properties": {
    "group": {"type": "string", "format": "uuid"},
    "different_host": _SERVER_IDS, "same_host": _SERVER_IDS,
    "query": {"type": ["string", "object"]},
    "target_cell": NAME, "different_cell": {"type": ["string", "array"],
                                            "items": {"type": "string"}},
    "build_near_host_ip": {"type": "string"},
    "cidr": {"type": "string", "pattern": r"^/[0-9a-f.:]+$"}},
    "additionalProperties": True}


def create(version: Any) -> dict[str, Any]:
    """The ``server`` object of ``POST /servers`` at ``version``."""
    properties: dict[str, Any] = {
        "name": NAME, "imageRef": {"type": "string"},
        "flavorRef": {"type": ["string", "integer"], "minLength": 1},
        "adminPass": {"type": "string"}, "metadata": METADATA,
        "networks": {"type": ["string", "array"], "items": NETWORK},
        "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
        "accessIPv4": {"type": "string"}, "accessIPv6": {"type": "string"},
        "availability_zone": {"type": "string", "minLength": 1, "maxLength": 255},
        "block_device_mapping_v2": {"type": "array", "items": BDM},
        "block_device_mapping": {"type": "array"},
        "config_drive": {"type": ["boolean", "string", "null"]},
        "key_name": {"type": "string", "minLength": 1, "maxLength": 255},
        "min_count": COUNT, "max_count": COUNT,
        "return_reservation_id": {"type": ["boolean", "string"]},
        "security_groups": {"type": "array", "items": {
            "type": "object", "properties": {"name": {"type": "string"}},
            "additionalProperties": False}},
        "user_data": {"type": ["string", "null"], "maxLength": 65535},
    }
    if not version.matches(minimum="2.57"):
        properties["personality"] = {"type": "array"}
    if version.matches(minimum="2.19"):
        properties["description"] = DESCRIPTION
    if version.matches(minimum="2.52"):
        properties["tags"] = {"type": "array", "items": TAG, "maxItems": 50}
    if version.matches(minimum="2.63"):
        properties["trusted_image_certificates"] = {"type": ["array", "null"]}
    if version.matches(minimum="2.74"):
        properties["host"] = {"type": "string"}
        properties["hypervisor_hostname"] = {"type": "string"}
    if version.matches(minimum="2.90"):
        properties["hostname"] = HOSTNAME
    required = ["name", "flavorRef"]
    if version.matches(minimum="2.37"):
        required.append("networks")
    return {"type": "object", "properties": {
        "server": {"type": "object", "properties": properties, "required": required,
                   "additionalProperties": False},
        "os:scheduler_hints": SCHEDULER_HINTS, "OS-SCH-HNT:scheduler_hints": SCHEDULER_HINTS},
        "required": ["server"]}


def update(version: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {"name": NAME, "accessIPv4": {"type": "string"},
                                  "accessIPv6": {"type": "string"},
                                  "OS-DCF:diskConfig": {"type": "string"}}
    if version.matches(minimum="2.19"):
        properties["description"] = DESCRIPTION
    if version.matches(minimum="2.90"):
        properties["hostname"] = HOSTNAME
    return {"type": "object", "properties": {"server": {
        "type": "object", "properties": properties, "additionalProperties": False}},
        "required": ["server"], "additionalProperties": False}


REBOOT = {"type": "object", "properties": {"type": {
    "type": "string", "enum": ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]}},
    "required": ["type"], "additionalProperties": False}
