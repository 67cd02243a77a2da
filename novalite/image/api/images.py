"""Image records: create, list, show, update (JSON patch), delete, tags, (de)activation."""

from __future__ import annotations

import datetime
import urllib.parse
import uuid
from typing import Any

import sqlalchemy.exc
import webob

from novalite.common import exception, wsgi
from novalite.conf import CONF
from novalite.image import repository
from novalite.image.api import access, patch, schemas, validation, views
from novalite.image.api.quota import check_count, staging
from novalite.image.store import FileStore

MAX_BIGINT = 2**63 - 1


class ImageExists(exception.Conflict):
    msg_fmt = "Image with identifier %(image_id)s already exists!"


def store() -> FileStore:
    return FileStore(CONF.image.filesystem_store_datadir)


def _authorize_visibility(ctxt: Any, visibility: str, owner: str | None) -> None:
    if visibility == "public":
        access.authorize(ctxt, "publicize_image", owner)
    elif visibility == "community":
        access.authorize(ctxt, "communitize_image", owner)


def create(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    core, properties = validation.split_create_body(request.json_body_dict())
    tags = core.pop("tags", [])
    owner = core.get("owner", ctxt.project_id)
    if owner != ctxt.project_id:
        access.authorize(ctxt, "set_image_owner", owner)
    access.authorize(ctxt, "add_image", owner)
    check_count(owner)
    core.setdefault("visibility", "shared")
    _authorize_visibility(ctxt, core["visibility"], owner)
    core["owner"] = owner
    core["status"] = "queued"
    image_id = core.setdefault("id", _new_id())
    if repository.get(image_id) is not None:
        raise ImageExists(image_id=image_id)
    try:
        image = repository.create(core, properties, tags)
    except sqlalchemy.exc.IntegrityError:
        raise ImageExists(image_id=image_id) from None
    return wsgi.json_response(views.image(image), status=201,
                              headers={"Location": f"/v2/images/{image_id}",
                                       "OpenStack-image-import-methods": "glance-direct"})


def _new_id() -> str:
    return str(uuid.uuid4())


def show(request: wsgi.Request, image_id: str) -> webob.Response:
    ctxt = request.context
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, "get_image", image["owner"])
    return wsgi.json_response(views.image(image))


def update(request: wsgi.Request, image_id: str) -> webob.Response:
    ctxt = request.context
    changes = patch.parse(request.content_type, request.body)
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, "modify_image", image["owner"])
    core = {key: image[key] for key in validation.WRITABLE_CORE if key != "tags"}
    core["tags"] = list(image["tags"])
    properties = dict(image["properties"])
    for change in changes:
        _apply(change, core, properties)
    validation.check_property_count(properties)
    if core["owner"] != image["owner"]:
        access.authorize(ctxt, "set_image_owner", core["owner"])
    if core["visibility"] != image["visibility"]:
        _authorize_visibility(ctxt, core["visibility"], image["owner"])
    tags = core.pop("tags")
    values = {key: value for key, value in core.items() if value != image[key]}
    updated = repository.update(image_id, values, properties, tags)
    if updated is None:
        raise access.ImageNotFound(image_id=image_id)
    return wsgi.json_response(views.image(updated))


def _apply(change: patch.Change, core: dict[str, Any], properties: dict[str, str]) -> None:
    key = change.path
    validation.check_writable(key)
    if key == "id":
        raise exception.Forbidden(message="Attribute 'id' is read-only.")
    if change.op == "remove":
        if key in validation.WRITABLE_CORE:
            raise exception.Forbidden(message=f"Property {key} may not be removed.")
        if key not in properties:
            raise exception.Conflict(message=f"Property {key} does not exist.")
        del properties[key]
        return
    if key in validation.WRITABLE_CORE:
        validation.check_core(key, change.value)
        core[key] = change.value
        return
    if change.op == "replace" and key not in properties:
        raise exception.Conflict(message=f"Property {key} does not exist.")
    validation.check_property(key, change.value)
    properties[key] = change.value


def delete(request: wsgi.Request, image_id: str) -> webob.Response:
    ctxt = request.context
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, "delete_image", image["owner"])
    if image["protected"]:
        raise exception.Forbidden(message=f"Image {image_id} is protected and cannot be "
                                          "deleted.")
    if not repository.delete(image_id):
        raise access.ImageNotFound(image_id=image_id)
    store().delete(image_id)
    staging().delete(image_id)
    return wsgi.empty_response()


def _transition(request: wsgi.Request, image_id: str, action: str, source: str,
                target: str) -> webob.Response:
    ctxt = request.context
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, action, image["owner"])
    if image["status"] == target:
        return wsgi.empty_response()
    if image["status"] != source or not repository.compare_and_set(
            image_id, [source], {"status": target}):
        raise exception.Invalid(message=f"Not allowed to {action} image in status "
                                        f"'{image['status']}'")
    return wsgi.empty_response()


def deactivate(request: wsgi.Request, image_id: str) -> webob.Response:
    return _transition(request, image_id, "deactivate", "active", "deactivated")


def reactivate(request: wsgi.Request, image_id: str) -> webob.Response:
    return _transition(request, image_id, "reactivate", "deactivated", "active")


def add_tag(request: wsgi.Request, image_id: str, tag: str) -> webob.Response:
    ctxt = request.context
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, "modify_image", image["owner"])
    validation.check_core("tags", sorted({*image["tags"], tag}))
    repository.add_tag(image_id, tag)
    return wsgi.empty_response()


def delete_tag(request: wsgi.Request, image_id: str, tag: str) -> webob.Response:
    ctxt = request.context
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, "modify_image", image["owner"])
    if not repository.delete_tag(image_id, tag):
        raise exception.NotFound(message=f"Tag {tag} not found.")
    return wsgi.empty_response()


# ---- listing -------------------------------------------------------------------------

_IN_FILTERS = ("id", "name", "status", "disk_format", "container_format", "owner")
_TIME_FILTERS = ("created_at", "updated_at")
_TIME_OPERATORS = ("gt", "gte", "lt", "lte", "eq", "neq")
_RESERVED_PARAMS = frozenset({"limit", "marker", "sort", "sort_key", "sort_dir", "visibility",
                              "member_status", "tag", "os_hidden", "protected", "size_min",
                              "size_max", *_IN_FILTERS, *_TIME_FILTERS})


def _bool_param(name: str, value: str) -> bool:
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off"):
        return False
    raise exception.Invalid(message=f"Invalid value '{value}' for parameter '{name}': "
                                    "expected a boolean.")


def _int_param(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise exception.Invalid(message=f"{name} param must be an integer") from None
    if number < 0:
        raise exception.Invalid(message=f"{name} param must be positive")
    if number > MAX_BIGINT:  # the size column is 64-bit
        raise exception.Invalid(message=f"{name} param must be at most {MAX_BIGINT}")
    return number


def _parse_time(name: str, value: str) -> tuple[str, datetime.datetime]:
    operator, _, stamp = value.partition(":")
    if operator not in _TIME_OPERATORS or not stamp:
        operator, stamp = "eq", value
    try:
        moment = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise exception.Invalid(message=f"Invalid {name} value: {value}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return operator, moment


def _sort_params(params: Any) -> list[tuple[str, str]]:
    sort = params.getall("sort")
    keys = params.getall("sort_key")
    dirs = params.getall("sort_dir")
    pairs: list[tuple[str, str]] = []
    if sort:
        if keys or dirs:
            raise exception.Invalid(message="The 'sort' parameter cannot be combined with "
                                            "'sort_key' or 'sort_dir'.")
        for item in ",".join(sort).split(","):
            key, _, direction = item.strip().partition(":")
            pairs.append((key.strip(), direction.strip() or "desc"))
    else:
        if len(dirs) > 1 and len(dirs) != len(keys):
            raise exception.Invalid(message="Number of sort dirs does not match the number "
                                            "of sort keys")
        keys = keys or ["created_at"]
        if len(dirs) <= 1:
            dirs = [dirs[0] if dirs else "desc"] * len(keys)
        pairs = list(zip(keys, dirs, strict=True))
    for key, direction in pairs:
        if key not in repository.SORT_KEYS:
            known = ", ".join(sorted(repository.SORT_KEYS))
            raise exception.Invalid(message=f"Invalid sort key: {key}. It should be one of "
                                            f"the following: {known}.")
        if direction not in ("asc", "desc"):
            raise exception.Invalid(message=f"Invalid sort direction: {direction}")
    return pairs


def index(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    access.authorize(ctxt, "get_images", ctxt.project_id)
    params = request.GET
    limit = CONF.image.limit_param_default
    if "limit" in params:
        limit = _int_param("limit", params["limit"])
    limit = min(limit, CONF.image.api_limit_max)
    visibility = params.get("visibility")
    if visibility is not None and visibility not in (*schemas.VISIBILITIES, "all"):
        raise exception.Invalid(message=f"Invalid visibility value: {visibility}")
    member_status = params.get("member_status", "accepted")
    if member_status not in (*repository.MEMBER_STATUSES, "all"):
        raise exception.Invalid(message=f"Invalid status value: {member_status}")
    statuses = repository.MEMBER_STATUSES if member_status == "all" else (member_status,)
    filters: list[Any] = [repository.column("os_hidden").is_(
        _bool_param("os_hidden", params.get("os_hidden", "false")))]
    if "protected" in params:
        filters.append(repository.column("protected").is_(
            _bool_param("protected", params["protected"])))
    for name in _IN_FILTERS:
        if name in params:
            value = params[name]
            column = repository.column(name)
            if value.startswith("in:"):
                filters.append(column.in_([v.strip() for v in value[3:].split(",")]))
            else:
                filters.append(column == value)
    if "size_min" in params:
        filters.append(repository.column("size") >= _int_param("size_min", params["size_min"]))
    if "size_max" in params:
        filters.append(repository.column("size") <= _int_param("size_max", params["size_max"]))
    for name in _TIME_FILTERS:
        for value in params.getall(name):
            operator, moment = _parse_time(name, value)
            filters.append(repository.time_filter(name, operator, moment))
    properties = {key: value for key, value in params.items()
                  if key not in _RESERVED_PARAMS}
    sort = _sort_params(params)
    marker = params.get("marker")
    try:
        images = repository.list_images(
            ctxt.project_id, ctxt.is_admin, visibility=visibility, member_statuses=statuses,
            filters=filters, tags=params.getall("tag"), properties=properties, sort=sort,
            limit=limit, marker=marker) if limit else []
    except repository.MarkerNotFound:
        raise exception.Invalid(message=f"Invalid marker. Image {marker} could not be "
                                        "found.") from None
    others = [(k, v) for k, v in params.items() if k != "marker"]
    body: dict[str, Any] = {
        "images": [views.image(image) for image in images],
        "first": "/v2/images" + (f"?{urllib.parse.urlencode(others)}" if others else ""),
        "schema": "/v2/schemas/images"}
    if images and len(images) == limit:
        query = urllib.parse.urlencode([*others, ("marker", images[-1]["id"])])
        body["next"] = f"/v2/images?{query}"
    return wsgi.json_response(body)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2/images", index),
    wsgi.Route("POST", "/v2/images", create),
    wsgi.Route("GET", "/v2/images/{image_id}", show),
    wsgi.Route("PATCH", "/v2/images/{image_id}", update),
    wsgi.Route("DELETE", "/v2/images/{image_id}", delete),
    wsgi.Route("POST", "/v2/images/{image_id}/actions/deactivate", deactivate),
    wsgi.Route("POST", "/v2/images/{image_id}/actions/reactivate", reactivate),
    wsgi.Route("PUT", "/v2/images/{image_id}/tags/{tag}", add_tag),
    wsgi.Route("DELETE", "/v2/images/{image_id}/tags/{tag}", delete_tag),
)
