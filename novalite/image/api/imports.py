"""Interoperable image import and the discovery calls (``/v2/info/...``).

- ``PUT /v2/images/{id}/stage``: the data goes to the staging area (queued → uploading).
- ``POST /v2/images/{id}/import`` with ``glance-direct``: the staged data moves into the
  store, hashed as an upload is (uploading → importing → active), before the 202. The
  other methods Glance knows are refused with a 400 that says why: ``web-download`` and
  ``glance-download`` need an outside network this cloud does not have, ``copy-image``
  a second store.
- ``GET /v2/info/import``, ``/v2/info/stores`` (and ``/detail`` for admins): the one
  import method and the one store, ``file``.
- ``GET /v2/info/usage``: the project's image usage against ``[image]
  user_storage_quota`` (``image_size_total``, MiB as Glance counts it); uploads and
  stages past it are a 413.
"""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import exception, wsgi
from novalite.conf import CONF
from novalite.image import repository
from novalite.image.api import access, quota
from novalite.image.api.data import Gone, _body_chunks
from novalite.image.api.images import store
from novalite.image.api.patch import UnsupportedMediaType
from novalite.image.api.quota import staging
from novalite.image.store import ImageTooLarge

METHODS = ("glance-direct",)
STORE_ID = "file"
_REFUSED = {
    "web-download": "this cloud has no outside network to download from",
    "glance-download": "this cloud has no outside network to reach another Glance",
    "copy-image": "this cloud has a single store (file)",
}


def stage(request: wsgi.Request, image_id: str) -> webob.Response:
    ctxt = request.context
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, "upload_image", image["owner"])
    content_type = request.headers.get("Content-Type") or "application/octet-stream"
    if content_type.split(";")[0].strip() != "application/octet-stream":
        raise UnsupportedMediaType(reason="Content-Type must be application/octet-stream.")
    room = quota.room(image["owner"], request.content_length, staging_data=True)
    if not repository.compare_and_set(image_id, ["queued"], {"status": "uploading"}):
        raise exception.Conflict(message=f"Image status transition from {image['status']} "
                                         "to uploading is not allowed")
    expected = ({"Content-Length": request.content_length}
                if request.content_length is not None else {})
    try:
        staging().add(image_id, _body_chunks(request.environ), room, expected)
    except ImageTooLarge:
        repository.compare_and_set(image_id, ["uploading"], {"status": "queued"})
        if room < CONF.image.image_size_cap:
            raise quota.QuotaExceeded(reason=f"more than {room} bytes left") from None
        raise
    except BaseException:
        repository.compare_and_set(image_id, ["uploading"], {"status": "queued"})
        raise
    if repository.get(image_id) is None:
        staging().delete(image_id)
        raise Gone(image_id=image_id)
    return wsgi.empty_response()


def _method(body: Any) -> tuple[str, list[str]]:
    if not isinstance(body, dict) or not isinstance(body.get("method"), dict):
        raise exception.Invalid(message="Import request requires a 'method' field.")
    name = body["method"].get("name")
    if not isinstance(name, str):
        raise exception.Invalid(message="Import request requires a 'method' with a 'name'.")
    if name in _REFUSED:
        raise exception.Invalid(message=f"Import method {name} is not available: "
                                        f"{_REFUSED[name]}. Available: glance-direct.")
    if name not in METHODS:
        raise exception.Invalid(message=f"Unknown import method name '{name}'.")
    stores = body.get("stores")
    if stores is None:
        stores = [STORE_ID]
    if not isinstance(stores, list) or not all(isinstance(s, str) for s in stores):
        raise exception.Invalid(message="'stores' must be a list of store identifiers.")
    for store_id in stores:
        if store_id != STORE_ID:
            raise exception.Invalid(message=f"Store for identifier {store_id} not found")
    if "all_stores" in body and not isinstance(body["all_stores"], bool):
        raise exception.Invalid(message="'all_stores' must be a boolean.")
    return name, stores


def import_image(request: wsgi.Request, image_id: str) -> webob.Response:
    ctxt = request.context
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, "upload_image", image["owner"])
    _method(request.json_body_dict())
    if image["status"] != "uploading" or not staging().exists(image_id):
        raise exception.Conflict(message="Image needs to be staged before 'glance-direct' "
                                         "method can be used")
    if not image["disk_format"] or not image["container_format"]:
        raise exception.Conflict(message="'disk_format' and 'container_format' must be set "
                                         "before import")
    if not repository.compare_and_set(image_id, ["uploading"], {"status": "importing"}):
        raise exception.Conflict(message="The image is being imported already.")
    try:
        stored = store().add(image_id, staging().iter_data(image_id),
                             CONF.image.image_size_cap,
                             {"the image's size": image["size"]} if image["size"] else None)
    except BaseException:
        repository.compare_and_set(image_id, ["importing"], {"status": "uploading"})
        raise
    virtual_size = stored.qcow2_virtual_size
    if virtual_size is None and image["disk_format"] in ("raw", "iso"):
        virtual_size = stored.size
    finished = repository.compare_and_set(image_id, ["importing"], {
        "status": "active", "size": stored.size, "virtual_size": virtual_size,
        "checksum": stored.checksum, "os_hash_algo": stored.os_hash_algo,
        "os_hash_value": stored.os_hash_value})
    staging().delete(image_id)
    if not finished:
        store().delete(image_id)
        raise Gone(image_id=image_id)
    return wsgi.empty_response(status=202)


def import_info(request: wsgi.Request) -> webob.Response:
    return wsgi.json_response({"import-methods": {
        "description": "Import methods available.", "type": "array", "value": list(METHODS)}})


def _store() -> dict[str, Any]:
    return {"id": STORE_ID, "description": "The image service's file store", "default": True}


def stores_info(request: wsgi.Request) -> webob.Response:
    return wsgi.json_response({"stores": [_store()]})


def stores_detail(request: wsgi.Request) -> webob.Response:
    access.authorize(request.context, "stores_info_detail")
    return wsgi.json_response({"stores": [{
        **_store(), "type": "file", "weight": 0,
        "properties": {"data_dir": store().datadir, "chunk_size": 65536,
                       "thin_provisioning": False}}]})


def usage(request: wsgi.Request) -> webob.Response:
    ctxt = request.context
    access.authorize(ctxt, "get_images", ctxt.project_id)
    used = quota.usage(ctxt.project_id or "")
    limits = quota.limits(ctxt.project_id)
    mib = quota.MIB
    return wsgi.json_response({"usage": {
        "image_size_total": {"limit": limits["image_size_total"],
                             "usage": -(-used["size"] // mib)},
        "image_stage_total": {"limit": limits["image_stage_total"],
                              "usage": -(-used["staged"] // mib)},
        "image_count_total": {"limit": limits["image_count_total"], "usage": used["count"]},
        "image_count_uploading": {"limit": limits["image_count_uploading"],
                                  "usage": used["uploading"]},
    }})


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("PUT", "/v2/images/{image_id}/stage", stage),
    wsgi.Route("POST", "/v2/images/{image_id}/import", import_image),
    wsgi.Route("GET", "/v2/info/import", import_info),
    wsgi.Route("GET", "/v2/info/stores", stores_info),
    wsgi.Route("GET", "/v2/info/stores/detail", stores_detail),
    wsgi.Route("GET", "/v2/info/usage", usage),
)
