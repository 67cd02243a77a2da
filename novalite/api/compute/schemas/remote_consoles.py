"""Request bodies of the remote console APIs (Nova's ``schemas/remote_consoles.py``)."""

from __future__ import annotations

from typing import Any


def _create(protocols: list[str], types: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": {"remote_console": {
        "type": "object",
        "properties": {"protocol": {"type": "string", "enum": protocols},
                       "type": {"type": "string", "enum": types}},
        "required": ["protocol", "type"], "additionalProperties": False}},
        "required": ["remote_console"], "additionalProperties": False}


_PROTOCOLS_26 = ["vnc", "spice", "rdp", "serial"]
_TYPES_26 = ["novnc", "xvpvnc", "rdp-html5", "spice-html5", "serial"]
CREATE_V26 = _create(_PROTOCOLS_26, _TYPES_26)
CREATE_V28 = _create([*_PROTOCOLS_26, "mks"], [*_TYPES_26, "webmks"])
CREATE_V299 = _create([*_PROTOCOLS_26, "mks"], [*_TYPES_26, "webmks", "spice-direct"])


def _legacy(types: list[str]) -> dict[str, Any]:
    """The argument of one of the legacy ``os-get*Console`` server actions."""
    return {"type": "object", "properties": {"type": {"type": "string", "enum": types}},
            "required": ["type"], "additionalProperties": False}


GET_VNC_CONSOLE = _legacy(["novnc", "xvpvnc"])
GET_SPICE_CONSOLE = _legacy(["spice-html5"])
GET_RDP_CONSOLE = _legacy(["rdp-html5"])
GET_SERIAL_CONSOLE = _legacy(["serial"])
