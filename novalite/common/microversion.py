"""Microversions as every OpenStack API negotiates them: ``OpenStack-API-Version:
<service> X.Y`` (no header is the minimum, ``latest`` the maximum); a malformed version is
a 400, one outside the served range a 406.

The compute API (``compute 2.X``, and Nova's legacy ``X-OpenStack-Nova-API-Version``) and
the volume API (``volume 3.X``) each keep their own range and gates on top of this.
"""

from __future__ import annotations

import re
from typing import Any

from novalite.common import exception

_FORMAT = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


class APIVersion(tuple[int, int]):
    """A ``(major, minor)`` pair, comparable with tuples; str() gives ``X.Y``."""

    def __new__(cls, major: int, minor: int) -> APIVersion:
        return super().__new__(cls, (major, minor))

    def __str__(self) -> str:
        return f"{self[0]}.{self[1]}"

    def matches(self, minimum: str | None = None, maximum: str | None = None) -> bool:
        """True if ``minimum <= self <= maximum`` (each bound optional, ``"X.Y"``)."""
        if minimum is not None and self < parse(minimum):
            return False
        return not (maximum is not None and self > parse(maximum))


def parse(text: str) -> APIVersion:
    found = _FORMAT.match(text.strip())
    if found is None:
        raise exception.Invalid(message=f"API Version String {text} is of invalid format. "
                                        "Must be of format MajorNum.MinorNum.")
    return APIVersion(int(found.group(1)), int(found.group(2)))


def requested(environ: dict[str, Any], service: str,
              legacy_header: str | None = None) -> str | None:
    """The version text ``service`` is asked for in ``OpenStack-API-Version`` (else in
    ``legacy_header``, a WSGI environ key), or None."""
    header = str(environ.get("HTTP_OPENSTACK_API_VERSION") or "")
    if header:
        for item in header.split(","):
            parts = item.strip().split(None, 1)
            if len(parts) == 2 and parts[0].lower() == service:
                return parts[1].strip()
    legacy = environ.get(legacy_header) if legacy_header else None
    return str(legacy).strip() if legacy else None


def negotiate(text: str | None, minimum: APIVersion, maximum: APIVersion) -> APIVersion:
    """The version ``text`` asks for within ``minimum..maximum``."""
    if text is None:
        return minimum
    if text.lower() == "latest":
        return maximum
    version = parse(text)
    if not minimum <= version <= maximum:
        raise exception.NotAcceptable(
            message=f"Version {version} is not supported by the API. Minimum is {minimum} "
                    f"and maximum is {maximum}.")
    return version
