"""Image data: upload (``PUT .../file``) and download (``GET .../file``).

Upload moves the image queued → saving atomically (a second upload gets 409),
streams the body into the file store while hashing, then saving → active with
size, ``checksum`` (md5), ``os_hash_algo`` (sha512) and ``os_hash_value``. If the
image was deleted meanwhile the new file is removed and the client gets 410.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import webob

from novalite.common import exception, policy, wsgi
from novalite.conf import CONF
from novalite.image import repository
from novalite.image.api import access, quota
from novalite.image.api.images import store
from novalite.image.api.patch import UnsupportedMediaType
from novalite.image.store import CHUNK_SIZE, ImageTooLarge


class Gone(exception.NovaliteException):
    msg_fmt = "Image %(image_id)s could not be found after upload. The image may have " \
              "been deleted during the upload."
    code = 410


def _body_chunks(environ: dict[str, Any]) -> Iterator[bytes]:
    """The whole body as it arrives, a chunk at a time (never all of it in memory); read
    to its end whatever Content-Length says, so a body longer than declared is seen."""
    stream = environ["wsgi.input"]
    while chunk := stream.read(CHUNK_SIZE):
        yield chunk


def upload(request: wsgi.Request, image_id: str) -> webob.Response:
    ctxt = request.context
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, "upload_image", image["owner"])
    content_type = (request.headers.get("Content-Type") or "application/octet-stream")
    if content_type.split(";")[0].strip() != "application/octet-stream":
        raise UnsupportedMediaType(reason="Content-Type must be application/octet-stream.")
    if not image["disk_format"] or not image["container_format"]:
        raise exception.Invalid(message="Properties disk_format, container_format must be "
                                        "set prior to saving data.")
    cap = CONF.image.image_size_cap
    if request.content_length is not None and request.content_length > cap:
        raise ImageTooLarge(reason=f"more than {cap} bytes")
    room = quota.room(image["owner"], request.content_length)
    if not repository.compare_and_set(image_id, ["queued"], {"status": "saving"}):
        current = repository.get(image_id)
        if current is None:
            raise access.ImageNotFound(image_id=image_id)
        raise exception.Conflict(message=f"Image status transition from {current['status']} "
                                         "to saving is not allowed")
    expected: dict[str, int] = {}
    if request.content_length is not None:
        expected["Content-Length"] = request.content_length
    if image["size"] is not None:
        expected["the image's size"] = image["size"]
    file_store = store()
    try:
        stored = file_store.add(image_id, _body_chunks(request.environ), room, expected)
    except ImageTooLarge:
        repository.compare_and_set(image_id, ["saving"], {"status": "queued"})
        if room < cap:
            raise quota.QuotaExceeded(reason=f"more than the {room} bytes left") from None
        raise
    except BaseException:
        repository.compare_and_set(image_id, ["saving"], {"status": "queued"})
        raise
    virtual_size = stored.qcow2_virtual_size
    if virtual_size is None and image["disk_format"] in ("raw", "iso"):
        virtual_size = stored.size
    finished = repository.compare_and_set(image_id, ["saving"], {
        "status": "active", "size": stored.size, "virtual_size": virtual_size,
        "checksum": stored.checksum, "os_hash_algo": stored.os_hash_algo,
        "os_hash_value": stored.os_hash_value})
    if not finished:
        if repository.get(image_id) is None:
            file_store.delete(image_id)
            raise Gone(image_id=image_id)
        raise exception.Conflict(message="The image changed status during the upload.")
    return wsgi.empty_response()


def download(request: wsgi.Request, image_id: str) -> webob.Response:
    ctxt = request.context
    image = access.load_visible(ctxt, image_id)
    access.authorize(ctxt, "download_image", image["owner"])
    if image["status"] == "deactivated" and not policy.check(
            ctxt, "image:download_deactivated", {"project_id": image["owner"] or ""}):
        raise exception.Forbidden(message="The requested image has been deactivated. Image "
                                          "data download is forbidden.")
    if image["status"] not in ("active", "deactivated") or image["size"] is None:
        return wsgi.empty_response()
    try:
        chunks = store().iter_data(image_id)
    except FileNotFoundError:
        raise exception.NotFound(message=f"Image data for {image_id} is not in the "
                                         "store.") from None
    response = webob.Response(status=200, content_type="application/octet-stream",
                              app_iter=chunks)
    response.content_length = image["size"]
    if image["checksum"]:
        response.headers["Content-MD5"] = image["checksum"]
    return response


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("PUT", "/v2/images/{image_id}/file", upload),
    wsgi.Route("GET", "/v2/images/{image_id}/file", download),
)
