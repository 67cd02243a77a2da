"""The version documents: ``GET /`` (300, every version) and ``GET /v3/`` (public)."""

from __future__ import annotations

from typing import Any

import webob

from novalite.common import wsgi
from novalite.volume.api import common, microversions

UPDATED = "2023-08-31T00:00:00Z"


def _v3(host: str) -> dict[str, Any]:
    return {"id": "v3.0", "status": "CURRENT", "version": str(microversions.MAX),
            "min_version": str(microversions.MIN), "updated": UPDATED,
            "links": [{"rel": "describedby", "type": "text/html",
                       "href": "https://docs.openstack.org/"},
                      {"rel": "self", "href": f"{host}/v3/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.volume+json;version=3"}]}


def _only_get(request: wsgi.Request) -> webob.Response | None:
    if request.method not in ("GET", "HEAD"):
        return wsgi.fault_response(common.fault_body, 405,
                                   "The method is not allowed for this resource.")
    return None


def root(request: wsgi.Request) -> webob.Response:
    return _only_get(request) or wsgi.json_response({"versions": [_v3(request.host_url)]},
                                                    status=300)


def v3(request: wsgi.Request) -> webob.Response:
    return _only_get(request) or wsgi.json_response({"versions": [_v3(request.host_url)]})
