"""Glance's version document: ``GET /`` answers 300 Multiple Choices, ``/versions`` 200."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import wsgi

CURRENT = 17


def document(host_url: str) -> dict[str, Any]:
    href = f"{host_url.rstrip('/')}/v2/"
    versions = [{"id": f"v2.{minor}", "status": "CURRENT" if minor == CURRENT else "SUPPORTED",
                 "links": [{"rel": "self", "href": href}]}
                for minor in range(CURRENT, -1, -1)]
    return {"versions": versions}


def multiple_choices(request: wsgi.Request) -> webob.Response:
    return wsgi.json_response(document(request.host_url), status=300)


def index(request: wsgi.Request) -> webob.Response:
    return wsgi.json_response(document(request.host_url))


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/", multiple_choices),
    wsgi.Route("GET", "/versions", index),
    wsgi.Route("GET", "/v2", multiple_choices),
)
