"""Nova fault bodies: ``{"<name>": {"code": N, "message": "..."}}`` (401 is Keystone-style)."""

from __future__ import annotations

from typing import Any

FAULT_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
               405: "badMethod", 409: "conflictingRequest", 413: "overLimit",
               415: "badMediaType", 429: "overLimit", 501: "notImplemented",
               503: "serviceUnavailable"}


def fault_body(code: int, message: str) -> dict[str, Any]:
    if code == 401:  # written by keystonemiddleware in front of Nova, in its own format
        return {"error": {"code": 401, "title": "Unauthorized", "message": message}}
    return {FAULT_NAMES.get(code, "computeFault"): {"code": code, "message": message}}
