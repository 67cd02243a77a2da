"""Groups and their members (``/v3/groups``, ``/v3/groups/{id}/users``, a user's groups).

A member holds every role its groups hold; tokens read the groups at validation, so
adding or removing a member changes its tokens' roles at once.
"""

from __future__ import annotations

from typing import Any

import webob
from sqlalchemy import delete, select

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import models
from novalite.identity.api import common, projects
from novalite.identity.api.resources import user_view


def group_view(request: wsgi.Request, group: models.Group) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "domain_id": group.domain_id,
            "description": group.description or "",
            "links": {"self": common.url(request, f"/v3/groups/{group.id}")}}


def list_groups(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "list_groups")
    query = select(models.Group).order_by(models.Group.name)
    for key in ("name", "domain_id"):
        if key in request.GET:
            query = query.where(getattr(models.Group, key) == request.GET[key])
    with db_api.session_scope() as session:
        groups = [group_view(request, g) for g in session.scalars(query)]
    return wsgi.json_response(common.collection(request, "groups", groups))


def get_group(request: wsgi.Request, group_id: str) -> webob.Response:
    common.authorize(request, "get_group")
    with db_api.session_scope() as session:
        group = common.get_or_404(session, models.Group, group_id, "group")
        return wsgi.json_response({"group": group_view(request, group)})


def _name_taken(session: Any, domain_id: str, name: str) -> None:
    if session.scalars(select(models.Group).filter_by(domain_id=domain_id,
                                                      name=name)).first():
        raise exception.Conflict(message=f"Conflict occurred attempting to store group - "
                                 f"Duplicate entry found with name {name} at domain ID "
                                 f"{domain_id}.")


def create_group(request: wsgi.Request) -> webob.Response:
    common.authorize(request, "create_group")
    ref = common.section(request.json_body_dict(), "group")
    name = common.string(ref, "name", required=True) or ""
    with common.writing("group") as session:
        domain_id = projects.domain_id_of(session, ref)
        _name_taken(session, domain_id, name)
        group = models.Group(id=common.new_id(), name=name, domain_id=domain_id,
                             description=common.string(ref, "description", max_len=65535))
        session.add(group)
        session.flush()
        return wsgi.json_response({"group": group_view(request, group)}, status=201)


def update_group(request: wsgi.Request, group_id: str) -> webob.Response:
    common.authorize(request, "update_group")
    ref = common.section(request.json_body_dict(), "group")
    with common.writing("group") as session:
        group = common.get_or_404(session, models.Group, group_id, "group")
        if "domain_id" in ref and ref["domain_id"] != group.domain_id:
            raise exception.ValidationError(field="domain_id",
                                            reason="Update of `domain_id` is not allowed.")
        if "name" in ref:
            name = common.string(ref, "name", required=True) or ""
            if name != group.name:
                _name_taken(session, group.domain_id, name)
            group.name = name
        if "description" in ref:
            group.description = common.string(ref, "description", max_len=65535)
        session.flush()
        return wsgi.json_response({"group": group_view(request, group)})


def delete_group(request: wsgi.Request, group_id: str) -> webob.Response:
    common.authorize(request, "delete_group")
    with common.writing("group") as session:
        group = common.get_or_404(session, models.Group, group_id, "group")
        for model in (models.GroupMembership, models.GroupRoleAssignment):
            session.execute(delete(model).where(model.group_id == group_id))
        session.delete(group)
    return wsgi.empty_response(204)


def list_group_users(request: wsgi.Request, group_id: str) -> webob.Response:
    common.authorize(request, "list_users_in_group")
    with db_api.session_scope() as session:
        common.get_or_404(session, models.Group, group_id, "group")
        users = session.scalars(select(models.User).join(
            models.GroupMembership, models.GroupMembership.user_id == models.User.id)
            .where(models.GroupMembership.group_id == group_id)
            .order_by(models.User.name)).all()
        views = [user_view(request, u) for u in users]
    return wsgi.json_response(common.collection(request, "users", views))


def list_user_groups(request: wsgi.Request, user_id: str) -> webob.Response:
    common.authorize(request, "list_groups_for_user", {"user_id": user_id})
    with db_api.session_scope() as session:
        common.get_or_404(session, models.User, user_id, "user")
        groups = session.scalars(select(models.Group).join(
            models.GroupMembership, models.GroupMembership.group_id == models.Group.id)
            .where(models.GroupMembership.user_id == user_id)
            .order_by(models.Group.name)).all()
        views = [group_view(request, g) for g in groups]
    return wsgi.json_response(common.collection(request, "groups", views))


def _member(session: Any, group_id: str, user_id: str) -> models.GroupMembership | None:
    common.get_or_404(session, models.Group, group_id, "group")
    common.get_or_404(session, models.User, user_id, "user")
    return session.get(models.GroupMembership, (group_id, user_id))  # type: ignore[no-any-return]


def _not_member(group_id: str, user_id: str) -> exception.NotFound:
    return exception.NotFound(message=f"User '{user_id}' not found in group '{group_id}'.")


def add_user(request: wsgi.Request, group_id: str, user_id: str) -> webob.Response:
    common.authorize(request, "add_user_to_group")
    with common.writing("group membership") as session:
        if _member(session, group_id, user_id) is None:
            session.add(models.GroupMembership(group_id=group_id, user_id=user_id))
    return wsgi.empty_response(204)


def check_user(request: wsgi.Request, group_id: str, user_id: str) -> webob.Response:
    common.authorize(request, "check_user_in_group")
    with db_api.session_scope() as session:
        if _member(session, group_id, user_id) is None:
            raise _not_member(group_id, user_id)
    return wsgi.empty_response(204)


def remove_user(request: wsgi.Request, group_id: str, user_id: str) -> webob.Response:
    common.authorize(request, "remove_user_from_group")
    with common.writing("group membership") as session:
        membership = _member(session, group_id, user_id)
        if membership is None:
            raise _not_member(group_id, user_id)
        session.delete(membership)
    return wsgi.empty_response(204)


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/groups", list_groups),
    wsgi.Route("POST", "/v3/groups", create_group),
    wsgi.Route("GET", "/v3/groups/{group_id}", get_group),
    wsgi.Route("PATCH", "/v3/groups/{group_id}", update_group),
    wsgi.Route("DELETE", "/v3/groups/{group_id}", delete_group),
    wsgi.Route("GET", "/v3/groups/{group_id}/users", list_group_users),
    wsgi.Route("PUT", "/v3/groups/{group_id}/users/{user_id}", add_user),
    wsgi.Route("HEAD", "/v3/groups/{group_id}/users/{user_id}", check_user),
    wsgi.Route("GET", "/v3/groups/{group_id}/users/{user_id}", check_user),
    wsgi.Route("DELETE", "/v3/groups/{group_id}/users/{user_id}", remove_user),
    wsgi.Route("GET", "/v3/users/{user_id}/groups", list_user_groups),
)
