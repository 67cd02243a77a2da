"""The image API (Glance v2 subset) as a WSGI application behind the shared auth middleware.

``make_app(validator)`` builds it; ``make_server(validator)`` binds it to
``[image] bind_host``/``bind_port``. The version documents are public, everything
else needs a token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import webob.exc

from novalite.common import auth, wsgi
from novalite.conf import CONF
from novalite.identity.validation import default_validator
from novalite.image.api import (
    data,
    images,
    imports,
    members,
    metadef_schemas,
    metadefs,
    schemas,
    versions,
)
from novalite.policies import image as image_policies

WSGIApp = Callable[..., Iterable[bytes]]
_IMAGE_FILE = re.compile(r"^/v2/images/[^/]+/file/?$")
PUBLIC_PATHS = frozenset({"", "/", "/versions", "/versions/", "/v2", "/v2/"})


def fault_body(code: int, message: str) -> dict[str, Any]:
    """Glance's (webob's) JSON error: ``{"code": "404 Not Found", "title", "message"}``."""
    title = webob.exc.status_map[code].title if code in webob.exc.status_map else "Error"
    return {"code": f"{code} {title}", "title": title, "message": message}


def make_router() -> wsgi.Router:
    return wsgi.build_router(fault_body, versions.ROUTES, schemas.ROUTES, images.ROUTES,
                             data.ROUTES, members.ROUTES, imports.ROUTES,
                             metadefs.ROUTES, metadef_schemas.ROUTES)


def make_app(validator: auth.TokenValidator | None = None) -> WSGIApp:
    """The image API; ``validator`` defaults to the one ``[keystone_authtoken]`` selects."""
    image_policies.register()
    return wsgi.guard(auth.AuthMiddleware(make_router(), fault_body,
                                          validator or default_validator(),
                                          public_paths=lambda path: path in PUBLIC_PATHS,
                                          service_type="image"),
                      fault_body, unlimited=is_image_data,
                      unlimited_cap=lambda: int(CONF.image.image_size_cap))


def is_image_data(environ: dict[str, Any]) -> bool:
    """Image data (``PUT /v2/images/{id}/file``) is bounded by ``image_size_cap``, not by
    the request body limit."""
    return (environ.get("REQUEST_METHOD") == "PUT"
            and _IMAGE_FILE.match(environ.get("PATH_INFO", "")) is not None)


def make_server(validator: auth.TokenValidator | None = None) -> wsgi.Server:
    """A (not yet started) server on ``[image] bind_host:bind_port``."""
    return wsgi.Server("image", make_app(validator), CONF.image.bind_host,
                       CONF.image.bind_port, threads=CONF.image.workers)
