"""Remote consoles: ``POST /servers/{id}/remote-consoles`` (2.6+) and the legacy
``os-getVNCConsole``, ``os-getSPICEConsole``, ``os-getSerialConsole`` and
``os-getRDPConsole`` server actions (2.1–2.5), as Nova answers them.

The URL handed out names a proxy (``novalite-novncproxy`` ...) and carries a new
token; 400 for a console type the cloud does not serve or has disabled, 404 for an
unknown server, 409 when the server is not running.
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import remote_consoles as schemas
from novalite.api.compute.servers import compute_api, get_instance
from novalite.common import exception, wsgi
from novalite.common.wsgi import Request
from novalite.compute import consoles
from novalite.policies import servers as _server_policies  # noqa: F401 - registers rules

RULE = "os_compute_api:os-remote-consoles"


def _url(request: Request, instance: dict[str, Any], protocol: str, console_type: str) -> str:
    if console_type not in consoles.PROTOCOLS.get(protocol, ()):
        raise exception.ConsoleTypeInvalid(console_type=console_type)
    token = compute_api().get_console(request.context, instance, console_type)
    return token.access_url


def create(request: Request, server_id: str) -> webob.Response:
    common.require_version(request, minimum="2.6")
    body = request.json_body_dict()
    if common.at_least(request, "2.99"):
        schema = schemas.CREATE_V299
    elif common.at_least(request, "2.8"):
        schema = schemas.CREATE_V28
    else:
        schema = schemas.CREATE_V26
    validation.validate(schema, body)
    protocol = body["remote_console"]["protocol"]
    console_type = body["remote_console"]["type"]
    instance = get_instance(request, server_id, RULE)
    url = _url(request, instance, protocol, console_type)
    return wsgi.json_response({"remote_console": {"protocol": protocol, "type": console_type,
                                                  "url": url}})


def _legacy(name: str, protocol: str, schema: dict[str, Any]
            ) -> tuple[str, Any]:
    def run(request: Request, instance: dict[str, Any], argument: Any) -> webob.Response:
        common.require_version(request, maximum="2.5")
        validation.validate(schema, argument, name)
        console_type = argument["type"]
        url = _url(request, instance, protocol, console_type)
        return wsgi.json_response({"console": {"type": console_type, "url": url}})

    return RULE, run


#: server actions (``novalite.api.compute.server_actions``) → (policy rule, handler)
LEGACY_ACTIONS = {
    "os-getVNCConsole": _legacy("os-getVNCConsole", "vnc", schemas.GET_VNC_CONSOLE),
    "os-getSPICEConsole": _legacy("os-getSPICEConsole", "spice", schemas.GET_SPICE_CONSOLE),
    "os-getRDPConsole": _legacy("os-getRDPConsole", "rdp", schemas.GET_RDP_CONSOLE),
    "os-getSerialConsole": _legacy("os-getSerialConsole", "serial",
                                   schemas.GET_SERIAL_CONSOLE),
}


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("POST", "/servers/{server_id}/remote-consoles", create),
)
