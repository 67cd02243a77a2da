"""Block Storage API microversions: ``OpenStack-API-Version: volume 3.X`` (no header is
3.0, ``latest`` the maximum), and the versions whose behaviour this API implements."""

from __future__ import annotations

import re
from typing import Any

from novalite.common import exception

ENVIRON_KEY = "novalite.volume.api_version"
_FORMAT = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")

# The versions the code tests (cinder/api/microversions.py's names).
VOLUME_LIST_BOOTABLE = "3.2"
VOLUME_LIST_GLANCE_METADATA = "3.4"
VOLUME_SUMMARY = "3.12"
GROUP_VOLUME = "3.13"
GROUP_SNAPSHOTS = "3.14"
VOLUME_DETAIL_PROVIDER_ID = "3.21"
VOLUME_DELETE_FORCE = "3.23"
NEW_ATTACH = "3.27"
RESOURCE_FILTER = "3.31"
LIKE_FILTER = "3.34"
VOLUME_SUMMARY_METADATA = "3.36"
SNAPSHOT_LIST_USER_ID = "3.41"
VOLUME_EXTEND_INUSE = "3.42"
NEW_ATTACH_COMPLETION = "3.44"
SUPPORT_COUNT_INFO = "3.45"
VOLUME_SHARED_TARGETS_AND_SERVICE_FIELDS = "3.48"
MULTIATTACH_VOLUMES = "3.50"
ATTACHMENT_CREATE_MODE_ARG = "3.54"
VOLUME_TIME_COMPARISON_FILTER = "3.60"
VOLUME_CLUSTER_NAME = "3.61"
VOLUME_TYPE_ID_IN_VOLUME_DETAIL = "3.63"
ENCRYPTION_KEY_ID_IN_DETAILS = "3.64"
USE_QUOTA = "3.65"
SNAPSHOT_IN_USE = "3.66"
PROJECT_ID_OPTIONAL_IN_URL = "3.67"
SUPPORT_REIMAGE_VOLUME = "3.68"
SHARED_TARGETS_TRISTATE = "3.69"
EXTEND_VOLUME_COMPLETION = "3.71"


class APIVersion(tuple[int, int]):
    def __new__(cls, major: int, minor: int) -> APIVersion:
        return super().__new__(cls, (major, minor))

    def __str__(self) -> str:
        return f"{self[0]}.{self[1]}"

    def matches(self, minimum: str | None = None, maximum: str | None = None) -> bool:
        if minimum is not None and self < parse(minimum):
            return False
        return not (maximum is not None and self > parse(maximum))


def parse(text: str) -> APIVersion:
    found = _FORMAT.match(text.strip())
    if found is None:
        raise exception.Invalid(message=f"API Version String {text} is of invalid format. "
                                        "Must be of format MajorNum.MinorNum.")
    return APIVersion(int(found.group(1)), int(found.group(2)))


MIN = APIVersion(3, 0)
MAX = APIVersion(3, 71)


def negotiate(environ: dict[str, Any]) -> APIVersion:
    """The version asked for: 400 if malformed, 406 outside MIN..MAX (Cinder answers
    these with a ``computeFault``)."""
    header = environ.get("HTTP_OPENSTACK_API_VERSION") or ""
    text = None
    for item in header.split(","):
        parts = item.strip().split(None, 1)
        if len(parts) == 2 and parts[0].lower() == "volume":
            text = parts[1].strip()
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
    return [("OpenStack-API-Version", f"volume {version}"),
            ("Vary", "OpenStack-API-Version")]
