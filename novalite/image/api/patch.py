"""JSON-patch bodies of ``PATCH /v2/images/{id}`` (media type openstack-images-v2.1).

Only one-level paths (``/name``, ``/hw_disk_bus``) are supported, which is every
path Glance accepts apart from ``/locations``. Escapes ``~0``/``~1`` are decoded.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from novalite.common import exception, wsgi

MEDIA_TYPES = ("application/openstack-images-v2.1-json-patch",
               "application/openstack-images-v2.0-json-patch")
OPERATIONS = ("add", "replace", "remove")


class UnsupportedMediaType(exception.NovaliteException):
    msg_fmt = "%(reason)s"
    code = 415


@dataclasses.dataclass(frozen=True)
class Change:
    op: str
    path: str
    value: Any = None


def _decode_path(path: Any) -> str:
    if not isinstance(path, str) or not path.startswith("/"):
        raise exception.Invalid(message=f"Json path should start with a '/', got {path!r}.")
    segments = path[1:].split("/")
    if len(segments) != 1 or not segments[0]:
        raise exception.Invalid(message=f"Invalid JSON pointer for this resource: '{path}'")
    segment = segments[0]
    if "~" in segment.replace("~0", "").replace("~1", ""):
        raise exception.Invalid(message=f"Pointer '{path}' contains '~' not part of a "
                                        "recognized escape sequence.")
    return segment.replace("~1", "/").replace("~0", "~")


def parse(content_type: str | None, body: bytes) -> list[Change]:
    if (content_type or "").split(";")[0].strip() not in MEDIA_TYPES:
        raise UnsupportedMediaType(reason=f"Unsupported Content-Type; use {MEDIA_TYPES[0]}.")
    document = wsgi.parse_json(body or b"null")
    if not isinstance(document, list):
        raise exception.Invalid(message="Request body must be a JSON array of operation "
                                        "objects.")
    changes = []
    for item in document:
        if not isinstance(item, dict):
            raise exception.Invalid(message="Operations must be JSON objects.")
        op = item.get("op")
        if op not in OPERATIONS:
            raise exception.Invalid(message=f"Invalid operation: {op!r}; must be one of "
                                            f"{', '.join(OPERATIONS)}.")
        if op != "remove" and "value" not in item:
            raise exception.Invalid(message=f"Operation '{op}' requires a member named "
                                            "'value'.")
        changes.append(Change(op, _decode_path(item.get("path")), item.get("value")))
    return changes
