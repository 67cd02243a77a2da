"""Request body schemas of the day-2 server actions (Nova's ``schemas/`` of
create_backup, servers (createImage, rebuild, resize), migrate_server, evacuate,
rescue, shelve, admin_actions, admin_password, security_groups, floating_ips), per
microversion."""

from __future__ import annotations

from typing import Any

from novalite.api.compute.schemas import MAX_INT
from novalite.api.compute.schemas.servers import DESCRIPTION, HOSTNAME, METADATA, NAME

BOOLEAN = {"type": ["boolean", "string"],
           "enum": [True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
                    "y", "t", False, "False", "FALSE", "false", "0", "OFF", "Off", "off",
                    "NO", "No", "no", "n", "f"]}
UUID = {"type": "string", "pattern": r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                                      r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"}
IP_ADDRESS = {"type": "string", "minLength": 1}
ADMIN_PASS = {"type": "string"}
#: a compute host name (Nova's parameter_types.fqdn/hostname for migrate, evacuate)
HOST = {"type": "string", "minLength": 1, "maxLength": 255,
        "pattern": r"^[a-zA-Z0-9_.:-]+$"}


def _action(properties: dict[str, Any], required: list[str] | None = None,
            nullable: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["object", "null"] if nullable else "object",
                              "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


CREATE_IMAGE = _action({"name": NAME, "metadata": METADATA}, ["name"])
CREATE_BACKUP = _action({
    "name": NAME, "backup_type": {"type": "string"},
    "rotation": {"type": ["integer", "string"], "pattern": r"^[0-9]+$", "minimum": 0,
                 "maximum": MAX_INT},
    "metadata": METADATA}, ["name", "backup_type", "rotation"])
RESIZE = _action({"flavorRef": {"type": ["string", "integer"], "minLength": 1},
                  "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]}},
                 ["flavorRef"])
RESCUE = _action({"adminPass": ADMIN_PASS, "rescue_image_ref": UUID}, nullable=True)
RESET_STATE = _action({"state": {"type": "string", "enum": ["active", "error"]}}, ["state"])
CHANGE_PASSWORD = _action({"adminPass": ADMIN_PASS}, ["adminPass"])
SECURITY_GROUP = _action({"name": {"type": "string", "minLength": 1}}, ["name"])
ADD_FLOATING_IP = _action({"address": IP_ADDRESS, "fixed_address": IP_ADDRESS}, ["address"])
REMOVE_FLOATING_IP = _action({"address": IP_ADDRESS}, ["address"])


def rebuild(version: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "imageRef": {"type": "string"}, "name": NAME, "adminPass": ADMIN_PASS,
        "metadata": METADATA, "preserve_ephemeral": BOOLEAN,
        "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
        "accessIPv4": {"type": "string"}, "accessIPv6": {"type": "string"}}
    if not version.matches(minimum="2.57"):
        properties["personality"] = {"type": "array"}
    if version.matches(minimum="2.19"):
        properties["description"] = DESCRIPTION
    if version.matches(minimum="2.54"):
        properties["key_name"] = {"type": ["string", "null"], "minLength": 1,
                                  "maxLength": 255}
    if version.matches(minimum="2.57"):
        properties["user_data"] = {"type": ["string", "null"], "maxLength": 65535}
    if version.matches(minimum="2.63"):
        properties["trusted_image_certificates"] = {"type": ["array", "null"]}
    if version.matches(minimum="2.90"):
        properties["hostname"] = HOSTNAME
    return _action(properties, ["imageRef"])


def migrate(version: Any) -> dict[str, Any] | None:
    """None: the body is not checked (Nova has no schema below 2.56)."""
    if version.matches(minimum="2.56"):
        return _action({"host": {**HOST, "type": ["string", "null"]}}, nullable=True)
    return None


def live_migrate(version: Any) -> dict[str, Any]:
    host = {**HOST, "type": ["string", "null"]}
    if not version.matches(minimum="2.25"):
        return _action({"block_migration": BOOLEAN, "disk_over_commit": BOOLEAN,
                        "host": host}, ["block_migration", "disk_over_commit", "host"])
    properties: dict[str, Any] = {
        "block_migration": {"type": ["boolean", "string"],
                            "enum": [*BOOLEAN["enum"], "auto"]}, "host": host}
    if version.matches(minimum="2.30", maximum="2.67"):
        properties["force"] = BOOLEAN
    return _action(properties, ["block_migration", "host"])


def evacuate(version: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {"host": HOST, "adminPass": ADMIN_PASS}
    if not version.matches(minimum="2.14"):
        properties["onSharedStorage"] = BOOLEAN
        return _action(properties, ["onSharedStorage"])
    if version.matches(minimum="2.29", maximum="2.67"):
        properties["force"] = BOOLEAN
    return _action(properties)


def unshelve(version: Any) -> dict[str, Any] | None:
    if version.matches(minimum="2.91"):
        return {**_action({"availability_zone": {"type": ["string", "null"],
                                                 "maxLength": 255},
                           "host": HOST}, nullable=True), "minProperties": 1}
    if version.matches(minimum="2.77"):
        return _action({"availability_zone": NAME}, ["availability_zone"], nullable=True)
    return None
