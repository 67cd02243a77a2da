"""``POST /servers/{id}/action``: reboot, stop/start, pause, suspend, lock, console output,
the legacy remote console actions (``novalite.api.compute.remote_consoles``), and the
day-2 actions of ``server_image_actions`` (createImage, createBackup, shelve ...),
``server_move_actions`` (resize, migrate, os-migrateLive, evacuate ...) and
``server_admin_actions`` (rebuild, rescue, os-resetState, changePassword ...).

The body names one action (``{"reboot": {"type": "SOFT"}}``); each maps to a policy
rule and a method of the compute API, which answers 409 when the server's state
does not allow it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import webob

from novalite.api.compute import (
    common,
    remote_consoles,
    server_admin_actions,
    server_image_actions,
    server_move_actions,
)
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import servers as schemas
from novalite.api.compute.servers import compute_api, get_instance
from novalite.common import exception, wsgi
from novalite.common.wsgi import Request

Action = Callable[[Request, dict[str, Any], Any], webob.Response]


def _accepted() -> webob.Response:
    return wsgi.empty_response(202)


def _reboot(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    validation.validate(schemas.REBOOT, body, "reboot")
    compute_api().reboot(request.context, instance, body["type"].upper())
    return _accepted()


def _simple(method: str) -> Action:
    def run(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
        getattr(compute_api(), method)(request.context, instance)
        return _accepted()

    return run


def _lock(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    reason = None
    if isinstance(body, dict) and common.at_least(request, "2.73"):
        validation.validate({"type": "object", "properties": {
            "locked_reason": {"type": "string", "maxLength": 255}},
            "additionalProperties": False}, body, "lock")
        reason = body.get("locked_reason")
    compute_api().lock(request.context, instance, reason)
    return _accepted()


def _force_delete(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    compute_api().delete(request.context, instance, force=True)
    return _accepted()


def _console_output(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    validation.validate({"type": ["object", "null"], "properties": {
        "length": {"type": ["integer", "string", "null"], "pattern": r"^-?[0-9]+$",
                   "maximum": validation.MAX_INT}},
        "additionalProperties": False}, body, "os-getConsoleOutput")
    length = (body or {}).get("length")
    tail = None
    if length is not None:
        tail = int(length)
        if tail < -1:
            raise exception.ValidationError(message="Invalid input for field/attribute "
                                                    f"length. Value: {length}.")
        tail = None if tail == -1 else tail
    output = compute_api().get_console_output(request.context, instance, tail)
    return wsgi.json_response({"output": output})


# action name → (policy rule, handler)
ACTIONS: dict[str, tuple[str, Action]] = {
    "reboot": ("os_compute_api:servers:reboot", _reboot),
    "os-stop": ("os_compute_api:servers:stop", _simple("stop")),
    "os-start": ("os_compute_api:servers:start", _simple("start")),
    "pause": ("os_compute_api:os-pause-server:pause", _simple("pause")),
    "unpause": ("os_compute_api:os-pause-server:unpause", _simple("unpause")),
    "suspend": ("os_compute_api:os-suspend-server:suspend", _simple("suspend")),
    "resume": ("os_compute_api:os-suspend-server:resume", _simple("resume")),
    "lock": ("os_compute_api:os-lock-server:lock", _lock),
    "unlock": ("os_compute_api:os-lock-server:unlock", _simple("unlock")),
    "forceDelete": ("os_compute_api:os-deferred-delete:force", _force_delete),
    "os-getConsoleOutput": ("os_compute_api:os-console-output", _console_output),
    **remote_consoles.LEGACY_ACTIONS,
    **server_image_actions.ACTIONS,
    **server_move_actions.ACTIONS,
    **server_admin_actions.ACTIONS,
}


def action(request: Request, server_id: str) -> webob.Response:
    body = request.json_body_dict()
    if len(body) != 1:
        raise exception.Invalid(message="Exactly one action must be given in the body.")
    [(name, argument)] = body.items()
    if name not in ACTIONS:
        raise exception.Invalid(message=f"There is no such action: {name}")
    rule, handler = ACTIONS[name]
    instance = get_instance(request, server_id, rule)
    return handler(request, instance, argument)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("POST", "/servers/{server_id}/action", action),
)
