"""The image API (Glance v2 subset) as a WSGI application behind the shared auth middleware.

``make_app(validator)`` builds it; ``make_server(validator)`` binds it to
``[image] bind_host``/``bind_port``. The version documents are public, everything
else needs a token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import webob.exc

from novalite.common import auth, wsgi
from novalite.conf import CONF
from novalite.identity.validation import default_validator
from novalite.image.api import data, images, members, schemas, versions
from novalite.policies import image as image_policies

WSGIApp = Callable[..., Iterable[bytes]]
PUBLIC_PATHS = frozenset({"", "/", "/versions", "/versions/", "/v2", "/v2/"})


def fault_body(code: int, message: str) -> dict[str, Any]:
    """Glance's (webob's) JSON error: ``{"code": "404 Not Found", "title", "message"}``."""
    title = webob.exc.status_map[code].title if code in webob.exc.status_map else "Error"
    return {"code": f"{code} {title}", "title": title, "message": message}


def _schema(build: Callable[[], dict[str, Any]]) -> wsgi.Handler:
    def handler(request: wsgi.Request) -> webob.Response:
        request.context  # noqa: B018 - schemas need a token, as in Glance
        return wsgi.json_response(build())

    return handler


def make_router() -> wsgi.Router:
    router = wsgi.Router(fault_body)
    router.add("GET", "/", versions.multiple_choices)
    router.add("GET", "/versions", versions.index)
    router.add("GET", "/v2", versions.multiple_choices)
    router.add("GET", "/v2/schemas/image", _schema(schemas.image_schema))
    router.add("GET", "/v2/schemas/images", _schema(schemas.images_schema))
    router.add("GET", "/v2/schemas/member", _schema(schemas.member_schema))
    router.add("GET", "/v2/schemas/members", _schema(schemas.members_schema))
    router.add("GET", "/v2/images", images.index)
    router.add("POST", "/v2/images", images.create)
    router.add("GET", "/v2/images/{image_id}", images.show)
    router.add("PATCH", "/v2/images/{image_id}", images.update)
    router.add("DELETE", "/v2/images/{image_id}", images.delete)
    router.add("PUT", "/v2/images/{image_id}/file", data.upload)
    router.add("GET", "/v2/images/{image_id}/file", data.download)
    router.add("POST", "/v2/images/{image_id}/actions/deactivate", images.deactivate)
    router.add("POST", "/v2/images/{image_id}/actions/reactivate", images.reactivate)
    router.add("PUT", "/v2/images/{image_id}/tags/{tag}", images.add_tag)
    router.add("DELETE", "/v2/images/{image_id}/tags/{tag}", images.delete_tag)
    router.add("GET", "/v2/images/{image_id}/members", members.index)
    router.add("POST", "/v2/images/{image_id}/members", members.create)
    router.add("GET", "/v2/images/{image_id}/members/{member_id}", members.show)
    router.add("PUT", "/v2/images/{image_id}/members/{member_id}", members.update)
    router.add("DELETE", "/v2/images/{image_id}/members/{member_id}", members.delete)
    return router


def make_app(validator: auth.TokenValidator | None = None) -> WSGIApp:
    """The image API; ``validator`` defaults to the one ``[keystone_authtoken]`` selects."""
    image_policies.register()
    return auth.AuthMiddleware(make_router(), fault_body,
                               validator or default_validator(),
                               public_paths=lambda path: path in PUBLIC_PATHS)


def make_server(validator: auth.TokenValidator | None = None) -> wsgi.Server:
    """A (not yet started) server on ``[image] bind_host:bind_port``."""
    return wsgi.Server("image", make_app(validator), CONF.image.bind_host,
                       CONF.image.bind_port, threads=CONF.image.workers)
