"""Compute API microversions: parsing the request headers and comparing versions.

Clients send ``OpenStack-API-Version: compute 2.X`` and/or the legacy
``X-OpenStack-Nova-API-Version: 2.X``; no header means 2.1, ``latest`` the maximum.
"""

from __future__ import annotations

import re
from typing import Any

from novalite.common import exception

MIN_VERSION = (2, 1)
# The highest microversion novalite serves; every gate up to it is honoured.
MAX_VERSION = (2, 100)

ENVIRON_KEY = "novalite.api_version"
_FORMAT = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


class APIVersion(tuple[int, int]):
    """A ``(major, minor)`` pair, comparable with tuples; str() gives ``2.X``."""

    def __new__(cls, major: int, minor: int) -> APIVersion:
        return super().__new__(cls, (major, minor))

    def __str__(self) -> str:
        return f"{self[0]}.{self[1]}"

    def matches(self, minimum: str | None = None, maximum: str | None = None) -> bool:
        """True if ``minimum <= self <= maximum`` (each bound optional, ``"2.X"``)."""
        if minimum is not None and self < parse(minimum):
            return False
        return not (maximum is not None and self > parse(maximum))


def parse(text: str) -> APIVersion:
    found = _FORMAT.match(text.strip())
    if found is None:
        raise exception.Invalid(message=f"API Version String {text} is of invalid format. "
                                        "Must be of format MajorNum.MinorNum.")
    return APIVersion(int(found.group(1)), int(found.group(2)))


MIN = APIVersion(*MIN_VERSION)
MAX = APIVersion(*MAX_VERSION)


def _requested(environ: dict[str, Any]) -> str | None:
    header = environ.get("HTTP_OPENSTACK_API_VERSION")
    if header:
        for item in header.split(","):
            parts = item.strip().split(None, 1)
            if len(parts) == 2 and parts[0].lower() == "compute":
                return parts[1].strip()
    legacy = environ.get("HTTP_X_OPENSTACK_NOVA_API_VERSION")
    return legacy.strip() if legacy else None


def negotiate(environ: dict[str, Any]) -> APIVersion:
    """The version a request asks for: 400 if malformed, 406 if outside MIN..MAX."""
    text = _requested(environ)
    if text is None:
        return MIN
    if text.lower() == "latest":
        return MAX
    version = parse(text)
    if not MIN <= version <= MAX:
        raise exception.NotAcceptable(
            message=f"Version {version} is not supported by the API. Minimum is {MIN} and "
                    f"maximum is {MAX}.")
    return version


def response_headers(version: APIVersion) -> list[tuple[str, str]]:
    return [("OpenStack-API-Version", f"compute {version}"),
            ("X-OpenStack-Nova-API-Version", str(version)),
            ("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")]
