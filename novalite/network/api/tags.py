"""Neutron's tag API on every resource with standard attributes (``standard-attr-tag``,
``tag-creation``): ``/v2.0/{collection}/{id}/tags[/{tag}]``.

``GET`` lists (200) or checks one tag (204/404), ``PUT`` replaces all (200) or adds one
(201), ``POST`` adds several (201), ``DELETE`` removes all or one (204; a tag the
resource lacks is 404). The caller must see the resource (else 404, as for a show)
and, to change its tags, own it (Neutron's ``update_<collection>_tags`` rules).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import webob

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.network import exceptions as exc
from novalite.network import store
from novalite.network.api import access, common

MAX_TAG_LENGTH = 255
MAX_TAGS = 50  # per resource, so a list of them stays one page of a show

Loader = Callable[[RequestContext, str], dict[str, Any]]
#: URL collection → (collection name for policy and storage, loader of one resource)
COLLECTIONS: dict[str, tuple[str, Loader]] = {
    "networks": ("networks", access.load_network),
    "subnets": ("subnets", access.load_subnet),
    "ports": ("ports", access.load_port),
    "security-groups": ("security_groups", access.load_security_group),
    "routers": ("routers", access.load_router),
    "floatingips": ("floatingips", access.load_floatingip),
}


def validate_tag(tag: Any) -> str:
    if not isinstance(tag, str):
        raise exc.InvalidInput(error_message=f"'{tag}' is not a valid string")
    if len(tag) > MAX_TAG_LENGTH:
        raise exc.InvalidInput(error_message=(
            f"'{tag}' exceeds maximum length of {MAX_TAG_LENGTH}"))
    if not tag or "," in tag:
        raise exc.InvalidInput(error_message=f"'{tag}' is not a valid tag")
    return tag


def validate_tags(value: Any) -> list[str]:
    """A list of unique tags (``{"tags": [...]}``'s list, or a port's ``tags``)."""
    if not isinstance(value, list):
        raise exc.InvalidInput(error_message=f"'{value}' is not a list")
    tags = [validate_tag(tag) for tag in value]
    duplicates = sorted({tag for tag in tags if tags.count(tag) > 1})
    if duplicates:
        raise exc.InvalidInput(error_message="Duplicate items in the list: '"
                               + ", ".join(duplicates) + "'")
    if len(tags) > MAX_TAGS:
        raise exc.InvalidInput(error_message=f"At most {MAX_TAGS} tags are allowed")
    return tags


def _body_tags(request: wsgi.Request) -> list[str]:
    body = request.json_body_dict()
    if "tags" not in body:
        raise exc.InvalidInput(error_message="Invalid tags body")
    return validate_tags(body["tags"])


def _resource(request: wsgi.Request, collection: str, resource_id: str, action: str
              ) -> tuple[str, dict[str, Any]]:
    if collection not in COLLECTIONS:
        raise exception.NotFound(message="The resource could not be found.")
    kind, load = COLLECTIONS[collection]
    ctxt = request.context
    try:
        resource = load(ctxt, resource_id)
    except exc.NotFound:
        raise exc.TagResourceNotFound(resource=kind, resource_id=resource_id) from None
    common.authorize(ctxt, f"{action}_{kind}_tags", resource.get("project_id"))
    return kind, resource


def _check_room(resource: dict[str, Any], new: list[str]) -> None:
    if len(set(resource.get("tags") or []) | set(new)) > MAX_TAGS:
        raise exc.InvalidInput(error_message=f"At most {MAX_TAGS} tags are allowed")


@common.neutron_faults
def index(request: wsgi.Request, collection: str, resource_id: str) -> webob.Response:
    _, resource = _resource(request, collection, resource_id, "get")
    return wsgi.json_response({"tags": store.get_tags(resource["id"])})


@common.neutron_faults
def show(request: wsgi.Request, collection: str, resource_id: str, tag: str
         ) -> webob.Response:
    validate_tag(tag)
    _, resource = _resource(request, collection, resource_id, "get")
    if tag not in store.get_tags(resource["id"]):
        raise exc.TagNotFound(tag=tag)
    return wsgi.empty_response()


@common.neutron_faults
def replace(request: wsgi.Request, collection: str, resource_id: str) -> webob.Response:
    tags = _body_tags(request)
    kind, resource = _resource(request, collection, resource_id, "update")
    return wsgi.json_response({"tags": store.replace_tags(kind, resource["id"], tags)})


@common.neutron_faults
def add_many(request: wsgi.Request, collection: str, resource_id: str) -> webob.Response:
    tags = _body_tags(request)
    kind, resource = _resource(request, collection, resource_id, "create")
    _check_room(resource, tags)
    return wsgi.json_response({"tags": store.add_tags(kind, resource["id"], tags)},
                              status=201)


@common.neutron_faults
def add(request: wsgi.Request, collection: str, resource_id: str, tag: str
        ) -> webob.Response:
    validate_tag(tag)
    kind, resource = _resource(request, collection, resource_id, "update")
    _check_room(resource, [tag])
    store.add_tags(kind, resource["id"], [tag])
    return wsgi.empty_response(201)


@common.neutron_faults
def remove_all(request: wsgi.Request, collection: str, resource_id: str) -> webob.Response:
    kind, resource = _resource(request, collection, resource_id, "delete")
    store.remove_all_tags(kind, resource["id"])
    return wsgi.empty_response()


@common.neutron_faults
def remove(request: wsgi.Request, collection: str, resource_id: str, tag: str
           ) -> webob.Response:
    validate_tag(tag)
    kind, resource = _resource(request, collection, resource_id, "delete")
    if not store.remove_tag(kind, resource["id"], tag):
        raise exc.TagNotFound(tag=tag)
    return wsgi.empty_response()


_BASE = "/v2.0/{collection}/{resource_id}/tags"
ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", _BASE, index),
    wsgi.Route("PUT", _BASE, replace),
    wsgi.Route("POST", _BASE, add_many),
    wsgi.Route("DELETE", _BASE, remove_all),
    wsgi.Route("GET", _BASE + "/{tag}", show),
    wsgi.Route("PUT", _BASE + "/{tag}", add),
    wsgi.Route("DELETE", _BASE + "/{tag}", remove),
)
