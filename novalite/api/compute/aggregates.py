"""``/os-aggregates``: host aggregates (Nova's aggregates.py): create, list, show, update,
delete, and the ``add_host``, ``remove_host`` and ``set_metadata`` actions.

An aggregate with ``availability_zone`` (given at create or update, or as metadata)
puts its hosts in that zone: the scheduler's AvailabilityZoneFilter, the zones list and
the services list follow it. Every method is admin-only and answers 200, as Nova does.
"""

from __future__ import annotations

import datetime
from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas.servers import NAME
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.db import aggregates, service_store

_ZONE = {"type": ["string", "null"], "minLength": 1, "maxLength": 255,
         "pattern": r"^(?!\s)[^:]*(?<!\s)$"}
_NAME_SPACES = {"type": "string", "minLength": 1, "maxLength": 255}
_HOST = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[a-zA-Z0-9-._]*$"}
_METADATA = {"type": "object", "patternProperties": {
    r"^[a-zA-Z0-9-_:. ]{1,255}$": {"type": ["string", "null"], "maxLength": 255}},
    "additionalProperties": False}


def _body_schema(key: str, properties: dict[str, Any], required: list[str] | None = None,
                 any_of: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    inner: dict[str, Any] = {"type": "object", "properties": properties,
                             "additionalProperties": False}
    if required:
        inner["required"] = required
    if any_of:
        inner["anyOf"] = any_of
    return {"type": "object", "properties": {key: inner}, "required": [key],
            "additionalProperties": False}


CREATE = _body_schema("aggregate", {"name": NAME, "availability_zone": _ZONE}, ["name"])
UPDATE = _body_schema("aggregate", {"name": _NAME_SPACES, "availability_zone": _ZONE},
                      any_of=[{"required": ["name"]}, {"required": ["availability_zone"]}])
ADD_HOST = _body_schema("add_host", {"host": _HOST}, ["host"])
REMOVE_HOST = _body_schema("remove_host", {"host": _HOST}, ["host"])
SET_METADATA = _body_schema("set_metadata", {"metadata": _METADATA}, ["metadata"])


def _isotime(value: datetime.datetime | None) -> str | None:
    """Nova's JSON form of a naive timestamp (always with microseconds)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value is not None else None


def _view(request: Request, aggregate: dict[str, Any], created: bool = False
          ) -> dict[str, Any]:
    body: dict[str, Any] = {
        "availability_zone": aggregate["availability_zone"],
        "created_at": _isotime(aggregate["created_at"]), "deleted": False,
        "deleted_at": None, "id": aggregate["id"], "name": aggregate["name"],
        "updated_at": _isotime(aggregate["updated_at"])}
    if not created:  # the create's body has neither, as in Nova
        body["hosts"] = list(aggregate["hosts"])
        body["metadata"] = dict(aggregate["metadata"])
    if common.at_least(request, "2.41"):
        body["uuid"] = aggregate["uuid"]
    return body


def _authorize(request: Request, action: str) -> None:
    policy.authorize(request.context, f"os_compute_api:os-aggregates:{action}", {})


def _id(aggregate_id: str) -> int:
    try:
        value = int(aggregate_id)
    except ValueError:
        raise exception.Invalid(
            message="Invalid input received: id must be an integer") from None
    if not 0 < value <= validation.MAX_INT:
        raise exception.AggregateNotFound(aggregate_id=aggregate_id)
    return value


def _normalized(name: str) -> str:
    return name.strip()


def index(request: Request) -> webob.Response:
    _authorize(request, "index")
    return wsgi.json_response({"aggregates": [
        _view(request, aggregate) for aggregate in aggregates.list_aggregates()]})


def create(request: Request) -> webob.Response:
    _authorize(request, "create")
    body = common.body_of(request)
    validation.validate(CREATE, body)
    values = body["aggregate"]
    zone = values.get("availability_zone")
    created = aggregates.create(_normalized(values["name"]),
                                _normalized(zone) if zone else None)
    return wsgi.json_response({"aggregate": _view(request, created, created=True)})


def show(request: Request, aggregate_id: str) -> webob.Response:
    _authorize(request, "show")
    return wsgi.json_response({"aggregate": _view(request, aggregates.get(_id(aggregate_id)))})


def update(request: Request, aggregate_id: str) -> webob.Response:
    _authorize(request, "update")
    body = common.body_of(request)
    validation.validate(UPDATE, body)
    values = dict(body["aggregate"])
    if "name" in values:
        values["name"] = _normalized(values["name"])
        if not values["name"]:
            raise exception.ValidationError(
                message="Invalid input for field/attribute name. Value: . '' is too short")
    updated = aggregates.update(_id(aggregate_id), values)
    return wsgi.json_response({"aggregate": _view(request, updated)})


def delete(request: Request, aggregate_id: str) -> webob.Response:
    _authorize(request, "delete")
    aggregates.delete(_id(aggregate_id))
    return wsgi.empty_response(200)


def _compute_host(host: str) -> None:
    if not service_store.list_services(binary="novalite-compute", host=host):
        raise exception.ComputeHostNotFound(host=host)


def _add_host(request: Request, aggregate_id: int, body: dict[str, Any]) -> dict[str, Any]:
    validation.validate(ADD_HOST, body)
    host = body["add_host"]["host"]
    _compute_host(host)
    return aggregates.add_host(aggregate_id, host)


def _remove_host(request: Request, aggregate_id: int, body: dict[str, Any]
                 ) -> dict[str, Any]:
    validation.validate(REMOVE_HOST, body)
    host = body["remove_host"]["host"]
    try:
        _compute_host(host)
        return aggregates.remove_host(aggregate_id, host)
    except (exception.AggregateNotFound, exception.AggregateHostNotFound,
            exception.ComputeHostNotFound):
        raise exception.NotFound(message=f"Cannot remove host {host} in aggregate "
                                         f"{aggregate_id}") from None


def _set_metadata(request: Request, aggregate_id: int, body: dict[str, Any]
                  ) -> dict[str, Any]:
    validation.validate(SET_METADATA, body)
    return aggregates.set_metadata(aggregate_id, body["set_metadata"]["metadata"])


_ACTIONS = {"add_host": _add_host, "remove_host": _remove_host,
            "set_metadata": _set_metadata}


def action(request: Request, aggregate_id: str) -> webob.Response:
    body = common.body_of(request)
    names = [name for name in body if name in _ACTIONS]
    if len(body) != 1 or not names:
        raise exception.Invalid(message="There is no such action: "
                                        f"{', '.join(sorted(body)) or None}")
    _authorize(request, names[0])
    result = _ACTIONS[names[0]](request, _id(aggregate_id), body)
    return wsgi.json_response({"aggregate": _view(request, result)})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/os-aggregates", index),
    wsgi.Route("POST", "/os-aggregates", create),
    wsgi.Route("GET", "/os-aggregates/{aggregate_id}", show),
    wsgi.Route("PUT", "/os-aggregates/{aggregate_id}", update),
    wsgi.Route("DELETE", "/os-aggregates/{aggregate_id}", delete),
    wsgi.Route("POST", "/os-aggregates/{aggregate_id}/action", action),
)
