"""Server actions that move a server or change its size: resize, confirmResize,
revertResize, migrate, os-migrateLive and evacuate."""

from __future__ import annotations

import secrets
from typing import Any

import webob

from novalite.api.compute import common
from novalite.api.compute import schemas as validation
from novalite.api.compute.schemas import server_actions as schemas
from novalite.api.compute.servers import compute_api
from novalite.common import exception, policy, wsgi
from novalite.common.wsgi import Request
from novalite.conf import CONF

Handler = Any


def _flavor_id(reference: Any) -> str:
    return str(reference).rstrip("/").rsplit("/", 1)[-1]


def resize(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    validation.validate(schemas.RESIZE, body, "resize")
    compute_api().resize(request.context, instance, _flavor_id(body["flavorRef"]))
    return wsgi.empty_response(202)


def confirm_resize(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    compute_api().confirm_resize(request.context, instance)
    return wsgi.empty_response(204)


def revert_resize(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    compute_api().revert_resize(request.context, instance)
    return wsgi.empty_response(202)


def migrate(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    """Cold migration to another host (2.56: ``host``, checked at once)."""
    schema = schemas.migrate(common.version(request))
    host = None
    if schema is not None:
        validation.validate(schema, body, "migrate")
        host = (body or {}).get("host")
        if host is not None:
            policy.authorize(request.context, "os_compute_api:os-migrate-server:migrate:host",
                             {"project_id": instance["project_id"]})
    compute_api().resize(request.context, instance, None, host=host)
    return wsgi.empty_response(202)


def live_migrate(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    """Asynchronous from 2.34: with no host for it, the server stays as it was with a
    fault and the migration in error; before, a 400 says why."""
    validation.validate(schemas.live_migrate(common.version(request)), body,
                        "os-migrateLive")
    block = body.get("block_migration")
    block_migration = None if block == "auto" else common.parse_bool(block, "block_migration")
    do_cast = common.at_least(request, "2.34")
    try:
        compute_api().live_migrate(request.context, instance, body.get("host"),
                                   block_migration, do_cast=do_cast)
    except exception.NoValidHost as error:
        raise exception.Invalid(message=error.message) from None
    return wsgi.empty_response(202)


def evacuate(request: Request, instance: dict[str, Any], body: Any) -> webob.Response:
    """200; below 2.14 with the new ``adminPass`` (``[api] enable_instance_password``)."""
    validation.validate(schemas.evacuate(common.version(request)), body, "evacuate")
    password = body.get("adminPass") or secrets.token_urlsafe(9)
    compute_api().evacuate(request.context, instance, body.get("host"), password)
    if common.at_least(request, "2.14") or not CONF.api.enable_instance_password:
        return wsgi.empty_response(200)
    return wsgi.json_response({"adminPass": password})


ACTIONS: dict[str, tuple[str, Handler]] = {
    "resize": ("os_compute_api:servers:resize", resize),
    "confirmResize": ("os_compute_api:servers:confirm_resize", confirm_resize),
    "revertResize": ("os_compute_api:servers:revert_resize", revert_resize),
    "migrate": ("os_compute_api:os-migrate-server:migrate", migrate),
    "os-migrateLive": ("os_compute_api:os-migrate-server:migrate_live", live_migrate),
    "evacuate": ("os_compute_api:os-evacuate", evacuate),
}
