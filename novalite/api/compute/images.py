"""The deprecated image proxy: ``/images`` (list, detail, show, delete) and
``/images/{id}/metadata`` (Nova's image-metadata), both read from and written to the image
service with the caller's token, so the image service's own rules decide what the caller
sees and may change. Gone (a 404) from 2.36 for the images and from 2.39 for the metadata,
as in Nova. Fields and statuses as Nova's images view: ``minRam``, ``minDisk``, ``progress``,
``OS-EXT-IMG-SIZE:size``, ``metadata`` (the image's properties), ``server`` for snapshots.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas.servers import METADATA
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.conf import CONF
from novalite.image import client as image_client

STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING", "uploading": "SAVING",
          "importing": "SAVING", "deleted": "DELETED", "pending_delete": "DELETED",
          "killed": "ERROR", "deactivated": "ERROR"}
PROGRESS = {"queued": 25, "saving": 50, "uploading": 50, "importing": 50, "active": 100}
# Nova's query filters → the image service's (properties for type and server)
FILTERS = {"name": "name", "status": "status", "type": "image_type", "server": "instance_uuid"}


def _require(request: Request, maximum: str) -> None:
    common.require_version(request, maximum=maximum)


def _client(request: Request) -> image_client.ImageClient:
    return image_client.ImageClient(request.context)


def _get(request: Request, image_id: str) -> dict[str, Any]:
    try:
        return _client(request).get(image_id)
    except exception.ImageNotFound:
        raise exception.NotFound(message="Image not found.") from None


def _time(value: Any) -> str | None:
    if not value:
        return None
    text = str(value)
    return text[:19] + "Z" if len(text) >= 19 else text


def _links(request: Request, image_id: str) -> list[dict[str, str]]:
    links = common.links(request, "images", image_id)
    endpoint = _client(request).endpoint.rstrip("/").removesuffix("/v2")
    links.append({"rel": "alternate", "type": "application/vnd.openstack.image",
                  "href": f"{endpoint}/images/{urllib.parse.quote(image_id, safe='')}"})
    return links


def _view(request: Request, image: dict[str, Any]) -> dict[str, Any]:
    image_id = str(image["id"])
    properties = {key: value if isinstance(value, str) else str(value)
                  for key, value in image_client.properties(image).items()}
    status = str(image.get("status") or "")
    view: dict[str, Any] = {
        "id": image_id, "name": image.get("name"), "minRam": int(image.get("min_ram") or 0),
        "minDisk": int(image.get("min_disk") or 0), "metadata": properties,
        "created": _time(image.get("created_at")), "updated": _time(image.get("updated_at")),
        "status": STATUS.get(status, "UNKNOWN"), "progress": PROGRESS.get(status, 0),
        "OS-EXT-IMG-SIZE:size": image.get("size"), "links": _links(request, image_id)}
    server = properties.get("instance_uuid")
    if server:
        view["server"] = {"id": server, "links": common.links(request, "servers", server)}
    return view


def _listed(request: Request) -> tuple[list[dict[str, Any]], int | None]:
    filters = {glance: request.GET[nova] for nova, glance in FILTERS.items()
               if request.GET.get(nova)}
    # Nova's statuses are not the image service's: filtered here
    wanted = filters.pop("status").upper() if "status" in filters else None
    limit, marker = common.page_params(request)
    minimums: dict[str, int] = {}
    for name, field in (("minRam", "min_ram"), ("minDisk", "min_disk")):
        raw = request.GET.get(name)
        if raw is not None:
            try:
                minimums[field] = int(raw)
            except ValueError:
                raise exception.ValidationError(
                    message=f"Invalid input for query parameters {name}. Value: {raw}. "
                            f"'{raw}' is not an integer") from None
    client = _client(request)
    if marker is not None:
        _get(request, marker)
    images = client.list_images(**filters)
    if marker is not None:
        ids = [str(image["id"]) for image in images]
        images = images[ids.index(marker) + 1:] if marker in ids else []
    images = [image for image in images
              if (wanted is None or STATUS.get(str(image.get("status")), "UNKNOWN") == wanted)
              and all(int(image.get(field) or 0) >= value for field, value in minimums.items())]
    return images[:limit], (limit if len(images) > limit else None)


def _list_response(request: Request, images: list[dict[str, Any]], more: int | None,
                   detail: bool) -> webob.Response:
    if detail:
        items = [_view(request, image) for image in images]
    else:
        items = [{"id": str(image["id"]), "name": image.get("name"),
                  "links": _links(request, str(image["id"]))} for image in images]
    body: dict[str, Any] = {"images": items}
    if more and images:
        body["images_links"] = common.next_link(request, "images", str(images[-1]["id"]))
    return wsgi.json_response(body)


def index(request: Request) -> webob.Response:
    _require(request, "2.35")
    policy.authorize(request.context, "os_compute_api:images")
    images, more = _listed(request)
    return _list_response(request, images, more, detail=False)


def detail(request: Request) -> webob.Response:
    _require(request, "2.35")
    policy.authorize(request.context, "os_compute_api:images")
    images, more = _listed(request)
    return _list_response(request, images, more, detail=True)


def show(request: Request, image_id: str) -> webob.Response:
    _require(request, "2.35")
    policy.authorize(request.context, "os_compute_api:images")
    return wsgi.json_response({"image": _view(request, _get(request, image_id))})


def delete(request: Request, image_id: str) -> webob.Response:
    _require(request, "2.35")
    policy.authorize(request.context, "os_compute_api:images")
    _get(request, image_id)
    try:
        _client(request).delete(f"/images/{urllib.parse.quote(image_id, safe='')}")
    except exception.NotFound:
        raise exception.NotFound(message="Image not found.") from None
    except exception.Forbidden:
        raise exception.Forbidden(message="You are not allowed to delete the image.") from None
    return wsgi.empty_response(204)


# image metadata (gone from 2.39)

def _metadata(image: dict[str, Any]) -> dict[str, str]:
    return {key: value if isinstance(value, str) else str(value)
            for key, value in image_client.properties(image).items()}


def _metadata_body(request: Request, key: str) -> dict[str, str]:
    body = request.json_body_dict()
    validation.validate({"type": "object", "properties": {key: METADATA},
                         "required": [key], "additionalProperties": False}, body)
    return dict(body[key])


def _save(request: Request, image: dict[str, Any], wanted: dict[str, str]
          ) -> dict[str, str]:
    """Make the image's properties ``wanted`` (adding, replacing and removing)."""
    if len(wanted) > CONF.quota.metadata_items >= 0:
        raise exception.OverQuota(message="Quota exceeded for metadata_items: Maximum number "
                                          f"of metadata items exceeds "
                                          f"{CONF.quota.metadata_items}")
    current = _metadata(image)
    patch: list[dict[str, Any]] = [
        {"op": "remove", "path": f"/{key}"} for key in current if key not in wanted]
    patch += [{"op": "add", "path": f"/{key}", "value": value}
              for key, value in wanted.items() if current.get(key) != value]
    if not patch:
        return current
    try:
        updated = _client(request).patch(str(image["id"]), patch)
    except exception.Forbidden:
        raise exception.Forbidden(message="You are not allowed to modify the image.") from None
    except exception.Invalid as error:
        raise exception.Invalid(message=str(error)) from None
    return _metadata(updated)


def _metadata_target(request: Request, image_id: str, action: str) -> dict[str, Any]:
    _require(request, "2.38")
    policy.authorize(request.context, f"os_compute_api:image-metadata:{action}")
    return _get(request, image_id)


def metadata_index(request: Request, image_id: str) -> webob.Response:
    image = _metadata_target(request, image_id, "index")
    return wsgi.json_response({"metadata": _metadata(image)})


def metadata_create(request: Request, image_id: str) -> webob.Response:
    _require(request, "2.38")
    metadata = _metadata_body(request, "metadata")
    image = _metadata_target(request, image_id, "create")
    merged = _save(request, image, {**_metadata(image), **metadata})
    return wsgi.json_response({"metadata": merged})


def metadata_update_all(request: Request, image_id: str) -> webob.Response:
    _require(request, "2.38")
    metadata = _metadata_body(request, "metadata")
    image = _metadata_target(request, image_id, "update_all")
    return wsgi.json_response({"metadata": _save(request, image, metadata)})


def metadata_show(request: Request, image_id: str, key: str) -> webob.Response:
    image = _metadata_target(request, image_id, "show")
    metadata = _metadata(image)
    if key not in metadata:
        raise exception.NotFound(message=f"Image {image_id} has no metadata item {key}")
    return wsgi.json_response({"meta": {key: metadata[key]}})


def metadata_update(request: Request, image_id: str, key: str) -> webob.Response:
    _require(request, "2.38")
    meta = _metadata_body(request, "meta")
    if key not in meta:
        raise exception.Invalid(message="Request body and URI mismatch")
    if len(meta) > 1:
        raise exception.Invalid(message="Request body contains too many items")
    image = _metadata_target(request, image_id, "update")
    _save(request, image, {**_metadata(image), **meta})
    return wsgi.json_response({"meta": meta})


def metadata_delete(request: Request, image_id: str, key: str) -> webob.Response:
    image = _metadata_target(request, image_id, "delete")
    metadata = _metadata(image)
    if key not in metadata:
        raise exception.NotFound(message=f"Image {image_id} has no metadata item {key}")
    del metadata[key]
    _save(request, image, metadata)
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/images", index),
    wsgi.Route("GET", "/images/detail", detail),
    wsgi.Route("GET", "/images/{image_id}", show),
    wsgi.Route("DELETE", "/images/{image_id}", delete),
    wsgi.Route("GET", "/images/{image_id}/metadata", metadata_index),
    wsgi.Route("POST", "/images/{image_id}/metadata", metadata_create),
    wsgi.Route("PUT", "/images/{image_id}/metadata", metadata_update_all),
    wsgi.Route("GET", "/images/{image_id}/metadata/{key}", metadata_show),
    wsgi.Route("PUT", "/images/{image_id}/metadata/{key}", metadata_update),
    wsgi.Route("DELETE", "/images/{image_id}/metadata/{key}", metadata_delete),
)
