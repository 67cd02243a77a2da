"""Compute API microversions: parsing the request headers and comparing versions.

Clients send ``OpenStack-API-Version: compute 2.X`` and/or the legacy
``X-OpenStack-Nova-API-Version: 2.X``; no header means 2.1, ``latest`` the maximum.
"""

from __future__ import annotations

from typing import Any

from novalite.common import microversion
from novalite.common.microversion import APIVersion, parse

__all__ = ["MAX", "MIN", "APIVersion", "negotiate", "parse", "response_headers"]

MIN_VERSION = (2, 1)
# The highest microversion novalite serves; every gate up to it is honoured.
MAX_VERSION = (2, 100)

ENVIRON_KEY = "novalite.api_version"

MIN = APIVersion(*MIN_VERSION)
MAX = APIVersion(*MAX_VERSION)


def negotiate(environ: dict[str, Any]) -> APIVersion:
    """The version a request asks for: 400 if malformed, 406 if outside MIN..MAX."""
    return microversion.negotiate(
        microversion.requested(environ, "compute", "HTTP_X_OPENSTACK_NOVA_API_VERSION"),
        MIN, MAX)


def response_headers(version: APIVersion) -> list[tuple[str, str]]:
    return [("OpenStack-API-Version", f"compute {version}"),
            ("X-OpenStack-Nova-API-Version", str(version)),
            ("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")]
