"""The storage quota of a project's images (Glance's ``user_storage_quota``)."""

from __future__ import annotations

from novalite.common import exception
from novalite.conf import CONF
from novalite.image import repository

MIB = 1024 * 1024


class QuotaExceeded(exception.NovaliteException):
    msg_fmt = "Denying attempt to upload image because it exceeds the quota: %(reason)s"
    code = 413


def room(owner: str | None, image_size: int | None = None) -> int:
    """Bytes the owner may still store (``[image] user_storage_quota``; 0: no quota),
    at most ``[image] image_size_cap``; a 413 when there is none, or less than
    ``image_size`` (what the request declares)."""
    quota = int(CONF.image.user_storage_quota)
    cap = int(CONF.image.image_size_cap)
    if not quota or owner is None:
        return cap
    used = int(repository.usage(owner)["size"])
    left = quota - used
    if left <= 0 or (image_size is not None and image_size > left):
        raise QuotaExceeded(reason=f"{used} of {quota} bytes used")
    return min(cap, left)
