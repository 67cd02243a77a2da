"""Server actions that make images or shelve: createImage, createBackup, shelve,
shelveOffload and unshelve (``POST /servers/{id}/action``)."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import server_actions as schemas
from novalite.api.compute.servers import compute_api
from novalite.common import policy, wsgi
from novalite.common.wsgi import Request
from novalite.compute.api_images import UNSET

Handler = Any


def _image_response(request: Request, image: dict[str, Any], location: bool
                    ) -> webob.Response:
    """2.45+: ``{"image_id"}``; before: a 202 with the image's Location (Nova's
    ``images`` proxy URL under this API)."""
    if common.at_least(request, "2.45"):
        return wsgi.json_response({"image_id": image["id"]}, status=202)
    headers = {}
    if location:
        headers["Location"] = common.links(request, "images", str(image["id"]))[0]["href"]
    return wsgi.empty_response(202, headers=headers)


def create_image(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    validation.validate(schemas.CREATE_IMAGE, body, "createImage")
    image = compute_api().snapshot(request.context, instance, body["name"],
                                   body.get("metadata") or {})
    return _image_response(request, image, location=True)


def create_backup(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    validation.validate(schemas.CREATE_BACKUP, body, "createBackup")
    rotation = int(body["rotation"])
    image = compute_api().backup(request.context, instance, body["name"],
                                 body["backup_type"], rotation, body.get("metadata") or {})
    return _image_response(request, image, location=rotation > 0)


def shelve(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    compute_api().shelve(request.context, instance)
    return wsgi.empty_response(202)


def shelve_offload(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    compute_api().shelve_offload(request.context, instance)
    return wsgi.empty_response(202)


def unshelve(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    """2.77: ``availability_zone``; 2.91: a zone or null (unpinned) and ``host``
    (admin), for a SHELVED_OFFLOADED server only (else 409)."""
    schema = schemas.unshelve(common.version(request))
    if schema is not None:
        validation.validate(schema, body, "unshelve")
    zone: Any = UNSET
    host = None
    if isinstance(body, dict) and schema is not None:
        if "availability_zone" in body:
            zone = body["availability_zone"]
        host = body.get("host")
        if host is not None:
            policy.authorize(request.context, "os_compute_api:os-shelve:unshelve_to_host",
                             {"project_id": instance["project_id"]})
    compute_api().unshelve(request.context, instance, zone, host)
    return wsgi.empty_response(202)


# action name → (policy rule, handler)
ACTIONS: dict[str, tuple[str, Handler]] = {
    "createImage": ("os_compute_api:servers:create_image", create_image),
    "createBackup": ("os_compute_api:os-create-backup", create_backup),
    "shelve": ("os_compute_api:os-shelve:shelve", shelve),
    "shelveOffload": ("os_compute_api:os-shelve:shelve_offload", shelve_offload),
    "unshelve": ("os_compute_api:os-shelve:unshelve", unshelve),
}
