"""Block Storage API microversions: ``OpenStack-API-Version: volume 3.X`` (no header is
3.0, ``latest`` the maximum), and the versions whose behaviour this API implements."""

from __future__ import annotations

from typing import Any

from novalite.common import microversion
from novalite.common.microversion import APIVersion, parse

__all__ = ["MAX", "MIN", "APIVersion", "negotiate", "parse", "response_headers"]

ENVIRON_KEY = "novalite.volume.api_version"

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


MIN = APIVersion(3, 0)
MAX = APIVersion(3, 71)


def negotiate(environ: dict[str, Any]) -> APIVersion:
    """The version asked for: 400 if malformed, 406 outside MIN..MAX (Cinder answers
    these with a ``computeFault``)."""
    return microversion.negotiate(microversion.requested(environ, "volume"), MIN, MAX)


def response_headers(version: APIVersion) -> list[tuple[str, str]]:
    return [("OpenStack-API-Version", f"volume {version}"),
            ("Vary", "OpenStack-API-Version")]
