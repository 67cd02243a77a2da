"""The version documents: ``GET /`` and ``GET /v2.1/`` (public)."""

from __future__ import annotations

from typing import Any

import webob

from novalite.api.compute import microversions
from novalite.common import wsgi

UPDATED = "2013-07-23T11:33:21Z"


def _v21(host: str) -> dict[str, Any]:
    return {"id": "v2.1", "status": "CURRENT", "version": str(microversions.MAX),
            "min_version": str(microversions.MIN), "updated": UPDATED,
            "links": [{"rel": "self", "href": f"{host}/v2.1/"}]}


def root(request: wsgi.Request) -> webob.Response:
    if request.method not in ("GET", "HEAD"):
        return wsgi.fault_response(_fault, 405, "The method is not allowed for this resource.")
    return wsgi.json_response({"versions": [_v21(request.host_url)]})


def v21(request: wsgi.Request) -> webob.Response:
    if request.method not in ("GET", "HEAD"):
        return wsgi.fault_response(_fault, 405, "The method is not allowed for this resource.")
    host = request.host_url
    document = _v21(host)
    document["links"].append({"rel": "describedby", "type": "text/html",
                              "href": "http://docs.openstack.org/"})
    document["media-types"] = [{"base": "application/json",
                                "type": "application/vnd.openstack.compute+json;version=2.1"}]
    return wsgi.json_response({"version": document})


def _fault(code: int, message: str) -> dict[str, Any]:
    from novalite.api.compute.faults import fault_body

    return fault_body(code, message)
