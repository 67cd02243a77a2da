"""Image members: sharing a ``shared`` image with other projects, who accept or reject it."""

from __future__ import annotations

from typing import Any

import sqlalchemy.exc
import webob

from novalite.common import exception, wsgi
from novalite.common.context import RequestContext
from novalite.image import repository
from novalite.image.api import access, validation, views

MAX_MEMBERS = 128


class MemberNotFound(exception.NotFound):
    msg_fmt = "%(member)s is not a member of image %(image_id)s"


def _shared_image(ctxt: RequestContext, image_id: str) -> dict[str, Any]:
    image = access.load_visible(ctxt, image_id)
    if image["visibility"] != "shared":
        raise exception.Forbidden(message="Only shared images have members.")
    return image


def _member_view_allowed(ctxt: RequestContext, image: dict[str, Any], member: str) -> bool:
    return ctxt.is_admin or access.is_owner(ctxt, image) or member == ctxt.project_id


def create(request: wsgi.Request, image_id: str) -> webob.Response:
    ctxt = request.context
    image = _shared_image(ctxt, image_id)
    access.authorize(ctxt, "add_member", image["owner"])
    member = request.json_body_dict().get("member")
    if not isinstance(member, str) or not member or len(member) > 255:
        raise exception.Invalid(message="Member to be added not specified")
    if repository.get_member(image_id, member) is not None:
        raise exception.Conflict(message=f"Member {member} already associated with image "
                                         f"{image_id}")
    if len(repository.list_members(image_id)) >= MAX_MEMBERS:
        raise validation.OverLimit(reason=f"Maximum number of image members ({MAX_MEMBERS}) "
                                          "exceeded.")
    try:
        row = repository.add_member(image_id, member)
    except sqlalchemy.exc.IntegrityError:
        raise exception.Conflict(message=f"Member {member} already associated with image "
                                         f"{image_id}") from None
    return wsgi.json_response(views.member(row))


def index(request: wsgi.Request, image_id: str) -> webob.Response:
    ctxt = request.context
    image = _shared_image(ctxt, image_id)
    access.authorize(ctxt, "get_members", image["owner"])
    rows = [row for row in repository.list_members(image_id)
            if _member_view_allowed(ctxt, image, row["member"])]
    return wsgi.json_response({"members": [views.member(row) for row in rows],
                               "schema": "/v2/schemas/members"})


def show(request: wsgi.Request, image_id: str, member_id: str) -> webob.Response:
    ctxt = request.context
    image = _shared_image(ctxt, image_id)
    access.authorize(ctxt, "get_member", image["owner"])
    row = repository.get_member(image_id, member_id)
    if row is None or not _member_view_allowed(ctxt, image, member_id):
        raise MemberNotFound(member=member_id, image_id=image_id)
    return wsgi.json_response(views.member(row))


def update(request: wsgi.Request, image_id: str, member_id: str) -> webob.Response:
    ctxt = request.context
    image = _shared_image(ctxt, image_id)
    status = request.json_body_dict().get("status")
    if status not in repository.MEMBER_STATUSES:
        raise exception.Invalid(message=f"Invalid status: {status!r}; must be one of "
                                        f"{', '.join(repository.MEMBER_STATUSES)}.")
    if repository.get_member(image_id, member_id) is None or not _member_view_allowed(
            ctxt, image, member_id):
        raise MemberNotFound(member=member_id, image_id=image_id)
    access.authorize(ctxt, "modify_member", image["owner"], member_id=member_id)
    row = repository.update_member(image_id, member_id, status)
    if row is None:
        raise MemberNotFound(member=member_id, image_id=image_id)
    return wsgi.json_response(views.member(row))


def delete(request: wsgi.Request, image_id: str, member_id: str) -> webob.Response:
    ctxt = request.context
    image = _shared_image(ctxt, image_id)
    if not _member_view_allowed(ctxt, image, member_id):
        raise MemberNotFound(member=member_id, image_id=image_id)
    access.authorize(ctxt, "delete_member", image["owner"])
    if not repository.delete_member(image_id, member_id):
        raise MemberNotFound(member=member_id, image_id=image_id)
    return wsgi.empty_response()


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v2/images/{image_id}/members", index),
    wsgi.Route("POST", "/v2/images/{image_id}/members", create),
    wsgi.Route("GET", "/v2/images/{image_id}/members/{member_id}", show),
    wsgi.Route("PUT", "/v2/images/{image_id}/members/{member_id}", update),
    wsgi.Route("DELETE", "/v2/images/{image_id}/members/{member_id}", delete),
)
