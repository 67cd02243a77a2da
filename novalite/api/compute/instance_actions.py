"""``/servers/{id}/os-instance-actions``: what was done to a server, with its events."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute.servers import get_instance
from novalite.api.compute.views.servers import host_id
from novalite.common import policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import instances


def _action_view(request: Request, action: dict[str, Any]) -> dict[str, Any]:
    shown = {"action": action["action"], "instance_uuid": action["instance_uuid"],
             "message": action["message"], "project_id": action["project_id"],
             "request_id": action["request_id"], "start_time": _time(action["start_time"]),
             "user_id": action["user_id"]}
    if common.at_least(request, "2.58"):  # Nova's updated_at is there from 2.58
        shown["updated_at"] = _time(action["updated_at"] or action["start_time"])
    return shown


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _read(request: Request, server_id: str, rule: str) -> dict[str, Any]:
    ctxt = request.context
    try:
        return get_instance(request, server_id, rule)
    except Exception:
        if not ctxt.is_admin:
            raise
        # actions of a deleted server stay readable for admins, as in Nova
        return instances.get(ctxt, server_id, read_deleted=True)


def index(request: Request, server_id: str) -> webob.Response:
    instance = _read(request, server_id, "os_compute_api:os-instance-actions:list")
    limit = marker = changes_since = changes_before = None
    if common.at_least(request, "2.58"):
        limit, marker = common.page_params(request)
        if "changes-since" in request.GET:
            changes_since = common.parse_isotime(request.GET["changes-since"], "changes-since")
    if common.at_least(request, "2.66") and "changes-before" in request.GET:
        changes_before = common.parse_isotime(request.GET["changes-before"], "changes-before")
    found = instances.list_actions(instance["uuid"], limit=limit, marker=marker,
                                   changes_since=changes_since, changes_before=changes_before)
    body: dict[str, Any] = {"instanceActions": [_action_view(request, a) for a in found]}
    if limit and len(found) == limit:
        body["links"] = common.next_link(request, f"servers/{server_id}/os-instance-actions",
                                         found[-1]["request_id"])
    return wsgi.json_response(body)


def show(request: Request, server_id: str, request_id: str) -> webob.Response:
    instance = _read(request, server_id, "os_compute_api:os-instance-actions:show")
    action = instances.get_action(instance["uuid"], request_id)
    ctxt = request.context
    target = {"project_id": instance["project_id"]}
    see_events = common.at_least(request, "2.51") or policy.check(
        ctxt, "os_compute_api:os-instance-actions:events", target)
    body = _action_view(request, action)
    if see_events:
        details = policy.check(ctxt, "os_compute_api:os-instance-actions:events:details",
                               target)
        events = []
        for event in action.get("events", []):
            shown: dict[str, Any] = {"event": event["event"],
                                     "start_time": _time(event["start_time"]),
                                     "finish_time": _time(event["finish_time"]),
                                     "result": event["result"]}
            if details:
                shown["traceback"] = event["traceback"]
                if common.at_least(request, "2.62"):
                    shown["host"] = event["host"]
            if common.at_least(request, "2.62"):
                shown["hostId"] = host_id({"project_id": instance["project_id"],
                                           "host": event["host"]})
            if common.at_least(request, "2.84") and details:
                shown["details"] = event.get("details")
            events.append(shown)
        body["events"] = events
    return wsgi.json_response({"instanceAction": body})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/servers/{server_id}/os-instance-actions", index),
    wsgi.Route("GET", "/servers/{server_id}/os-instance-actions/{request_id}", show),
)
