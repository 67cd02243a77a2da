"""Flavor request bodies (Nova's ``schemas/flavor_manage.py``, ``flavors_extraspecs.py``)."""

from __future__ import annotations

from typing import Any

from novalite.api.compute.schemas import MAX_INT, SQL_SP_FLOAT_MAX

_POSITIVE = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 1,
             "maximum": MAX_INT}
_NON_NEGATIVE = {"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": 0,
                 "maximum": MAX_INT}
_DESCRIPTION = {"type": ["string", "null"], "maxLength": 65535}
_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": r"^(?! )[^\x00-\x1f]*(?<! )$"}

create: dict[str, Any] = {
    "type": "object",
    "properties": {"flavor": {
        "type": "object",
        "properties": {
            "name": _NAME,
            "id": {"type": ["string", "integer", "null"], "minLength": 1, "maxLength": 255,
                   "pattern": r"^(?! )[a-zA-Z0-9. _-]+(?<! )$"},
            "ram": _POSITIVE, "vcpus": _POSITIVE, "disk": _NON_NEGATIVE,
            "OS-FLV-EXT-DATA:ephemeral": _NON_NEGATIVE,
            "swap": {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0,
                     "maximum": MAX_INT},
            "rxtx_factor": {"type": ["number", "string"], "pattern": r"^[0-9]+(\.[0-9]+)?$",
                            "minimum": 0, "maximum": SQL_SP_FLOAT_MAX},
            "os-flavor-access:is_public": {"type": ["boolean", "string"]},
            "description": _DESCRIPTION,
        },
        "required": ["name", "ram", "vcpus", "disk"],
        "additionalProperties": False}},
    "required": ["flavor"],
    "additionalProperties": False,
}

update: dict[str, Any] = {
    "type": "object",
    "properties": {"flavor": {"type": "object", "properties": {"description": _DESCRIPTION},
                              "required": ["description"], "additionalProperties": False}},
    "required": ["flavor"],
    "additionalProperties": False,
}

_SPEC_KEY = r"^[a-zA-Z0-9-_:. ]{1,255}$"
_SPEC_VALUE = {"type": ["string", "number", "boolean"], "maxLength": 255}

extra_specs_create: dict[str, Any] = {
    "type": "object",
    "properties": {"extra_specs": {"type": "object",
                                   "patternProperties": {_SPEC_KEY: _SPEC_VALUE},
                                   "additionalProperties": False}},
    "required": ["extra_specs"],
    "additionalProperties": False,
}

extra_spec_update: dict[str, Any] = {
    "type": "object", "patternProperties": {_SPEC_KEY: _SPEC_VALUE},
    "minProperties": 1, "additionalProperties": False,
}

_TENANT = {"type": "object", "properties": {"tenant": {"type": "string", "minLength": 1,
                                                       "maxLength": 255}},
           "required": ["tenant"], "additionalProperties": False}

action: dict[str, Any] = {
    "type": "object",
    "properties": {"addTenantAccess": _TENANT, "removeTenantAccess": _TENANT},
    "minProperties": 1,
    "additionalProperties": False,
}
