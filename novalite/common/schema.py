"""The small JSON-schema subset validator the request schemas of every API use (the
compute API's ``novalite.api.compute.schemas``, the volume API's).

Supported keywords: ``type`` (one or a list), ``properties``, ``required``,
``additionalProperties`` (bool), ``patternProperties``, ``minProperties``,
``minLength``/``maxLength``, ``pattern``, ``enum``, ``minimum``/``maximum``, ``items``,
``minItems``/``maxItems``, ``uniqueItems``, ``format`` (``uuid``), ``anyOf`` (of
``required`` lists). Errors read like Nova's:
``Invalid input for field/attribute <path>. Value: <v>. <reason>``.
"""

from __future__ import annotations

import re
from typing import Any

from novalite.common import exception
from novalite.common.uuidutils import is_uuid

MAX_INT = 2**31 - 1  # Nova's db.constants.MAX_INT: the columns are 32-bit
# Nova's rxtx_factor bound: the largest float a 32-bit FLOAT column holds.
SQL_SP_FLOAT_MAX = 3.40282e+38

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
    "integer": (int,), "number": (int, float), "null": (type(None),)}


def _fail(path: str, value: Any, reason: str) -> exception.ValidationError:
    """Nova names the innermost key (``description``, not ``server/description``)."""
    field = path.rsplit("/", 1)[-1] if path else "body"
    return exception.ValidationError(
        message=f"Invalid input for field/attribute {field}. Value: {value}. {reason}")


def _type_ok(value: Any, names: list[str]) -> bool:
    for name in names:
        if name in ("integer", "number") and isinstance(value, bool):
            continue
        if isinstance(value, _TYPES[name]):
            return True
    return False


def _number(value: Any) -> int | float | None:
    """Numbers, and numeric strings: Nova compares both with ``minimum``/``maximum``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        for kind in (int, float):
            try:
                return kind(value)
            except (ValueError, OverflowError):
                continue
    return None


def validate(schema: dict[str, Any], value: Any, path: str = "") -> None:
    """Raise a 400 ``ValidationError`` unless ``value`` matches ``schema``."""
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not _type_ok(value, names):
            raise _fail(path, value, f"{value!r} is not of type {', '.join(map(repr, names))}")
    if "enum" in schema and value not in schema["enum"]:
        raise _fail(path, value, f"{value!r} is not one of {schema['enum']!r}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            raise _fail(path, value, f"{value!r} is too short")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise _fail(path, value, f"{value!r} is too long")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            raise _fail(path, value, f"{value!r} does not match {schema['pattern']!r}")
        if schema.get("format") == "uuid" and not is_uuid(value):
            raise _fail(path, value, f"{value!r} is not a 'uuid'")
    number = _number(value)
    if number is not None:
        value = number
        if "minimum" in schema and value < schema["minimum"]:
            raise _fail(path, value, f"{value!r} is less than the minimum of "
                                     f"{schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise _fail(path, value, f"{value!r} is greater than the maximum of "
                                     f"{schema['maximum']}")
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise _fail(path, value, "is too long")
        if len(value) < schema.get("minItems", 0):
            raise _fail(path, value, f"{value!r} is too short")
        if schema.get("uniqueItems") and len({repr(v) for v in value}) != len(value):
            raise _fail(path, value, "has non-unique elements")
        for index, item in enumerate(value):
            if "items" in schema:
                validate(schema["items"], item, f"{path}/{index}" if path else str(index))
    if isinstance(value, dict):
        _validate_object(schema, value, path)


def _validate_object(schema: dict[str, Any], value: dict[str, Any], path: str) -> None:
    if len(value) < schema.get("minProperties", 0):
        raise _fail(path, value, "does not have enough properties")
    alternatives = schema.get("anyOf")
    if alternatives and not any(all(name in value for name in alternative["required"])
                                for alternative in alternatives):
        raise _fail(path, value, f"{value!r} is not valid under any of the given schemas")
    for name in schema.get("required", ()):
        if name not in value:
            raise _fail(path, value, f"'{name}' is a required property")
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    for key, item in value.items():
        child = f"{path}/{key}" if path else key
        if key in properties:
            validate(properties[key], item, child)
            continue
        matched = [sub for pattern, sub in patterns.items() if re.search(pattern, key)]
        for sub in matched:
            validate(sub, item, child)
        if not matched and schema.get("additionalProperties", True) is False:
            raise _fail(path, value, f"Additional properties are not allowed ('{key}' was "
                                     "unexpected)")
