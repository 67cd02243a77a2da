"""Flavor bodies (``flavors/v2.61/flavor-get-resp.json`` and friends)."""

from __future__ import annotations

from typing import Any

from novalite.api.compute import common
from novalite.common.wsgi import Request


def basic(request: Request, flavor: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": flavor["flavorid"], "name": flavor["name"],
                            "links": common.links(request, "flavors", flavor["flavorid"])}
    if common.at_least(request, "2.55"):
        body["description"] = flavor["description"]
    return body


def detail(request: Request, flavor: dict[str, Any], include_extra_specs: bool) -> dict[str, Any]:
    body = basic(request, flavor)
    swap: Any = flavor["swap"]
    if not common.at_least(request, "2.75") and not swap:
        swap = ""
    body.update({"ram": flavor["memory_mb"], "vcpus": flavor["vcpus"],
                 "disk": flavor["root_gb"], "swap": swap,
                 "OS-FLV-EXT-DATA:ephemeral": flavor["ephemeral_gb"],
                 "os-flavor-access:is_public": flavor["is_public"]})
    if not common.at_least(request, "2.102"):
        body["OS-FLV-DISABLED:disabled"] = flavor["disabled"]
        body["rxtx_factor"] = flavor["rxtx_factor"]
    if common.at_least(request, "2.61") and include_extra_specs:
        body["extra_specs"] = flavor["extra_specs"]
    return body
