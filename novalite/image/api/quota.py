"""The quotas of a project's images: Glance's legacy ``user_storage_quota`` (bytes), or,
with ``[image] use_keystone_limits``, the unified limits Glance reads from Keystone
(``image_size_total`` and ``image_stage_total`` in MiB, ``image_count_total`` and
``image_count_uploading``; a resource with no registered limit allows nothing, as in
Glance)."""

from __future__ import annotations

import os

from novalite.common import exception
from novalite.conf import CONF
from novalite.identity import limits as identity_limits
from novalite.image import repository
from novalite.image.store import FileStore

MIB = 1024 * 1024
RESOURCES = ("image_size_total", "image_stage_total", "image_count_total",
             "image_count_uploading")
UNLIMITED = -1


class QuotaExceeded(exception.NovaliteException):
    msg_fmt = "Denying attempt to upload image because it exceeds the quota: %(reason)s"
    code = 413


class CountExceeded(exception.NovaliteException):
    msg_fmt = "Quota exceeded for %(resource)s: %(used)d of %(limit)d used"
    code = 413


def staging() -> FileStore:
    """Where ``PUT .../stage`` keeps data until it is imported."""
    return FileStore(f"{CONF.image.filesystem_store_datadir}/staging")


def limits(owner: str | None) -> dict[str, int]:
    """Each resource's limit for ``owner`` (-1: none), in Glance's units."""
    if CONF.image.use_keystone_limits:
        found = identity_limits.project_limits("image", owner, RESOURCES,
                                               region_id=CONF.identity.region)
        return {name: 0 if value is None else value for name, value in found.items()}
    legacy = int(CONF.image.user_storage_quota)
    return {"image_size_total": -(-legacy // MIB) if legacy else UNLIMITED,
            "image_stage_total": UNLIMITED, "image_count_total": UNLIMITED,
            "image_count_uploading": UNLIMITED}


def usage(owner: str) -> dict[str, int]:
    """What ``owner`` uses: bytes stored and staged, images, images uploading."""
    used = repository.usage(owner)
    staged = sum(os.path.getsize(staging().path(image_id)) for image_id in used["uploading"]
                 if staging().exists(image_id))
    return {"size": int(used["size"]), "staged": staged, "count": int(used["count"]),
            "uploading": len(used["uploading"])}


def _size_limit(owner: str) -> int | None:
    """The bytes ``owner`` may store in all, None without a limit."""
    if not CONF.image.use_keystone_limits:
        legacy = int(CONF.image.user_storage_quota)
        return legacy or None
    limit = limits(owner)["image_size_total"]
    return None if limit < 0 else limit * MIB


def check_count(owner: str | None) -> None:
    """Before an image is created: ``image_count_total``."""
    if owner is None or not CONF.image.use_keystone_limits:
        return
    limit = limits(owner)["image_count_total"]
    used = usage(owner)["count"]
    if 0 <= limit <= used:
        raise CountExceeded(resource="image_count_total", used=used, limit=limit)


def room(owner: str | None, image_size: int | None = None, staging_data: bool = False) -> int:
    """Bytes the owner may still store (stage, with ``staging_data``), at most ``[image]
    image_size_cap``; a 413 when there is none, less than ``image_size`` (what the
    request declares), or too many of its images are uploading already."""
    cap = int(CONF.image.image_size_cap)
    if owner is None:
        return cap
    used = usage(owner)
    if CONF.image.use_keystone_limits:
        uploading = limits(owner)["image_count_uploading"]
        if 0 <= uploading <= used["uploading"]:
            raise CountExceeded(resource="image_count_uploading", used=used["uploading"],
                                limit=uploading)
    rooms = [cap]
    total = _size_limit(owner)
    if total is not None:
        rooms.append(total - used["size"] - used["staged"])
    if staging_data and CONF.image.use_keystone_limits:
        stage = limits(owner)["image_stage_total"]
        if stage >= 0:
            rooms.append(stage * MIB - used["staged"])
    left = min(rooms)
    if left < cap and (left <= 0 or (image_size is not None and image_size > left)):
        raise QuotaExceeded(reason=f"{max(left, 0)} bytes left")
    return left
