"""Checks on image attributes, as Glance's image schema and its read-only lists apply them.

Read-only and reserved attributes are refused with 403 (as Glance does); values of
the wrong type or outside the schema's enums with 400.
"""

from __future__ import annotations

import re
from typing import Any

from novalite.common import exception
from novalite.image.api import schemas

WRITABLE_CORE = frozenset({"name", "visibility", "protected", "os_hidden", "owner",
                           "disk_format", "container_format", "min_disk", "min_ram", "tags"})
READ_ONLY = frozenset({"created_at", "updated_at", "status", "checksum", "os_hash_algo",
                       "os_hash_value", "size", "virtual_size", "direct_url", "self", "file",
                       "schema", "stores"})
RESERVED = frozenset({"location", "locations", "deleted", "deleted_at"})
MAX_PROPERTIES = 128
MAX_TAGS = 128
MAX_VALUE_LENGTH = 65535
_UUID_RE = re.compile(schemas.UUID_PATTERN)
_UUID_PROPERTIES = frozenset({"kernel_id", "ramdisk_id"})


class OverLimit(exception.NovaliteException):
    msg_fmt = "%(reason)s"
    code = 413


def matches_uuid_pattern(value: Any) -> bool:
    """Glance's schema ``pattern`` for ids: the canonical hyphenated form only."""
    return isinstance(value, str) and bool(_UUID_RE.match(value))


def check_writable(key: str, creating: bool = False) -> None:
    if key in READ_ONLY or (key == "id" and not creating):
        raise exception.Forbidden(message=f"Attribute '{key}' is read-only.")
    if key in RESERVED:
        raise exception.Forbidden(message=f"Attribute '{key}' is reserved.")


def _invalid(key: str, reason: str) -> exception.Invalid:
    return exception.Invalid(message=f"Provided object does not match schema 'image': "
                                     f"'{key}' {reason}")


def _optional_string(key: str, value: Any, max_length: int = 255) -> None:
    if value is not None and not isinstance(value, str):
        raise _invalid(key, "is not of type 'null', 'string'")
    if value is not None and len(value) > max_length:
        raise _invalid(key, f"is longer than {max_length} characters")


def check_core(key: str, value: Any) -> None:
    if key == "id":
        if not matches_uuid_pattern(value):
            raise _invalid(key, "does not match the UUID pattern")
    elif key in ("name", "owner"):
        _optional_string(key, value)
    elif key == "visibility":
        if value not in schemas.VISIBILITIES:
            raise _invalid(key, f"is not one of {schemas.VISIBILITIES}")
    elif key in ("protected", "os_hidden"):
        if not isinstance(value, bool):
            raise _invalid(key, "is not of type 'boolean'")
    elif key in ("disk_format", "container_format"):
        allowed = schemas.DISK_FORMATS if key == "disk_format" else schemas.CONTAINER_FORMATS
        if value is not None and value not in allowed:
            raise _invalid(key, f"is not one of {allowed}")
    elif key in ("min_disk", "min_ram"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(key, "is not of type 'integer'")
        if not 0 <= value < 2**31:
            raise _invalid(key, "is out of range")
    elif key == "tags":
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise _invalid(key, "is not an array of strings")
        if any(len(tag) > 255 or not tag for tag in value):
            raise _invalid(key, "has a tag that is empty or longer than 255 characters")
        if len(set(value)) > MAX_TAGS:
            raise OverLimit(reason=f"Maximum number of tags ({MAX_TAGS}) exceeded.")


def check_property(key: str, value: Any) -> None:
    if not key or len(key) > 255:
        raise _invalid(key, "is not a valid property name (1 to 255 characters)")
    if not isinstance(value, str):
        raise _invalid(key, "is not of type 'string'")
    if len(value) > MAX_VALUE_LENGTH:
        raise _invalid(key, f"is longer than {MAX_VALUE_LENGTH} characters")
    if key in _UUID_PROPERTIES and not matches_uuid_pattern(value):
        raise _invalid(key, "does not match the UUID pattern")


def check_property_count(properties: dict[str, str]) -> None:
    if len(properties) > MAX_PROPERTIES:
        raise OverLimit(reason=f"Maximum number of image properties ({MAX_PROPERTIES}) "
                               "exceeded.")


def split_create_body(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate a create body; return (core values, free-form properties)."""
    core: dict[str, Any] = {}
    properties: dict[str, str] = {}
    for key, value in body.items():
        check_writable(key, creating=True)
        if key in WRITABLE_CORE or key == "id":
            check_core(key, value)
            core[key] = value
        else:
            check_property(key, value)
            properties[key] = value
    check_property_count(properties)
    return core, properties
