"""HTTP client of the image service, used with the caller's token (boot flow steps 19–21).

The endpoint comes from the token's service catalog (type ``image``, the public
interface), as every OpenStack service finds Glance; without a catalog it falls back
to this cloud's own image service address.
"""

from __future__ import annotations

from typing import Any

import requests

from novalite.common import exception
from novalite.common.context import RequestContext
from novalite.common.service_client import endpoint_from_catalog
from novalite.conf import CONF

_session = requests.Session()


class ImageClient:
    def __init__(self, ctxt: RequestContext) -> None:
        self.ctxt = ctxt
        self.endpoint = (endpoint_from_catalog(ctxt.service_catalog, "image")
                         or f"http://{CONF.public_host}:{CONF.image.bind_port}")

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.ctxt.auth_token:
            headers["X-Auth-Token"] = self.ctxt.auth_token
        headers["X-OpenStack-Request-ID"] = self.ctxt.request_id
        return headers

    def get(self, image_id: str) -> dict[str, Any]:
        """The image record; ``ImageNotFound`` when it does not exist or is not visible."""
        try:
            response = _session.get(f"{self.endpoint}/v2/images/{image_id}",
                                    headers=self._headers(), timeout=30)
        except requests.RequestException as error:
            raise exception.NovaliteException(
                message=f"The image service is unreachable: {error}") from None
        if response.status_code in (400, 403, 404):
            raise exception.ImageNotFound(image_id=image_id)
        if response.status_code != 200:
            raise exception.NovaliteException(
                message=f"The image service answered {response.status_code} for {image_id}")
        return response.json()


# Image record fields that are not custom properties (everything else is one).
CORE_FIELDS = frozenset({
    "id", "name", "status", "visibility", "protected", "checksum", "owner", "size",
    "virtual_size", "min_ram", "min_disk", "disk_format", "container_format", "created_at",
    "updated_at", "tags", "self", "file", "schema", "os_hash_algo", "os_hash_value",
    "os_hidden", "direct_url", "locations", "stores"})


def properties(image: dict[str, Any]) -> dict[str, Any]:
    """The image's custom properties (``kernel_id``, ``hw_*`` ...), as Nova's image meta has."""
    return {key: value for key, value in image.items() if key not in CORE_FIELDS}
