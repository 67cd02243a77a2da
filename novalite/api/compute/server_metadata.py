"""``/servers/{id}/metadata``: list, merge (POST), replace (PUT), item get/set/delete."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas.servers import METADATA
from novalite.api.compute.servers import get_instance
from novalite.common import exception, wsgi
from novalite.common.wsgi import Request
from novalite.conf import CONF
from novalite.db import instances

_RULE = "os_compute_api:server-metadata:"


def _metadata_body(request: Request, key: str = "metadata") -> dict[str, str]:
    body = request.json_body_dict()
    validation.validate({"type": "object", "properties": {key: METADATA},
                         "required": [key], "additionalProperties": False}, body)
    return body[key]


def _save(request: Request, instance: dict[str, Any], metadata: dict[str, str]
          ) -> dict[str, str]:
    if len(metadata) > CONF.quota.metadata_items >= 0:
        raise exception.OverQuota(message="Quota exceeded for metadata_items: Maximum number "
                                          f"of metadata items exceeds "
                                          f"{CONF.quota.metadata_items}")
    return instances.update(request.context, instance["uuid"], {"metadata": metadata})[
        "metadata"]


def index(request: Request, server_id: str) -> webob.Response:
    instance = get_instance(request, server_id, _RULE + "index")
    return wsgi.json_response({"metadata": instance["metadata"]})


def create(request: Request, server_id: str) -> webob.Response:
    metadata = _metadata_body(request)
    instance = get_instance(request, server_id, _RULE + "create")
    merged = _save(request, instance, {**instance["metadata"], **metadata})
    return wsgi.json_response({"metadata": merged})


def update_all(request: Request, server_id: str) -> webob.Response:
    metadata = _metadata_body(request)
    instance = get_instance(request, server_id, _RULE + "update_all")
    return wsgi.json_response({"metadata": _save(request, instance, metadata)})


def show(request: Request, server_id: str, key: str) -> webob.Response:
    instance = get_instance(request, server_id, _RULE + "show")
    if key not in instance["metadata"]:
        raise exception.NotFound(message="Metadata item was not found")
    return wsgi.json_response({"meta": {key: instance["metadata"][key]}})


def update(request: Request, server_id: str, key: str) -> webob.Response:
    meta = _metadata_body(request, "meta")
    if len(meta) != 1 or key not in meta:
        raise exception.Invalid(message="Request body and URI mismatch")
    instance = get_instance(request, server_id, _RULE + "update")
    _save(request, instance, {**instance["metadata"], **meta})
    return wsgi.json_response({"meta": meta})


def delete(request: Request, server_id: str, key: str) -> webob.Response:
    instance = get_instance(request, server_id, _RULE + "delete")
    if key not in instance["metadata"]:
        raise exception.NotFound(message="Metadata item was not found")
    instances.delete_metadata_item(request.context, instance["uuid"], key)
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/servers/{server_id}/metadata", index),
    wsgi.Route("POST", "/servers/{server_id}/metadata", create),
    wsgi.Route("PUT", "/servers/{server_id}/metadata", update_all),
    wsgi.Route("GET", "/servers/{server_id}/metadata/{key}", show),
    wsgi.Route("PUT", "/servers/{server_id}/metadata/{key}", update),
    wsgi.Route("DELETE", "/servers/{server_id}/metadata/{key}", delete),
)
