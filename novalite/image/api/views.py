"""JSON views of images and members, in Glance v2's shapes."""

from __future__ import annotations

import datetime
from typing import Any

CORE_VIEW_KEYS = ("id", "name", "status", "visibility", "protected", "os_hidden", "checksum",
                  "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "min_disk",
                  "min_ram", "disk_format", "container_format")


def isotime(value: datetime.datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def image(image: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = dict(image["properties"])
    for key in CORE_VIEW_KEYS:
        view[key] = image[key]
    view["tags"] = list(image["tags"])
    view["created_at"] = isotime(image["created_at"])
    view["updated_at"] = isotime(image["updated_at"])
    view["self"] = f"/v2/images/{image['id']}"
    view["file"] = f"/v2/images/{image['id']}/file"
    view["schema"] = "/v2/schemas/image"
    return view


def member(member: dict[str, Any]) -> dict[str, Any]:
    return {"image_id": member["image_id"], "member_id": member["member"],
            "status": member["status"], "created_at": isotime(member["created_at"]),
            "updated_at": isotime(member["updated_at"]), "schema": "/v2/schemas/member"}
