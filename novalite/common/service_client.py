"""What every HTTP client of another OpenStack service shares: finding its endpoint."""

from __future__ import annotations

from typing import Any


def endpoint_from_catalog(catalog: list[dict[str, Any]], service_type: str,
                          interface: str = "public") -> str | None:
    for service in catalog or ():
        if service.get("type") != service_type:
            continue
        for endpoint in service.get("endpoints", ()):
            if endpoint.get("interface") == interface:
                return str(endpoint["url"]).rstrip("/")
    return None
