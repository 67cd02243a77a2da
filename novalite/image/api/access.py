"""Who may see an image (Glance's visibility rules) and policy checks against its owner."""

from __future__ import annotations

from typing import Any

from novalite.common import exception, policy
from novalite.common.context import RequestContext
from novalite.common.uuidutils import is_uuid
from novalite.image import repository


class ImageNotFound(exception.NotFound):
    msg_fmt = "No image found with ID %(image_id)s"


def can_see(ctxt: RequestContext, image: dict[str, Any]) -> bool:
    """Public and community: everyone; private: the owner; shared: owner and members."""
    if ctxt.is_admin or image["visibility"] in ("public", "community"):
        return True
    if image["owner"] is not None and image["owner"] == ctxt.project_id:
        return True
    if image["visibility"] == "shared" and ctxt.project_id:
        return repository.get_member(image["id"], ctxt.project_id) is not None
    return False


def load_visible(ctxt: RequestContext, image_id: str) -> dict[str, Any]:
    """The image, or 404 whether it does not exist or the caller may not see it."""
    if not is_uuid(image_id):
        raise ImageNotFound(image_id=image_id)
    image = repository.get(image_id)
    if image is None or not can_see(ctxt, image):
        raise ImageNotFound(image_id=image_id)
    return image


def is_owner(ctxt: RequestContext, image: dict[str, Any]) -> bool:
    return image["owner"] is not None and image["owner"] == ctxt.project_id


def authorize(ctxt: RequestContext, action: str, owner: str | None = None,
              **extra: Any) -> None:
    target = {"project_id": owner or "", "user_id": ctxt.user_id, **extra}
    policy.authorize(ctxt, f"image:{action}", target)
