"""HTTP client of the image service (Glance v2), used with the caller's token: the API
reads the image of a new server, compute nodes download it (boot flow steps 19–21);
snapshots, backups and shelving make image records, upload a guest's disk, list a
server's backups and delete what is no longer wanted.

The endpoint is the token catalog's public ``image`` endpoint, as every OpenStack
service finds Glance; else ``[glance] api_servers``; else this cloud's own image
service (``[DEFAULT] public_host``, ``[image] bind_port``).
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import requests

from novalite.common import exception
from novalite.common.service_client import ServiceClient
from novalite.conf import CONF


class ImageClient(ServiceClient):
    service_type = "image"
    service_name = "image service"
    version = "/v2"

    def fallback_endpoint(self) -> str | None:
        servers = CONF.glance.api_servers
        if servers:
            return str(servers[0])
        return f"http://{CONF.public_host}:{CONF.image.bind_port}"

    def get(self, image_id: str) -> dict[str, Any]:
        """The image record; ``ImageNotFound`` when it does not exist or is not visible."""
        try:
            return self.get_json(f"/images/{_quote(image_id)}")
        except (exception.NotFound, exception.Forbidden, exception.Invalid):
            raise exception.ImageNotFound(image_id=image_id) from None

    def open_data(self, image_id: str) -> requests.Response:
        """The image's data as a streamed answer (the caller closes it); a stall longer
        than ``[glance] download_timeout`` fails it."""
        try:
            return self.request("GET", f"/images/{_quote(image_id)}/file", stream=True,
                                timeout=CONF.glance.download_timeout)
        except (exception.NotFound, exception.Forbidden):
            raise exception.ImageNotFound(image_id=image_id) from None


    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """A new (queued) image record; ``body`` holds core fields and properties."""
        created: dict[str, Any] = self.post_json("/images", body)
        return created

    def update(self, image_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Set core fields or properties (a JSON patch of ``add`` operations, which
        replace a value that is there)."""
        patch = [{"op": "add", "path": f"/{key}", "value": value}
                 for key, value in values.items()]
        response = self.request(
            "PATCH", f"/images/{_quote(image_id)}", data=json.dumps(patch),
            headers={"Content-Type": "application/openstack-images-v2.1-json-patch"})
        updated: dict[str, Any] = self._json(response)
        return updated

    def patch(self, image_id: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply a JSON patch (``add``, ``replace``, ``remove`` operations)."""
        response = self.request(
            "PATCH", f"/images/{_quote(image_id)}", data=json.dumps(operations),
            headers={"Content-Type": "application/openstack-images-v2.1-json-patch"})
        patched: dict[str, Any] = self._json(response)
        return patched

    def upload(self, image_id: str, path: str) -> None:
        """Upload the file at ``path`` as the image's data (queued → active)."""
        with open(path, "rb") as handle:
            self.request("PUT", f"/images/{_quote(image_id)}/file", data=handle,
                         headers={"Content-Type": "application/octet-stream"},
                         timeout=CONF.glance.download_timeout).close()

    def delete_image(self, image_id: str) -> None:
        """Delete an image; one already gone is not an error."""
        try:
            self.delete(f"/images/{_quote(image_id)}")
        except exception.NotFound:
            pass

    def list_images(self, sort: str = "created_at:desc", **filters: str
                    ) -> list[dict[str, Any]]:
        """Every image matching ``filters`` (core fields or properties), all pages."""
        found: list[dict[str, Any]] = []
        params: dict[str, str] = {**filters, "sort": sort, "limit": "200"}
        while True:
            page = self.get_json("/images", params=params)
            found.extend(page.get("images") or [])
            images = page.get("images") or []
            if not page.get("next") or not images:
                return found
            params = {**params, "marker": str(images[-1]["id"])}


def _quote(image_id: str) -> str:
    return urllib.parse.quote(str(image_id), safe="")


# Image record fields that are not custom properties (everything else is one).
CORE_FIELDS = frozenset({
    "id", "name", "status", "visibility", "protected", "checksum", "owner", "size",
    "virtual_size", "min_ram", "min_disk", "disk_format", "container_format", "created_at",
    "updated_at", "tags", "self", "file", "schema", "os_hash_algo", "os_hash_value",
    "os_hidden", "direct_url", "locations", "stores"})


def properties(image: dict[str, Any]) -> dict[str, Any]:
    """The image's custom properties (``kernel_id``, ``hw_*`` ...), as Nova's image meta has."""
    return {key: value for key, value in image.items() if key not in CORE_FIELDS}
