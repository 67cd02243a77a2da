"""``POST /os-server-external-events``: the network and volume services tell Nova about
a server's port or volume (a service role's call). Each event comes back with its
``code``: 200 sent to the server's host, 404 no such server, 422 a server without a host
yet (its status then ``failed``); the answer is a 207 when any failed and a 404 when none
could be taken. ``volume-extended`` from 2.51, ``power-update`` from 2.76,
``accelerator-request-bound`` from 2.82 and ``volume-reimaged`` from 2.93."""

from __future__ import annotations

import logging
from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.servers import compute_api
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import instances
from novalite.objects import InstanceExternalEvent
from novalite.objects.instance_external_event import NAMES, NAMES_SINCE, STATUSES, TAG_REQUIRED

LOG = logging.getLogger(__name__)
POWER_TAGS = ("POWER_ON", "POWER_OFF")


def _schema(request: Request) -> dict[str, Any]:
    names = list(NAMES) + [name for name, since in NAMES_SINCE.items()
                           if common.at_least(request, since)]
    event = {"type": "object", "additionalProperties": False,
             "required": ["name", "server_uuid"],
             "properties": {"name": {"type": "string", "enum": names},
                            "server_uuid": {"type": "string", "format": "uuid"},
                            "status": {"type": "string", "enum": list(STATUSES)},
                            "tag": {"type": "string", "maxLength": 255}}}
    return {"type": "object", "additionalProperties": False, "required": ["events"],
            "properties": {"events": {"type": "array", "minItems": 1, "maxItems": 1000,
                                      "items": event}}}


def create(request: Request) -> webob.Response:
    ctxt = request.context
    policy.authorize(ctxt, "os_compute_api:os-server-external-events:create", {})
    body = common.body_of(request)
    validation.validate(_schema(request), body)
    answered: list[dict[str, Any]] = []
    accepted: list[tuple[dict[str, Any], InstanceExternalEvent]] = []
    status = 200
    for given in body["events"]:
        shown = dict(given)
        shown.setdefault("status", "completed")
        answered.append(shown)
        name, tag = given["name"], given.get("tag")
        if name in TAG_REQUIRED and not tag:
            raise exception.Invalid(message=f"Event {name} must be provided with a tag.")
        try:
            instance = instances.get(None, given["server_uuid"])
        except exception.NotFound:
            LOG.warning("Dropping event %s:%s for unknown instance %s", name, tag,
                        given["server_uuid"])
            shown.update(status="failed", code=404)
            status = 207
            continue
        if not instance.get("host") or (name == "power-update" and tag not in POWER_TAGS):
            shown.update(status="failed", code=422)
            status = 207
            continue
        shown["code"] = 200
        accepted.append((instance, InstanceExternalEvent(
            instance_uuid=instance["uuid"], name=name, status=shown["status"], tag=tag)))
    if not accepted:
        raise exception.NotFound(message="No instances found for any event")
    compute_api().external_instance_event(ctxt, accepted)
    return wsgi.json_response({"events": answered}, status=status)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("POST", "/os-server-external-events", create),
)
