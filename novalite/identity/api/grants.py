"""Role grants of users and groups on projects, domains and the system, and
``GET /v3/role_assignments`` (with ``effective``, ``include_names`` and the filters)."""

from __future__ import annotations

from typing import Any

import webob
from sqlalchemy import select
from sqlalchemy.orm import Session

from novalite.common import exception, wsgi
from novalite.db import api as db_api
from novalite.identity import assignments, models
from novalite.identity.api import common
from novalite.identity.api.resources import role_view

_ACTORS: dict[str, tuple[type[Any], type[Any], str]] = {
    # actor type: (actor model, assignment model, assignment's actor column)
    "user": (models.User, models.RoleAssignment, "user_id"),
    "group": (models.Group, models.GroupRoleAssignment, "group_id"),
}
_TARGETS: dict[str, type[Any]] = {"project": models.Project, "domain": models.Domain}
SYSTEM_ALL = "all"  # the one system target, as Keystone stores it


def _not_found(role_id: str, actor_id: str, target_id: str) -> exception.NotFound:
    return exception.NotFound(
        message=f"Could not find role assignment with role: {role_id}, user or group: "
                f"{actor_id}, project, domain, or system: {target_id}.")


def _check_refs(session: Session, target_type: str, target_id: str, actor_type: str,
                actor_id: str, role_id: str | None) -> None:
    if target_type != "system":
        common.get_or_404(session, _TARGETS[target_type], target_id, target_type)
    common.get_or_404(session, _ACTORS[actor_type][0], actor_id, actor_type)
    if role_id is None:
        return
    role = common.get_or_404(session, models.Role, role_id, "role")
    if role.domain_id != models.NULL_DOMAIN and target_type == "project":
        project = session.get(models.Project, target_id)
        if project is not None and project.domain_id != role.domain_id:
            raise exception.Forbidden(message=f"Project {target_id} must be in the same "
                                      f"domain as the role {role_id} being assigned.")


def _key(actor_type: str, actor_id: str, target_type: str, target_id: str, role_id: str
         ) -> dict[str, str]:
    return {_ACTORS[actor_type][2]: actor_id, "target_type": target_type,
            "target_id": target_id, "role_id": role_id}


def _handlers(actor_type: str, target_type: str) -> dict[str, Any]:
    """PUT/HEAD/GET/DELETE of one grant and the list of an actor's roles on a target."""
    model = _ACTORS[actor_type][1]
    prefix = "system_grant" if target_type == "system" else "grant"
    suffix = f"_for_{actor_type}" if target_type == "system" else ""

    def target_of(kwargs: dict[str, str]) -> str:
        return SYSTEM_ALL if target_type == "system" else kwargs["target_id"]

    def put(request: wsgi.Request, actor_id: str, role_id: str, **kwargs: str
            ) -> webob.Response:
        common.authorize(request, f"create_{prefix}{suffix}")
        target_id = target_of(kwargs)
        with common.writing("role assignment") as session:
            _check_refs(session, target_type, target_id, actor_type, actor_id, role_id)
            key = _key(actor_type, actor_id, target_type, target_id, role_id)
            if session.get(model, key) is None:
                session.add(model(**key))
        return wsgi.empty_response(204)

    def check(request: wsgi.Request, actor_id: str, role_id: str, **kwargs: str
              ) -> webob.Response:
        common.authorize(request, f"check_{prefix}{suffix}")
        target_id = target_of(kwargs)
        with db_api.session_scope() as session:
            _check_refs(session, target_type, target_id, actor_type, actor_id, role_id)
            if session.get(model, _key(actor_type, actor_id, target_type, target_id,
                                       role_id)) is None:
                raise _not_found(role_id, actor_id, target_id)
        return wsgi.empty_response(204)

    def remove(request: wsgi.Request, actor_id: str, role_id: str, **kwargs: str
               ) -> webob.Response:
        common.authorize(request, f"revoke_{prefix}{suffix}")
        target_id = target_of(kwargs)
        with common.writing("role assignment") as session:
            _check_refs(session, target_type, target_id, actor_type, actor_id, role_id)
            grant = session.get(model, _key(actor_type, actor_id, target_type, target_id,
                                            role_id))
            if grant is None:
                raise _not_found(role_id, actor_id, target_id)
            session.delete(grant)
        return wsgi.empty_response(204)

    def list_roles(request: wsgi.Request, actor_id: str, **kwargs: str) -> webob.Response:
        common.authorize(request, f"list_{prefix}s{suffix}")
        target_id = target_of(kwargs)
        actor_column = getattr(model, _ACTORS[actor_type][2])
        with db_api.session_scope() as session:
            _check_refs(session, target_type, target_id, actor_type, actor_id, None)
            roles = session.scalars(
                select(models.Role).join(model, model.role_id == models.Role.id)
                .where(actor_column == actor_id, model.target_type == target_type,
                       model.target_id == target_id).order_by(models.Role.name)).all()
            views = [role_view(request, role) for role in roles]
        return wsgi.json_response(common.collection(request, "roles", views))

    return {"put": put, "check": check, "remove": remove, "list": list_roles}


def _grant_routes(actor_type: str, target_type: str) -> tuple[wsgi.Route, ...]:
    handlers = _handlers(actor_type, target_type)
    if target_type == "system":
        base = f"/v3/system/{actor_type}s/{{actor_id}}/roles"
    else:
        base = f"/v3/{target_type}s/{{target_id}}/{actor_type}s/{{actor_id}}/roles"
    return (
        wsgi.Route("GET", base, handlers["list"]),
        wsgi.Route("PUT", f"{base}/{{role_id}}", handlers["put"]),
        wsgi.Route("HEAD", f"{base}/{{role_id}}", handlers["check"]),
        wsgi.Route("GET", f"{base}/{{role_id}}", handlers["check"]),
        wsgi.Route("DELETE", f"{base}/{{role_id}}", handlers["remove"]),
    )


# ----------------------------------------------------------------- role assignments


def _flag(params: Any, name: str) -> bool:
    """Keystone's boolean query filters: present and empty, or a true word."""
    if name not in params:
        return False
    return params[name].lower() not in ("0", "false", "no", "off")


def _filters(params: Any) -> assignments.Filters:
    pairs = (("scope.domain.id", "scope.project.id", "a domain or project"),
             ("scope.system", "scope.domain.id", "system or domain"),
             ("scope.system", "scope.project.id", "system or project"),
             ("user.id", "group.id", "a user or group"))
    for first, second, what in pairs:
        if params.get(first) and params.get(second):
            raise exception.ValidationError(field=f"{first}/{second}",
                                            reason=f"Specify {what}, not both.")
    target_type = target_id = None
    if params.get("scope.project.id"):
        target_type, target_id = "project", params["scope.project.id"]
    elif params.get("scope.domain.id"):
        target_type, target_id = "domain", params["scope.domain.id"]
    elif params.get("scope.system"):
        target_type, target_id = "system", SYSTEM_ALL
    return assignments.Filters(user_id=params.get("user.id"), group_id=params.get("group.id"),
                               role_id=params.get("role.id"), target_type=target_type,
                               target_id=target_id)


def list_role_assignments(request: wsgi.Request) -> webob.Response:
    params = request.GET
    common.authorize(request, "list_role_assignments", {"user_id": params.get("user.id")})
    if params.get("include_subtree") and not params.get("scope.project.id"):
        raise exception.ValidationError(
            field="include_subtree",
            reason="scope.project.id must be specified if include_subtree is also specified")
    effective = _flag(params, "effective")
    if effective and params.get("group.id"):
        raise exception.ValidationError(
            field="group.id",
            reason="Combining effective and group filter will always result in an empty list.")
    filters = _filters(params)
    inherited = "scope.OS-INHERIT:inherited_to" in params  # novalite has none (no OS-INHERIT)
    with db_api.session_scope() as session:
        found = [] if inherited else assignments.list_assignments(session, filters,
                                                                  effective=effective)
        names = _Names(session) if _flag(params, "include_names") else None
        views = [_assignment_view(request, a, names) for a in found]
    return wsgi.json_response(common.collection(request, "role_assignments", views))


class _Names:
    """The names ``include_names`` adds, read once per listing."""

    def __init__(self, session: Session) -> None:
        self.domains = {d.id: d.name for d in session.scalars(select(models.Domain))}
        self.roles = {r.id: (r.name, r.domain_id) for r in session.scalars(select(models.Role))}
        self.actors = {
            "user": {u.id: (u.name, u.domain_id) for u in session.scalars(select(models.User))},
            "group": {g.id: (g.name, g.domain_id)
                      for g in session.scalars(select(models.Group))}}
        self.projects = {p.id: (p.name, p.domain_id)
                         for p in session.scalars(select(models.Project))}

    def domain(self, domain_id: str | None) -> dict[str, Any]:
        return {"id": domain_id, "name": self.domains.get(domain_id or "")}


def _assignment_view(request: wsgi.Request, assignment: assignments.Assignment,
                     names: _Names | None) -> dict[str, Any]:
    role: dict[str, Any] = {"id": assignment.role_id}
    actor: dict[str, Any] = {"id": assignment.actor_id}
    scope: dict[str, Any]
    if assignment.target_type == "system":
        scope = {"system": {"all": True}}
        link = "/v3/system"
    else:
        scope = {assignment.target_type: {"id": assignment.target_id}}
        link = f"/v3/{assignment.target_type}s/{assignment.target_id}"
    links: dict[str, str] = {}
    if assignment.via_group:
        link += f"/groups/{assignment.via_group}"
        links["membership"] = common.url(
            request, f"/v3/groups/{assignment.via_group}/users/{assignment.actor_id}")
    else:
        link += f"/{assignment.actor_type}s/{assignment.actor_id}"
    link += f"/roles/{assignment.prior_role or assignment.role_id}"
    links["assignment"] = common.url(request, link)
    if assignment.prior_role:
        links["prior_role"] = common.url(
            request, f"/v3/prior_role/{assignment.role_id}/implies/{assignment.prior_role}")
    if names is not None:
        role_name, role_domain = names.roles.get(assignment.role_id, (None, None))
        role["name"] = role_name
        if role_domain and role_domain != models.NULL_DOMAIN:
            role["domain"] = names.domain(role_domain)
        actor_name, actor_domain = names.actors[assignment.actor_type].get(
            assignment.actor_id, (None, None))
        actor.update(name=actor_name, domain=names.domain(actor_domain))
        if assignment.target_type == "project":
            project_name, project_domain = names.projects.get(assignment.target_id,
                                                              (None, None))
            scope["project"].update(name=project_name, domain=names.domain(project_domain))
        elif assignment.target_type == "domain":
            scope["domain"]["name"] = names.domains.get(assignment.target_id)
    return {"role": role, assignment.actor_type: actor, "scope": scope, "links": links}


ROUTES: tuple[wsgi.Route, ...] = (
    wsgi.Route("GET", "/v3/role_assignments", list_role_assignments),
    *_grant_routes("user", "project"),
    *_grant_routes("group", "project"),
    *_grant_routes("user", "domain"),
    *_grant_routes("group", "domain"),
    *_grant_routes("user", "system"),
    *_grant_routes("group", "system"),
)
