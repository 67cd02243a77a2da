"""``PUT /os-quota-sets/{project_id}`` body."""

from __future__ import annotations

from typing import Any

from novalite.api.compute.schemas import MAX_INT
from novalite.db import quotas

_LIMIT = {"type": ["integer", "string"], "pattern": r"^-?[0-9]+$", "minimum": -1,
          "maximum": MAX_INT}
LEGACY = ("fixed_ips", "floating_ips", "security_groups", "security_group_rules",
          "networks", "injected_files", "injected_file_content_bytes",
          "injected_file_path_bytes")


def update(legacy: tuple[str, ...]) -> dict[str, Any]:
    properties: dict[str, Any] = {name: _LIMIT for name in (*quotas.RESOURCES, *legacy)}
    properties["force"] = {"type": ["boolean", "string"]}
    return {"type": "object",
            "properties": {"quota_set": {"type": "object", "properties": properties,
                                         "additionalProperties": False}},
            "required": ["quota_set"], "additionalProperties": False}
