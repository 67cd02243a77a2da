"""Key pair request bodies (Nova's ``schemas/keypairs.py``), per microversion."""

from __future__ import annotations

from typing import Any

LEGACY_NAME = {"type": "string", "minLength": 1, "maxLength": 255,
               "pattern": r"^(?! )[^\x00-\x1f]*(?<! )$"}
NAME_2_92 = {"type": "string", "minLength": 1, "maxLength": 255,
             "pattern": r"^[a-zA-Z0-9 @._-]+$"}


def create(version_2_2: bool, version_2_10: bool, version_2_92: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "name": NAME_2_92 if version_2_92 else LEGACY_NAME,
        "public_key": {"type": "string", "minLength": 1}}
    if version_2_2:
        properties["type"] = {"type": "string", "enum": ["ssh", "x509"]}
    if version_2_10:
        properties["user_id"] = {"type": "string", "minLength": 1, "maxLength": 255}
    required = ["name", "public_key"] if version_2_92 else ["name"]
    return {"type": "object",
            "properties": {"keypair": {"type": "object", "properties": properties,
                                       "required": required, "additionalProperties": False}},
            "required": ["keypair"], "additionalProperties": False}
