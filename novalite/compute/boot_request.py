"""What ``POST /servers`` asks for, parsed and validated by the REST layer: one typed
request the compute API takes whole (the REST handler resolves nothing itself)."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True, kw_only=True)
class BootRequest:
    name: str
    #: the flavor's id (or a link ending in it)
    flavor_ref: str
    #: the image to boot (from ``imageRef`` or a local image block device), or None
    image_ref: str | None
    min_count: int = 1
    max_count: int = 1
    key_name: str | None = None
    #: base64 text, as the API received it
    user_data: str | None = None
    metadata: dict[str, str] = dataclasses.field(default_factory=dict)
    #: the zone's name (``zone:host:node`` already split into the forced lists)
    availability_zone: str | None = None
    force_hosts: list[str] = dataclasses.field(default_factory=list)
    force_nodes: list[str] = dataclasses.field(default_factory=list)
    description: str | None = None
    hostname: str | None = None
    config_drive: bool = False
    tags: list[str] = dataclasses.field(default_factory=list)
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    #: ``networks`` as sent: None (absent), "auto", "none" or a list of requests
    networks: Any = None
    security_groups: list[str] = dataclasses.field(default_factory=list)
    block_device_mapping_v2: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    #: ``os:scheduler_hints`` as sent (``group`` names the server group to join)
    scheduler_hints: dict[str, Any] = dataclasses.field(default_factory=dict)
