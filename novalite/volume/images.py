"""The image service as the volume service uses it, with the caller's token: an image's
record and data (a volume made from an image), a new image (a volume uploaded)."""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from typing import Any

from novalite.common import exception
from novalite.common.service_client import ServiceClient
from novalite.conf import CONF

_CHUNK = 1 << 20


class ImageNotFound(exception.NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class ImageService(ServiceClient):
    service_type = "image"
    service_name = "image service"
    version = "/v2"

    def fallback_endpoint(self) -> str | None:
        servers = CONF.glance.api_servers
        if servers:
            return str(servers[0])
        return f"http://{CONF.public_host}:{CONF.image.bind_port}"

    def get(self, image_id: str) -> dict[str, Any]:
        try:
            found: dict[str, Any] = self.get_json(f"/images/{_quote(image_id)}")
        except (exception.NotFound, exception.Forbidden, exception.Invalid):
            raise ImageNotFound(image_id=image_id) from None
        return found

    def download(self, image: dict[str, Any], path: str) -> None:
        """The image's data into ``path``, its size and hash checked as it streams."""
        algorithm = image.get("os_hash_algo")
        digest = (hashlib.new(algorithm) if isinstance(algorithm, str)
                  and algorithm in hashlib.algorithms_available else None)
        size = 0
        response = self.request("GET", f"/images/{_quote(image['id'])}/file", stream=True,
                                timeout=CONF.glance.download_timeout)
        try:
            with response, open(path, "wb") as handle:
                for chunk in response.iter_content(_CHUNK):
                    handle.write(chunk)
                    size += len(chunk)
                    if digest is not None:
                        digest.update(chunk)
        except OSError:
            os.unlink(path)
            raise
        if image.get("size") is not None and size != int(image["size"]):
            raise exception.Invalid(message=f"Image {image['id']} has {size} bytes, its "
                                            f"record says {image['size']}")
        if digest is not None and image.get("os_hash_value") and (
                digest.hexdigest() != image["os_hash_value"]):
            raise exception.Invalid(message=f"Image {image['id']} does not match its "
                                            "checksum")

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self.post_json("/images", body)
        return created

    def upload(self, image_id: str, path: str) -> None:
        with open(path, "rb") as data:
            self.request("PUT", f"/images/{_quote(image_id)}/file", json=None,
                         headers={"Content-Type": "application/octet-stream"},
                         timeout=CONF.glance.download_timeout, data=data).close()

    def delete_image(self, image_id: str) -> None:
        try:
            self.delete(f"/images/{_quote(image_id)}")
        except exception.NotFound:
            pass


def _quote(image_id: str) -> str:
    return urllib.parse.quote(str(image_id), safe="")
